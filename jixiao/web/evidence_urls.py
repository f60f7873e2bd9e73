"""Routes of the 佐证材料 pages (namespace ``evidence``), included at the site root by the feature
(``jixiao/features.py``)."""
from django.urls import path

from jixiao.web.views import evidence

app_name = "evidence"
D = "d/<str:code>/<int:year>/evidence/"

urlpatterns = [
    path(D, evidence.listing, name="list"),
    path(D + "upload/", evidence.upload, name="upload"),
    # the file and the row are named in the query and the form, not the path: a download is
    # /…/evidence/file/?f=<random token>, a deletion posts the row's id
    path(D + "delete/", evidence.delete, name="delete"),
    path(D + "file/", evidence.download, name="download"),
]
