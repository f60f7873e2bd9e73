"""企业服务与经济运行监测: enterprises, statistics, visits, tickets (Django app)."""
