"""预检 and the reviewer's workpaper."""
from django.urls import path

from jixiao.web.views import precheck as views

app_name = "precheck"

urlpatterns = [
    path("d/<str:code>/<int:year>/precheck/", views.department, name="department"),
    path("d/<str:code>/<int:year>/precheck/workpaper.xlsx", views.workpaper, name="workpaper"),
    path("bureau/<str:code>/<int:year>/precheck/", views.bureau, name="bureau"),
]
