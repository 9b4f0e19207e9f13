"""The audit log: append-only, who/what/which/when (UTC)/where for every kind of event, no concern
text and no passwords in it, log injection neutralised, and an admin page that filters it.

On PostgreSQL a trigger refuses UPDATE and DELETE on audit_events: proven by
tests/test_migrations.py::test_the_database_keeps_the_audit_trail_append_only (and below through the ORM).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from caseflow import dates
from caseflow.models import AuditEvent, Campaign, Concern, User
from tests.conftest import PASSWORD, login

ADDRESS = "203.0.113.7"
CONCERN_FORM = {
    "program": "housing",
    "tags": "no-heat",
    "summary": "SUMMARY-SECRET tenant without heat",
    "narrative": "NARRATIVE-SECRET she sleeps in her coat",
    "client_root_cause": "ROOTCAUSE-SECRET the landlord waits us out",
    "client_ref": "CLIENTREF-SECRET-K1001",
    "race_ethnicity": "black",
    "zip": "11226",
    "client_importance": "5",
    "story_consent": "y",
}


@pytest.fixture
def from_address(client):
    """Every request of the test client comes from one documentation address (RFC 5737)."""
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


def events(db, *where) -> list[AuditEvent]:
    rows = db.session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id)).all()
    db.session.commit()
    return rows


def last(db, action: str) -> AuditEvent:
    rows = events(db, AuditEvent.action == action)
    assert rows, f"no {action} event"
    return rows[-1]


def assert_who_what_when_where(event: AuditEvent, actor: User | None, object_type: str, object_id=None) -> None:
    assert event.at.tzinfo is not None and event.at.utcoffset() == timedelta(0), "stored in UTC, tz-aware"
    assert abs(dates.now() - event.at) < timedelta(minutes=5)
    if actor is not None:
        assert event.actor_id == actor.id and event.actor_label == actor.email
    assert event.object_type == object_type
    if object_id is not None:
        assert event.object_id == str(object_id)
    assert event.address == ADDRESS


# --- Append-only -------------------------------------------------------------------------------


def test_no_route_can_change_the_audit_log(app):
    audit_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert audit_rules, "the audit page exists"
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, f"{rule.rule} accepts {rule.methods}"
    # No code anywhere in the app updates or deletes an audit row.
    pattern = re.compile(
        r"(update|delete)\(\s*AuditEvent|AuditEvent\)\.(update|delete)|audit_events\s+(SET|WHERE)", re.I
    )
    root = Path(app.root_path)
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_audit_rows_survive_every_later_action_unchanged(db, client, from_address, make_user, taxonomy):
    """Append-only in practice: a full round of actions only ever adds rows after the old ones."""
    admin = make_user("admin")
    login(client, admin.email)
    before = [(e.id, e.at, e.action, e.actor_label, e.object_type, e.object_id, e.details) for e in events(db)]
    assert before
    client.post("/admin/users", data={"email": "x@example.org", "roles": "caseworker", "password": PASSWORD})
    client.post("/logout")
    organizer = make_user("organizer")
    login(client, organizer.email)
    client.post("/log", data=CONCERN_FORM)
    client.get("/concerns/export.csv")
    after = [(e.id, e.at, e.action, e.actor_label, e.object_type, e.object_id, e.details) for e in events(db)]
    assert after[: len(before)] == before and len(after) > len(before)


def test_the_database_refuses_to_rewrite_history(db):
    """Through the ORM; see tests/test_migrations.py::test_the_database_keeps_the_audit_trail_append_only (raw SQL)."""
    from caseflow.audit.services import record

    event = record("test.event", object_type="x", object_id=1)
    db.session.commit()
    event.action = "forged"
    with pytest.raises(Exception, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(Exception, match="append-only"):
        db.session.commit()
    db.session.rollback()


# --- Who, what, which object, when, from where --------------------------------------------------


def test_login_concern_campaign_export_and_sign_off_are_recorded(db, client, from_address, make_user, taxonomy):
    from caseflow.dates import today
    from caseflow.reflection.services import ensure_summary
    from caseflow.reflection.summary import today_quarter

    organizer = make_user("organizer")
    assert login(client, organizer.email).status_code == 302
    assert_who_what_when_where(last(db, "login.success"), organizer, "users", organizer.id)

    wrong = login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == 302  # already logged in: sent home, nothing checked
    client.post("/logout")
    assert_who_what_when_where(last(db, "logout"), organizer, "users", organizer.id)
    assert login(client, "nobody@example.org", "not the password at all").status_code == 401
    failure = last(db, "login.failure")
    assert failure.actor_id is None and failure.actor_label == "nobody@example.org" and failure.address == ADDRESS
    assert failure.at.utcoffset() == timedelta(0)

    login(client, organizer.email)
    assert client.post("/log", data=CONCERN_FORM).status_code == 302
    concern = db.session.scalar(select(Concern))
    created = last(db, "concern.create")
    assert_who_what_when_where(created, organizer, "concerns", concern.id)
    assert created.details == {"program": "housing", "tags": ["no-heat"]}

    campaign = Campaign(title="Heat is a right", lead=organizer)
    db.session.add(campaign)
    db.session.commit()
    moved = client.post(
        f"/campaigns/{campaign.id}/move",
        data={"move-step": "awareness", "move-note": "map the landlord's allies", "move-version": "1"},
    )
    assert moved.status_code == 302
    step = last(db, "campaign.step")
    assert_who_what_when_where(step, organizer, "campaigns", campaign.id)
    assert step.details["from_step"] == "learning" and step.details["to_step"] == "awareness"

    assert client.get("/concerns/export.csv?program=housing").status_code == 200
    export = last(db, "concern.export")
    assert_who_what_when_where(export, organizer, "concerns")
    assert export.details["rows"] == 1 and export.details["filters"] == {"program": "housing"}
    assert export.details["narratives"] is True
    client.post("/logout")

    director = make_user("director")
    login(client, director.email)
    summary, _ = ensure_summary(today_quarter(today()).previous())
    db.session.commit()
    signed = client.post(f"/summaries/{summary.quarter}/sign-off", data={"version": str(summary.version)})
    assert signed.status_code == 302
    sign_off = last(db, "summary.sign_off")
    assert_who_what_when_where(sign_off, director, "quarterly_summaries", summary.id)
    assert client.get(f"/summaries/{summary.quarter}/by_program.csv").status_code == 200
    assert_who_what_when_where(last(db, "summary.export"), director, "quarterly_summaries", summary.id)


# --- Nothing sensitive in it -----------------------------------------------------------------


def test_no_concern_text_and_no_passwords_in_any_audit_row(db, client, from_address, make_user, taxonomy):
    secrets = [
        CONCERN_FORM["summary"],
        CONCERN_FORM["narrative"],
        CONCERN_FORM["client_root_cause"],
        CONCERN_FORM["client_ref"],
        "SUMMARY2-SECRET",
        "NARRATIVE2-SECRET",
        "ROOTCAUSE2-SECRET",
        "DELETE-REASON-SECRET",
        "NEW-USER-PASSWORD-SECRET",
        "RESET-PASSWORD-SECRET",
        "CHANGED-PASSWORD-SECRET",
        "WRONG-PASSWORD-SECRET",
        "IMPORTED-SUMMARY-SECRET",
        "IMPORTED-ROOTCAUSE-SECRET",
    ]
    admin = make_user("admin")
    login(client, admin.email)
    client.post(
        "/admin/users", data={"email": "cw@example.org", "roles": "caseworker", "password": "NEW-USER-PASSWORD-SECRET"}
    )
    caseworker = db.session.scalar(select(User).where(User.email == "cw@example.org"))
    client.post(
        f"/admin/users/{caseworker.id}/password",
        data={"reset-password": "RESET-PASSWORD-SECRET"},
    )
    token_page = client.post(
        "/admin/tokens", data={"email": admin.email, "name": "sync", "scopes": ["taxonomy:read"], "days": "90"}
    ).get_data(as_text=True)
    token_secret = token_page.split('<code class="secret">')[1].split("</code>")[0]
    secrets.append(token_secret)
    client.post("/logout")

    login(client, "cw@example.org", "WRONG-PASSWORD-SECRET")
    assert login(client, "cw@example.org", "RESET-PASSWORD-SECRET").status_code == 302
    client.post(
        "/account/password",
        data={
            "current_password": "RESET-PASSWORD-SECRET",
            "new_password": "CHANGED-PASSWORD-SECRET",
            "confirm": "CHANGED-PASSWORD-SECRET",
        },
    )
    assert client.post("/log", data=CONCERN_FORM).status_code == 302
    concern = db.session.scalar(select(Concern))
    edit = CONCERN_FORM | {
        "summary": "SUMMARY2-SECRET",
        "narrative": "NARRATIVE2-SECRET",
        "client_root_cause": "ROOTCAUSE2-SECRET",
        "version": str(concern.version),
        "tags": ["no-heat", "mold"],
    }
    assert client.post(f"/concerns/{concern.id}/edit", data=edit).status_code == 302
    client.get("/concerns/export.csv")
    from caseflow.accounts.services import create_token

    _, cw_secret = create_token(None, db.session.get(User, caseworker.id), "sync")  # after the password change
    db.session.commit()
    secrets.append(cw_secret)
    api = {"Authorization": f"Bearer {cw_secret}"}
    client.post(
        "/api/v1/concerns",
        json={"program": "housing", "tags": ["mold"], "summary": "SUMMARY2-SECRET", "narrative": "NARRATIVE2-SECRET"},
        headers=api,
    )
    client.post("/logout")

    organizer = make_user("organizer")
    login(client, organizer.email)
    csv_text = (
        "external_id,occurred_on,program,tags,summary,source,client_ref,race_ethnicity,language,age_band,zip,"
        "client_importance,client_root_cause,wants_involvement,story_consent\n"
        "imp-1,2026-01-14,housing,no-heat,IMPORTED-SUMMARY-SECRET,client,K-9,black,English,25-34,11226,5,"
        "IMPORTED-ROOTCAUSE-SECRET,yes,yes\n"
    )
    from io import BytesIO

    imported = client.post(
        "/concerns/import",
        data={"file": (BytesIO(csv_text.encode()), "c.csv")},
        content_type="multipart/form-data",
    )
    page = imported.get_data(as_text=True)  # the rows are written as the page streams
    assert imported.status_code == 200 and "Imported 1 concerns." in page, page
    client.post("/logout")

    director = make_user("director")
    login(client, director.email)
    assert client.post(f"/concerns/{concern.id}/delete", data={"reason": "DELETE-REASON-SECRET"}).status_code == 302

    rows = events(db)
    actions = {e.action for e in rows}
    assert {
        "user.create",
        "user.password_change",
        "token.create",
        "login.failure",
        "login.success",
        "concern.create",
        "concern.update",
        "concern.export",
        "concern.import",
        "concern.delete",
    } <= actions, actions
    assert db.session.get(Concern, concern.id).deleted_reason == "DELETE-REASON-SECRET"  # kept, but not in the log
    for event in rows:
        text = " ".join(
            [
                event.action,
                event.actor_label,
                event.object_type,
                event.object_id,
                event.address,
                json.dumps(event.details),
            ]
        )
        for secret in secrets:
            assert secret not in text, f"{secret!r} found in {event.action}"
        assert "$argon2" not in text  # no password hashes either


# --- Log injection ---------------------------------------------------------------------------


def test_log_injection_is_neutralised(db, client, from_address, make_user, taxonomy):
    forged = "eve@example.org\n2026-01-01T00:00:00 admin@example.org login.success\r\x1b[31mred\x1b[0m\u2028x"
    assert client.post("/login", data={"email": forged, "password": "whatever it is!"}).status_code == 401
    failure = last(db, "login.failure")
    for bad in ("\n", "\r", "\x1b", "\u2028"):
        assert bad not in failure.actor_label
    assert failure.actor_label.startswith("eve@example.org?2026-01-01")
    assert "?[31mred?[0m?x" in failure.actor_label

    # Nested details (the export's filters) are cleaned too, not only top-level strings.
    organizer = make_user("organizer")
    login(client, organizer.email)
    client.get("/concerns/export.csv", query_string={"q": "heat\nforged line\x1b[2J", "tag": "a\rb"})
    export = last(db, "concern.export")
    dumped = json.dumps(export.details, ensure_ascii=False)
    assert "\\n" not in dumped and "\\r" not in dumped and "\\u001b" not in dumped
    assert export.details["filters"]["q"] == "heat?forged line?[2J"
    assert export.details["filters"]["tag"] == "a?b"

    # The admin page escapes what it shows.
    client.post("/logout")
    client.post("/login", data={"email": "<script>x</script>@example.org", "password": "whatever it is!"})
    admin = make_user("admin")
    login(client, admin.email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;@example.org" in page


def test_clean_replaces_every_control_character():
    from caseflow.audit.services import clean

    every = "".join(chr(c) for c in range(32)) + "\x7f\u2028\u2029"
    assert clean("a" + every + "b") == "a" + "?" * len(every) + "b"
    assert clean("x" * 500) == "x" * 200
    assert clean("ok émoji 🏠 and RTL שלום") == "ok émoji 🏠 and RTL שלום"


# --- The admin page filters --------------------------------------------------------------------


def test_admin_audit_page_filters_by_action_actor_object_and_date(db, client, make_user):
    admin = make_user("admin", email="boss@example.org")
    old = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    db.session.add_all(
        [
            AuditEvent(
                action="concern.create", actor_label="ana@example.org", object_type="concerns", object_id="7", at=old
            ),
            AuditEvent(
                action="concern.delete",
                actor_label="bo@example.org",
                object_type="concerns",
                object_id="7",
                at=old + timedelta(days=5),
            ),
            AuditEvent(
                action="campaign.step", actor_label="ana@example.org", object_type="campaigns", object_id="3", at=old
            ),
            AuditEvent(
                action="user.create", actor_label="boss@example.org", object_type="users", object_id="9", at=old
            ),
        ]
    )
    db.session.commit()
    login(client, admin.email)  # today: the admin's user.create (by the fixture) and login.success

    def shown(**params) -> list[str]:
        page = client.get("/admin/audit/", query_string=params)
        assert page.status_code == 200
        return re.findall(
            r"<td><code>((?:concern|campaign|user|login)\.[a-z_.]+)</code></td>", page.get_data(as_text=True)
        )

    assert sorted(shown()) == sorted(
        ["concern.create", "concern.delete", "campaign.step", "user.create", "user.create", "login.success"]
    )
    assert sorted(shown(action="concern.")) == ["concern.create", "concern.delete"]
    assert sorted(shown(actor="ANA@")) == ["campaign.step", "concern.create"]
    assert sorted(shown(object_type="concerns", object_id="7")) == ["concern.create", "concern.delete"]
    assert shown(object_type="campaigns") == ["campaign.step"]
    assert sorted(shown(since="2025-03-10", until="2025-03-10")) == ["campaign.step", "concern.create", "user.create"]
    assert shown(since="2025-03-11", until="2025-03-31") == ["concern.delete"]
    assert sorted(shown(since=dates.today().isoformat())) == ["login.success", "user.create"]
    assert sorted(shown(actor="boss@", until="2025-12-31")) == ["user.create"]
    assert sorted(shown(since="not a date")) == sorted(shown())  # a bad date is ignored, not an error
    # Regression: an absurd page number overflowed the OFFSET on PostgreSQL (500); now an empty page.
    assert shown(page="99999999999999999999999") == []
    assert client.get("/admin/audit/", query_string={"action": "a\x00b"}).status_code == 400
    # Regression: a 100k-character filter made SQLite refuse the LIKE pattern (answered 503).
    assert shown(action="x" * 100_000, actor="y" * 100_000) == []


def test_only_admins_read_the_audit_log(client, login_as):
    for role in ("caseworker", "organizer", "director"):
        login_as(role)
        assert client.get("/admin/audit/").status_code == 403
        client.post("/logout")
    assert client.get("/admin/audit/").status_code == 302


def test_audit_filter_up_to_the_last_representable_day(client, login_as):
    """Regression (found by the fuzz on PostgreSQL): until=9999-12-31 overflowed the day after."""
    login_as("admin")
    response = client.get("/admin/audit/?until=9999-12-31&since=0001-01-01")
    assert response.status_code == 200 and "login.success" in response.get_data(as_text=True)
