"""A user whose password an administrator set (a new account, a reset) changes it first."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from jixiao.organisation.models import Profile

# Pages a user with an assigned password may still open: changing it, leaving, and the assets.
_ALLOWED = ("/accounts/", "/static/", "/favicon.ico", "/healthz")


class MustChangePasswordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(_ALLOWED)
                and not request.path.startswith("/api/")):
            profile = Profile.objects.filter(user=user).only("assigned_password").first()
            if profile is not None and profile.assigned_password and profile.assigned_password == user.password:
                return redirect(reverse("web:password_change") + "?required=1")
        return self.get_response(request)
