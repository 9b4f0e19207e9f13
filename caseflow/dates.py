"""The one clock, and dates as people type them.

Every "today", every date check, every shown time and every quarter boundary goes through this
module: `now()` is the instant (aware UTC), `today()` the organisation's date in its time zone
(`CASEFLOW_TIMEZONE`), and `local()` / the `local` template filter turn a stored UTC instant into
the organisation's wall-clock time. Nothing else calls `date.today()` or `datetime.now()` (a test
greps for them), so freezing this clock freezes the whole app:

- tests call `freeze(instant)` (or use the `clock` fixture) and `unfreeze()`;
- a whole process (the browser journeys' server, a CLI call next to it) can start its clock at a
  given instant with `CASEFLOW_CLOCK_AT=2026-11-29T02:00:00Z`; the clock then runs on from there.
  Refused in production.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

EARLIEST = date(2000, 1, 1)  # nothing in Caseflow is dated before this
DATE_HINT = "Use a date like 2026-03-31."
DEFAULT_TIMEZONE = "America/New_York"

_frozen: datetime | None = None  # set by freeze(): the clock stands still at this instant


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


# --- the clock ----------------------------------------------------------------------------------


def zone() -> tzinfo:
    """The organisation's time zone: the app's `TIMEZONE`; outside an app (the benchmark, a script)
    the same CASEFLOW_TIMEZONE the app would read."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or os.environ.get("CASEFLOW_TIMEZONE") or DEFAULT_TIMEZONE)


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    if _frozen is not None:
        return _frozen
    offset = current_app.config.get("CLOCK_OFFSET") if has_app_context() else None
    real = datetime.now(UTC)
    return real + offset if offset else real


def today() -> date:
    """Today in the organisation's time zone (a concern logged at 11 pm is today's, not tomorrow's)."""
    return now().astimezone(zone()).date()


def local(moment: datetime) -> datetime:
    """A stored instant in the organisation's time zone (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def local_date(moment: datetime) -> date:
    return local(moment).date()


FORMATS = {
    "datetime": "%Y-%m-%d %H:%M %Z",
    "seconds": "%Y-%m-%d %H:%M:%S %Z",
    "date": "%Y-%m-%d",
    "time": "%H:%M:%S",
}


def show(moment: datetime | None, style: str = "datetime", empty: str = "—") -> str:
    """The `local` template filter: an instant as the organisation reads it, e.g. "2026-11-28 21:05 EST".

    `style` is one of FORMATS ("datetime", "seconds", "date", "time") or a strftime pattern."""
    if moment is None:
        return empty
    return local(moment).strftime(FORMATS.get(style, style))


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the organisation's zone, as a UTC instant."""
    return datetime.combine(day, datetime.min.time(), zone()).astimezone(UTC)


# --- freezing (tests) and starting the clock elsewhere (CASEFLOW_CLOCK_AT) ----------------------


def _instant(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("give the clock an aware instant, e.g. 2026-11-29T02:00:00+00:00")
    return value.astimezone(UTC)


def freeze(at: datetime | str) -> datetime:
    """Stop the clock at `at` (aware, or ISO with an offset) for every app in this process."""
    global _frozen
    _frozen = _instant(at)
    return _frozen


def unfreeze() -> None:
    global _frozen
    _frozen = None


def init_app(app: Flask) -> None:
    """Start the app's clock at CASEFLOW_CLOCK_AT when set, and register the `local` filter."""
    start = app.config.get("CLOCK_AT")
    if start:
        if app.config.get("ENV_NAME") == "production":
            raise RuntimeError("CASEFLOW_CLOCK_AT moves the clock; it is for tests and demos, not production.")
        app.config["CLOCK_OFFSET"] = _instant(start) - datetime.now(UTC)
    app.add_template_filter(show, "local")
    app.add_template_global(today, "org_today")


def shift(delta: timedelta) -> datetime:
    """Move a frozen clock on by `delta` (tests that need time to pass)."""
    if _frozen is None:
        raise RuntimeError("the clock is not frozen")
    return freeze(_frozen + delta)
