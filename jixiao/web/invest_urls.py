"""Routes of the investment-ledger pages, under the department-year like the rest of the web app."""
from django.urls import path

from jixiao.web import invest_views, ledger_forms

app_name = "invest"

D = "d/<str:code>/<int:year>/invest/"

urlpatterns = [
    path(D, invest_views.board, name="board"),
    *ledger_forms.routes(D, "invest"),
]
