"""Small SQL expressions that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, Integer, String, cast, literal
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


class week_start(FunctionElement):
    """The Monday of a DATE column's ISO week, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(week_start)
def _week_start_default(element, compiler, **kw):
    (arg,) = list(element.clauses)
    column = compiler.process(arg, **kw)
    return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(week_start, "postgresql")
def _week_start_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"CAST(date_trunc('week', {compiler.process(arg, **kw)}) AS DATE)"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def split_weeks(first: date, last: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """[first, last] as (ragged day ranges, (first Monday, last Monday) of the whole weeks inside)."""
    first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
    last_sunday = last - timedelta(days=(last.weekday() + 1) % 7)
    if first_monday + timedelta(days=6) > last_sunday:
        return [(first, last)], None
    days = [(first, first_monday - timedelta(days=1)), (last_sunday + timedelta(days=1), last)]
    return [(a, b) for a, b in days if a <= b], (first_monday, last_sunday - timedelta(days=6))


class list_agg(FunctionElement):
    """Comma-separated values of a text column per group (group_concat / string_agg)."""

    type = String()
    inherit_cache = True


@compiles(list_agg)
def _list_agg_default(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"group_concat({compiler.process(arg, **kw)}, ',')"


@compiles(list_agg, "postgresql")
def _list_agg_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"string_agg({compiler.process(arg, **kw)}, ',')"


class month_index(FunctionElement):
    """Months since year 0 for a DATE column (year * 12 + month - 1): buckets months, and quarters
    by integer division, the same way on both engines."""

    type = Integer()
    inherit_cache = True


@compiles(month_index)
def _month_index_default(element, compiler, **kw):
    (arg,) = list(element.clauses)
    column = compiler.process(arg, **kw)
    return f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%m', {column}) AS INTEGER) - 1)"


@compiles(month_index, "postgresql")
def _month_index_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    column = compiler.process(arg, **kw)
    return f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"


class utc_date(FunctionElement):
    """The UTC calendar date of a timestamp column, as a DATE."""

    type = Date()
    inherit_cache = True


@compiles(utc_date)
def _utc_date_default(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"date({compiler.process(arg, **kw)})"


@compiles(utc_date, "postgresql")
def _utc_date_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"CAST(({compiler.process(arg, **kw)}) AT TIME ZONE 'UTC' AS DATE)"
