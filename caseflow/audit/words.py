"""Audit events in words for the people who read the log: "Ari Admin created user lee@example.org".

The stored event keeps its action code (`user.create`) for filtering and tools; this module only
writes the sentence. It looks up the people, campaigns and taxonomy an event names in one query per
kind for a whole page, and never shows concern text (administrators may not read concerns): a
concern is named by its number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.i18n import ROLE_LABELS, label
from caseflow.models import STEP_LABELS, ApiToken, AuditEvent, Campaign, Program, Tag, User


@dataclass
class Names:
    users: dict[int, User]
    campaigns: dict[int, str]
    tags: dict[int, str]
    programs: dict[int, str]
    tokens: dict[int, ApiToken]
    patterns: dict[str, str]

    def user(self, user_id: Any, fallback: str | None = None) -> str:
        user = self.users.get(_int(user_id))
        return user.email if user else (fallback or gettext("a user"))

    def pattern(self, key: str) -> str:
        return f"“{self.patterns.get(key, key)}”"

    def campaign(self, campaign_id: Any, fallback: str = "") -> str:
        title = self.campaigns.get(_int(campaign_id))
        if title or fallback:
            return f"“{title or fallback}”"
        return gettext("campaign #%(id)s", id=campaign_id)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _step(step: Any) -> str:
    return STEP_LABELS.get(str(step), str(step)).split(" — ")[0]


def _ids(events: Iterable[AuditEvent], object_type: str) -> set[int]:
    return {i for e in events if e.object_type == object_type and (i := _int(e.object_id)) is not None}


def names_for(events: list[AuditEvent], pattern_labels: Callable[[set[str]], dict[str, str]]) -> Names:
    """Everything the page's events name, one query per kind. `pattern_labels` puts pattern keys in
    words (the patterns package's; audit sits below it and does not import it)."""
    user_ids = {e.actor_id for e in events if e.actor_id} | _ids(events, "users")
    user_ids |= {i for e in events if (i := _int((e.details or {}).get("user_id"))) is not None}
    token_ids = _ids(events, "api_tokens")

    def lookup(columns, ids):
        return dict(db.session.execute(select(*columns).where(columns[0].in_(ids))).all()) if ids else {}

    pattern_keys = {e.object_id for e in events if e.object_type == "pattern"}
    pattern_keys |= {k for e in events for k in ((e.details or {}).get("pattern_keys") or []) if isinstance(k, str)}

    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    tokens = (
        {t.id: t for t in db.session.scalars(select(ApiToken).where(ApiToken.id.in_(token_ids)))} if token_ids else {}
    )
    return Names(
        users=users,
        campaigns=lookup((Campaign.id, Campaign.title), _ids(events, "campaigns")),
        tags=lookup((Tag.id, Tag.name), _ids(events, "tags")),
        programs=lookup((Program.id, Program.name), _ids(events, "programs")),
        tokens=tokens,
        patterns=pattern_labels(pattern_keys) if pattern_keys else {},
    )


Describe = Callable[[AuditEvent, dict, Names], str]


def _user_event(verb) -> Describe:
    """`verb` is a lazy_gettext with %(user)s."""
    return lambda e, d, n: gettext(str(verb), user=n.user(e.object_id))


def _campaign_event(verb) -> Describe:
    """`verb` is a lazy_gettext with %(campaign)s."""
    return lambda e, d, n: gettext(str(verb), campaign=n.campaign(e.object_id, d.get("title", "")))


def _number(n: Any) -> int:
    return _int(n) or 0


def _password(e: AuditEvent, d: dict, n: Names) -> str:
    if e.actor_id is not None and str(e.actor_id) == e.object_id:
        return gettext("changed their password")
    return gettext("reset the password of %(user)s", user=n.user(e.object_id))


def _roles(e: AuditEvent, d: dict, n: Names) -> str:
    none = gettext("none")
    before = ", ".join(label(ROLE_LABELS, r).lower() for r in d.get("before") or []) or none
    after = ", ".join(label(ROLE_LABELS, r).lower() for r in d.get("after") or []) or none
    return gettext(
        "changed the roles of %(user)s from %(before)s to %(after)s",
        user=n.user(e.object_id),
        before=before,
        after=after,
    )


def _token(created: bool) -> Describe:
    def describe(e: AuditEvent, d: dict, n: Names) -> str:
        token = n.tokens.get(_int(e.object_id))
        name = d.get("name") or (token.name if token else "")
        owner = n.user(d.get("user_id") or (token.user_id if token else None), gettext("a user"))
        if created:
            if name:
                return gettext("created API token “%(name)s” for %(owner)s", name=name, owner=owner)
            return gettext("created API token for %(owner)s", owner=owner)
        if name:
            return gettext("revoked API token “%(name)s” for %(owner)s", name=name, owner=owner)
        return gettext("revoked API token for %(owner)s", owner=owner)

    return describe


def _taxonomy(kind: str, verb) -> Describe:
    """`verb` is a lazy_gettext with %(name)s (and %(locale)s, %(local_name)s for a translated name)."""

    def describe(e: AuditEvent, d: dict, n: Names) -> str:
        table = n.tags if kind == "tag" else n.programs
        name = table.get(_int(e.object_id)) or d.get("slug") or f"#{e.object_id}"
        return gettext(str(verb), name=name, locale=d.get("locale", ""), local_name=d.get("name", ""))

    return describe


def _artifact(e: AuditEvent, d: dict, n: Names) -> str:
    kind = e.action.split(".")[1]
    return gettext("saved the %(step)s step of %(campaign)s", step=_step(kind), campaign=n.campaign(e.object_id))


def _user_created(e: AuditEvent, d: dict, n: Names) -> str:
    if d.get("roles"):
        roles = ", ".join(label(ROLE_LABELS, r).lower() for r in d["roles"])
        return gettext("created user %(user)s (%(roles)s)", user=n.user(e.object_id), roles=roles)
    return gettext("created user %(user)s", user=n.user(e.object_id))


def _export(e: AuditEvent, d: dict, n: Names) -> str:
    rows = _number(d.get("rows"))
    if d.get("narratives"):
        return ngettext(
            "exported %(num)s concern to CSV with narratives", "exported %(num)s concerns to CSV with narratives", rows
        )
    return ngettext("exported %(num)s concern to CSV", "exported %(num)s concerns to CSV", rows)


def _campaign_created(e: AuditEvent, d: dict, n: Names) -> str:
    patterns = ", ".join(n.pattern(k) for k in d.get("pattern_keys") or []) or gettext("no pattern")
    return gettext(
        "created campaign %(campaign)s from %(patterns)s", campaign=n.campaign(e.object_id), patterns=patterns
    )


SENTENCES: dict[str, Describe] = {
    "login.success": lambda e, d, n: gettext("logged in"),
    "login.failure": lambda e, d, n: gettext("failed to log in (wrong e-mail or password)"),
    "login.throttled": lambda e, d, n: gettext("was refused logging in after too many failed attempts"),
    "logout": lambda e, d, n: gettext("logged out"),
    "user.create": _user_created,
    "user.roles": _roles,
    "user.activate": _user_event(_l("reactivated %(user)s")),
    "user.deactivate": _user_event(_l("deactivated %(user)s")),
    "user.password_change": _password,
    "token.create": _token(created=True),
    "token.revoke": _token(created=False),
    "token.revoke_all": lambda e, d, n: ngettext(
        "revoked %(num)s API token of %(user)s (%(reason)s)",
        "revoked %(num)s API tokens of %(user)s (%(reason)s)",
        _number(d.get("count")),
        user=n.user(e.object_id),
        reason=d.get("reason", "revoked"),
    ),
    "mfa.enrol": _user_event(_l("set up two-step login for %(user)s")),
    "mfa.recovery_codes": _user_event(_l("made new recovery codes for %(user)s")),
    "mfa.recovery_code_used": lambda e, d, n: gettext("logged in with a recovery code"),
    "mfa.disable": _user_event(_l("turned off two-step login for %(user)s")),
    "mfa.reset": _user_event(_l("reset two-step login for %(user)s")),
    "program.create": _taxonomy("program", _l("created program %(name)s")),
    "program.update": _taxonomy("program", _l("changed program %(name)s")),
    "program.translate": _taxonomy("program", _l("named program %(name)s in %(locale)s: “%(local_name)s”")),
    "tag.create": _taxonomy("tag", _l("created tag %(name)s")),
    "tag.update": _taxonomy("tag", _l("changed tag %(name)s")),
    "tag.translate": _taxonomy("tag", _l("named tag %(name)s in %(locale)s: “%(local_name)s”")),
    "tag.merge": lambda e, d, n: ngettext(
        "merged tag %(tag)s into %(into)s (%(num)s concern moved)",
        "merged tag %(tag)s into %(into)s (%(num)s concerns moved)",
        _number(d.get("moved")),
        tag=n.tags.get(_int(e.object_id), "#" + e.object_id),
        into=d.get("into", "?"),
    ),
    "concern.create": lambda e, d, n: gettext("logged concern #%(id)s", id=e.object_id),
    "concern.update": lambda e, d, n: gettext("edited concern #%(id)s", id=e.object_id),
    "concern.delete": lambda e, d, n: gettext("deleted concern #%(id)s", id=e.object_id),
    "concern.retag": lambda e, d, n: gettext("retagged concern #%(id)s from an emerging theme", id=e.object_id),
    "theme.tag": lambda e, d, n: ngettext(
        "made the tag %(tag)s from emerging theme #%(id)s (%(num)s concern retagged)",
        "made the tag %(tag)s from emerging theme #%(id)s (%(num)s concerns retagged)",
        _number(d.get("retagged")),
        tag=d.get("tag", "?"),
        id=e.object_id,
    ),
    "theme.dismiss": lambda e, d, n: gettext("dismissed emerging theme #%(id)s", id=e.object_id),
    "concern.import": lambda e, d, n: ngettext(
        "imported %(num)s concern from a CSV file",
        "imported %(num)s concerns from a CSV file",
        _number(d.get("created")),
    ),
    "concern.export": _export,
    "campaign.create": _campaign_created,
    "campaign.discard": lambda e, d, n: gettext(
        "discarded campaign “%(title)s” shortly after creating it", title=d.get("title", "#" + e.object_id)
    ),
    "campaign.step": lambda e, d, n: gettext(
        "moved campaign %(campaign)s from %(before)s to %(after)s",
        campaign=n.campaign(e.object_id),
        before=_step(d.get("from_step")),
        after=_step(d.get("to_step")),
    ),
    "campaign.status": lambda e, d, n: gettext(
        "changed the status of %(campaign)s from %(before)s to %(after)s",
        campaign=n.campaign(e.object_id, d.get("title", "")),
        before=d["from_status"],
        after=d["to_status"],
    ),
    "campaign.actor.create": _campaign_event(_l("added an actor to the power map of %(campaign)s")),
    "campaign.actor.delete": _campaign_event(_l("removed an actor from the power map of %(campaign)s")),
    "campaign.measure.create": _campaign_event(_l("added a measure to %(campaign)s")),
    "campaign.measure.update": _campaign_event(_l("updated a measure of %(campaign)s")),  # before migration 0014
    "measure.create": lambda e, d, n: gettext(
        "added the measure “%(name)s” to the library", name=d.get("name", "#" + e.object_id)
    ),
    "measure.value.create": lambda e, d, n: gettext(
        "recorded a value of measure #%(id)s for %(day)s (%(group)s)",
        id=e.object_id,
        day=d.get("on", "?"),
        group=d.get("group", ""),
    ),
    "measure.value.correct": lambda e, d, n: gettext(
        "corrected the value of measure #%(id)s for %(day)s (%(group)s); revision %(revision)s, the earlier one kept",
        id=e.object_id,
        day=d.get("on", "?"),
        group=d.get("group", ""),
        revision=d.get("revision", "?"),
    ),
    "measure.import": lambda e, d, n: ngettext(
        "imported %(num)s measure value from a CSV file",
        "imported %(num)s measure values from a CSV file",
        _number(d.get("created")),
    ),
    "campaign.action.create": _campaign_event(_l("logged an organizing action for %(campaign)s")),
    "campaign.follow_up.create": _campaign_event(_l("added a follow-up to %(campaign)s")),
    "campaign.follow_up.done": _campaign_event(_l("marked a follow-up of %(campaign)s done")),
    "campaign.advisory.create": _campaign_event(_l("recorded an advisory committee decision for %(campaign)s")),
    "campaign.review.create": _campaign_event(_l("saved a reflection review of %(campaign)s")),
    "pattern.snooze": lambda e, d, n: gettext(
        "snoozed pattern %(pattern)s until %(day)s", pattern=n.pattern(e.object_id), day=d.get("until", "?")
    ),
    "pattern.dismiss": lambda e, d, n: gettext("dismissed pattern %(pattern)s", pattern=n.pattern(e.object_id)),
    "pattern.reopen": lambda e, d, n: gettext("reopened pattern %(pattern)s", pattern=n.pattern(e.object_id)),
    "summary.build": lambda e, d, n: gettext("built the %(quarter)s reflection summary", quarter=d.get("quarter", "")),
    "summary.commentary": lambda e, d, n: gettext(
        "wrote commentary on the %(quarter)s summary", quarter=d.get("quarter", "")
    ),
    "summary.sign_off": lambda e, d, n: gettext("signed off the %(quarter)s summary", quarter=d.get("quarter", "")),
    "summary.export": lambda e, d, n: gettext("exported the %(table)s table of a summary", table=d.get("table", "")),
    "self_assessment.submit": lambda e, d, n: gettext(
        "answered the self-assessment for %(quarter)s", quarter=e.object_id
    ),
    "backup.create": lambda e, d, n: gettext("made a backup of the database"),
    "backup.restore": lambda e, d, n: gettext(
        "restored the database from %(source)s", source=d.get("source") or gettext("a backup")
    ),
    "job.run": lambda e, d, n: gettext(
        "ran the job %(job)s now (%(status)s)", job=d.get("job", e.object_id), status=d.get("status", "")
    ),
}


def actor_name(event: AuditEvent, names: Names) -> str:
    user = names.users.get(event.actor_id) if event.actor_id else None
    if user is not None:
        return user.display_name
    return event.actor_label or gettext("The system")


def sentence(event: AuditEvent, names: Names) -> str:
    """ "Ari Admin created user lee@example.org (caseworker)"; an unknown action still reads."""
    details = event.details or {}
    describe = SENTENCES.get(event.action)
    if describe is None and event.action.startswith("campaign.") and event.action.endswith(".save"):
        describe = _artifact
    try:
        what = describe(event, details, names) if describe else None
    except (KeyError, TypeError, ValueError):
        what = None
    if what is None:
        if event.object_type:
            what = gettext(
                "did %(action)s on %(type)s %(id)s", action=event.action, type=event.object_type, id=event.object_id
            ).rstrip()
        else:
            what = gettext("did %(action)s", action=event.action)
    return gettext("%(actor)s %(what)s", actor=actor_name(event, names), what=what)
