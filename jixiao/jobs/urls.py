"""Routes of the 任务 pages and of ``/healthz``."""
from django.urls import path

from jixiao.jobs import views

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/<int:job_id>/", views.job_detail, name="detail"),
    path("jobs/<int:job_id>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("jobs/<int:job_id>/download/", views.job_download, name="download"),
    path("bureau/<str:code>/<int:year>/reports/", views.bureau_reports, name="bureau_reports"),
    path("healthz", views.healthz, name="healthz"),
]
