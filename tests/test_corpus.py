"""The corpus (tests/corpus/, format in its README): invented tables and report excerpts in the
shapes units publish. Every readable file loads and is checked without a traceback, every
consistent control has no 错误 finding, every inconsistent case raises its code, and what must
not be reported is not. The command line runs in-process, so a case sees what a user sees."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jixiao.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECT = ".expect.json"
KEYS = {"about", "command", "must", "must_not", "no_errors", "no_error_at", "loads", "score"}


def _expectations() -> list[Path]:
    return sorted(CORPUS.rglob(f"*{EXPECT}"))


def _input_of(expect: Path) -> Path:
    stem = expect.name[: -len(EXPECT)]
    inputs = [p for p in expect.parent.glob(f"{stem}.*") if p.name != expect.name and not p.name.endswith(EXPECT)]
    assert len(inputs) == 1, f"{expect}: expected one input named {stem}.<ext>, found {[p.name for p in inputs]}"
    return inputs[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


def _matches(finding: dict[str, Any], want: str | dict[str, str]) -> bool:
    code = finding.get("code") or finding.get("kind")  # audit findings are named by their kind
    if isinstance(want, str):
        return code == want
    return code == want["code"] and all(finding.get(k) == v for k, v in want.items() if k != "code")


def test_the_corpus_has_its_cases_and_every_input_its_expectations() -> None:
    tables = list((CORPUS / "tables").glob(f"*{EXPECT}"))
    assert len(tables) >= 40
    assert sum(1 for p in tables if json.loads(p.read_text(encoding="utf-8")).get("no_errors")) >= 10
    for path in CORPUS.rglob("*"):
        if path.is_file() and not path.name.endswith((EXPECT, ".md", ".py")):  # READMEs, generator scripts
            stem = path.name.split(".")[0]
            assert (path.parent / f"{stem}{EXPECT}").is_file(), f"{path}: no {stem}{EXPECT} beside it"


@pytest.mark.parametrize("expect", _expectations(), ids=lambda p: str(p.relative_to(CORPUS))[: -len(EXPECT)])
def test_case(expect: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = json.loads(expect.read_text(encoding="utf-8"))
    assert not set(spec) - KEYS, f"unknown keys {set(spec) - KEYS}"
    assert spec.get("about"), "every case says what it is"
    source = _input_of(expect)
    command = spec.get("command", "check")
    rc, out, err = _run(capsys, command, str(source), "--json")
    assert "Traceback" not in out + err
    if not spec.get("loads", True):
        assert rc == 2, f"an unreadable file must be refused (exit 2), got {rc}"
        assert err.strip().startswith("错误："), "with a Chinese message"
        return
    assert rc in (0, 1), f"a readable file must be checked, got exit {rc}: {err.strip()[:300]}"
    findings = json.loads(out)["findings"]
    shown = sorted({f.get("code") or f.get("kind") for f in findings})
    for want in spec.get("must", []):
        assert any(_matches(f, want) for f in findings), f"expected {want}, got {shown}"
    for unwanted in spec.get("must_not", []):
        assert not any(_matches(f, unwanted) for f in findings), f"unexpected {unwanted}"
    errors = [f for f in findings if f.get("severity") == "错误"]
    if spec.get("no_errors"):
        assert not errors, f"a consistent control got errors: {[(f['code'], f['message']) for f in errors]}"
    for code in spec.get("no_error_at", []):
        assert not [f for f in errors if f.get("indicator") == code], f"error at {code}"
    if command == "check" and spec.get("score", True):
        rc, out, err = _run(capsys, "score", str(source), "--json")
        assert "Traceback" not in out + err
        assert rc == 0, f"jixiao score exit {rc}: {err.strip()[:300]}"
        assert json.loads(out)
