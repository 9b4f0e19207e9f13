"""Field errors and the text rule shared by every parser of input (concerns, campaigns, ...).

A parser reads one value at a time from a plain mapping (a form's data, a JSON body, a CSV row),
collects every problem under the field's name in `Errors`, and raises `ValidationFailed(errors)`
once at the end, so a page or an API answer shows all of them at once.

Numbers and codes are ASCII digits only: Python's `int()` and `\\d` also take "٣", "１２" and (for
`str.isdigit`) "²", so a full-width ZIP became its own cell and "²³" answered 500. Text is valid
Unicode: JSON may carry a lone surrogate ("\\ud800") that no database can store. JSON is at most
MAX_JSON_DEPTH deep: 50,000 nested lists overflowed the parser's recursion (issue 16).
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext


class Errors(dict):
    """Messages per field name, in the shape `ValidationFailed` and the API's 422 carry."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(str(message))  # a lazily translated message, in the asking locale


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value: Any, name: str, errors: Errors, *, max_len: int, required: bool = False) -> str | None:
    """`value` stripped; None when blank (with "This is required." if it is) or when it is not storable
    text (with the reason under `name`)."""
    if is_blank(value):
        if required:
            errors.add(name, gettext("This is required."))
        return None
    if not isinstance(value, str):
        errors.add(name, gettext("Must be text."))
        return None
    if "\x00" in value:
        errors.add(name, gettext("Contains a character that cannot be stored (NUL)."))
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.add(
            name,
            gettext(
                "Use at most %(max_len)s characters (this has %(count)s).",
                max_len=f"{max_len:,}",
                count=f"{len(value):,}",
            ),
        )
        return None
    return value


ASCII_INT = re.compile(r"-?[0-9]+", re.ASCII)
MAX_INT_DIGITS = 4000  # Python refuses to parse longer numbers (sys.int_info.str_digits_check_threshold)
MAX_JSON_DEPTH = 32


def clean_date(raw, name: str, errors: dict, *, required: str | None = None):
    """`raw[name]` as a date (a date, or YYYY-MM-DD); blank is None, or `required`'s message at the
    field when one is needed; anything else a message at the field."""
    from datetime import date

    value = raw.get(name)
    if value in (None, ""):
        if required:
            errors.setdefault(name, []).append(required)
        return None
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(name, []).append(gettext("Use a date (YYYY-MM-DD)."))
        return None


def ascii_int(value: Any, *, lo: int | None = None, hi: int | None = None) -> int | None:
    """`value` as an int when it is one (never a bool) or a string of ASCII digits (surrounding
    spaces allowed, optional minus) within [lo, hi]; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not ASCII_INT.fullmatch(text) or len(text.lstrip("-")) > MAX_INT_DIGITS:
            return None
        number = int(text)
    else:
        return None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        return None
    return number


def query_int(value: str) -> int:
    """For `request.args.get(name, type=query_int)`: ASCII digits or ValueError (→ the default)."""
    number = ascii_int(value)
    if number is None:
        raise ValueError(f"not a whole number in ASCII digits: {value!r}")
    return number


def is_ascii_digits(value: str, length: int | None = None) -> bool:
    return value.isascii() and value.isdigit() and (length is None or len(value) == length)


def has_lone_surrogate(text: str) -> bool:
    """True when `text` holds a UTF-16 surrogate on its own (only JSON escapes can produce one)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_problem(data: Any, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """What makes a parsed JSON value unacceptable (too deep, a lone surrogate in a key or string),
    or None. Iterative, so a hostile document cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                return f"Nest JSON at most {max_depth} levels deep."
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if isinstance(key, str) and has_lone_surrogate(key):
                    return "Text must be valid Unicode (a lone surrogate cannot be stored)."
                stack.append((item, depth + 1))
        elif isinstance(value, str) and has_lone_surrogate(value):
            return "Text must be valid Unicode (a lone surrogate cannot be stored)."
    return None
