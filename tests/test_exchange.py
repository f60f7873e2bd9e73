"""The exchange format: strict reading with every problem located, exact round trip, schema."""
import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.errors import InputError
from jixiao.core.quality import review
from jixiao.exchange import dumps, from_dict, read_file, to_dict
from jixiao.exchange.schema import build_schema

DEMO = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"


@pytest.fixture
def doc() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def problems_of(data) -> list[str]:
    with pytest.raises(InputError) as err:
        from_dict(data, "x.json")
    return [str(p) for p in err.value.problems]


def test_demo_reads_and_round_trips_exactly():
    dy = read_file(DEMO)
    again = from_dict(json.loads(dumps(dy)), "again.json")
    assert again == dy
    assert to_dict(again) == to_dict(dy)
    assert dy.budget == Decimal("1153.25") and dy.executed == Decimal("1104.37")


def test_numbers_are_written_as_strings_so_no_float_touches_money():
    out = to_dict(read_file(DEMO))
    assert out["budget_lines"][0]["executed"] == "491.48"
    assert out["projects"][0]["monthly_executed"]["1"] == "1.85"


def test_json_numbers_are_read_exactly(doc):
    doc["budget_lines"][0]["executed"] = 491.48  # a JSON number, not a string
    dy = from_dict(json.loads(json.dumps(doc), parse_float=Decimal), "x.json")
    assert dy.budget_lines[0].executed == Decimal("491.48")


def test_wrong_type_is_reported_with_its_json_path(doc):
    doc["projects"][2]["indicators"][0]["weight"] = "abc"
    (msg,) = problems_of(doc)
    assert "x.json: $.projects[2].indicators[0].weight" in msg and "分值" in msg


def test_every_problem_is_reported_at_once(doc):
    doc["budget_lines"][0]["budget"] = "-5"
    doc["projects"][0]["funds"][0]["executed"] = "-1"
    doc["projects"][1]["indicators"][0]["target_text"] = "≈5个"
    doc["year"] = "二〇二二"
    msgs = "\n".join(problems_of(doc))
    assert "$.year" in msgs
    # Structural problems stop before semantic checks; fix the year and the rest all show up.
    doc["year"] = 2022
    msgs = "\n".join(problems_of(doc))
    assert "$.budget_lines[0].budget" in msgs and "不能为负数" in msgs
    assert "$.projects[0].funds[0].executed" in msgs
    # An unreadable target is content, not structure: read, then reported by the quality review.
    assert "target_text" not in msgs


def test_incomplete_and_unreadable_content_is_read_and_left_to_the_quality_review(doc):
    doc["projects"][1]["indicators"][0]["target_text"] = "≈5个"
    doc["projects"][1]["indicators"][1]["weight"] = None
    doc["projects"][1]["funds"][0]["executed"] = None
    doc["projects"][3]["indicators"][0]["weight"] = "25"  # the weights no longer fit the scheme
    dy = from_dict(doc)
    codes = {f.code for f in review(dy)}
    assert {"Q-TARGET-UNREADABLE", "Q-MISSING-WEIGHT", "Q-WEIGHT-SUM"} <= codes


def test_missing_and_unknown_fields(doc):
    del doc["projects"][0]["name"]
    doc["projects"][1]["budgett"] = "1"
    msgs = "\n".join(problems_of(doc))
    assert "$.projects[0].name" in msgs and "缺少必填字段" in msgs
    assert "$.projects[1].budgett" in msgs and "未知字段" in msgs


def test_closed_vocabularies(doc):
    doc["budget_lines"][0]["fund_source"] = "财政拨款"
    doc["projects"][0]["checkpoints"][0]["indicators"][1]["likelihood"] = "可能"
    doc["rectifications"][0]["status"] = "已审核"  # a workflow state, not a rectification state
    msgs = "\n".join(problems_of(doc))
    assert "财政拨款" in msgs and "一般公共预算" in msgs
    assert "$.projects[0].checkpoints[0].indicators[1].likelihood" in msgs
    assert "$.rectifications[0].status" in msgs and "整改中" in msgs


def test_duplicates_and_references(doc):
    doc["projects"][1]["code"] = doc["projects"][0]["code"]
    doc["projects"][0]["checkpoints"][0]["indicators"][0]["indicator"] = "NOPE"
    msgs = "\n".join(problems_of(doc))
    assert "重复" in msgs and "NOPE" in msgs


def test_unknown_template_and_foreign_documents(doc):
    bad = copy.deepcopy(doc)
    bad["project_template"] = "nowhere"
    assert any("nowhere" in m for m in problems_of(bad))
    assert any("不是 jixiao 交换格式" in m for m in problems_of({"broken": 1}))
    assert any("版本" in m for m in problems_of({**doc, "format_version": 99}))
    assert any("JSON 对象" in m for m in problems_of([1, 2]))


def test_override_without_reason_is_refused(doc):
    doc["indicators"][6]["override_reason"] = " "
    assert any("理由" in m for m in problems_of(doc))


def test_files(tmp_path):
    with pytest.raises(InputError, match="找不到文件"):
        read_file(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"broken": ', encoding="utf-8")
    with pytest.raises(InputError, match="第 1 行"):
        read_file(broken)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="UTF-8"):
        read_file(binary)


def test_committed_schema_matches_the_dataclasses():
    committed = json.loads((DEMO.parents[2] / "exchange" / "schema.json").read_text(encoding="utf-8"))
    assert committed == build_schema()


def test_schema_names_every_field_of_the_demo(doc):
    schema = build_schema()
    assert set(doc) <= set(schema["properties"])
    project_props = schema["$defs"]["Project"]["properties"]
    assert set(doc["projects"][0]) <= set(project_props)
