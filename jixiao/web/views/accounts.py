"""Login with lock-out, logout, password change — Chinese pages, no external assets. The one
login path: the admin (when switched on with JIXIAO_ADMIN=1) sends its login here too, so its
users meet the same lock-out and the same security log."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse_lazy

from jixiao.web import security


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = security.LockoutAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(max_failures=security.max_failures(), lock_minutes=security.lock_minutes(),
                   session_minutes=settings.SESSION_COOKIE_AGE // 60)
        return ctx


class LogoutView(auth_views.LogoutView):
    next_page = "web:login"  # a route name: resolve_url reverses it


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[security.EXPIRED_KEY] = False  # changed: no longer sent back here
        return response


class AdminLoginView(LoginView):
    """The admin's login page (``admin.site.login``): the site's own form, lock-out and log.
    A logged-in user without admin rights sees the form (not a redirect back to the admin,
    which would send them here again)."""

    redirect_authenticated_user = False


_admin_login = AdminLoginView.as_view()


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponseBase:
    return _admin_login(request)
