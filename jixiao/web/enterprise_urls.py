"""Routes of the enterprise-ledger pages, under the department-year like the rest of the web app."""
from django.urls import path

from jixiao.web import enterprise_views
from jixiao.web.ledger_urls import ledger_routes

app_name = "enterprise"

D = "d/<str:code>/<int:year>/enterprise/"

urlpatterns = [
    path(D, enterprise_views.overview, name="overview"),
    path(D + "list/", enterprise_views.enterprise_list, name="list"),
    path(D + "tickets/", enterprise_views.ticket_queue, name="tickets"),
    path(D + "e/<str:uscc>/", enterprise_views.enterprise_detail, name="detail"),
    *ledger_routes(D, "enterprise"),
]
