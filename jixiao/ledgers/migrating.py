"""Data steps the ledger apps' migrations share (used with ``migrations.RunPython``). They work
on the historical models the migration passes in, never on the current ones."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jixiao.core.ledger import to_value

_BATCH = 500


def canonical_decimals(app_label: str, columns: Mapping[str, Sequence[str]]) -> Callable[[Any, Any], None]:
    """Rewrite decimal columns that became ``ExactDecimalField``: SQLite kept them as floats, which
    the column change copied as their float text (``110.0``); written again they are canonical
    decimal text (``110.0000``), as every later write is. No-op on PostgreSQL."""

    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for model_name, fields in columns.items():
            model = apps.get_model(app_label, model_name)
            rows = list(model.objects.only("pk", *fields))
            model.objects.bulk_update(rows, list(fields), batch_size=_BATCH)

    return run


def link_history(app_label: str, change_model: str,
                 tables: Mapping[str, tuple[str, Sequence[str], Callable[[Any], tuple[str, int]]]]
                 ) -> Callable[[Any, Any], None]:
    """Fill ``record_id`` of history rows written before rows kept their identity: each row whose
    readable key names a record still stored (same department, year and table) gets its id.
    ``tables``: table key → (model name, identity attributes, row → (department code, year))."""

    def run(apps: Any, schema_editor: Any) -> None:
        change = apps.get_model(app_label, change_model)
        for table, (model_name, identity, scope) in tables.items():
            model = apps.get_model(app_label, model_name)
            ids: dict[tuple[str, int, str], int] = {}
            for row in model.objects.select_related().order_by("id"):
                base = " / ".join(str(to_value(getattr(row, a))) for a in identity)
                key, n = base, 1
                code, year = scope(row)
                while (code, year, key) in ids:
                    n += 1
                    key = f"{base} #{n}"
                ids[(code, year, key)] = row.pk
            for entry in change.objects.filter(table=table, record_id__isnull=True).iterator():
                pk = ids.get((entry.department, entry.year, entry.record))
                if pk is not None:
                    # a raw UPDATE: the append-only guard belongs to the current model, and this
                    # only completes what the row always meant
                    schema_editor.execute(
                        f"UPDATE {schema_editor.quote_name(change._meta.db_table)} SET record_id = %s WHERE id = %s",
                        [pk, entry.pk])

    return run
