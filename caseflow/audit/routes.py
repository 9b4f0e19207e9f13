from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from caseflow import dates
from caseflow.accounts.permissions import require
from caseflow.audit.words import names_for, sentence
from caseflow.extensions import db
from caseflow.models import AuditEvent
from caseflow.patterns.labels import pattern_labels
from caseflow.validation import query_int

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/")
@require("admin.audit")
def index():
    """The audit log, filterable by action, actor, object and date; read-only by construction."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    filters = {
        # No column is longer than 254; a 100k filter made SQLite refuse the LIKE pattern (503).
        k: request.args.get(k, "").strip()[:254]
        for k in ("action", "actor", "object_type", "object_id", "since", "until")
    }
    if filters["action"]:
        query = query.where(AuditEvent.action.startswith(filters["action"]))
    if filters["actor"]:
        query = query.where(AuditEvent.actor_label.contains(filters["actor"].lower()))
    if filters["object_type"]:
        query = query.where(AuditEvent.object_type == filters["object_type"])
    if filters["object_id"]:
        query = query.where(AuditEvent.object_id == filters["object_id"])
    if since := _parse_date(filters["since"]):
        query = query.where(AuditEvent.at >= dates.day_start(since))  # the organisation's days
    if (until := _parse_date(filters["until"])) and until < date.max:  # 9999-12-31: no upper bound
        query = query.where(AuditEvent.at < dates.day_start(until + timedelta(days=1)))
    # Clamp the page: an absurd ?page= overflowed the OFFSET on PostgreSQL (bigint out of range → 500).
    number = min(max(request.args.get("page", 1, type=query_int) or 1, 1), 100_000)
    page = db.paginate(query, page=number, per_page=50, error_out=False)
    names = names_for(page.items, pattern_labels)
    return render_template(
        "audit/index.html",
        page=page,
        filters=filters,
        sentences={e.id: sentence(e, names) for e in page.items},
        timezone=current_app.config["TIMEZONE"],
    )
