"""Field errors and the text rule shared by every parser of input (concerns, campaigns, ...).

A parser reads one value at a time from a plain mapping (a form's data, a JSON body, a CSV row),
collects every problem under the field's name in `Errors`, and raises `ValidationFailed(errors)`
once at the end, so a page or an API answer shows all of them at once."""

from __future__ import annotations

from typing import Any


class Errors(dict):
    """Messages per field name, in the shape `ValidationFailed` and the API's 422 carry."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value: Any, name: str, errors: Errors, *, max_len: int, required: bool = False) -> str | None:
    """`value` stripped; None when blank (with "This is required." if it is) or when it is not storable
    text (with the reason under `name`)."""
    if is_blank(value):
        if required:
            errors.add(name, "This is required.")
        return None
    if not isinstance(value, str):
        errors.add(name, "Must be text.")
        return None
    if "\x00" in value:
        errors.add(name, "Contains a character that cannot be stored (NUL).")
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.add(name, f"Use at most {max_len:,} characters (this has {len(value):,}).")
        return None
    return value
