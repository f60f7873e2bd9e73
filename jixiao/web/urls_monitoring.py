"""Routes of the monitoring pages; included by ``jixiao/web/urls.py`` so they share its
namespace (``web:monitoring``, ``web:checkpoint_action``, ``web:bureau_monitoring``)."""
from django.urls import path

from jixiao.web import monitoring

urlpatterns = [
    path("d/<str:code>/<int:year>/monitoring/", monitoring.department_monitoring, name="monitoring"),
    path("d/<str:code>/<int:year>/monitoring/<str:pcode>/<int:month>/workflow/", monitoring.checkpoint_action,
         name="checkpoint_action"),
    path("bureau/<str:code>/<int:year>/monitoring/", monitoring.bureau_monitoring, name="bureau_monitoring"),
]
