"""Data survives the ledger migrations: the investment app's rename (``investment`` → ``invest``)
adopts a database that still has the former app's tables — rows, content types and history kept —
and the money columns then read back exactly. Runs the real migrations on a file database in a
separate process (the test database of pytest-django is already migrated)."""
# ruff: noqa: E501 — the former schema is quoted as sqlmigrate printed it
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess  # migrates a file database in a child process

ROOT = Path(__file__).resolve().parent.parent

# the former ``investment`` app's schema, as its migrations 0001 and 0002 created it (sqlmigrate)
OLD_SCHEMA = """
CREATE TABLE "investment_investyear" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "year" smallint unsigned NOT NULL CHECK ("year" >= 0), "unit" varchar(100) NOT NULL, "rule_id" varchar(64) NOT NULL, "rule_version" integer unsigned NOT NULL CHECK ("rule_version" >= 0), "origin" varchar(8) NOT NULL, "saved_by" varchar(150) NOT NULL, "saved_at" datetime NOT NULL, "reason" varchar(300) NOT NULL, "department_id" bigint NOT NULL REFERENCES "budget_department" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "investment_fdiinflow" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "fdi_id" varchar(64) NOT NULL, "arrival_date" date NOT NULL, "amount" decimal NOT NULL, "unit" varchar(8) NOT NULL, "type" varchar(8) NOT NULL, "project_id" varchar(64) NOT NULL, "enterprise_uscc" varchar(18) NOT NULL, "enterprise" varchar(200) NOT NULL, "fx_rate_usd" decimal NULL, "fx_rate_source" varchar(200) NOT NULL, "credited_unit" varchar(100) NOT NULL, "share" decimal NOT NULL, "verified_by" varchar(64) NOT NULL, "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "investment_credit" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "position" integer unsigned NOT NULL CHECK ("position" >= 0), "project_id" varchar(64) NOT NULL, "unit" varchar(100) NOT NULL, "share" decimal NOT NULL, "role" varchar(8) NOT NULL, "counts_for" text NOT NULL CHECK ((JSON_VALID("counts_for") OR "counts_for" IS NULL)), "amount_split" bool NOT NULL, "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "investment_leadervisit" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "visit_id" varchar(64) NOT NULL, "date" date NOT NULL, "leaders" varchar(200) NOT NULL, "enterprise" varchar(200) NOT NULL, "city" varchar(64) NOT NULL, "outside_city" bool NOT NULL, "purpose" varchar(8) NOT NULL, "outcome" text NOT NULL, "follow_up" text NOT NULL, "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "investment_project" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "project_id" varchar(64) NOT NULL, "name" varchar(200) NOT NULL, "stage" varchar(8) NOT NULL, "investor" varchar(200) NOT NULL, "investor_region" varchar(64) NOT NULL, "is_foreign" bool NOT NULL, "industry_code" varchar(8) NOT NULL, "industry_tag" varchar(32) NOT NULL, "source_channel" varchar(32) NOT NULL, "first_contact_date" date NULL, "entered_pool_date" date NULL, "signed_date" date NULL, "registered_date" date NULL, "landed_date" date NULL, "started_date" date NULL, "production_date" date NULL, "full_production_date" date NULL, "closed_date" date NULL, "agreement_no" varchar(64) NOT NULL, "agreed_investment" decimal NULL, "agreed_investment_unit" varchar(8) NOT NULL, "agreed_output" decimal NULL, "agreed_output_unit" varchar(8) NOT NULL, "fx_rate_cny" decimal NULL, "fx_rate_source" varchar(200) NOT NULL, "registered_uscc" varchar(18) NOT NULL, "registered_capital" decimal NULL, "registered_capital_unit" varchar(8) NOT NULL, "officer" varchar(64) NOT NULL, "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "investment_promotionevent" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "event_id" varchar(64) NOT NULL, "date" date NOT NULL, "type" varchar(16) NOT NULL, "title" varchar(200) NOT NULL, "place" varchar(200) NOT NULL, "outside_district" bool NOT NULL, "organiser" varchar(200) NOT NULL, "partners" varchar(300) NOT NULL, "attendees" integer unsigned NULL CHECK ("attendees" >= 0), "leads_generated" integer unsigned NULL CHECK ("leads_generated" >= 0), "projects_signed" integer unsigned NULL CHECK ("projects_signed" >= 0), "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "new__investment_investyear" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "year" smallint unsigned NOT NULL CHECK ("year" >= 0), "unit" varchar(100) NOT NULL, "rule_id" varchar(64) NOT NULL, "rule_version" integer unsigned NOT NULL CHECK ("rule_version" >= 0), "origin" varchar(8) NOT NULL, "saved_by" varchar(150) NOT NULL, "saved_at" datetime NOT NULL, "reason" varchar(300) NOT NULL, "department_id" bigint NOT NULL REFERENCES "budget_department" ("id") DEFERRABLE INITIALLY DEFERRED, CONSTRAINT "invest_year_unique" UNIQUE ("department_id", "year"));
INSERT INTO "new__investment_investyear" ("id", "year", "unit", "rule_id", "rule_version", "origin", "saved_by", "saved_at", "reason", "department_id") SELECT "id", "year", "unit", "rule_id", "rule_version", "origin", "saved_by", "saved_at", "reason", "department_id" FROM "investment_investyear";
DROP TABLE "investment_investyear";
ALTER TABLE "new__investment_investyear" RENAME TO "investment_investyear";
CREATE INDEX "investment_fdiinflow_ledger_id_3f30b931" ON "investment_fdiinflow" ("ledger_id");
CREATE INDEX "investment_credit_ledger_id_aef9ba80" ON "investment_credit" ("ledger_id");
CREATE INDEX "investment_leadervisit_ledger_id_06256cfd" ON "investment_leadervisit" ("ledger_id");
CREATE INDEX "investment_project_stage_ebf2a7ff" ON "investment_project" ("stage");
CREATE INDEX "investment_project_ledger_id_7dcd154b" ON "investment_project" ("ledger_id");
CREATE INDEX "investment_promotionevent_ledger_id_20f42a15" ON "investment_promotionevent" ("ledger_id");
CREATE INDEX "investment_investyear_department_id_8392c430" ON "investment_investyear" ("department_id");
CREATE TABLE "new__investment_project" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "project_id" varchar(64) NOT NULL, "name" varchar(200) NOT NULL, "stage" varchar(8) NOT NULL, "investor" varchar(200) NOT NULL, "investor_region" varchar(64) NOT NULL, "is_foreign" bool NOT NULL, "industry_code" varchar(8) NOT NULL, "industry_tag" varchar(32) NOT NULL, "source_channel" varchar(32) NOT NULL, "first_contact_date" date NULL, "entered_pool_date" date NULL, "signed_date" date NULL, "registered_date" date NULL, "landed_date" date NULL, "started_date" date NULL, "production_date" date NULL, "full_production_date" date NULL, "closed_date" date NULL, "agreement_no" varchar(64) NOT NULL, "agreed_investment" decimal NULL, "agreed_investment_unit" varchar(8) NOT NULL, "agreed_output" decimal NULL, "agreed_output_unit" varchar(8) NOT NULL, "fx_rate_cny" decimal NULL, "fx_rate_source" varchar(200) NOT NULL, "registered_uscc" varchar(18) NOT NULL, "registered_capital" decimal NULL, "registered_capital_unit" varchar(8) NOT NULL, "officer" varchar(64) NOT NULL, "note" text NOT NULL, "origin" varchar(8) NOT NULL, "ledger_id" bigint NOT NULL REFERENCES "investment_investyear" ("id") DEFERRABLE INITIALLY DEFERRED, CONSTRAINT "invest_project_unique" UNIQUE ("ledger_id", "project_id"));
INSERT INTO "new__investment_project" ("id", "project_id", "name", "stage", "investor", "investor_region", "is_foreign", "industry_code", "industry_tag", "source_channel", "first_contact_date", "entered_pool_date", "signed_date", "registered_date", "landed_date", "started_date", "production_date", "full_production_date", "closed_date", "agreement_no", "agreed_investment", "agreed_investment_unit", "agreed_output", "agreed_output_unit", "fx_rate_cny", "fx_rate_source", "registered_uscc", "registered_capital", "registered_capital_unit", "officer", "note", "origin", "ledger_id") SELECT "id", "project_id", "name", "stage", "investor", "investor_region", "is_foreign", "industry_code", "industry_tag", "source_channel", "first_contact_date", "entered_pool_date", "signed_date", "registered_date", "landed_date", "started_date", "production_date", "full_production_date", "closed_date", "agreement_no", "agreed_investment", "agreed_investment_unit", "agreed_output", "agreed_output_unit", "fx_rate_cny", "fx_rate_source", "registered_uscc", "registered_capital", "registered_capital_unit", "officer", "note", "origin", "ledger_id" FROM "investment_project";
DROP TABLE "investment_project";
ALTER TABLE "new__investment_project" RENAME TO "investment_project";
CREATE INDEX "investment_project_stage_ebf2a7ff" ON "investment_project" ("stage");
CREATE INDEX "investment_project_ledger_id_7dcd154b" ON "investment_project" ("ledger_id");
CREATE TABLE "investment_investchange" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "when" datetime NOT NULL, "who" varchar(150) NOT NULL, "department" varchar(64) NOT NULL, "year" smallint unsigned NOT NULL CHECK ("year" >= 0), "action" varchar(8) NOT NULL, "field" varchar(64) NOT NULL, "before" text NULL, "after" text NULL, "reason" text NOT NULL, "table" varchar(32) NOT NULL, "record" varchar(200) NOT NULL);
CREATE INDEX "investment_investchange_when_aaaf44b8" ON "investment_investchange" ("when");
CREATE INDEX "investment_investchange_department_405fa4df" ON "investment_investchange" ("department");
CREATE INDEX "investment_investchange_record_53704b00" ON "investment_investchange" ("record");
"""

