"""Logging many validated concerns at once (a CSV import): set-based writes in the caller's
transaction, the rollups moved once for the whole batch by set-based SQL, every concern audited.

`log_concern` (caseflow.concerns.services) writes one concern through the ORM, whose flush hooks
keep the rollups; here the rows go in with a few multi-row INSERTs and `rollup.add_concerns` counts
the batch with INSERT … SELECT … ON CONFLICT statements — the same end state (tests/test_import_export.py compares), in a fraction of the
time and of the write lock.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, insert, select, text

from caseflow.audit.services import record_many
from caseflow.concerns.services import ConcernInput, new_concern_row, remember_program
from caseflow.dates import today
from caseflow.extensions import db
from caseflow.models import Concern, ConcernRace, User, concern_tags
from caseflow.models.base import utcnow
from caseflow.patterns import rollup


def _new_ids(conn, n: int) -> list[int]:
    """`n` concern ids, taken before the rows go in (after `rollup.lock`), so the rows can be
    written with one plain executemany instead of an INSERT … RETURNING per row (SQLite cannot
    return ids of a multi-row insert in order). SQLite: the batch holds the only write lock, so the
    ids after the largest are free; PostgreSQL: drawn from the id sequence in one statement."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence('concerns', 'id')) FROM generate_series(1, :n)"), {"n": n}
        )
        return sorted(rows.scalars())
    top = conn.execute(select(func.max(Concern.id))).scalar() or 0
    return list(range(top + 1, top + n + 1))


def log_concerns(actor: User, items: list[ConcernInput]) -> list[int]:
    """Write every item as a new concern; returns their ids in the items' order."""
    if not items:
        return []
    on, now = today(), utcnow()
    # The author's row first, the rollup lock second — the order a web write takes them in (its
    # flush updates the user, then its rollup hook locks): the other order deadlocks on PostgreSQL
    # when the importing user logs a concern meanwhile.
    remember_program(actor, items[-1].program.id)
    conn = db.session.connection()
    rollup.lock(conn)  # before the ids are taken: no other writer's concern falls in the batch's range
    ids = _new_ids(conn, len(items))
    rows = [{**new_concern_row(actor, item, on, now), "id": cid} for item, cid in zip(items, ids, strict=True)]
    db.session.execute(insert(Concern.__table__), rows)
    tag_rows = [{"concern_id": cid, "tag_id": t.id} for cid, item in zip(ids, items, strict=True) for t in item.tags]
    race_rows = [
        {"concern_id": cid, "code": code} for cid, item in zip(ids, items, strict=True) for code in item.race_ethnicity
    ]
    db.session.execute(insert(concern_tags), tag_rows)
    if race_rows:
        db.session.execute(insert(ConcernRace.__table__), race_rows)

    rollup.add_concerns(conn, min(ids), max(ids))
    record_many(
        "concern.create",
        actor,
        "concerns",
        [
            (cid, {"program": item.program.slug, "tags": [t.slug for t in item.tags]})
            for cid, item in zip(ids, items, strict=True)
        ],
    )
    for hook in current_app.extensions.get("caseflow.bulk_concern_hooks", ()):
        hook(ids)
    return ids
