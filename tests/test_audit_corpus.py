"""The report excerpts of the corpus (tests/corpus/reports): enough of them, every kind of finding
the auditor has raised by at least one excerpt, and each finding at the line where a reader sees
the figure. (Whether each excerpt raises what its expectations say is tests/test_corpus.py's.)"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from jixiao.core.audit import audit_lines, load_audit_rules

REPORTS = Path(__file__).resolve().parent / "corpus" / "reports"
EXCERPTS = sorted(REPORTS.glob("*.txt"))


def _expect(path: Path) -> dict:
    return json.loads(path.with_suffix(".expect.json").read_text(encoding="utf-8"))


def _audit(path: Path):
    return audit_lines(path.read_text(encoding="utf-8").splitlines())


def test_there_are_enough_excerpts_and_controls():
    assert len(EXCERPTS) >= 15
    assert all(_expect(p)["command"] == "audit" for p in EXCERPTS)
    assert sum(1 for p in EXCERPTS if _expect(p).get("no_errors")) >= 5


def test_every_kind_of_finding_has_an_excerpt():
    raised = {f.code for p in EXCERPTS for f in _audit(p).findings}
    assert set(load_audit_rules().checks) <= raised


@pytest.mark.parametrize("path", EXCERPTS, ids=lambda p: p.stem)
def test_findings_are_at_the_line_holding_the_figure(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    result = _audit(path)
    assert result.checked >= 1, "every excerpt makes a claim the auditor recomputes"
    for f in result.findings:
        line = lines[int(re.search(r"\d+", f.location).group()) - 1].replace(" ", "")
        shown = f.recomputed if f.code == "A-FULL" else f.claimed  # A-FULL sits at the rate it contradicts
        figure = re.search(r"\d[\d.]*", shown)
        # a claimed figure is on its line; a split (按资金来源分…) is placed where it starts
        assert (figure and figure.group() in line) or f.claim.strip("…")[:4] in line, (f.location, f.message)
