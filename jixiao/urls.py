"""URL configuration: the platform's own routes, then each feature's.

The site has one login (``web:login``, with the lock-out); django.contrib.auth.urls is not
included (its password-reset pages were reachable and unused). The Django admin is mounted only
with JIXIAO_ADMIN=1, and then logs in through the site's login."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from jixiao import features
from jixiao.web.views.accounts import admin_login

admin.site.site_header = "jixiao 预算绩效管理"
admin.site.site_title = "jixiao 管理"
admin.site.login = admin_login  # type: ignore[method-assign,assignment]  # one login path, one lock-out

urlpatterns = [
    path("", include("jixiao.web.urls")),
    path("", include("jixiao.web.seclog_urls")),
]
if settings.JIXIAO_ADMIN:
    urlpatterns.append(path("admin/", admin.site.urls))

# Feature routes: each feature declares its URL module once, in jixiao/features.py.
urlpatterns += [path("", include(module)) for module in features.url_modules()]
