"""Routes of the monitoring pages; included by ``jixiao/web/urls.py`` so they share its
namespace (``web:monitoring``, ``web:checkpoint_action``, ``web:bureau_monitoring``). The
self-evaluation pages of the same data-entry cycle are included from here too
(``jixiao/web/urls_selfeval.py``)."""
from django.urls import include, path

from jixiao.web import monitoring

urlpatterns = [
    path("d/<str:code>/<int:year>/monitoring/", monitoring.department_monitoring, name="monitoring"),
    path("d/<str:code>/<int:year>/monitoring/<str:pcode>/<int:month>/", monitoring.checkpoint_form,
         name="checkpoint_form"),
    path("d/<str:code>/<int:year>/monitoring/<str:pcode>/<int:month>/workflow/", monitoring.checkpoint_action,
         name="checkpoint_action"),
    path("bureau/<str:code>/<int:year>/monitoring/", monitoring.bureau_monitoring, name="bureau_monitoring"),
    path("", include("jixiao.web.urls_selfeval")),
]
