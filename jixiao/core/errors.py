"""Errors that reach users. Messages are Chinese and name where the problem is."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    """One problem in some input: where it is and what to fix."""

    location: str  # e.g. "demo.json: $.projects[2].indicators[0].weight" or "自评表!F12"
    message: str  # Chinese, says what is wrong and what to do
    field: str = ""  # the field name as the user knows it, e.g. "分值"

    def __str__(self) -> str:
        where = f"{self.location}（{self.field}）" if self.field else self.location
        return f"{where}：{self.message}"


class InputError(Exception):
    """Bad input. Carries every problem found, not just the first; nothing has been stored."""

    def __init__(self, problems: list[Problem] | str, location: str = ""):
        if isinstance(problems, str):
            problems = [Problem(location=location, message=problems)]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
