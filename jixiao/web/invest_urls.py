"""Routes of the investment-ledger pages, under the department-year like the rest of the web app."""
from django.urls import path

from jixiao.web import invest_views
from jixiao.web.ledger_urls import ledger_routes

app_name = "invest"

D = "d/<str:code>/<int:year>/invest/"

urlpatterns = [
    path(D, invest_views.board, name="board"),
    *ledger_routes(D, "invest"),
]
