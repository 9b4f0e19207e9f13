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

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import STEP_LABELS, ApiToken, AuditEvent, Campaign, Program, Tag, User


@dataclass
class Names:
    users: dict[int, User]
    campaigns: dict[int, str]
    tags: dict[int, str]
    programs: dict[int, str]
    tokens: dict[int, ApiToken]
    patterns: dict[str, str]

    def user(self, user_id: Any, fallback: str = "a user") -> str:
        user = self.users.get(_int(user_id))
        return user.email if user else fallback

    def pattern(self, key: str) -> str:
        return f"“{self.patterns.get(key, key)}”"

    def campaign(self, campaign_id: Any, fallback: str = "") -> str:
        title = self.campaigns.get(_int(campaign_id))
        return f"“{title}”" if title else (f"“{fallback}”" if fallback else f"campaign #{campaign_id}")


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


def _user_event(verb: str) -> Describe:
    return lambda e, d, n: f"{verb} {n.user(e.object_id)}"


def _campaign_event(verb: str) -> Describe:
    return lambda e, d, n: verb.format(campaign=n.campaign(e.object_id, d.get("title", "")), **d)


def _count(n: Any, word: str) -> str:
    number = _int(n) or 0
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _password(e: AuditEvent, d: dict, n: Names) -> str:
    if e.actor_id is not None and str(e.actor_id) == e.object_id:
        return "changed their password"
    return f"reset the password of {n.user(e.object_id)}"


def _roles(e: AuditEvent, d: dict, n: Names) -> str:
    before, after = ", ".join(d.get("before") or []) or "none", ", ".join(d.get("after") or []) or "none"
    return f"changed the roles of {n.user(e.object_id)} from {before} to {after}"


def _token(verb: str) -> Describe:
    def describe(e: AuditEvent, d: dict, n: Names) -> str:
        token = n.tokens.get(_int(e.object_id))
        name = d.get("name") or (token.name if token else "")
        owner = n.user(d.get("user_id") or (token.user_id if token else None), "a user")
        return f"{verb} API token{f' “{name}”' if name else ''} for {owner}"

    return describe


def _taxonomy(kind: str, verb: str) -> Describe:
    def describe(e: AuditEvent, d: dict, n: Names) -> str:
        table = n.tags if kind == "tag" else n.programs
        name = table.get(_int(e.object_id)) or d.get("slug") or f"#{e.object_id}"
        return f"{verb} {kind} {name}"

    return describe


def _artifact(e: AuditEvent, d: dict, n: Names) -> str:
    kind = e.action.split(".")[1]
    return f"saved the {_step(kind)} step of {n.campaign(e.object_id)}"


