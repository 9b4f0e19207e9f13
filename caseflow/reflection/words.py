"""A stored summary in the reader's words.

A quarterly summary is stored once (by the scheduler, in the organisation's language) and read by
people in theirs: the page, the print view and the PDF turn the codes it keeps (comparison keys,
step and status codes, action kinds, self-assessment items, race codes, categories) into words at
the time of reading. Text typed by people (titles, notes, names) stays as it was written.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from caseflow import i18n
from caseflow.campaigns.rules import CLOSE_AS, REVIEW_DECISIONS, STATUS_LABELS, STEP_DISPLAY, STEP_NAMES
from caseflow.models.campaign_steps import ACTION_KINDS
from caseflow.reflection import self_assessment

COMPARISON = {
    "concerns": _l("Concerns logged"),
    "distinct_clients": _l("Distinct clients (with a reference)"),
    "wants_involvement": _l("Clients wanting to get involved"),
    "actions": _l("Organizing actions"),
    "constituent_participants": _l("Constituent participants"),
    "new_leaders": _l("New constituent leaders"),
}
_STATEMENTS = {key: statement for key, _group, statement in self_assessment.ITEMS}


def _word(table: dict, code, fallback=None) -> str:
    found = table.get(code)
    return str(found) if found is not None else str(fallback if fallback is not None else code or "")


def comparison(row: dict) -> str:
    return _word(COMPARISON, row.get("key"), row.get("label"))


def step(code: str) -> str:
    return _word(STEP_NAMES, code)


def step_long(code: str) -> str:
    return _word(STEP_DISPLAY, code)


def status(code: str) -> str:
    return _word(STATUS_LABELS, code)


def action_kind(code: str) -> str:
    return _word(ACTION_KINDS, code, (code or "").replace("_", " "))


def review(code: str) -> str:
    return _word(REVIEW_DECISIONS, code)


def close_as(code: str) -> str:
    return _word(CLOSE_AS, code)


def statement(item: dict) -> str:
    return _word(_STATEMENTS, item.get("item"), item.get("statement"))


def short(item: dict) -> str:
    return _word(self_assessment.SHORT, item.get("item"), item.get("statement"))


def category(name: str) -> str:
    return i18n.label(i18n.CATEGORY_LABELS, name)


def race(code: str, fallback: str | None = None) -> str:
    return i18n.label(i18n.RACE_LABELS, code) if code else (fallback or "")


def note(data: dict) -> str:
    """The disclosure note stored with the figures, in the reader's language when it is the note the
    policy writes for the stored smallest shown count (else as stored: the policy changed since)."""
    from caseflow.equity.policy import stored_note

    return stored_note(data.get("suppression_note", ""), data.get("min_cell"))


def template_words() -> dict:
    """The helpers, for the summary page and its print view: {{ words.step(code) }}…"""
    return {
        name: globals()[name]
        for name in (
            "comparison",
            "step",
            "step_long",
            "status",
            "action_kind",
            "review",
            "close_as",
            "statement",
            "short",
            "category",
            "race",
            "note",
        )
    }
