"""Dates as people type them: one reading of an ISO date for every form, the API and imports."""

from __future__ import annotations

from datetime import date
from typing import Any

EARLIEST = date(2000, 1, 1)  # nothing in Caseflow is dated before this
DATE_HINT = "Use a date like 2026-03-31."


def iso_date(value: Any) -> date | None:
    """`value` as a date when it is one or an ISO date string; None when it is neither."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
