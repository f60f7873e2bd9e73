"""招商引资台账: the investment-promotion pipeline (Django app)."""
