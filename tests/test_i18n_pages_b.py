"""Area B in other languages (issue 18): the main forms of campaigns, patterns, measures, convenings
and the committee, refused with errors, carry no unmarked English in the pseudo-locale; and a
person whose language is Spanish reads the workspace, the summary and the PDFs in Spanish.

Every GET page of area B is walked in tests/test_i18n_pages.py (AREA_B_PREFIXES)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from caseflow.i18n import PSEUDO_CLOSE, PSEUDO_OPEN, pseudo_locale
from tests.test_campaigns import STEP_FORMS, form
from tests.test_i18n_pages import _assert_marked
from tests.test_measures import pdf_text


def marked(message: str) -> str:
    return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"


@pytest.fixture
def campaign(db, make_user):
    from caseflow.models import Campaign

    c = Campaign(title="Heat is a right", issue_statement="No heat in Flatbush", lead=make_user("organizer"))
    db.session.add(c)
    db.session.commit()
    return c


@pytest.mark.parametrize(("page", "path", "prefix", "valid", "invalid", "error", "stored"), STEP_FORMS)
def test_every_step_form_refused_in_the_pseudo_locale(
    client, login_as, campaign, db, page, path, prefix, valid, invalid, error, stored
):
    from caseflow.models import Measure

    login_as("organizer")
    db.session.add(Measure(name="Days from heat complaint to inspection", unit="days"))
    db.session.commit()
    with pseudo_locale():
        refused = client.post(f"/campaigns/{campaign.id}/{path}", data=form(prefix, 1, **invalid))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'id="{prefix}-{error[0]}-error"' in body and PSEUDO_OPEN in body.split(f'id="{prefix}-{error[0]}-error"')[1]
    typed = tuple(v for v in invalid.values() if len(v) > 1)  # what was typed, shown again
    _assert_marked(body, data=(*typed, "Heat is a right", "No heat in Flatbush"))


def test_a_move_and_a_status_change_refused_in_the_pseudo_locale(client, login_as, campaign):
    login_as("organizer")
    with pseudo_locale():
        move = client.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="vision", note=""))
        status = client.post(f"/campaigns/{campaign.id}/status", data=form("status", 1, status="won"))
    assert move.status_code == 422 and status.status_code == 422
    assert marked("This is required.") in move.get_data(as_text=True)
    assert marked("Write a closing summary: what changed, and what we learned.") in status.get_data(as_text=True)
    for response in (move, status):
        _assert_marked(response.get_data(as_text=True), data=("Heat is a right", "No heat in Flatbush"))


@pytest.fixture
def heat(db, taxonomy, make_user, make_concern):
    """Enough concerns about no heat for a pattern."""
    author = make_user("caseworker")
    for n in range(6):
        make_concern(author=author, summary=f"Cold flat {n}", tags=["no-heat"], client_ref=f"client-{n}")


def test_promoting_a_pattern_refused_in_the_pseudo_locale(client, login_as, heat):
    login_as("organizer")
    with pseudo_locale():
        no_title = client.post("/patterns/promote", data={"keys": ["tag:no-heat"], "confirmed": "1"})
        no_pattern = client.post("/patterns/promote", data={"title": "Heat now", "confirmed": "1"})
    assert no_title.status_code == 422
    assert (
        marked("Give the campaign a title.") in no_title.get_data(as_text=True)
        or PSEUDO_OPEN in (no_title.get_data(as_text=True).split('id="title-error"')[1])
    )
    _assert_marked(no_title.get_data(as_text=True))
    assert no_pattern.status_code in (200, 302, 422)
    if no_pattern.status_code != 302:
        _assert_marked(no_pattern.get_data(as_text=True), data=("Heat now",))


def test_a_measure_value_refused_in_the_pseudo_locale(client, login_as, db):
    from caseflow.models import Measure

    measure = Measure(name="Days from heat complaint to inspection", unit="days", breakdowns="race_ethnicity")
    db.session.add(measure)
    db.session.commit()
    login_as("organizer")
    with pseudo_locale():
        refused = client.post(
            f"/measures/{measure.id}/values",
            data={"observed_on": "someday", "dimension": "race_ethnicity", "group": "martian", "value": "lots"},
        )
        library = client.post("/measures/new", data={"name": "", "unit": "days", "direction": "sideways"})
    assert refused.status_code == 422 and library.status_code == 422
    _assert_marked(refused.get_data(as_text=True), data=("someday", "martian", "lots", "days"))
    _assert_marked(library.get_data(as_text=True), data=("sideways",))


def test_a_convening_refused_in_the_pseudo_locale(client, login_as):
    login_as("organizer")
    with pseudo_locale():
        refused = client.post("/convenings/new", data={"title": "", "held_on": "tomorrow-ish"})
    assert refused.status_code == 422
    assert marked("Give the convening a title.") in refused.get_data(as_text=True)
    _assert_marked(refused.get_data(as_text=True), data=("tomorrow-ish",))


def test_a_committee_vote_and_proposal_refused_in_the_pseudo_locale(client, login_as, db, make_user):
    from caseflow.committee import services
    from caseflow.models import Person

    secretary = login_as("organizer")
    person = Person(name="Ana Member", channel="in_person", source="organizer", consent_on=date(2026, 1, 5))
    db.session.add(person)
    db.session.flush()
    member = services.add_member(secretary, {"person_id": person.id, "term_start": "2026-01-01"})
    meeting = services.create_meeting(secretary, {"held_on": "2026-10-14"})
    services.update_meeting(secretary, meeting, "", {member.id}, meeting.version)
    decision = services.propose(secretary, {"kind": "general", "title": "Meet monthly"})
    db.session.commit()
    with pseudo_locale():
        vote = client.post(f"/committee/meetings/{meeting.id}/proposals/{decision.id}/vote", data={})
        proposal = client.post("/committee/proposals", data={"kind": "", "title": ""})
    assert vote.status_code == 422 and proposal.status_code == 422
    data = ("Ana Member", "Meet monthly", secretary.display_name)
    _assert_marked(vote.get_data(as_text=True), data=data)
    _assert_marked(proposal.get_data(as_text=True), data=data)


# --- In Spanish -------------------------------------------------------------------------------


def test_a_spanish_organizer_reads_the_workspace_in_spanish(client, login_as, campaign, db):
    me = login_as("organizer")
    me.locale = "es"
    db.session.commit()
    overview = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert '<html lang="es">' in overview
    assert "Aprendizaje — análisis del problema" in overview and "Historial de pasos" in overview
    refused = client.post(f"/campaigns/{campaign.id}/move", data=form("move", 1, step="vision", note=""))
    assert "Este dato es obligatorio." in refused.get_data(as_text=True)
    # The API keeps its fixed English values whatever the reader's language.
    from caseflow.api.campaigns import campaign_json

    assert campaign_json(campaign)["step_label"] == "Learning — issue analysis"


def test_the_convening_report_pdf_is_in_the_readers_language(client, login_as, db):
    from caseflow.models import Convening

    me = login_as("organizer")
    convening = Convening(title="Tenant summit", place="PS 139")
    from caseflow.dates import today

    convening.held_on = today()
    db.session.add(convening)
    me.locale = "es"
    db.session.commit()
    pdf = client.get(f"/convenings/{convening.id}/report.pdf")
    assert pdf.status_code == 200
    text = "\n".join(pdf_text(pdf.data))
    assert "Temas" in text and "Tareas" in text and "Encuentro de toda la organización" in text
    me.locale = "en"
    db.session.commit()
    english = "\n".join(pdf_text(client.get(f"/convenings/{convening.id}/report.pdf").data))
    assert "Themes" in english and "Action items" in english


def test_campaign_news_reaches_each_caseworker_in_their_own_language(db, make_user, make_concern):
    from caseflow.campaigns import services as campaign_services
    from caseflow.models import Notification
    from caseflow.patterns.services import promote_patterns

    spanish, english = make_user("caseworker", email="es@example.org"), make_user("caseworker", email="en@example.org")
    spanish.locale = "es"
    for n in range(6):
        make_concern(author=spanish if n % 2 else english, summary=f"Cold {n}", client_ref=f"c-{n}")
    organizer = make_user("organizer")
    campaign = promote_patterns(organizer, ["tag:no-heat"], "Heat now")
    db.session.commit()
    campaign_services.move_step(organizer, campaign, "awareness", "We know who is affected", campaign.version)
    db.session.commit()

    def message(user):
        return db.session.scalar(select(Notification.message).where(Notification.user_id == user.id))

    assert message(spanish).startswith("Las inquietudes que registró")
    assert "que pasó a Conciencia — análisis del poder" in message(spanish)
    assert message(english).startswith("The concerns you logged") and "moved to Awareness" in message(english)
