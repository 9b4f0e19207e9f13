"""The attendance page shared by campaign actions and convenings: each opted-in person's status
(signed up, came, spoke, led) and the staff who came, saved as one form."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_login import current_user

from caseflow.campaigns.services import staff_choices
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import CampaignAction, Convening
from caseflow.people import ladder, services
from caseflow.people.forms import WithdrawForm as CsrfForm
from caseflow.web import database_id


def _people_from(form) -> dict[int, str]:
    out: dict[int, str] = {}
    for name, value in form.items():
        if name.startswith("person-") and (pid := database_id(name.removeprefix("person-"))):
            out[pid] = value
    return out


def attendance_page(
    *,
    title: str,
    back: str,
    action: CampaignAction | None = None,
    convening: Convening | None = None,
    with_sign_ups: bool = False,
):
    form = CsrfForm()
    errors: dict[str, list[str]] = {}
    current = ladder.roll(action=action, convening=convening)
    if request.method == "POST":
        people = _people_from(request.form)
        staff = {uid for v in request.form.getlist("staff") if (uid := database_id(v))}
        try:
            ladder.set_attendance(current_user, people, staff, action=action, convening=convening)
        except ValidationFailed as error:
            db.session.rollback()
            errors = error.errors
            current = ladder.Roll(people=people, staff=staff, signed_up=0, came_people=0, came_staff=0)
        else:
            db.session.commit()
            flash("Attendance saved.")
            return redirect(back)
    statuses = dict(ladder.STATUSES)
    if not with_sign_ups:
        statuses.pop("signed_up")
    return (
        render_template(
            "people/attendance.html",
            title=title,
            back=back,
            form=form,
            people=db.session.scalars(services.people_query()).all(),
            staff=staff_choices(),
            roll=current,
            statuses=statuses,
            errors=errors,
        ),
        422 if errors else 200,
    )
