"""Routes of the land-ledger pages, under the department-year like the rest of the web app."""
from django.urls import path

from jixiao.web import land_views
from jixiao.web.ledger_urls import ledger_routes

app_name = "land"

D = "d/<str:code>/<int:year>/land/"

urlpatterns = [
    path(D, land_views.summary, name="summary"),
    path(D + "parcels/", land_views.parcel_list, name="list"),
    path(D + "parcels/<str:parcel_id>/", land_views.parcel_detail, name="parcel"),
    *ledger_routes(D, "land"),
]
