"""The public self-report page and the triage queue (issue 18): what a client tells us on their own
lands in a queue, counts nowhere until a caseworker confirms it, and then counts exactly once."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from caseflow.models import AuditEvent, Concern, PatternDay, SelfReport, SelfReportAttempt
from caseflow.patterns import rollup

GOOD = {
    "what_happened": "Mi casero no arregla la calefacción desde octubre.",
    "importance": "5",
    "wants_involvement": "y",
    "race_ethnicity": ["hispanic", "white"],
    "zip": "10027",
    "age_band": "35-44",
    "language": "Español",
    "consent_to_quote": "y",
}


def _reports(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SelfReport))


def _no_heat_concerns(db, taxonomy) -> int:
    tag_id = taxonomy["tags"]["no-heat"].id
    return db.session.scalar(
        select(func.coalesce(func.sum(PatternDay.concerns), 0)).where(
            PatternDay.grouping == "tag", PatternDay.tag_id == tag_id
        )
    )


def test_the_public_page_needs_no_login_and_files_a_report(client, db):
    page = client.get("/tell-us")
    assert page.status_code == 200
    assert "Tell us what is happening" in page.get_data(as_text=True)
    response = client.post("/tell-us", data=GOOD)
    assert response.status_code == 302 and "/tell-us/thanks" in response.location
    report = db.session.scalars(select(SelfReport)).one()
    assert report.status == "new" and report.what_happened == GOOD["what_happened"]
    assert report.race_ethnicity == ["hispanic", "white"] and report.zip == "10027" and report.importance == 5
    assert report.consent_to_quote and report.wants_involvement and report.locale == "en"
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0  # not a concern yet
    assert db.session.scalars(select(AuditEvent.action)).all()[-1] == "self_report.create"


def test_nothing_identifying_is_required(client, db):
    response = client.post("/tell-us", data={"what_happened": "No heat."})
    assert response.status_code == 302
    report = db.session.scalars(select(SelfReport)).one()
    assert (report.zip, report.age_band, report.language, report.race_ethnicity) == (None, None, None, [])


def test_bad_input_re_renders_with_what_was_typed_and_errors_at_the_fields(client, db):
    typed = GOOD | {
        "what_happened": "   ",
        "zip": "１００２７",
        "importance": "9",
        "race_ethnicity": ["refused", "white"],
    }
    page = client.post("/tell-us", data=typed)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Please tell us what is happening." in html
    assert 'id="zip-error"' in html and "A ZIP code is five digits" in html  # full-width digits refused
    assert "Choose a number from 1 to 5." in html
    assert "go alone" in html
    assert 'value="１００２７"' in html and 'value="Español"' in html  # what was typed stays
    assert re.search(r'<input checked[^>]*value="white"', html) and re.search(
        r'<input checked[^>]*value="refused"', html
    )
    assert not re.search(r'<input checked[^>]*value="black"', html)
    assert _reports(db) == 0


def test_arabic_indic_digits_are_not_a_zip(client, db):
    page = client.post("/tell-us", data={"what_happened": "x", "zip": "١٠٠٢٧"})
    assert page.status_code == 200 and "A ZIP code is five digits" in page.get_data(as_text=True)
    assert _reports(db) == 0


def test_the_form_carries_csrf_and_refuses_a_post_without_it(app, client, db):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/tell-us").get_data(as_text=True)
        assert 'name="csrf_token"' in page
        response = client.post("/tell-us", data=GOOD)
        assert response.status_code == 400 and _reports(db) == 0
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_honeypot_stores_nothing_but_counts_against_the_budget(client, db):
    response = client.post("/tell-us", data=GOOD | {"website": "http://spam.example"})
    assert response.status_code == 302  # a bot is told nothing
    assert _reports(db) == 0
    assert db.session.scalar(select(func.count()).select_from(SelfReportAttempt)) == 1


def test_the_budget_per_address_per_hour(app, client, db, clock):
    clock.set("2026-11-20T15:00:00+00:00")
    limit = app.config["SELF_REPORTS_PER_HOUR"]
    for _ in range(limit):
        assert client.post("/tell-us", data=GOOD).status_code == 302
    over = client.post("/tell-us", data=GOOD)
    assert over.status_code == 429
    assert "many reports from this connection" in over.get_data(as_text=True)
    assert _reports(db) == limit
    # Another address is not held back, and the first one may report again an hour later.
    other = client.post("/tell-us", data=GOOD, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 302
    clock.shift(hours=1, minutes=1)
    assert client.post("/tell-us", data=GOOD).status_code == 302
    # The addresses themselves are never stored.
    keys = db.session.scalars(select(SelfReportAttempt.address_key)).all()
    assert "127.0.0.1" not in keys and all(len(k) == 64 for k in keys)


def test_spanish_page_renders_spanish(client):
    html = client.get("/tell-us", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Cuéntenos qué está pasando" in html
    assert "Hispano, latino o de origen español" in html and "Negro, afroamericano o africano" in html
    assert "Tell us what is happening" not in html
    errors = client.post("/tell-us?lang=es", data={"what_happened": ""}).get_data(as_text=True)
    assert "Por favor, cuéntenos qué está pasando." in errors and "Corrija el campo marcado abajo." in errors


def test_spanish_report_remembers_its_language(client, db):
    client.post("/tell-us?lang=es", data=GOOD)
    assert db.session.scalars(select(SelfReport.locale)).one() == "es"


def test_poster_has_the_link_and_a_server_drawn_qr_code(client):
    html = client.get("/tell-us/poster").get_data(as_text=True)
    assert "<svg" in html and "http://localhost/tell-us" in html
    assert "<script" not in html.split("<main", 1)[1]


def _file(client, **overrides) -> SelfReport:
    client.post("/tell-us", data=GOOD | overrides)
    from caseflow.extensions import db

    return db.session.scalars(select(SelfReport).order_by(SelfReport.id.desc())).first()


def test_a_confirmed_report_becomes_a_concern_that_counts_in_patterns(client, db, taxonomy, login_as):
    report = _file(client)
    assert _no_heat_concerns(db, taxonomy) == 0
    me = login_as("caseworker")
    queue = client.get("/self-reports").get_data(as_text=True)
    assert f"/self-reports/{report.id}" in queue
    response = client.post(
        f"/self-reports/{report.id}/confirm", data={"confirm-program": "housing", "confirm-tags": ["no-heat", "mold"]}
    )
    assert response.status_code == 302
    db.session.refresh(report)
    concern = db.session.get(Concern, report.concern_id)
    assert report.status == "confirmed" and report.decided_by_id == me.id
    assert concern.source == "self" and concern.author_id == me.id
    assert concern.client_root_cause == GOOD["what_happened"] and concern.has_story_consent
    assert concern.race_ethnicity == ["hispanic", "white"] and concern.zip == "10027"
    assert concern.client_importance == 5 and concern.wants_involvement and concern.language == "Español"
    assert sorted(t.slug for t in concern.tags) == ["mold", "no-heat"]
    assert _no_heat_concerns(db, taxonomy) == 1
    assert rollup.check(db.session) == []
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "concern.create" in actions and "self_report.confirm" in actions
    # It leaves the queue, and cannot be triaged twice.
    assert f'/self-reports/{report.id}"' not in client.get("/self-reports").get_data(as_text=True).split("<h2")[0]
    again = client.post(f"/self-reports/{report.id}/decline", data={"decline-reason": "dup"})
    assert again.status_code == 409
    assert db.session.get(SelfReport, report.id).status == "confirmed"


def test_confirm_without_program_or_tags_shows_errors_and_writes_nothing(client, db, taxonomy, login_as):
    report = _file(client)
    login_as("organizer")
    page = client.post(f"/self-reports/{report.id}/confirm", data={"confirm-program": ""})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Choose at least one tag." in html and "This is required." in html
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0
    assert db.session.get(SelfReport, report.id).status == "new"


def test_a_declined_report_never_counts(client, db, taxonomy, login_as):
    report = _file(client)
    login_as("caseworker")
    missing = client.post(f"/self-reports/{report.id}/decline", data={"decline-reason": "  "})
    assert missing.status_code == 422 and "Say why" in missing.get_data(as_text=True)
    response = client.post(f"/self-reports/{report.id}/decline", data={"decline-reason": "Test entry by staff"})
    assert response.status_code == 302
    db.session.refresh(report)
    assert report.status == "declined" and report.decline_reason == "Test entry by staff"
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0
    assert _no_heat_concerns(db, taxonomy) == 0
    assert rollup.check(db.session) == []
    assert "self_report.decline" in db.session.scalars(select(AuditEvent.action)).all()


def test_directors_and_admins_cannot_triage(client, db, taxonomy, login_as):
    report = _file(client)
    for role in ("director", "admin"):
        login_as(role)
        assert client.get("/self-reports").status_code == 403
        assert client.post(f"/self-reports/{report.id}/confirm", data={"confirm-program": "housing"}).status_code == 403
    assert db.session.get(SelfReport, report.id).status == "new"


def test_a_user_chooses_their_language(client, db, login_as):
    me = login_as("caseworker")
    assert '<html lang="en">' in client.get("/account/language").get_data(as_text=True)
    response = client.post("/account/language", data={"locale": "es"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html and "Su idioma quedó guardado." in html
    db.session.refresh(me)
    assert me.locale == "es"
    # The user's setting wins over the browser's.
    assert '<html lang="es">' in client.get("/self-reports", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_confirmed_self_reports_are_found_by_their_source(client, db, taxonomy, login_as, make_concern):
    report = _file(client)
    me = login_as("caseworker")
    make_concern(author=me, summary="Logged at the desk")
    client.post(f"/self-reports/{report.id}/confirm", data={"confirm-program": "housing", "confirm-tags": "no-heat"})
    listing = client.get("/concerns?source=self").get_data(as_text=True)
    assert "Mi casero no arregla" in listing and "Logged at the desk" not in listing
    assert '<option value="self" selected>Client self-report</option>' in listing
    detail = client.get(f"/concerns/{db.session.get(SelfReport, report.id).concern_id}").get_data(as_text=True)
    assert "Client self-report" in detail


def test_only_the_triage_queue_makes_a_self_report(client, db, taxonomy, token_for, make_user):
    """A concern says "client self-report" only when a client filed it and a caseworker confirmed
    it: the API and an import answer with an error at the field and write nothing."""
    from caseflow.concerns.csvio import run_import

    body = {"program": "housing", "tags": ["no-heat"], "summary": "Told us at the desk", "source": "self"}
    response = client.post("/api/v1/concerns", json=body, headers=token_for("caseworker"))
    assert response.status_code == 422
    assert "source" in response.get_json()["errors"]
    header = "program,tags,summary,occurred_on,source\n"
    staff = make_user("organizer")
    report = run_import(staff.id, header + "housing,no-heat,From another system,2026-11-01,self\n")
    assert not report.ok and [e.field for e in report.errors] == ["source"]
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0


def test_editing_a_confirmed_self_report_keeps_its_source(client, db, taxonomy, login_as):
    report = _file(client)
    login_as("caseworker")
    client.post(f"/self-reports/{report.id}/confirm", data={"confirm-program": "housing", "confirm-tags": "no-heat"})
    concern = db.session.get(Concern, db.session.get(SelfReport, report.id).concern_id)
    page = client.get(f"/concerns/{concern.id}/edit").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    form = {
        "csrf_token": csrf_token_from(page),
        "version": str(concern.version),
        "program": "housing",
        "tag_text": "no-heat; mold",
        "summary": "Landlord will not fix the heat",
        "occurred_on": concern.occurred_on.isoformat(),
    }
    response = client.post(f"/concerns/{concern.id}/edit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(concern)
    assert concern.summary == "Landlord will not fix the heat" and concern.source == "self"
