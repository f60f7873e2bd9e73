"""The site's own icon at the address browsers ask for without being told (``/favicon.ico``);
pages link the same file from the static files."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

ICON = Path(__file__).resolve().parent.parent / "static" / "web" / "favicon.svg"


@lru_cache(maxsize=1)
def _icon() -> bytes:
    return ICON.read_bytes()


def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response
