"""Verbs and queries for common measures: the library, campaigns' picks, dated values.

Verbs flush and audit; the request, job or command commits. A value is never overwritten: the
same (measure, scope, date, group) again is refused with 409 (`AlreadyRecorded`) unless it says it
corrects, and then it is a new row with the next revision; the older revision stays as history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from caseflow import i18n
from caseflow.audit.services import record
from caseflow.campaigns.fields import Choice, Day, Errors, Int, Number, Text, parse
from caseflow.dates import today
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import (
    AGE_BANDS,
    DIMENSIONS,
    DIRECTIONS,
    FREQUENCIES,
    RACE_CATEGORIES,
    RACE_CODES,
    Campaign,
    CampaignMeasure,
    Measure,
    MeasureValue,
    Program,
    User,
)
from caseflow.models.measure import scope_key
from caseflow.web import MAX_DATABASE_ID

_ZIP = re.compile(r"^\d{5}$")
TRUE_WORDS = {"true", "yes", "1", "on", "y"}
FALSE_WORDS = {"false", "no", "0", "off", "n", ""}


class AlreadyRecorded(DomainError):
    """The same observation exists: a second entry is refused unless it says it corrects."""

    status = 409

    def __init__(self, message: str, field: str = "observed_on", revision: int | None = None):
        super().__init__(message, field=field)
        self.revision = revision  # the revision now current: a correction made after reading it names it


# --- Reading a few kinds of input --------------------------------------------------------------


def _flag(raw: Mapping[str, Any], name: str, errors: Errors, strict: bool) -> bool:
    value = raw.get(name)
    if value is None or value is False or value is True:
        return bool(value)
    if not strict and isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    errors.add(name, gettext("Use true or false."))
    return False


def _dimensions(raw: Mapping[str, Any], errors: Errors) -> str:
    value = raw.get("breakdowns")
    if value is None or value == "":
        return ""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        errors.add("breakdowns", gettext("Give a list of: %(dimensions)s.", dimensions=", ".join(DIMENSIONS)))
        return ""
    items = [i.strip() for i in items if i.strip()]
    unknown = [i for i in items if i not in DIMENSIONS]
    if unknown:
        errors.add(
            "breakdowns",
            gettext(
                "Unknown breakdown %(unknown)s; use %(dimensions)s.",
                unknown=", ".join(unknown),
                dimensions=", ".join(DIMENSIONS),
            ),
        )
        return ""
    return ",".join(d for d in DIMENSIONS if d in items)  # one order everywhere


# Words in a free-text "broken down by" label, and the dimension each names.
_DIMENSION_WORDS = (
    (re.compile(r"\brace"), "race_ethnicity"),
    (re.compile(r"\bethnic"), "race_ethnicity"),
    (re.compile(r"\bzip"), "zip"),
    (re.compile(r"\bprogram"), "program"),
    (re.compile(r"\blanguage"), "language"),
    (re.compile(r"\bage\b"), "age_band"),  # not the "age" in "language"
)


def dimensions_named(label: str) -> str:
    """ "ZIP; race and ethnicity" → "race_ethnicity,zip" (words that name no dimension are left out)."""
    text = (label or "").lower()
    found = {dimension for word, dimension in _DIMENSION_WORDS if word.search(text)}
    return ",".join(d for d in DIMENSIONS if d in found)


# --- The library ---------------------------------------------------------------------------------

MEASURE_RULES = {
    "name": Text(200, required=True),
    "definition": Text(5000),
    "unit": Text(40),
    "direction": Choice(tuple(DIRECTIONS), message=_l("Choose lower or higher.")),
    "data_source": Text(300),
    "frequency": Choice(
        tuple(FREQUENCIES), message=_l("Use one of: %(frequencies)s.", frequencies=", ".join(FREQUENCIES))
    ),
}


def create_measure(actor: User, raw: Mapping[str, Any], *, strict: bool = False) -> Measure:
    """Add a measure to the library. A derived measure names what Caseflow computes (see derived.py)."""
    from caseflow.measures import derived

    errors = Errors()
    computed = isinstance(raw.get("derived"), str) and raw.get("derived") in derived.DERIVED
    # for a computed measure, what Caseflow computes decides the unit, direction and frequency
    rules = {k: r for k, r in MEASURE_RULES.items() if not (computed and k in ("unit", "direction", "frequency"))}
    data = parse(raw, rules, today=today(), strict=strict, errors=errors)
    data["breakdowns"] = _dimensions(raw, errors)
    data["counts_people"] = _flag(raw, "counts_people", errors, strict)
    kind = raw.get("derived") or ""
    param = raw.get("derived_param") or ""
    if kind:
        problem = derived.check(kind, param)
        if problem:
            errors.add("derived_param" if kind in derived.DERIVED else "derived", problem)
        else:
            spec = derived.DERIVED[kind]  # what Caseflow computes decides these, not the form
            data["breakdowns"] = ",".join(spec.dimensions)
            data["counts_people"] = spec.counts_people(param)
            data["unit"], data["direction"], data["frequency"] = spec.unit, spec.direction, spec.frequency
            data["definition"] = data.get("definition") or str(spec.definition)
    data["derived"] = kind if isinstance(kind, str) else ""
    data["derived_param"] = param.strip() if kind and isinstance(param, str) else ""
    if data.get("name") and db.session.scalar(
        select(Measure.id).where(func.lower(Measure.name) == data["name"].lower())
    ):
        errors.add("name", gettext("The library already has a measure with this name."))
    if errors:
        raise ValidationFailed(dict(errors))
    measure = Measure(created_by_id=getattr(actor, "id", None), **data)
    try:
        with db.session.begin_nested():
            db.session.add(measure)
    except IntegrityError:
        raise ValidationFailed({"name": [gettext("The library already has a measure with this name.")]}) from None
    record("measure.create", actor, measure, name=measure.name)
    return measure


def library() -> list[Measure]:
    return list(db.session.scalars(select(Measure).order_by(func.lower(Measure.name))))


def library_with_campaigns() -> list[tuple[Measure, list[Campaign]]]:
    """The library, each measure with the campaigns that track it (two queries, whatever the size)."""
    measures = library()
    using: dict[int, list[Campaign]] = {m.id: [] for m in measures}
    for measure_id, campaign in db.session.execute(
        select(CampaignMeasure.measure_id, Campaign)
        .join(Campaign, Campaign.id == CampaignMeasure.campaign_id)
        .order_by(Campaign.title)
    ):
        using.setdefault(measure_id, []).append(campaign)
    return [(m, using[m.id]) for m in measures]


def campaigns_using(measure: Measure) -> list[tuple[Campaign, CampaignMeasure]]:
    rows = db.session.execute(
        select(Campaign, CampaignMeasure)
        .join(CampaignMeasure, CampaignMeasure.campaign_id == Campaign.id)
        .where(CampaignMeasure.measure_id == measure.id)
        .order_by(Campaign.title)
    ).all()
    return [(c, p) for c, p in rows]


def pick_for(campaign_id: int | None, measure: Measure) -> CampaignMeasure | None:
    if campaign_id is None:
        return None
    return db.session.scalar(
        select(CampaignMeasure).where(
            CampaignMeasure.campaign_id == campaign_id, CampaignMeasure.measure_id == measure.id
        )
    )


def campaign_picks(campaign_id: int) -> list[CampaignMeasure]:
    return list(
        db.session.scalars(
            select(CampaignMeasure)
            .join(Measure, Measure.id == CampaignMeasure.measure_id)
            .where(CampaignMeasure.campaign_id == campaign_id)
            .order_by(CampaignMeasure.id)
        )
    )


# --- Dated values ------------------------------------------------------------------------------------


def group_label(dimension: str, code: str) -> str:
    if dimension == "all":
        return gettext("Everyone")
    if dimension == "race_ethnicity":
        return i18n.label(i18n.RACE_LABELS, code)
    if dimension == "program":
        return db.session.scalar(select(Program.name).where(Program.slug == code)) or code
    return code


def group_choices(dimension: str) -> list[tuple[str, str]]:
    if dimension == "race_ethnicity":
        return [(code, i18n.label(i18n.RACE_LABELS, code)) for code in RACE_CODES]
    if dimension == "age_band":
        return [(b, b) for b in AGE_BANDS]
    if dimension == "program":
        return [(s, n) for s, n in db.session.execute(select(Program.slug, Program.name).order_by(Program.name))]
    return []


def _group(measure: Measure, dimension: str | None, code: Any, errors: Errors) -> str:
    code = code.strip() if isinstance(code, str) else code
    if dimension in (None, "all"):
        if code not in (None, ""):
            errors.add("group", gettext("Leave the group blank for everyone, or choose a breakdown."))
        return ""
    if not isinstance(code, str) or not code:
        errors.add("group", gettext("Choose the group this value is for."))
        return ""
    if dimension == "race_ethnicity" and code not in RACE_CODES:
        errors.add("group", gettext("Use one of: %(race_codes)s.", race_codes=", ".join(RACE_CODES)))
    elif dimension == "zip" and not _ZIP.match(code):
        errors.add("group", gettext("A ZIP code is 5 digits."))
    elif dimension == "age_band" and code not in AGE_BANDS:
        errors.add("group", gettext("Use one of: %(age_bands)s.", age_bands=", ".join(AGE_BANDS)))
    elif dimension == "program" and not db.session.scalar(select(Program.id).where(Program.slug == code)):
        errors.add("group", gettext("Use a program's slug."))
    elif dimension == "language" and (len(code) > 40 or "\x00" in code):
        errors.add("group", gettext("Use at most 40 characters."))
    return code


def _current_revision(measure_id: int, scope: str, data: Mapping[str, Any]) -> MeasureValue | None:
    return db.session.scalar(
        select(MeasureValue)
        .where(
            MeasureValue.measure_id == measure_id,
            MeasureValue.scope == scope,
            MeasureValue.observed_on == data["observed_on"],
            MeasureValue.dimension == data["dimension"],
            MeasureValue.group_code == data["group"],
        )
        .order_by(MeasureValue.revision.desc())
        .limit(1)
    )


def parse_value(measure: Measure, raw: Mapping[str, Any], *, strict: bool = False) -> dict[str, Any]:
    """Check one observation; every field's problem at once (ValidationFailed)."""
    errors = Errors()
    rules = {
        "observed_on": Day(required=True),
        "dimension": Choice(("all", *measure.dimensions), required=False),
        "value": Number(),
        "numerator": Number(),
        "denominator": Number(),
        "source_note": Text(500),
        "campaign": Int(1, MAX_DATABASE_ID),
        "revision": Int(1, 99999),
    }
    data = parse(raw, rules, today=today(), strict=strict, errors=errors)
    data["dimension"] = data["dimension"] or "all"
    data["group"] = _group(measure, data["dimension"], raw.get("group"), errors)
    data["corrects"] = _flag(raw, "corrects", errors, strict)
    if measure.derived:
        errors.add("value", gettext("Caseflow computes this measure from its own data; there is nothing to enter."))
    numerator, denominator = data["numerator"], data["denominator"]
    if (numerator is None) != (denominator is None):
        errors.add(
            "denominator" if denominator is None else "numerator", gettext("Give both parts of the rate, or neither.")
        )
    elif denominator is not None:
        if denominator <= 0:
            errors.add("denominator", gettext("The denominator must be more than 0."))
        elif numerator < 0:
            errors.add("numerator", gettext("The numerator cannot be negative."))
        elif data["value"] is None:
            data["value"] = numerator / denominator * (100 if measure.unit.strip() == "%" else 1)
    if data["value"] is None and not errors.get("value") and not errors.get("numerator"):
        errors.add("value", gettext("Give the value (or the rate's numerator and denominator)."))
    if data["campaign"] is not None and pick_for(data["campaign"], measure) is None:
        errors.add("campaign", gettext("That campaign does not track this measure."))
    if errors:
        raise ValidationFailed(dict(errors))
    return data


