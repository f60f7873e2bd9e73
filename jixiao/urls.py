"""URL configuration: the platform's own routes, then each feature's."""
from django.contrib import admin
from django.urls import include, path

from jixiao import features

admin.site.site_header = "jixiao 预算绩效管理"
admin.site.site_title = "jixiao 管理"

urlpatterns = [
    # The web app's own login (lock-out, Chinese page) must win over django.contrib.auth.urls.
    path("", include("jixiao.web.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
]

# Feature routes: each feature declares its URL module once, in jixiao/features.py.
urlpatterns += [path("", include(module)) for module in features.url_modules()]