SCRIPT = r"""
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.settings"
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0)
call_command("migrate", "invest", "zero", verbosity=0)  # back to a database without the new app
from django.contrib.contenttypes.models import ContentType
from jixiao.budget.models import Department

ContentType.objects.filter(app_label="invest").delete()
old_type = ContentType.objects.create(app_label="investment", model="project")
dept = Department.objects.create(code="demo", name="示例部门")
connection.ensure_connection()
raw = connection.connection
raw.executescript(sys.argv[1])
raw.execute("INSERT INTO investment_investyear (year, unit, rule_id, rule_version, origin, saved_by, saved_at, reason,"
            " department_id) VALUES (2022, '本单位', 'invest-2022', 1, '录入', '旧版', '2022-12-31 00:00:00', '', ?)",
            [dept.id])
raw.execute("INSERT INTO investment_project (project_id, name, stage, investor, investor_region, is_foreign,"
            " industry_code, industry_tag, source_channel, entered_pool_date, agreement_no, agreed_investment,"
            " agreed_investment_unit, agreed_output_unit, fx_rate_source, registered_uscc,"
            " registered_capital_unit, officer, note, origin, ledger_id) VALUES ('P1', '项目一', '新洽谈入库', '',"
            " '', 0, '', '', '', '2022-03-01', '', 12345.5, '万元', '万元', '', '', '万元', '', '', '录入', 1)")
raw.execute("INSERT INTO investment_investchange ([when], who, department, year, action, field, before, after,"
            " reason, [table], record) VALUES ('2022-12-31 00:00:00', '旧版', 'demo', 2022, '修改', 'name', '旧名',"
            " '项目一', '', 'projects', 'P1')")
raw.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('investment', '0001_initial', '2022-01-01'),"
            " ('investment', '0002_change_history', '2022-01-01')")
raw.commit()

call_command("migrate", verbosity=0)  # the new app adopts the old tables

from jixiao.invest.models import InvestChange, Project
tables = sorted(connection.introspection.table_names())
p = Project.objects.get()
h = InvestChange.objects.get()
print(json.dumps({
    "old_tables": [t for t in tables if t.startswith("investment_")],
    "project": [p.project_id, p.name, str(p.agreed_investment), p.version, p.ledger.unit],
    "history": [h.record, h.record_id == p.id, h.who, h.before],
    "content_type": [old_type.id, ContentType.objects.get(app_label="invest", model="project").id],
    "old_migrations": list(connection.cursor().execute(
        "SELECT count(*) FROM django_migrations WHERE app = 'investment'").fetchone()),
}, ensure_ascii=False))
"""


def test_the_renamed_investment_app_adopts_the_former_tables(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}", "JIXIAO_SECRET_KEY": "x" * 50,
           "JIXIAO_VAR_DIR": str(tmp_path)}
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, OLD_SCHEMA], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["old_tables"] == []
    assert got["project"] == ["P1", "项目一", "12345.5000", 1, "本单位"]
    assert got["history"] == ["P1", True, "旧版", "旧名"]
    assert got["content_type"][0] == got["content_type"][1]  # the same content type, relabelled
    assert got["old_migrations"] == [0]
