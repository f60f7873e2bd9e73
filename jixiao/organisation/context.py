"""``org_manage`` for the page header: whether to show the 组织与用户 link. Asked once per
session (a role granted meanwhile shows the link from the next login), so pages pay no query."""
from __future__ import annotations

from django.http import HttpRequest

from jixiao.budget import models as m
from jixiao.core.workflow import load_workflow
from jixiao.services.organisation import has_administrator

SESSION_KEY = "jixiao_org_manage"


def _first_run_needed() -> bool:
    return not has_administrator()


def organisation(request: HttpRequest) -> dict[str, object]:
    """``org_manage``, and ``first_run_needed`` — a callable, so only the login page, which shows
    the first-run link, pays its query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"org_manage": False, "first_run_needed": _first_run_needed}
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        return {"org_manage": bool(session[SESSION_KEY])}
    permissions = load_workflow().permissions
    managing = permissions.get("organise", frozenset()) | permissions.get("manage_users", frozenset())
    allowed = user.is_superuser or m.Membership.objects.filter(user=user, role__in=managing).exists()
    if session is not None:
        session[SESSION_KEY] = allowed
    return {"org_manage": allowed}
