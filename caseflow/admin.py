"""The admin area's pages that belong to no domain package: the scheduled jobs (/admin/jobs), read
from the same registry as the scheduler and `flask jobs`."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from caseflow import jobs
from caseflow.accounts.permissions import require
from caseflow.audit.services import record
from caseflow.extensions import db
from caseflow.models import JobRun
from caseflow.scheduler import describe_jobs
from caseflow.web import EmptyForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/jobs")
@require("admin.jobs")
def jobs_page():
    runs = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(50)).all()
    return render_template(
        "admin/jobs.html",
        jobs=describe_jobs(current_app),
        runs=runs,
        timezone=current_app.config["TIMEZONE"],
        run_form=EmptyForm(),
    )


@bp.post("/jobs/<job_id>/run")
@require("admin.jobs")
def run_job_now(job_id: str):
    """Run one scheduled job now, as `flask jobs run` does: synchronously, recorded as a job run
    (slot "manual") and in the audit log. The jobs are idempotent, so a second click is harmless."""
    if job_id not in jobs.JOBS:
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(gettext("The form expired; reload the page and press Run now again."), "error")
        return redirect(url_for("admin.jobs_page"))
    # The job commits in its own session; end this request's transaction first (on SQLite it holds
    # the write lock the job needs).
    db.session.commit()
    run = jobs.run_now(current_app._get_current_object(), job_id)
    record("job.run", current_user, object_type="job_runs", object_id=run.id, job=job_id, status=run.status)
    db.session.commit()
    if run.status == "success":
        flash(f"{job_id} ran: {run.details or 'done'}.", "success")
    else:
        flash(f"{job_id} failed; the error is in the run below.", "error")
    return redirect(url_for("admin.jobs_page"))
