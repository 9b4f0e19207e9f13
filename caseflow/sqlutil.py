"""Small SQL expressions that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

EPOCH = date(1970, 1, 1)


class day_number(FunctionElement):
    """Whole days since 1970-01-01 for a DATE column: lets us bucket weeks with integer division."""

    type = Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"CAST(julianday({compiler.process(arg, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_number_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} - DATE '1970-01-01')"


def week_index(column, start: date) -> ColumnElement[int]:
    """0 for the 7 days from `start`, 1 for the next 7, … (negative before `start`)."""
    offset = (start - EPOCH).days
    return cast((day_number(column) - literal(offset)), Integer) // 7  # `/` is true division in SA 2
