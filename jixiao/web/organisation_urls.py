"""The organisation pages: units, users, the first-run set-up."""
from django.urls import path

from jixiao.web.views import organisation as views

app_name = "organisation"

urlpatterns = [
    path("setup/", views.first_run, name="first_run"),
    path("org/", views.units, name="units"),
    path("org/units/new/", views.unit_edit, name="unit_new"),
    path("org/units/<str:code>/", views.unit_edit, name="unit_edit"),
    path("org/users/", views.users, name="users"),
    path("org/users/new/", views.user_edit, name="user_new"),
    path("org/users/<str:username>/", views.user_edit, name="user_edit"),
    path("org/users/<str:username>/reset/", views.user_reset, name="user_reset"),
    path("org/users/<str:username>/active/", views.user_active, name="user_active"),
    path("org/file/", views.org_file, name="file"),
    path("org/template.xlsx", views.org_export, name="export"),
]
