"""Routes of the self-evaluation pages (绩效自评填报); included by ``jixiao/web/urls.py`` so they
share its namespace (``web:selfeval``, ``web:selfeval_project`` …)."""
from django.urls import path

from jixiao.web.views import selfeval

D = "d/<str:code>/<int:year>/selfeval/"

urlpatterns = [
    path(D, selfeval.department, name="selfeval"),
    path(D + "summary/", selfeval.summary, {"pcode": ""}, name="selfeval_dept_summary"),
    path(D + "texts/", selfeval.save_department_texts, name="selfeval_dept_texts"),
    path(D + "i/<str:icode>/", selfeval.save_department_indicator, name="selfeval_dept_indicator"),
    path(D + "p/<str:pcode>/", selfeval.project, name="selfeval_project"),
    path(D + "p/<str:pcode>/summary/", selfeval.summary, name="selfeval_summary"),
    path(D + "p/<str:pcode>/texts/", selfeval.save_project_texts, name="selfeval_texts"),
    path(D + "p/<str:pcode>/i/<str:icode>/", selfeval.save_project_indicator, name="selfeval_indicator"),
]
