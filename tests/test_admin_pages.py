"""Issue 13, admin: slugs made from names, every form error at once, the audit log in words and
in the organisation's time zone, and "Run now" on the jobs page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from caseflow.models import AuditEvent, JobRun, Program, Tag


def test_slugs_are_made_from_names_when_left_empty(client, login_as, db):
    login_as("admin")
    response = client.post("/taxonomy/", data={"program-name": "Café & Food Pantry", "program-slug": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Program.slug).where(Program.name == "Café & Food Pantry")) == "cafe-food-pantry"
    response = client.post(
        "/taxonomy/", data={"tag-name": "No heat", "tag-slug": "", "tag-category": "Housing", "tag-description": ""}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Tag.slug).where(Tag.name == "No heat")) == "no-heat"
    # An edited slug is kept as typed.
    client.post("/taxonomy/", data={"program-name": "Legal aid", "program-slug": "legal"})
    assert db.session.scalar(select(Program.slug).where(Program.name == "Legal aid")) == "legal"
    # The page wires the live filling (static/app.js), with no inline script.
    html = client.get("/taxonomy/").get_data(as_text=True)
    assert 'data-slug-from="program-name"' in html and 'data-slug-from="tag-name"' in html
    assert "<script>" not in html


def test_taxonomy_form_shows_every_error_at_once(client, login_as, db):
    login_as("admin")
    client.post("/taxonomy/", data={"program-name": "Housing", "program-slug": "housing"})
    # A taken slug and a bad name together: both reported in the one answer.
    response = client.post("/taxonomy/", data={"program-name": "", "program-slug": "housing"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="program-name-error"' in html and 'id="program-slug-error"' in html
    assert "This slug is already in use." in html and "Please correct the 2 fields" in html
    # A name whose slug is taken: the made slug is shown in the field, with its error, to edit.
    response = client.post("/taxonomy/", data={"program-name": "Housing!", "program-slug": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'value="housing"' in html and "already in use" in html


def test_new_user_form_shows_every_error_at_once(client, login_as, make_user, db):
    login_as("admin")
    taken = make_user("caseworker", email="lee@example.org")
    response = client.post("/admin/users", data={"email": taken.email, "password": "short", "name": "Lee"})
    html = response.get_data(as_text=True)
    for field in ("email", "roles", "password"):
        assert f'id="{field}-error"' in html, field
    assert "A user with this e-mail address already exists." in html
    assert "Please correct the 3 fields" in html


def test_token_form_shows_every_error_at_once(client, login_as, db):
    login_as("admin")
    html = client.post("/admin/tokens", data={"email": "nobody@example.org", "name": ""}).get_data(as_text=True)
    assert "No user with this e-mail address." in html and 'id="name-error"' in html


def test_audit_log_reads_in_words_in_the_organisations_time(client, login_as, make_user, db, app):
    admin = login_as("admin", name="Ana Admin")
    client.post(
        "/admin/users",
        data={"email": "lee@example.org", "roles": ["caseworker"], "password": "a long enough passphrase"},
    )
    db.session.add(
        AuditEvent(action="login.failure", actor_label="who@example.org", at=datetime(2026, 11, 29, 2, 0, tzinfo=UTC))
    )
    db.session.add(AuditEvent(action="something.new", actor_id=admin.id, object_type="widgets", object_id="4"))
    db.session.commit()
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "Ana Admin created user lee@example.org (caseworker)" in html
    assert "Ana Admin logged in" in html
    assert "who@example.org failed to log in" in html
    assert "Ana Admin did something.new on widgets 4" in html  # an action without words still reads
    # 02:00 UTC on 29 November is 21:00 the day before in New York.
    assert app.config["TIMEZONE"] == "America/New_York"
    assert "2026-11-28 21:00:00 EST" in html and "times in America/New_York" in html


def test_audit_log_names_patterns_and_campaigns(client, login_as, make_user, taxonomy, db):
    from caseflow.patterns import services

    organizer = make_user("organizer", name="Olu Organizer")
    services.promote_patterns(organizer, ["tag:no-heat/program:housing"], "Heat now")
    services.dismiss(organizer, "tag:mold", "Handled by the city", 3)
    db.session.commit()
    login_as("admin")
    html = client.get("/admin/audit/").get_data(as_text=True)
    assert "Olu Organizer created campaign “Heat now” from “No heat · Housing Assistance”" in html
    assert "Olu Organizer dismissed pattern “Mold”" in html


def test_run_now_runs_the_job_records_it_and_audits(client, login_as, db):
    admin = login_as("admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    for job in ("quarterly-summary", "weekly-digest", "followup-reminders", "retention-purge"):
        assert f'action="/admin/jobs/{job}/run"' in page
    response = client.post("/admin/jobs/retention-purge/run")
    assert response.status_code == 302
    run = db.session.scalar(select(JobRun).where(JobRun.job_id == "retention-purge"))
    assert run.status == "success" and run.run_key is None and run.finished_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "job.run"))
    assert event.actor_id == admin.id and event.details["job"] == "retention-purge" and event.object_id == str(run.id)
    after = client.get("/admin/jobs").get_data(as_text=True)
    assert re.search(r"retention-purge</code></td><td>manual</td>", after)
    assert client.post("/admin/jobs/no-such-job/run").status_code == 404


def test_only_admins_run_jobs(client, login_as, db):
    login_as("director", "organizer")
    assert client.post("/admin/jobs/retention-purge/run").status_code == 403
    assert db.session.scalar(select(JobRun.id)) is None
