"""Concern verbs and the one validation every way in (form, API, CSV import) goes through."""

from __future__ import annotations

import difflib
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, make_dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from caseflow.accounts.permissions import can
from caseflow.audit.services import record, record_many
from caseflow.concerns import fields
from caseflow.dates import DATE_HINT, EARLIEST, iso_date, today
from caseflow.errors import DomainError, StaleVersion, ValidationFailed
from caseflow.extensions import db
from caseflow.models import (
    RACE_CATEGORIES,
    RACE_CODES,
    RACE_NON_ANSWERS,
    SOURCES,
    STAFF_SOURCES,
    Concern,
    ConcernDeletionRequest,
    Program,
    Tag,
    User,
    UserRole,
    concern_tags,
)
from caseflow.models.base import utcnow
from caseflow.notifications.services import notify
from caseflow.validation import Errors, ascii_int, clean_text

TRUE_WORDS = {"true", "yes", "1", "y", "on"}
FALSE_WORDS = {"false", "no", "0", "n", "off", ""}


def client_key(reference: str) -> str:
    """Keyed hash of a normalised client reference: counts clients without holding an identifier."""
    normalised = " ".join(unicodedata.normalize("NFKC", reference).casefold().split())
    key = current_app.config["CASEFLOW_CLIENT_KEY"].encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


# One attribute per field of the spec (concerns/fields.py); parse_concern fills every one.
ConcernInput = make_dataclass(
    "ConcernInput",
    [(f.name, Any, field(default=None, repr=not f.hidden)) for f in fields.FIELDS],
)


def _text(raw: Mapping, name: str, errors: Errors, *, max_len: int, required: bool = False) -> str | None:
    return clean_text(raw.get(name), name, errors, max_len=max_len, required=required)


def _list(raw: Mapping, name: str, errors: Errors) -> list[str]:
    value = raw.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = re.split(r"[;,]", value)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add(name, gettext("Must be a list of text values."))
        return []
    if any("\x00" in v for v in value):
        errors.add(name, gettext("Contains a character that cannot be stored (NUL)."))
        return []
    return [v.strip() for v in value if v.strip()]


def parse_bool(value: Any, name: str, errors: Errors) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    errors.add(name, gettext("Use true or false (yes/no, 1/0)."))
    return False


def _date(raw: Mapping, name: str, errors: Errors, default: date) -> date:
    value = raw.get(name)
    if value is None or value == "":
        return default
    parsed = iso_date(value)
    if parsed is None:
        errors.add(name, DATE_HINT)
        return default
    if parsed > default:
        errors.add(name, gettext("Cannot be in the future."))
    elif parsed < EARLIEST:
        errors.add(name, gettext("Cannot be before %(day)s.", day=EARLIEST.isoformat()))
    return parsed


def closest_tags(typed: str, limit: int = 3) -> list[str]:
    """Active tag names nearest to what was typed: similar spellings first, then names containing it."""
    text = " ".join(typed.casefold().split())
    if not text:
        return []
    names: dict[str, str] = {}
    for name, slug in db.session.execute(select(Tag.name, Tag.slug).where(Tag.active).order_by(Tag.name)):
        names.setdefault(name.casefold(), name)
        names.setdefault(slug.replace("-", " "), name)
    similar = [names[k] for k in difflib.get_close_matches(text, list(names), n=limit * 2, cutoff=0.6)]
    containing = [name for key, name in names.items() if text in key]
    return list(dict.fromkeys(similar + containing))[:limit]


