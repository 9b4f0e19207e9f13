"""Self-report verbs: parse what a client typed, hold the per-address budget, file, confirm, decline.

Services flush and never commit; the request commits. A self-report is not a concern until a
caseworker confirms it, so nothing here touches patterns or rollups before log_concern does.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from caseflow.audit.services import record
from caseflow.concerns.services import parse_concern, write_concern
from caseflow.dates import local_date, now
from caseflow.errors import StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import AGE_BANDS, RACE_CODES, RACE_NON_ANSWERS, SelfReport, SelfReportAttempt
from caseflow.validation import Errors

ZIP = re.compile(r"[0-9]{5}\Z")  # ASCII digits only: \d would take any script's digits
MAX_WORDS = 4000
SUMMARY_LENGTH = 120
BUDGET_WINDOW = timedelta(hours=1)


@dataclass
class SelfReportInput:
    what_happened: str
    importance: int | None = None
    wants_involvement: bool = False
    race_ethnicity: tuple[str, ...] = ()
    zip: str | None = None
    age_band: str | None = None
    language: str | None = None
    consent_to_quote: bool = False


def _text(raw: Mapping, name: str, errors: Errors, max_len: int, required: bool = False) -> str | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(name, _("Please tell us what is happening."))
        return None
    if not isinstance(value, str) or "\x00" in value:
        errors.add(name, _("This cannot be stored as text."))
        return None
    value = value.strip()
    if len(value) > max_len:
        errors.add(name, _("Please use at most %(max)s characters (this has %(n)s).", max=max_len, n=len(value)))
        return None
    return value


def _checked(value: Any) -> bool:
    return value in (True, "y", "on", "true", "1", "yes")


def parse_self_report(raw: Mapping[str, Any]) -> SelfReportInput:
    """Validate what a client typed (a form's data or a plain dict); ValidationFailed names each field."""
    errors = Errors()
    what = _text(raw, "what_happened", errors, MAX_WORDS, required=True)
    importance = raw.get("importance") or None
    if importance is not None and importance not in {"1", "2", "3", "4", "5", 1, 2, 3, 4, 5}:
        errors.add("importance", _("Choose a number from 1 to 5."))
    race = raw.get("race_ethnicity") or []
    race = [race] if isinstance(race, str) else list(race)
    if any(code not in RACE_CODES for code in race):
        errors.add("race_ethnicity", _("Choose from the list."))
    elif any(c in RACE_NON_ANSWERS for c in race) and len(race) > 1:
        errors.add("race_ethnicity", _("“I don't know” and “I prefer not to answer” go alone."))
    zip_code = _text(raw, "zip", errors, 50)
    if zip_code and not ZIP.match(zip_code):
        errors.add("zip", _("A ZIP code is five digits, for example 10027."))
    age_band = raw.get("age_band") or None
    if age_band is not None and age_band not in AGE_BANDS:
        errors.add("age_band", _("Choose from the list."))
    language = _text(raw, "language", errors, 40)
    if errors:
        raise ValidationFailed(dict(errors))
    return SelfReportInput(
        what_happened=what,
        importance=int(importance) if importance else None,
        wants_involvement=_checked(raw.get("wants_involvement")),
        race_ethnicity=tuple(sorted(set(race), key=list(RACE_CODES).index)),
        zip=zip_code,
        age_band=age_band,
        language=language,
        consent_to_quote=_checked(raw.get("consent_to_quote")),
    )


# --- The per-address budget -------------------------------------------------------------------


def address_key(address: str) -> str:
    """The address, keyed: enough to count submissions, never the address itself."""
    key = current_app.config["CASEFLOW_CLIENT_KEY"].encode()
    return hmac.new(key, b"self-report:" + (address or "").encode(), hashlib.sha256).hexdigest()


def recent_attempts(address: str) -> int:
    return db.session.scalar(
        select(func.count()).where(
            SelfReportAttempt.address_key == address_key(address), SelfReportAttempt.at > now() - BUDGET_WINDOW
        )
    )


def over_budget(address: str) -> bool:
    return recent_attempts(address) >= current_app.config["SELF_REPORTS_PER_HOUR"]


def note_attempt(address: str) -> None:
    db.session.add(SelfReportAttempt(address_key=address_key(address), at=now()))


# --- Filing and triage ------------------------------------------------------------------------


def file_report(data: SelfReportInput, locale: str) -> SelfReport:
    report = SelfReport(
        what_happened=data.what_happened,
        importance=data.importance,
        wants_involvement=data.wants_involvement,
        race_codes=" ".join(data.race_ethnicity),
        zip=data.zip,
        age_band=data.age_band,
        language=data.language,
        consent_to_quote=data.consent_to_quote,
        locale=locale,
        created_at=now(),
    )
    db.session.add(report)
    db.session.flush()
    record("self_report.create", None, report, actor_label="public self-report page", locale=locale)
    return report


def open_reports() -> Select:
    return select(SelfReport).where(SelfReport.status == "new").order_by(SelfReport.created_at, SelfReport.id)


def recently_decided(limit: int = 20) -> list[SelfReport]:
    return list(
        db.session.scalars(
            select(SelfReport)
            .where(SelfReport.status != "new")
            .order_by(SelfReport.decided_at.desc(), SelfReport.id.desc())
            .limit(limit)
        )
    )


def _still_open(report: SelfReport) -> None:
    if not report.is_open:
        raise StaleVersion(_("Someone has already triaged this report."))


def summary_of(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1].rstrip() + "…"


def confirm_report(actor, report: SelfReport, program: str | None, tags: list[str]):
    """The report becomes a concern (source "self"), the client's words its client root cause."""
    _still_open(report)
    data = parse_concern(
        {
            "program": program,
            "tags": tags,
            "summary": summary_of(report.what_happened),
            "occurred_on": local_date(report.created_at).isoformat(),
            "source": "self",
            "race_ethnicity": report.race_ethnicity,
            "language": report.language,
            "age_band": report.age_band,
            "zip": report.zip,
            "client_importance": report.importance,
            "client_root_cause": report.what_happened,
            "wants_involvement": report.wants_involvement,
            "story_consent": report.consent_to_quote,
        },
        sources=("self",),
    )
    concern = write_concern(actor, data)
    report.status, report.decided_at, report.decided_by_id, report.concern_id = "confirmed", now(), actor.id, concern.id
    record("self_report.confirm", actor, report, concern_id=concern.id)
    return concern


def decline_report(actor, report: SelfReport, reason: Any) -> None:
    _still_open(report)
    errors = Errors()
    text = _text({"reason": reason}, "reason", errors, 2000)
    if not text and not errors:
        errors.add("reason", _("Say why, so the queue keeps a record."))
    if errors:
        raise ValidationFailed(dict(errors))
    report.status, report.decided_at, report.decided_by_id, report.decline_reason = "declined", now(), actor.id, text
    record("self_report.decline", actor, report)
