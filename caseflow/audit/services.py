"""Writing the audit trail. Services call `record` and the caller commits with the change."""

from __future__ import annotations

import re

from flask import has_request_context, request

from caseflow.extensions import db
from caseflow.models import AuditEvent

# Control characters (newlines included) would let a value forge extra lines in a log viewer.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def clean(value: object, limit: int = 200) -> str:
    return _CONTROL.sub("?", str(value))[:limit]


def _clean_detail(value: object) -> object:
    """Strings anywhere in a detail (lists of tags, the export's filters) are cleaned, not only top-level ones."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k, 40): _clean_detail(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_detail(v) for v in value]
    return value


def client_address() -> str:
    return clean(request.remote_addr or "", 64) if has_request_context() else "cli"


def record(
    action: str,
    actor=None,
    obj=None,
    *,
    object_type: str = "",
    object_id: object = "",
    actor_label: str = "",
    **details,
) -> AuditEvent:
    """Append one audit event. Never pass concern text or passwords in `details`."""
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = getattr(obj, "id", "")
    event = AuditEvent(
        action=clean(action, 60),
        actor_id=getattr(actor, "id", None),
        actor_label=clean(actor_label or getattr(actor, "email", "") or "", 254),
        object_type=clean(object_type, 40),
        object_id=clean(object_id if object_id is not None else "", 64),
        address=client_address(),
        details={clean(k, 40): _clean_detail(v) for k, v in details.items()},
    )
    db.session.add(event)
    return event


def record_many(action: str, actor, object_type: str, entries: list[tuple[object, dict]]) -> None:
    """Append one audit event per (object id, details) in one statement: a bulk write (an import)
    is audited row by row like any other, without an ORM object per row."""
    if not entries:
        return
    from caseflow.models.base import utcnow

    at = utcnow()
    common = {
        "at": at,
        "action": clean(action, 60),
        "actor_id": getattr(actor, "id", None),
        "actor_label": clean(getattr(actor, "email", "") or "", 254),
        "object_type": clean(object_type, 40),
        "address": client_address(),
    }
    db.session.execute(
        AuditEvent.__table__.insert(),
        [
            {
                **common,
                "object_id": clean(object_id, 64),
                "details": {clean(k, 40): _clean_detail(v) for k, v in d.items()},
            }
            for object_id, d in entries
        ],
    )