def record_value(actor: User | None, measure: Measure, raw: Mapping[str, Any], *, strict: bool = False) -> MeasureValue:
    """Store one observation. Again for the same (scope, date, group): 409 unless `corrects`;
    a correction names (optionally) the revision it corrects, and a stale one is a 409 too."""
    data = parse_value(measure, raw, strict=strict)
    return store(actor, measure, data)


def conflict(measure: Measure, data: Mapping[str, Any]) -> DomainError | None:
    """Why this observation cannot be stored as it is (409 or 422), or None."""
    current = _current_revision(measure.id, scope_key(data["campaign"]), data)
    if current is not None and not data["corrects"]:
        return AlreadyRecorded(
            gettext(
                "A value for %(group)s on %(day)s is already recorded (%(value)s). To change it, record a "
                "correction: the old value stays in the history.",
                group=group_label(data["dimension"], data["group"]),
                day=data["observed_on"].isoformat(),
                value=format(current.value, "g"),
            ),
            revision=current.revision,
        )
    if current is None and data["corrects"]:
        return DomainError(gettext("There is no value for this date and group to correct."), field="corrects")
    if current is not None and data.get("revision") is not None and data["revision"] != current.revision:
        return AlreadyRecorded(
            gettext(
                "Someone corrected this value since you read it (now %(value)s, revision %(revision)s).",
                value=format(current.value, "g"),
                revision=current.revision,
            ),
            field="revision",
            revision=current.revision,
        )
    return None


