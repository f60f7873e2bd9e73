"""Routes of the security log page (system administrators only)."""
from django.urls import path

from jixiao.web import seclog

app_name = "security"

urlpatterns = [
    path("security-log/", seclog.security_log, name="log"),
    path("security-log/export.json", seclog.security_log_export, name="export"),
]
