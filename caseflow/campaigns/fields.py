"""Field rules for campaign input: one parser for the web forms and the API.

Each rule reads one value from a plain mapping (a form's data or a JSON body) and either returns
the clean value or adds a message under the field's name. `strict` is for JSON: numbers must be
numbers there, while a form sends every value as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext

from caseflow.dates import EARLIEST, iso_date
from caseflow.errors import ValidationFailed
from caseflow.i18n import number as format_number
from caseflow.validation import Errors, clean_text, is_blank

MAX_COUNT = 99999
_DIGITS = re.compile(r"-?[0-9]+")  # ASCII digits only: int() would take "٣" and "１２"


_blank = is_blank


@dataclass(frozen=True)
class Text:
    max_len: int = 5000
    required: bool = False

    def parse(self, value: Any, name: str, errors: Errors, strict: bool) -> str | None:
        if _blank(value) and not self.required:
            return ""  # an optional text left empty is stored as empty text
        return clean_text(value, name, errors, max_len=self.max_len, required=self.required)


@dataclass(frozen=True)
class Int:
    low: int = 0
    high: int = MAX_COUNT
    required: bool = False
    default: int | None = None

    def parse(self, value: Any, name: str, errors: Errors, strict: bool) -> int | None:
        message = gettext(
            "Use a whole number from %(low)s to %(high)s.", low=format_number(self.low), high=format_number(self.high)
        )
        if _blank(value):
            if self.required:
                errors.add(name, gettext("This is required."))
            return self.default
        if isinstance(value, bool):
            errors.add(name, message)
            return None
        if isinstance(value, int):
            number = value
        elif not strict and isinstance(value, str) and _DIGITS.fullmatch(value.strip()) and len(value.strip()) < 12:
            number = int(value.strip())
        else:
            errors.add(name, message)
            return None
        if not self.low <= number <= self.high:
            errors.add(name, message)
            return None
        return number


@dataclass(frozen=True)
class Number:
    """A measure's value: any finite number of reasonable size, or blank."""

    limit: float = 1e12

    def parse(self, value: Any, name: str, errors: Errors, strict: bool) -> float | None:
        if _blank(value):
            return None
        if isinstance(value, bool):
            errors.add(name, gettext("Use a number, like 45 or 12.5."))
            return None
        try:
            if isinstance(value, int | float):
                number = float(value)
            elif not strict and isinstance(value, str) and len(value) < 40:
                number = float(value.strip().replace(",", ""))
            else:
                raise ValueError
        except (TypeError, ValueError):
            errors.add(name, gettext("Use a number, like 45 or 12.5."))
            return None
        if not math.isfinite(number) or abs(number) >= self.limit:
            errors.add(name, gettext("Use a number, like 45 or 12.5."))
            return None
        return number


@dataclass(frozen=True)
class Choice:
    options: tuple
    required: bool = True
    message: str = ""

    def parse(self, value: Any, name: str, errors: Errors, strict: bool) -> str | None:
        if _blank(value):
            if self.required:
                errors.add(name, gettext("Choose one."))
            return None
        if not isinstance(value, str) or value not in self.options:
            errors.add(
                name, self.message or gettext("Use one of: %(options)s.", options=", ".join(map(str, self.options)))
            )
            return None
        return value


@dataclass(frozen=True)
class Day:
    """An ISO date no earlier than 2000 and at most `future_days` after today (0: not in the future)."""

    required: bool = True
    future_days: int = 0

    def parse(self, value: Any, name: str, errors: Errors, strict: bool, *, today: date) -> date | None:
        if _blank(value):
            if self.required:
                errors.add(name, gettext("This is required."))
            return None
        # Only the full YYYY-MM-DD form (Python also reads 20260331).
        parsed = iso_date(value) if isinstance(value, date) or len(str(value).strip()) == 10 else None
        if parsed is None:
            errors.add(name, gettext("Use a date like %(example)s.", example="2026-03-31"))  # DATE_HINT
            return None
        latest = today + timedelta(days=self.future_days)
        if parsed < EARLIEST:
            errors.add(name, gettext("Cannot be before %(earliest)s.", earliest=EARLIEST.isoformat()))
            return None
        if parsed > latest:
            errors.add(
                name,
                gettext("Cannot be in the future.")
                if not self.future_days
                else gettext("Cannot be after %(latest)s.", latest=latest),
            )
            return None
        return parsed


def parse(
    raw: Mapping[str, Any], rules: Mapping[str, Any], *, today: date, strict: bool = False, errors: Errors | None = None
) -> dict[str, Any]:
    """Apply each rule to its field; raises ValidationFailed with every field's errors at once."""
    own = errors is None
    errors = Errors() if errors is None else errors
    out: dict[str, Any] = {}
    for name, rule in rules.items():
        value = raw.get(name)
        if isinstance(rule, Day):
            out[name] = rule.parse(value, name, errors, strict, today=today)
        else:
            out[name] = rule.parse(value, name, errors, strict)
    if own and errors:
        raise ValidationFailed(dict(errors))
    return out
