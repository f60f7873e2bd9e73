"""Password rules Django does not ship, for the 等保 level-3 policy (settings.AUTH_PASSWORD_VALIDATORS,
used by every password form and by ``createsuperuser``):

- several kinds of characters (complexity);
- not containing the username;
- not a common password, also when decorated ("password123!", "Qwerty@2024" are common);
- not one of the last few passwords (history), whose hashes ``PasswordHistory`` keeps.

``createsuperuser`` goes through the same policy (``require_policy_for_superusers``), so no
administrator account starts with a password the policy refuses.
"""
from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import UserManager
from django.core.exceptions import ValidationError

from jixiao.web.models import PasswordHistory

_CLASSES = (
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)
# Digits and symbols around a word ("password123!", "@@admin2024"): what is left is the word.
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_MIN_WORD = 4  # shorter leftovers ("ab") are not taken for a dictionary word


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        present = sum(1 for _, test in _CLASSES if any(test(c) for c in password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        kinds = "、".join(name for name, _ in _CLASSES)
        return f"密码须包含{kinds}中的至少 {self.min_classes} 类。"


class NoUsernameValidator:
    """The username must not appear in the password, in any letter case."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        name = (user.get_username() if user is not None else "") or ""
        if len(name) >= 3 and name.lower() in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords, also checked with the digits and symbols around
    a word removed."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        lower = password.lower().strip()
        word = _DECORATION.sub("", lower)
        if lower in self.passwords or (len(word) >= _MIN_WORD and word in self.passwords):
            raise ValidationError("密码过于常见（或由常见密码加数字、符号组成），请换一个。",
                                  code="password_too_common")

    def get_help_text(self) -> str:
        return "密码不能是常见密码，也不能由常见密码加数字、符号组成。"


class HistoryValidator:
    """A new password may not be one of the user's last ``keep`` passwords."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if user is None or user.pk is None:
            return
        recent = PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[: self.keep]
        if any(check_password(password, stored) for stored in recent):
            raise ValidationError(f"新密码不能与最近 {self.keep} 次使用过的密码相同。", code="password_reused")

    def password_changed(self, password: str, user: AbstractBaseUser | None = None) -> None:
        """Called by Django after a user's password was saved: remember its hash, keep ``keep``."""
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        old = PasswordHistory.objects.filter(user_id=user.pk).values_list("id", flat=True)[self.keep:]
        PasswordHistory.objects.filter(id__in=list(old)).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与最近 {self.keep} 次使用过的密码相同。"



def require_policy_for_superusers() -> None:
    """``createsuperuser --noinput`` (DJANGO_SUPERUSER_PASSWORD) skips the validators and the
    interactive mode offers to bypass them; both end in ``UserManager.create_superuser``, which
    from here on validates the password first (createsuperuser reports the refusal as its error).
    Called once, from ``WebConfig.ready``."""
    original = UserManager.create_superuser
    if getattr(original, "validates_password", False):
        return

    def create_superuser(self: UserManager, username: str, email: str | None = None, password: str | None = None,
                         **extra: Any) -> Any:
        if password is not None:
            password_validation.validate_password(password, self.model(username=username, email=email or ""))
        return original(self, username, email, password, **extra)

    create_superuser.validates_password = True  # type: ignore[attr-defined]
    UserManager.create_superuser = create_superuser  # type: ignore[method-assign]