def store(actor: User | None, measure: Measure, data: Mapping[str, Any]) -> MeasureValue:
    problem = conflict(measure, data)
    if problem is not None:
        raise problem
    scope = scope_key(data["campaign"])
    when = data["observed_on"].isoformat()
    current = _current_revision(measure.id, scope, data)
    row = MeasureValue(
        measure_id=measure.id,
        scope=scope,
        campaign_id=data["campaign"],
        observed_on=data["observed_on"],
        dimension=data["dimension"],
        group_code=data["group"],
        value=data["value"],
        numerator=data["numerator"],
        denominator=data["denominator"],
        source_note=data["source_note"] or "",
        revision=1 if current is None else current.revision + 1,
        corrects_id=None if current is None else current.id,
        entered_by_id=getattr(actor, "id", None),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise AlreadyRecorded(gettext("Someone recorded this value at the same moment; reload and check it.")) from None
    record(
        "measure.value.correct" if current is not None else "measure.value.create",
        actor,
        measure,
        value_id=row.id,
        scope=scope,
        on=when,
        group=f"{data['dimension']}:{data['group']}",
        revision=row.revision,
    )
    return row


def current_values(measure: Measure, scope: str, dimension: str | None = None, *, until=None):
    """The current revision of every observation in a scope (optionally one breakdown, up to a day)."""
    newer = aliased(MeasureValue)
    query = select(MeasureValue).where(
        MeasureValue.measure_id == measure.id,
        MeasureValue.scope == scope,
        ~exists().where(
            and_(
                newer.measure_id == MeasureValue.measure_id,
                newer.scope == MeasureValue.scope,
                newer.observed_on == MeasureValue.observed_on,
                newer.dimension == MeasureValue.dimension,
                newer.group_code == MeasureValue.group_code,
                newer.revision > MeasureValue.revision,
            )
        ),
    )
    if dimension is not None:
        query = query.where(MeasureValue.dimension == dimension)
    if until is not None:
        query = query.where(MeasureValue.observed_on <= until)
    return list(db.session.scalars(query.order_by(MeasureValue.observed_on, MeasureValue.group_code)))


def history(measure: Measure, scope: str, limit: int = 200) -> list[tuple[MeasureValue, str]]:
    """Every row ever entered in a scope, newest observation first, corrections above what they replaced."""
    rows = db.session.execute(
        select(MeasureValue, func.coalesce(User.name, User.email, ""))
        .outerjoin(User, User.id == MeasureValue.entered_by_id)
        .where(MeasureValue.measure_id == measure.id, MeasureValue.scope == scope)
        .order_by(
            MeasureValue.observed_on.desc(),
            MeasureValue.dimension,
            MeasureValue.group_code,
            MeasureValue.revision.desc(),
        )
        .limit(limit)
    ).all()
    return [(v, who) for v, who in rows]


def value_json(v: MeasureValue, shown: Mapping[str, Any] | None = None) -> dict:
    shown = shown or {}
    return {
        "id": v.id,
        "measure_id": v.measure_id,
        "campaign_id": v.campaign_id,
        "observed_on": v.observed_on.isoformat(),
        "dimension": v.dimension,
        "group": v.group_code,
        "value": shown.get("value", v.value),
        "numerator": shown.get("numerator", v.numerator),
        "denominator": shown.get("denominator", v.denominator),
        "source_note": v.source_note,
        "revision": v.revision,
        "corrects_id": v.corrects_id,
    }


def measure_json(m: Measure) -> dict:
    return {
        "id": m.id,
        "name": m.name,
        "definition": m.definition,
        "unit": m.unit,
        "direction": m.direction,
        "data_source": m.data_source,
        "frequency": m.frequency,
        "breakdowns": m.dimensions,
        "counts_people": m.counts_people,
        "derived": m.derived or None,
        "derived_param": m.derived_param or None,
    }


RACE_GROUPS = tuple(RACE_CATEGORIES)  # the categories a gap is measured between (not the non-answers)


def unpicked_choices(campaign_id: int) -> list[tuple[str, str]]:
    """Library measures this campaign does not track yet, for its "add a measure" form."""
    picked = select(CampaignMeasure.measure_id).where(CampaignMeasure.campaign_id == campaign_id)
    rows = db.session.execute(
        select(Measure.id, Measure.name).where(Measure.id.not_in(picked)).order_by(func.lower(Measure.name))
    )
    return [(str(i), name) for i, name in rows]