def _or_join(names: list[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return gettext("%(first)s or %(last)s", first=", ".join(quoted[:-1]), last=quoted[-1])


class ParseContext(NamedTuple):
    on: date  # "today" for the date checks
    lookup: Callable[[Any, list[str]], tuple[dict[str, Any], list[str]]]  # finds programs and tags
    sources: tuple[str, ...] = STAFF_SOURCES  # the sources this caller may set


def _program(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> Program | None:
    program = None
    program_ref = _text(raw, f.name, errors, max_len=f.max_len, required=f.required)
    if program_ref:
        found, unknown = ctx.lookup(Program, [program_ref])
        program = found.get(program_ref)
        if unknown:
            errors.add(f.name, gettext("Unknown program '%(program_ref)s'.", program_ref=program_ref))
        elif not program.active:
            errors.add(f.name, gettext("Program '%(name)s' is no longer active.", name=program.name))
    return program


def _tags(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> list[Tag]:
    tag_refs = _list(raw, f.name, errors)
    tags: list[Tag] = []
    if not tag_refs and f.name not in errors:
        errors.add(f.name, gettext("Choose at least one tag."))
    elif tag_refs:
        found, unknown = ctx.lookup(Tag, tag_refs)
        if unknown:
            errors.add(
                f.name,
                ngettext(
                    "Unknown tag: %(values)s.", "Unknown tags: %(values)s.", len(unknown), values=", ".join(unknown)
                ),
            )
            for typed in unknown[:3]:
                closest = closest_tags(typed)
                if closest:
                    errors.add(
                        f.name,
                        gettext("Did you mean %(or_join)s (for “%(typed)s”)?", or_join=_or_join(closest), typed=typed),
                    )
        tags = list({t.id: t for t in found.values()}.values())
        inactive = [t.name for t in tags if not t.active]
        if inactive:
            errors.add(f.name, gettext("No longer in use: %(values)s.", values=", ".join(inactive)))
    return tags


def _plain_text(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> str | None:
    value = _text(raw, f.name, errors, max_len=f.max_len, required=f.required)
    if value and f.choices and value not in f.choices:
        errors.add(f.name, gettext("Use one of: %(values)s.", values=", ".join(f.choices)))
    elif value and f.pattern and not f.pattern.match(value):
        errors.add(f.name, str(f.hint))
    return value


def _source(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> str:
    source = raw.get(f.name) or ctx.sources[0]
    if not isinstance(source, str) or source not in ctx.sources:  # a list or object is not hashable
        errors.add(f.name, gettext("Use 'client' (the client reported it) or 'staff' (staff observed it)."))
        source = "client"
    return source


def _race(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> list[str]:
    race = _list(raw, f.name, errors)
    unknown_codes = [c for c in race if c not in RACE_CODES]
    if unknown_codes:
        errors.add(f.name, gettext("Unknown codes: %(values)s.", values=", ".join(unknown_codes)))
    non_answers = [c for c in race if c in RACE_NON_ANSWERS]
    if non_answers and (len(non_answers) > 1 or any(c in RACE_CATEGORIES for c in race)):
        errors.add(
            f.name,
            "“Client doesn't know”, “prefers not to answer” and “data not collected” cannot be combined with other answers.",
        )
    return sorted({c for c in race if c in RACE_CODES}, key=list(RACE_CODES).index)  # unknown ones: an error above


def _importance(raw: Mapping, f: fields.ConcernField, errors: Errors, ctx: ParseContext) -> int | None:
    importance = raw.get(f.name)
    if importance in (None, ""):
        return None
    importance = ascii_int(importance, lo=1, hi=5)
    if importance is None:
        errors.add(f.name, gettext("Use a whole number from 1 (not much) to 5 (very much)."))
    return importance


# How parse_concern reads each kind of field (ConcernField.kind).
PARSERS = {
    "program": _program,
    "tags": _tags,
    "text": _plain_text,
    "date": lambda raw, f, errors, ctx: _date(raw, f.name, errors, ctx.on),
    "source": _source,
    "race": _race,
    "importance": _importance,
    "bool": lambda raw, f, errors, ctx: parse_bool(raw.get(f.name), f.name, errors),
}


def parse_concern(
    raw: Mapping[str, Any], *, on: date | None = None, lookup=None, sources: tuple[str, ...] = STAFF_SOURCES
) -> ConcernInput:
    """Validate a concern from any source; raises ValidationFailed with every field's errors.
    `lookup`: finds programs and tags (default: the process's taxonomy snapshot, checked against
    the database's change token once per call; an import passes one snapshot for every row). `sources`: what the caller may say it came from."""
    errors = Errors()
    if lookup is None:  # the taxonomy snapshot checked once for the program and the tags
        from caseflow.taxonomy.cache import snapshot

        lookup = snapshot().find
    ctx = ParseContext(on or today(), lookup, sources)
    values = {f.name: PARSERS[f.kind](raw, f, errors, ctx) for f in fields.FIELDS}
    if errors:
        raise ValidationFailed(dict(errors))
    return ConcernInput(**values)


def _apply(concern: Concern, data: ConcernInput, on: date) -> None:
    with db.session.no_autoflush:  # one flush, one new version, however many look-ups
        tags = db.session.scalars(select(Tag).where(Tag.id.in_([t.id for t in data.tags])))
        by_id = {t.id: t for t in tags}
        program = db.session.get(Program, data.program.id)
    for f in fields.FIELDS:
        if f.kind == "program":
            concern.program = program
        elif f.kind == "tags":
            concern.tags = [by_id[t.id] for t in data.tags]
        elif f.stored:
            setattr(concern, f.name, getattr(data, f.name))
    if data.client_ref:
        concern.client_key = client_key(data.client_ref)
    if data.story_consent and not concern.has_story_consent:
        concern.story_consent_on = on
        concern.story_consent_revoked_on = None
    elif not data.story_consent and concern.has_story_consent:
        concern.story_consent_revoked_on = on


def find_by_external_id(external_id: str) -> Concern | None:
    return db.session.scalar(select(Concern).where(Concern.external_id == external_id))


def stored_external_ids(external_ids: list[str]) -> set[str]:
    """Which of these external ids are already stored (in slices of a few thousand)."""
    found: set[str] = set()
    for i in range(0, len(external_ids), 5000):
        chunk = external_ids[i : i + 5000]
        found.update(db.session.scalars(select(Concern.external_id).where(Concern.external_id.in_(chunk))))
    return found


def new_concern_row(actor: User, data: ConcernInput, on: date, now: datetime) -> dict:
    """The concerns-table row of a new concern (without its id), as the ORM would write it."""
    from caseflow.models.concern import client_record_key, new_record_key

    key = client_key(data.client_ref) if data.client_ref else None
    return {
        "program_id": data.program.id,
        **{f.name: getattr(data, f.name) for f in fields.COLUMNS},
        "client_key": key,
        "record_key": new_record_key(),
        "client_record_key": client_record_key(key),
        "story_consent_on": on if data.story_consent else None,
        "story_consent_revoked_on": None,
        "external_id": data.external_id,
        "author_id": actor.id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def remember_program(actor: User, program_id: int) -> None:
    """The quick log offers the program an author logged last: one UPDATE when it changes (the
    loaded user keeps the new value without the ORM's flush)."""
    if actor.last_program_id == program_id:
        return
    users = User.__table__
    db.session.execute(users.update().where(users.c.id == actor.id).values(last_program_id=program_id))
    set_committed_value(actor, "last_program_id", program_id)


def write_concern(actor: User, data: ConcernInput) -> SimpleNamespace:
    """Write one new concern and return a plain view of it (what the API answers with, what the
    concern hooks read). Plain INSERTs, not the ORM's unit of work (most of a logged concern's time
    went there): the row, its tags and race answers, the rollups moved by the concern's facts
    (`rollup.add_one`), the author's remembered program, the audit row and the concern hooks — the
    end state the ORM's flush hooks reach (tests/test_rollups.py checks the rollups after it)."""
    from caseflow.models import ConcernRace, concern_tags
    from caseflow.patterns import rollup

    on, now = today(), utcnow()
    # The author's row first, the rollup lock after (in rollup.add_one): the order every writer
    # takes them in, or two writers deadlock on PostgreSQL.
    remember_program(actor, data.program.id)
    row = new_concern_row(actor, data, on, now)
    table = Concern.__table__
    concern_id = db.session.execute(table.insert().returning(table.c.id), row).scalar_one()
    races = list(dict.fromkeys(data.race_ethnicity or ()))
    db.session.execute(concern_tags.insert(), [{"concern_id": concern_id, "tag_id": t.id} for t in data.tags])
    if races:
        db.session.execute(ConcernRace.__table__.insert(), [{"concern_id": concern_id, "code": c} for c in races])
    rollup.add_one(db.session.connection(), row, data.tags, races)
    record_many(
        "concern.create",
        actor,
        "concerns",
        [(concern_id, {"program": data.program.slug, "tags": [t.slug for t in data.tags]})],
    )
    concern = SimpleNamespace(
        **row,
        id=concern_id,
        program=data.program,
        tags=sorted(data.tags, key=lambda t: t.name),
        race_ethnicity=sorted(races),
        has_story_consent=bool(data.story_consent),
        author=actor,
        deleted_at=None,
        is_deleted=False,
    )
    _after_change(concern)
    return concern


def log_concern(actor: User, data: ConcernInput) -> Concern:
    """Write one new concern (`write_concern`) and load it."""
    return db.session.get(Concern, write_concern(actor, data).id)


def update_concern(actor: User, concern: Concern, data: ConcernInput, version: int | None) -> Concern:
    if ascii_int(version) != concern.version:
        raise StaleVersion(
            gettext(
                "Someone else saved this concern while you were editing it. Their version is shown; "
                "your changes are still in the form — review and save again."
            )
        )
    if data.external_id and data.external_id != concern.external_id:
        other = find_by_external_id(data.external_id)
        if other is not None and other.id != concern.id:
            raise ValidationFailed({"external_id": [gettext("Another concern already has this external id.")]})
    before_tags = sorted(t.slug for t in concern.tags)
    _apply(concern, data, today())
    concern.updated_at = utcnow()  # the row changes even when only tags did, so the version moves
    concern.external_id = data.external_id or concern.external_id
    db.session.flush()
    record(
        "concern.update",
        actor,
        concern,
        version=concern.version,
        tags_before=before_tags,
        tags_after=sorted(t.slug for t in concern.tags),
    )
    _after_change(concern)
    return concern


def delete_concern(actor: User, concern: Concern, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Say why this concern is being deleted."), field="reason")
    if "\x00" in reason or len(reason) > 1000:
        raise DomainError(gettext("Use at most 1,000 plain characters."), field="reason")
    concern.deleted_at = utcnow()
    concern.deleted_reason = reason
    _close_requests(actor, concern, "deleted")
    db.session.flush()
    record("concern.delete", actor, concern)


def _reason(reason: Any, what: str) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise DomainError(str(what), field="reason")
    if "\x00" in reason or len(reason) > 1000:
        raise DomainError(gettext("Use at most 1,000 plain characters."), field="reason")
    return reason


def _close_requests(actor: User, concern: Concern, decision: str) -> ConcernDeletionRequest | None:
    """Settle the concern's open deletion request, if any; returns it."""
    request = open_deletion_request(concern)
    if request is not None:
        request.decided_at, request.decided_by_id, request.decision = utcnow(), actor.id, decision
    return request


RETRACT_WINDOW = timedelta(hours=24)


def can_retract(user, concern: Concern, now: datetime | None = None) -> bool:
    """The author may take back their own concern within 24 hours of logging it."""
    if concern.is_deleted or concern.author_id != getattr(user, "id", None) or not can("concern.log", user):
        return False
    return (now or utcnow()) - concern.created_at < RETRACT_WINDOW


def retract_concern(actor: User, concern: Concern, reason: Any) -> None:
    """The author's soft delete of their own concern, with a reason, within the window; audited."""
    if concern.author_id != actor.id:
        raise DomainError(gettext("Only the person who logged a concern can retract it."), field="reason")
    if not can_retract(actor, concern):
        raise DomainError(
            gettext("More than 24 hours have passed since this concern was logged: ask a director to delete it."),
            field="reason",
        )
    concern.deleted_reason = _reason(reason, _l("Say why you are retracting this concern."))
    concern.deleted_at = utcnow()
    _close_requests(actor, concern, "retracted")
    db.session.flush()
    record("concern.retract", actor, concern)


def open_deletion_request(concern: Concern) -> ConcernDeletionRequest | None:
    return db.session.scalar(
        select(ConcernDeletionRequest)
        .where(ConcernDeletionRequest.concern_id == concern.id, ConcernDeletionRequest.decided_at.is_(None))
        .order_by(ConcernDeletionRequest.id.desc())
        .limit(1)
    )


def request_deletion(actor: User, concern: Concern, reason: Any) -> ConcernDeletionRequest:
    """The author asks a director to delete their concern; directors hear about it in their inbox."""
    if concern.author_id != actor.id or concern.is_deleted:
        raise DomainError(gettext("Only the person who logged a concern can ask for it to be deleted."), field="reason")
    if open_deletion_request(concern) is not None:
        raise DomainError(gettext("You have already asked; a director will decide."), field="reason")
    row = ConcernDeletionRequest(
        concern_id=concern.id, requested_by_id=actor.id, reason=_reason(reason, _l("Say why it should be deleted."))
    )
    db.session.add(row)
    db.session.flush()
    record("concern.deletion_request", actor, concern, request_id=row.id)
    directors = db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == "director", User.active)
    )
    notify(
        directors,
        "deletion_request",
        _l(
            "%(name)s asks you to delete concern #%(id)s (logged %(day)s). Their reason is on the delete page.",
            name=actor.display_name,
            id=concern.id,
            day=concern.occurred_on.isoformat(),
        ),
        f"/concerns/{concern.id}/delete",
        f"deletion_request:{row.id}",
    )
    return row


def decline_deletion(actor: User, concern: Concern) -> ConcernDeletionRequest:
    """A director keeps the concern; the author hears so, with a link to it."""
    request = _close_requests(actor, concern, "declined")
    if request is None:
        raise DomainError(gettext("There is no open request to delete this concern."), field="reason")
    db.session.flush()
    record("concern.deletion_request.decline", actor, concern, request_id=request.id)
    notify(
        [request.requested_by_id],
        "deletion_request",
        _l("Your request to delete concern #%(id)s was declined: the concern stays.", id=concern.id),
        f"/concerns/{concern.id}",
        f"deletion_request:{request.id}:declined",
    )
    return request


def concerns_for_client(user, reference: str, limit: int = 100) -> list[Concern]:
    """The concerns this user may see that carry this client reference (hashed as when stored)."""
    return list(
        db.session.scalars(
            visible_concerns(user)
            .where(Concern.client_key == client_key(reference))
            .order_by(Concern.occurred_on.desc(), Concern.id.desc())
            .limit(limit)
        )
    )


def earlier_from_same_client(user, concern: Concern, limit: int = 20) -> list[Concern]:
    """The same client's earlier concerns that this user may see (a caseworker: their own only)."""
    if not concern.client_key:
        return []
    return list(
        db.session.scalars(
            visible_concerns(user)
            .where(
                Concern.client_key == concern.client_key,
                Concern.id != concern.id,
                or_(
                    Concern.occurred_on < concern.occurred_on,
                    and_(Concern.occurred_on == concern.occurred_on, Concern.id < concern.id),
                ),
            )
            .order_by(Concern.occurred_on.desc(), Concern.id.desc())
            .limit(limit)
        )
    )


def _after_change(concern: Concern) -> None:
    """Hook for the parts that react to new evidence (campaign evidence, rollups)."""
    for hook in current_app.extensions.get("caseflow.concern_hooks", ()):
        hook(concern)


def earlier_concerns_from_client(concern: Concern, viewer: User, months: int = 12) -> int:
    """How many other concerns the same client brought in the `months` before this one, among the
    concerns `viewer` may read: a caseworker counts only their own, so typing another caseworker's
    client reference never confirms that person is a client elsewhere in the agency."""
    if not concern.client_key:
        return 0
    since = concern.occurred_on - timedelta(days=round(months * 30.44))
    query = (
        select(func.count())
        .select_from(Concern)
        .where(
            Concern.client_key == concern.client_key,
            Concern.id != concern.id,
            Concern.deleted_at.is_(None),
            Concern.occurred_on >= since,
            Concern.occurred_on <= concern.occurred_on,
        )
    )
    if not can("concern.read_all", viewer):
        query = query.where(Concern.author_id == viewer.id)
    return db.session.scalar(query)


def ordinal(n: int) -> str:
    """3 → "3rd"; in Spanish "3.ª" (the feminine of "la preocupación")."""
    from caseflow.i18n import locale_name

    if locale_name().startswith("es"):
        return f"{n}.ª"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- Who sees what ----------------------------------------------------------------------------


def can_view(user, concern: Concern) -> bool:
    if concern.is_deleted:
        return False
    return can("concern.read_all", user) or (can("concern.read_own", user) and concern.author_id == user.id)


def can_edit(user, concern: Concern) -> bool:
    if concern.is_deleted:
        return False
    return can("concern.edit_any", user) or (can("concern.log", user) and concern.author_id == user.id)


def can_see_narrative(user, concern: Concern) -> bool:
    return can("concern.read_narrative", user) or concern.author_id == user.id


def visible_concerns(user) -> Select:
    query = select(Concern).where(Concern.deleted_at.is_(None))
    if not can("concern.read_all", user):
        query = query.where(Concern.author_id == user.id)
    return query


# --- Filters shared by the list, the export and the API ----------------------------------------


@dataclass
class ConcernFilters:
    tag: str = ""
    category: str = ""
    program: str = ""
    since: date | None = None
    until: date | None = None
    source: str = ""
    zip: str = ""
    q: str = ""
    sort: str = "newest"
    page: int = 1

    SORTS = {"newest": _l("Newest first"), "oldest": _l("Oldest first"), "program": _l("Program")}

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> tuple[ConcernFilters, dict[str, list[str]]]:
        errors: dict[str, list[str]] = {}

        def text(name: str, limit: int = 100) -> str:
            value = (args.get(name) or "").replace("\x00", "").strip()
            return value[:limit]

        def day(name: str) -> date | None:
            value = text(name)
            if not value:
                return None
            try:
                return date.fromisoformat(value)
            except ValueError:
                errors[name] = [gettext("Use a date like 2026-03-31.")]
                return None

        page = ascii_int(args.get("page") or 1, lo=1, hi=100000) or 1
        sort = text("sort") if text("sort") in cls.SORTS else "newest"
        return (
            cls(
                tag=text("tag"),
                category=text("category"),
                program=text("program"),
                since=day("since"),
                until=day("until"),
                source=text("source") if text("source") in SOURCES else "",
                zip=text("zip", 5),
                q=text("q", 200),
                sort=sort,
                page=page,
            ),
            errors,
        )

    def apply(self, query: Select) -> Select:
        # EXISTS per concern (the concern_tags primary key answers it), so a date-filtered list walks
        # only its dates instead of collecting every concern a common tag ever had.
        if self.tag:
            # The id as a value, so PostgreSQL plans with the tag's real frequency.
            tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == self.tag))
            query = query.where(
                select(concern_tags.c.tag_id)
                .where(concern_tags.c.concern_id == Concern.id, concern_tags.c.tag_id == tag_id)
                .exists()
            )
        if self.category:
            query = query.where(
                select(concern_tags.c.tag_id)
                .join(Tag, Tag.id == concern_tags.c.tag_id)
                .where(concern_tags.c.concern_id == Concern.id, Tag.category == self.category)
                .exists()
            )
        if self.program:
            query = query.where(Concern.program_id.in_(select(Program.id).where(Program.slug == self.program)))
        if self.since:
            query = query.where(Concern.occurred_on >= self.since)
        if self.until:
            query = query.where(Concern.occurred_on <= self.until)
        if self.source:
            query = query.where(Concern.source == self.source)
        if self.zip:
            query = query.where(Concern.zip == self.zip)
        if self.q:
            for word in self.q.split()[:8]:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                query = query.where(Concern.summary.ilike(f"%{escaped}%", escape="\\"))
        order = {
            "newest": (Concern.occurred_on.desc(), Concern.id.desc()),
            "oldest": (Concern.occurred_on.asc(), Concern.id.asc()),
            "program": (Concern.program_id, Concern.occurred_on.desc(), Concern.id.desc()),
        }[self.sort]
        return query.order_by(*order)

    def as_args(self) -> dict[str, str]:
        out = {
            "tag": self.tag,
            "category": self.category,
            "program": self.program,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "source": self.source,
            "zip": self.zip,
            "q": self.q,
            "sort": self.sort if self.sort != "newest" else "",
        }
        return {k: v for k, v in out.items() if v}
