"""A decimal column that gives back exactly what was stored, on every database.

SQLite has no decimal type: a ``DecimalField`` column has NUMERIC affinity, so SQLite keeps the
value as an 8-byte float (15 significant digits) and Django reads it back through a 15-digit
context — ``123456789012.3456`` in an 18-digit money column came back as ``123456789012.3460``.
``ExactDecimalField`` keeps the canonical decimal text on SQLite (TEXT affinity, never
converted) and ``numeric(max_digits, decimal_places)`` on PostgreSQL, and always reads back a
``Decimal`` with the column's decimal places. ``jixiao.services.capacity`` therefore checks such
a column against its ``max_digits``/``decimal_places`` only.
"""
from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from django.db import models


class ExactDecimalField(models.DecimalField):
    stores_decimals_exactly = True

    def get_internal_type(self) -> str:
        # not "DecimalField": the SQLite backend would read the column back through a float
        return "ExactDecimalField"

    def db_type(self, connection: Any) -> str:
        if connection.vendor == "sqlite":
            return "text"
        return connection.data_types["DecimalField"] % self.db_type_parameters(connection)

    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places)

    def _canonical(self, value: Decimal) -> Decimal:
        context = decimal.Context(prec=max(self.max_digits, len(value.as_tuple().digits)) + 2)
        return value.quantize(self._quantum(), context=context)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql"):
            return value
        value = self._canonical(self.to_python(value))
        return format(value, "f") if connection.vendor == "sqlite" else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):  # an SQL aggregate over the column on SQLite
            value = Decimal(repr(value))
        return self._canonical(Decimal(value))
