"""Who is acting: a person logged in (web, API token) or the command line.

``Actor.roles_in(department)`` is the one answer to "what may this actor do here"; every use case
asks it. A membership (user × department × role) reaches the department and every department
below it; superusers hold 系统管理员 everywhere.

The command line acts as the named system user ``SYSTEM_NAME`` with the rights of a 系统管理员
in every department — and no more: it cannot bypass a lock or the workflow either (reopening a
locked year takes the ``unlock`` transition, with a reason, from the CLI too).
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jixiao.budget import models as m

ADMIN_ROLE = "系统管理员"
SYSTEM_NAME = "命令行"


def _tree() -> tuple[dict[int, list[int]], dict[int, int | None]]:
    children: dict[int, list[int]] = defaultdict(list)
    parents: dict[int, int | None] = {}
    for pk, parent in m.Department.objects.values_list("id", "parent_id"):
        parents[pk] = parent
        if parent is not None:
            children[parent].append(pk)
    return children, parents


def _below(roots: set[int], children: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(children.get(pk, ()))
    return seen


def _ancestors(department: m.Department) -> list[int]:
    """The department's id and the ids of every department above it, nearest first."""
    ids: list[int] = []
    node: m.Department | None = department
    while node is not None and node.id not in ids:
        ids.append(node.id)
        node = node.parent  # select_related loaded the first levels; a deeper one costs a query
    return ids


@dataclass
class Actor:
    """The acting user. ``user`` is a Django user, or None for the system (command line)."""

    name: str
    user: Any = None
    system: bool = False
    _roles_in: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    _role_map: dict[int, frozenset[str]] | None = field(default=None, repr=False)

    @property
    def active(self) -> bool:
        return self.system or bool(self.user is not None and self.user.is_authenticated and self.user.is_active)

    def role_map(self) -> dict[int, frozenset[str]]:
        """Department id → roles held there (inherited from every department above)."""
        if self._role_map is None:
            if not self.active:
                self._role_map = {}
            else:
                children, parents = _tree()
                roles: dict[int, set[str]] = defaultdict(set)
                if self.system or self.user.is_superuser:
                    for pk in parents:
                        roles[pk].add(ADMIN_ROLE)
                else:
                    for dept_id, role in m.Membership.objects.filter(user=self.user).values_list(
                            "department_id", "role"):
                        for pk in _below({dept_id}, children):
                            roles[pk].add(role)
                self._role_map = {k: frozenset(v) for k, v in roles.items()}
        return self._role_map

    def forget_roles(self) -> None:
        """Read the roles again on the next question: the organisation changed (a unit created)."""
        self._role_map = None
        self._roles_in.clear()

    def roles_in(self, department: m.Department) -> frozenset[str]:
        """Roles held in ``department``. One department: walking up from it costs a query or two,
        where ``role_map`` reads the whole tree (a city has a thousand units)."""
        if not self.active:
            return frozenset()
        if self._role_map is not None:
            return self._role_map.get(department.id, frozenset())
        if department.id not in self._roles_in:
            if self.system or self.user.is_superuser:
                held: frozenset[str] = frozenset({ADMIN_ROLE})
            else:
                held = frozenset(m.Membership.objects.filter(
                    user=self.user, department_id__in=_ancestors(department)).values_list("role", flat=True))
            self._roles_in[department.id] = held
        return self._roles_in[department.id]


def actor_for(user: Any) -> Actor:
    """The actor of a request's user, cached on the user object for the request."""
    cached = getattr(user, "_jixiao_actor", None)
    if cached is None:
        cached = Actor(name=user.get_username() if user.is_authenticated else "", user=user)
        user._jixiao_actor = cached
    return cached


def system_actor() -> Actor:
    """The command line: named after the operating-system account that runs it."""
    account = os.environ.get("USER") or os.environ.get("USERNAME")
    return Actor(name=f"{SYSTEM_NAME}（{account}）" if account else SYSTEM_NAME, system=True)
