"""Routes of the investment-ledger pages, under the department-year like the rest of the web app."""
from django.urls import path

from jixiao.web import invest_views

app_name = "invest"

urlpatterns = [
    path("d/<str:code>/<int:year>/invest/", invest_views.board, name="board"),
]
