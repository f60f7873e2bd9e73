"""The site's own icon at the address browsers ask for without being told (``/favicon.ico``)."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static


def favicon(request: HttpRequest) -> HttpResponse:
    # resolved per request: the static storage's hashed name exists only after collectstatic
    return redirect(static("web/favicon.svg"), permanent=False)
