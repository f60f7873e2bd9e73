"""Budget data in the database: departments, department-years, projects, indicators, history."""