SENTENCES: dict[str, Describe] = {
    "login.success": lambda e, d, n: "logged in",
    "login.failure": lambda e, d, n: "failed to log in (wrong e-mail or password)",
    "login.throttled": lambda e, d, n: "was refused logging in after too many failed attempts",
    "logout": lambda e, d, n: "logged out",
    "user.create": lambda e, d, n: (
        f"created user {n.user(e.object_id)}" + (f" ({', '.join(d['roles'])})" if d.get("roles") else "")
    ),
    "user.roles": _roles,
    "user.activate": _user_event("reactivated"),
    "user.deactivate": _user_event("deactivated"),
    "user.password_change": _password,
    "token.create": _token("created"),
    "token.revoke": _token("revoked"),
    "token.revoke_all": lambda e, d, n: (
        f"revoked {_count(d.get('count'), 'API token')} of {n.user(e.object_id)} ({d.get('reason', 'revoked')})"
    ),
    "mfa.enrol": _user_event("set up two-step login for"),
    "mfa.recovery_codes": _user_event("made new recovery codes for"),
    "mfa.recovery_code_used": lambda e, d, n: "logged in with a recovery code",
    "mfa.disable": _user_event("turned off two-step login for"),
    "mfa.reset": _user_event("reset two-step login for"),
    "program.create": _taxonomy("program", "created"),
    "program.update": _taxonomy("program", "changed"),
    "tag.create": _taxonomy("tag", "created"),
    "tag.update": _taxonomy("tag", "changed"),
    "tag.merge": lambda e, d, n: (
        f"merged tag {n.tags.get(_int(e.object_id), '#' + e.object_id)} into "
        f"{d.get('into', '?')} ({_count(d.get('moved'), 'concern')} moved)"
    ),
    "concern.create": lambda e, d, n: f"logged concern #{e.object_id}",
    "concern.update": lambda e, d, n: f"edited concern #{e.object_id}",
    "concern.delete": lambda e, d, n: f"deleted concern #{e.object_id}",
    "concern.retag": lambda e, d, n: f"retagged concern #{e.object_id} from an emerging theme",
    "theme.tag": lambda e, d, n: (
        f"made the tag {d.get('tag', '?')} from emerging theme #{e.object_id} "
        f"({_count(d.get('retagged'), 'concern')} retagged)"
    ),
    "theme.dismiss": lambda e, d, n: f"dismissed emerging theme #{e.object_id}",
    "concern.import": lambda e, d, n: f"imported {_count(d.get('created'), 'concern')} from a CSV file",
    "concern.export": lambda e, d, n: (
        f"exported {_count(d.get('rows'), 'concern')} to CSV" + (" with narratives" if d.get("narratives") else "")
    ),
    "campaign.create": lambda e, d, n: (
        f"created campaign {n.campaign(e.object_id)} from "
        + (", ".join(n.pattern(k) for k in d.get("pattern_keys") or []) or "no pattern")
    ),
    "campaign.discard": lambda e, d, n: (
        f"discarded campaign “{d.get('title', '#' + e.object_id)}” shortly after creating it"
    ),
    "campaign.step": lambda e, d, n: (
        f"moved campaign {n.campaign(e.object_id)} from {_step(d.get('from_step'))} to {_step(d.get('to_step'))}"
    ),
    "campaign.status": _campaign_event("changed the status of {campaign} from {from_status} to {to_status}"),
    "campaign.actor.create": _campaign_event("added an actor to the power map of {campaign}"),
    "campaign.actor.delete": _campaign_event("removed an actor from the power map of {campaign}"),
    "campaign.measure.create": _campaign_event("added a measure to {campaign}"),
    "campaign.measure.update": _campaign_event("updated a measure of {campaign}"),  # before migration 0014
    "measure.create": lambda e, d, n: f"added the measure “{d.get('name', '#' + e.object_id)}” to the library",
    "measure.value.create": lambda e, d, n: (
        f"recorded a value of measure #{e.object_id} for {d.get('on', '?')} ({d.get('group', '')})"
    ),
    "measure.value.correct": lambda e, d, n: (
        f"corrected the value of measure #{e.object_id} for {d.get('on', '?')} ({d.get('group', '')}); "
        f"revision {d.get('revision', '?')}, the earlier one kept"
    ),
    "measure.import": lambda e, d, n: f"imported {_count(d.get('created'), 'measure value')} from a CSV file",
    "campaign.action.create": _campaign_event("logged an organizing action for {campaign}"),
    "campaign.follow_up.create": _campaign_event("added a follow-up to {campaign}"),
    "campaign.follow_up.done": _campaign_event("marked a follow-up of {campaign} done"),
    "campaign.advisory.create": _campaign_event("recorded an advisory committee decision for {campaign}"),
    "campaign.review.create": _campaign_event("saved a reflection review of {campaign}"),
    "pattern.snooze": lambda e, d, n: f"snoozed pattern {n.pattern(e.object_id)} until {d.get('until', '?')}",
    "pattern.dismiss": lambda e, d, n: f"dismissed pattern {n.pattern(e.object_id)}",
    "pattern.reopen": lambda e, d, n: f"reopened pattern {n.pattern(e.object_id)}",
    "summary.build": lambda e, d, n: f"built the {d.get('quarter', '')} reflection summary",
    "summary.commentary": lambda e, d, n: f"wrote commentary on the {d.get('quarter', '')} summary",
    "summary.sign_off": lambda e, d, n: f"signed off the {d.get('quarter', '')} summary",
    "summary.export": lambda e, d, n: f"exported the {d.get('table', '')} table of a summary",
    "self_assessment.submit": lambda e, d, n: f"answered the self-assessment for {e.object_id}",
    "backup.create": lambda e, d, n: "made a backup of the database",
    "backup.restore": lambda e, d, n: f"restored the database from {d.get('source', 'a backup')}",
    "job.run": lambda e, d, n: f"ran the job {d.get('job', e.object_id)} now ({d.get('status', '')})",
}


def actor_name(event: AuditEvent, names: Names) -> str:
    user = names.users.get(event.actor_id) if event.actor_id else None
    if user is not None:
        return user.display_name
    return event.actor_label or "The system"


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
        target = f" on {event.object_type} {event.object_id}".rstrip() if event.object_type else ""
        what = f"did {event.action}{target}"
    return f"{actor_name(event, names)} {what}"
