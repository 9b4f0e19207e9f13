from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from caseflow.accounts.permissions import require
from caseflow.extensions import db
from caseflow.models import Notification
from caseflow.notifications import services
from caseflow.web import EmptyForm

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _unread():
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    return {"unread_notifications": unread}


@bp.route("/inbox")
@require("notification.read")
def inbox():
    items = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(func.coalesce(Notification.updated_at, Notification.created_at).desc(), Notification.id.desc())
        .limit(100)
    ).all()
    return render_template("notifications/inbox.html", items=items, form=EmptyForm())


@bp.route("/inbox/read", methods=["POST"])
@require("notification.read")
def mark_read():
    if EmptyForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/inbox/<int:notification_id>/open", methods=["POST"])
@require("notification.read")
def open_notification(notification_id: int):
    """Opening a notification marks it read and goes where it points (a POST: it changes state)."""
    notification = services.for_user_or_none(current_user, notification_id)
    if notification is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.mark_read(notification)
    db.session.commit()
    return redirect(services.target(current_user, notification))
