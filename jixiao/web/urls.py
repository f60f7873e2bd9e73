"""Routes of the web application. Every department-scoped route names the department code in
the path and resolves it through ``jixiao.web.access`` (404 when out of reach)."""
from django.urls import include, path

from jixiao.web.views import accounts, api, bureau, dashboard, evaluation, history, home, project, upload
from jixiao.web.views import rectification, results

app_name = "web"

D = "d/<str:code>/<int:year>/"
A = "api/departments/<str:code>/<int:year>/"  # the JSON API of a department-year

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
    path(D + "rectification/", rectification.register, name="rectifications"),
    path(D + "rectification/new/", rectification.create, name="rectification_create"),
    path(D + "rectification/<str:rcode>/edit/", rectification.edit, name="rectification_edit"),
    path(D + "rectification/<str:rcode>/step/", rectification.step, name="rectification_step"),
    path(D + "results/", results.department_results, name="results"),
    path(D + "report.<str:fmt>", evaluation.report_download, name="report"),
    path(D + "excel/<str:form>.xlsx", evaluation.excel_download, name="excel"),
    path(D + "export.json", evaluation.json_download, name="json"),
    path(D + "history/", history.history, name="history"),
    path(D + "review/", bureau.review, name="review"),
    path(D + "review/total/", bureau.review_total, name="review_total"),
    path("d/<str:code>/upload/", upload.upload, name="upload"),
    path("d/<str:code>/upload/confirm/", upload.upload_confirm, name="upload_confirm"),
    path("bureau/<str:code>/", bureau.bureau_latest, name="bureau_latest"),
    path("bureau/<str:code>/<int:year>/", bureau.overview, name="bureau"),
    path("bureau/<str:code>/<int:year>/reviews/", bureau.bureau_reviews, name="bureau_reviews"),
    path("bureau/<str:code>/<int:year>/results/", results.bureau_results, name="bureau_results"),
    path("bureau/<str:code>/<int:year>/results.xlsx", results.bureau_results_xlsx, name="bureau_results_xlsx"),
    path("api/openapi.json", api.openapi, name="api_openapi"),
    path("api/departments/", api.departments, name="api_departments"),
    path(A, api.department_year, name="api_department_year"),
    path(A + "workflow/", api.department_workflow, name="api_department_workflow"),
    path(A + "projects/", api.projects, name="api_projects"),
    path(A + "projects/<str:pcode>/", api.project, name="api_project"),
    path(A + "projects/<str:pcode>/workflow/", api.project_workflow, name="api_project_workflow"),
    path(A + "projects/<str:pcode>/indicators/", api.indicators, name="api_indicators"),
    path(A + "projects/<str:pcode>/indicators/<str:icode>/", api.indicator, name="api_indicator"),
    path(A + "projects/<str:pcode>/indicators/<str:icode>/adjustments/", api.indicator_adjustments,
         name="api_indicator_adjustments"),
    path(A + "projects/<str:pcode>/funds/<str:source>/", api.fund, name="api_fund"),
    path(A + "projects/<str:pcode>/checkpoints/", api.checkpoints, name="api_checkpoints"),
    path(A + "projects/<str:pcode>/checkpoints/<int:month>/", api.checkpoint, name="api_checkpoint"),
    path(A + "projects/<str:pcode>/checkpoints/<int:month>/workflow/", api.checkpoint_workflow,
         name="api_checkpoint_workflow"),
    path(A + "rectifications/", api.rectifications, name="api_rectifications"),
    path(A + "rectifications/<str:rcode>/", api.rectification, name="api_rectification"),
    path(A + "rectifications/<str:rcode>/workflow/", api.rectification_workflow, name="api_rectification_workflow"),
    path(A + "review/", api.review, name="api_review"),
    path(A + "adjustments/", api.year_adjustments, name="api_year_adjustments"),
    path(A + "evaluation/", api.evaluation, name="api_evaluation"),
    path("api/adjustments/<int:id>/", api.adjustment, name="api_adjustment"),
    path("api/import/", api.import_document, name="api_import"),
    path("", include("jixiao.web.urls_monitoring")),
]
