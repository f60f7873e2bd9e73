"""事前绩效评估 pages."""
from django.urls import path

from jixiao.web.views import exante as views

app_name = "exante"

urlpatterns = [
    path("exante/", views.proposals, name="list"),
    path("exante/new/<str:code>/", views.create, name="new"),
    path("exante/<int:pk>/", views.detail, name="detail"),
    path("exante/<int:pk>/act/", views.act, name="act"),
    path("exante/<int:pk>/report.docx", views.report, name="report"),
    path("exante/<int:pk>/form.xlsx", views.form, name="form"),
]
