"""Building and inserting many rows of one table fast: what ``Model(**values)`` and
``bulk_create`` do for new rows of the budget tables and the change history, with each column's
handling chosen once per table instead of once per value (an import of a city builds and inserts
millions of values; Django's generic paths were most of its time).

Only for plain rows: no multi-table inheritance, no signals, every foreign key set by id.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


def new_row(model: type[M], **values: Any) -> M:
    """An unsaved row of ``model``: ``model(**values)``, built from positional values, which
    Django does in half the time (an import builds a row per indicator)."""
    columns = _columns(model)
    if not values.keys() <= columns.keys():  # a misspelt name would silently be the default
        raise TypeError(f"{model.__name__} has no column {sorted(values.keys() - columns.keys())}")
    return model(*[values[name] if name in values else default() for name, default in columns.items()])


@functools.cache
def _columns(model: type[models.Model]) -> dict[str, Callable[[], Any]]:
    """The default of every column by attribute name, in the order ``Model.__init__`` takes them."""
    return {f.attname: f.get_default for f in model._meta.concrete_fields}


# Column types whose Python value goes to the database as it is (when it has that type): for them
# ``Field.get_db_prep_save`` is the identity, and calling it per value was most of the time of
# inserting a unit's rows through ``bulk_create``. Every other column (decimals, JSON, dates)
# goes through its field's own conversion.
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,), models.TextField: (str,), models.BooleanField: (bool,),
    models.IntegerField: (int,), models.PositiveIntegerField: (int,), models.SmallIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,), models.BigIntegerField: (int,), models.ForeignKey: (int,),
}


def insert_rows(model: type[models.Model], rows: list[Any]) -> None:
    """``model.objects.bulk_create(rows)`` for new rows of this module's tables (no signals, no
    parents, every foreign key already set by id), with each column's conversion chosen once per
    table instead of per value. The rows get their primary keys."""
    db = router.db_for_write(model)
    connection = connections[db]
    if not rows:
        return
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover — old SQLite
        model._default_manager.bulk_create(rows)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    plain = [_AS_IS.get(type(f)) for f in fields]
    stamped = [bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) for f in fields]
    qn = connection.ops.quote_name
    head = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES ")
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {qn(meta.pk.column)}"
    # PostgreSQL takes one array per column (``unnest``): a statement of a few parameters, where
    # a multi-row VALUES list has one per value, each parsed by the driver on every execution.
    columns = connection.vendor == "postgresql"
    if columns:
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        one = f"SELECT * FROM unnest({arrays})"
    size = len(rows) if columns else max(1, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            params: list[Any] = []
            for row in batch:
                for f, types, stamp in zip(fields, plain, stamped, strict=True):
                    value = f.pre_save(row, True) if stamp else getattr(row, f.attname)
                    if value is None or (types is not None and type(value) in types):
                        params.append(value)
                    else:
                        params.append(f.get_db_prep_save(value, connection))
            if columns:
                width = len(fields)
                ids = _insert_arrays(connection, head.replace(" VALUES ", " ") + one + tail,
                                     [params[i::width] for i in range(width)])
            else:
                cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
                ids = [r[0] for r in cursor.fetchall()]
            if len(ids) != len(batch):
                raise RuntimeError("the database did not return the ids of inserted rows")
            for row, pk in zip(batch, ids, strict=True):
                row.pk = pk
                row._state.adding, row._state.db = False, db


def _insert_arrays(connection: Any, sql: str, arrays: list[list[Any]]) -> list[Any]:
    """Run the ``unnest`` INSERT with its arrays bound by the server: Django's PostgreSQL cursor
    binds on the client, quoting every element of every array into the statement text (a fifth
    of the client's time in an import). The same connection, so the same transaction."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, arrays)
        return [r[0] for r in cursor.fetchall()]
