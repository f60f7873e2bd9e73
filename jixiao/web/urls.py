"""Routes of the web application. Every department-scoped route names the department code in
the path and resolves it through ``jixiao.web.access`` (404 when out of reach)."""
from django.urls import include, path

from jixiao.web.views import accounts, api, bureau, dashboard, evaluation, history, home, project, upload

app_name = "web"

D = "d/<str:code>/<int:year>/"

urlpatterns = [
    path("", home.index, name="index"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("d/<str:code>/", home.department_latest, name="department_latest"),
    path(D, home.department, name="department"),
    path(D + "dashboard/", dashboard.dashboard, name="dashboard"),
    path(D + "p/<str:pcode>/", project.detail, name="project"),
    path(D + "p/<str:pcode>/i/<str:icode>/actual/", project.edit_actual, name="edit_actual"),
    path(D + "p/<str:pcode>/i/<str:icode>/adjust/", project.adjust_request, name="adjust_request"),
    path(D + "p/<str:pcode>/workflow/", project.project_action, name="project_action"),
    path(D + "adjustments/<int:adjustment>/", project.adjust_decide, name="adjust_decide"),
    path(D + "evaluation/", evaluation.department_evaluation, name="evaluation"),
    path(D + "workflow/", evaluation.department_action, name="department_action"),
    path(D + "evaluation/problems/", evaluation.problems_text, name="problems_text"),
    path(D + "rectifications/<str:rcode>/workflow/", evaluation.rectification_action, name="rectification_action"),
    path(D + "report.<str:fmt>", evaluation.report_download, name="report"),
    path(D + "excel/<str:form>.xlsx", evaluation.excel_download, name="excel"),
    path(D + "export.json", evaluation.json_download, name="json"),
    path(D + "history/", history.history, name="history"),
    path(D + "review/", bureau.review, name="review"),
    path("d/<str:code>/upload/", upload.upload, name="upload"),
    path("d/<str:code>/upload/confirm/", upload.upload_confirm, name="upload_confirm"),
    path("bureau/<str:code>/", bureau.bureau_latest, name="bureau_latest"),
    path("bureau/<str:code>/<int:year>/", bureau.overview, name="bureau"),
    path("api/openapi.json", api.openapi, name="api_openapi"),
    path("api/departments/", api.departments, name="api_departments"),
    path("api/departments/<str:code>/<int:year>/", api.department_year, name="api_department_year"),
    path("api/departments/<str:code>/<int:year>/projects/", api.projects, name="api_projects"),
    path("api/departments/<str:code>/<int:year>/projects/<str:pcode>/", api.project, name="api_project"),
    path("api/departments/<str:code>/<int:year>/projects/<str:pcode>/indicators/", api.indicators,
         name="api_indicators"),
    path("api/departments/<str:code>/<int:year>/evaluation/", api.evaluation, name="api_evaluation"),
    path("", include("jixiao.web.urls_monitoring")),
]
