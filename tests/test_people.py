"""People who opted in: consent first, contact encrypted at rest, erased on withdrawal, and the link
from a person to a concern shown only to those with record access. Call lists for a pattern or a
campaign, with a log of every call."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from caseflow.models import AuditEvent, CallLog, Person, PersonConcern

PHONE = "718-555-0199"
PHONE_DIGITS = "7185550199"
EMAIL = "rosa.martinez.tenant@example.net"
NAME = "Rosa Quintanilla-Marsh"


def _contact(**extra) -> dict:
    return {
        "consent": "y",
        "name": NAME,
        "phone": PHONE,
        "email": EMAIL,
        "channel": "phone",
        "language": "Spanish",
    } | extra


def _record_from_concern(client, concern, **extra):
    return client.post(f"/people/from-concern/{concern.id}", data=_contact(**extra))


def test_a_typed_phone_number_is_nowhere_in_the_database_file(app, client, db, login_as, make_concern):
    me = login_as("caseworker")
    concern = make_concern(author=me, wants_involvement=True)
    assert _record_from_concern(client, concern).status_code == 302
    db.session.commit()

    stored = db.session.execute(text("SELECT name, phone, email FROM people")).one()
    for value, secret in zip(stored, (NAME, PHONE, EMAIL), strict=True):
        assert value and secret not in value and PHONE_DIGITS not in value  # ciphertext, not the number
    audit = " ".join(str(d) for d in db.session.scalars(select(AuditEvent.details)))
    assert PHONE not in audit and EMAIL not in audit and NAME not in audit
    person = db.session.scalar(select(Person))
    assert (person.phone, person.email, person.name) == (PHONE, EMAIL, NAME)  # readable through the app

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):  # PostgreSQL keeps no single file: the column check above covers it
        files = [Path(url.removeprefix("sqlite:///") + suffix) for suffix in ("", "-wal", "-journal")]
        data = b"".join(f.read_bytes() for f in files if f.exists())
        assert b"Spanish" in data  # the file really holds this person (language is kept in clear)
        for secret in (PHONE, PHONE_DIGITS, EMAIL, NAME):
            assert secret.encode() not in data, secret


def test_nothing_is_stored_without_consent_and_the_form_keeps_what_was_typed(client, db, login_as, make_concern):
    me = login_as("caseworker")
    concern = make_concern(author=me, wants_involvement=True)
    page = _record_from_concern(client, concern, consent="", phone="not a phone!")
    body = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Ask first" in body and "Digits, spaces" in body
    assert EMAIL in body  # what was typed is still there
    assert db.session.scalar(select(Person)) is None

    not_involved = make_concern(author=me, wants_involvement=False)
    refused = _record_from_concern(client, not_involved)
    assert refused.status_code == 422 and "wants to be involved" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Person)) is None


def test_caseworkers_never_see_people_or_their_links(client, db, login_as, make_user, make_concern, token_for):
    other = make_user("caseworker")
    theirs = make_concern(author=other, wants_involvement=True, summary="Someone else's concern")
    me = login_as("caseworker")
    mine = make_concern(author=me, wants_involvement=True, summary="My concern")

    assert client.get(f"/people/from-concern/{theirs.id}").status_code == 404
    assert _record_from_concern(client, theirs).status_code == 404
    assert _record_from_concern(client, mine).status_code == 302
    person = db.session.scalar(select(Person))

    assert client.get("/people/").status_code == 403
    assert client.get(f"/people/{person.id}").status_code == 403
    assert client.get("/people/calls/pattern?key=tag:no-heat").status_code == 403
    page = client.get(f"/concerns/{mine.id}").get_data(as_text=True)
    assert "consent and contact recorded" in page
    assert f"/people/{person.id}" not in page and PHONE not in page and NAME not in page
    export = client.get("/concerns/export.csv").get_data(as_text=True)
    api = client.get(f"/api/v1/concerns/{mine.id}", headers=token_for(user=me)).get_data(as_text=True)
    for leak in (export, api):
        assert PHONE not in leak and NAME not in leak and EMAIL not in leak and "person" not in leak.lower()


@pytest.mark.parametrize("role", ["organizer", "director"])
def test_organizers_and_directors_see_contact_and_the_concern(client, db, login_as, make_user, make_concern, role):
    author = make_user("caseworker")
    concern = make_concern(author=author, wants_involvement=True, summary="Boiler out since Monday")
    login_as("organizer")
    _record_from_concern(client, concern)
    client.post("/logout")
    login_as(role)
    person = db.session.scalar(select(Person))
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert PHONE in page and EMAIL in page and "Boiler out since Monday" in page
    export = client.get("/concerns/export.csv").get_data(as_text=True)
    assert PHONE not in export and NAME not in export  # exports never carry contact


def test_withdrawal_erases_contact_and_unlinks_concerns(client, db, login_as, make_concern):
    me = login_as("organizer")
    concern = make_concern(author=me, wants_involvement=True)
    _record_from_concern(client, concern)
    person = db.session.scalar(select(Person))
    client.post(
        f"/people/{person.id}/calls",
        data={
            f"p{person.id}-outcome": "reached",
            f"p{person.id}-notes": "Lives near the school",
            f"p{person.id}-pattern_key": "tag:no-heat",
        },
    )

    stale = client.post(f"/people/{person.id}/withdraw", data={"version": "99"})
    assert stale.status_code == 302 and db.session.get(Person, person.id).withdrawn_on is None

    response = client.post(f"/people/{person.id}/withdraw", data={"version": str(person.version)})
    assert response.status_code == 302
    raw = db.session.execute(text("SELECT name, phone, email, address, withdrawn_on FROM people")).one()
    assert raw[:4] == (None, None, None, None) and raw[4] is not None
    assert db.session.scalar(select(PersonConcern)) is None
    assert db.session.scalar(select(CallLog.notes)) == ""
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.withdraw"))
    assert event.details == {"unlinked_concerns": 1, "unlinked_campaigns": 0}
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Withdrew consent" in page and PHONE not in page and f"/concerns/{concern.id}" not in page
    assert f"Person #{person.id}" in page
    assert f'id="person-{person.id}"' not in client.get("/people/calls/pattern?key=tag:no-heat").get_data(as_text=True)


def test_production_refuses_to_start_without_a_data_key(monkeypatch, tmp_path):
    from caseflow import create_app
    from config import ProductionConfig

    class NoDataKey(ProductionConfig):
        SECRET_KEY = "x" * 40
        CASEFLOW_DATA_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/p.db"

    monkeypatch.setenv("CASEFLOW_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="CASEFLOW_DATA_KEY"):
        create_app(NoDataKey)


def test_call_list_for_a_pattern_and_its_log(client, db, login_as, make_user, make_concern):
    author = make_user("caseworker")
    heat = [make_concern(author=author, wants_involvement=True, client_ref=f"c{i}") for i in range(3)]
    mold = make_concern(author=author, wants_involvement=True, tags=["mold"])
    me = login_as("organizer")
    for i, concern in enumerate(heat):
        _record_from_concern(
            client, concern, name=f"Neighbour {i}", language=["Spanish", "English", "Haitian Creole"][i]
        )
    _record_from_concern(client, mold, name="Mold only")

    page = client.get("/people/calls/pattern?key=tag:no-heat")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(f"Neighbour {i}" in body for i in range(3)) and "Mold only" not in body
    assert body.index("English") < body.index("Haitian Creole") < body.index("Spanish")  # grouped by language
    assert "Not called yet" in body

    first = db.session.scalar(select(Person).order_by(Person.id))
    bad = client.post(
        f"/people/{first.id}/calls", data={f"p{first.id}-pattern_key": "tag:no-heat", f"p{first.id}-notes": "kept"}
    )
    assert bad.status_code == 422 and "Choose how the call went" in bad.get_data(as_text=True)
    assert "kept" in bad.get_data(as_text=True)
    assert db.session.scalar(select(CallLog)) is None
    for outcome in ("no_answer", "will_attend"):
        done = client.post(
            f"/people/{first.id}/calls",
            data={f"p{first.id}-pattern_key": "tag:no-heat", f"p{first.id}-outcome": outcome},
        )
        assert done.status_code == 302
    body = client.get("/people/calls/pattern?key=tag:no-heat").get_data(as_text=True)
    row = re.search(rf'<tr id="person-{first.id}">(.*?)</tr>', body, re.S).group(1)
    assert "Reached, will come" in row and '<td class="num">2</td>' in row
    assert [c.caller_id for c in db.session.scalars(select(CallLog))] == [me.id, me.id]


def test_call_list_for_a_campaign_holds_sign_ups_and_its_evidence(client, db, login_as, make_user, make_concern):
    from caseflow.patterns.services import promote_patterns

    author = make_user("caseworker")
    concerns = [make_concern(author=author, wants_involvement=True, client_ref=f"c{i}") for i in range(5)]
    organizer = login_as("organizer")
    _record_from_concern(client, concerns[0], name="From evidence")
    campaign = promote_patterns(organizer, ["tag:no-heat"], "Heat for every tenant")
    db.session.commit()
    added = client.post(
        "/people/new",
        data={
            "consent": "y",
            "name": "Signed up at the door",
            "channel": "sms",
            "phone": "917 555 0101",
            "campaign_id": str(campaign.id),
        },
    )
    assert added.status_code == 302
    body = client.get(f"/people/calls/campaign/{campaign.id}").get_data(as_text=True)
    assert "From evidence" in body and "Signed up at the door" in body and "917 555 0101" in body
