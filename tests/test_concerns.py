"""Concern intake: validation (one set of rules for every way in), hashing, the quick-log form,
the list, the detail, edits with optimistic locking, soft delete, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from caseflow import dates
from caseflow.concerns import services
from caseflow.errors import StaleVersion, ValidationFailed
from caseflow.models import AuditEvent, Concern, User
from tests.conftest import login


def _errors(raw: dict) -> dict:
    with pytest.raises(ValidationFailed) as info:
        services.parse_concern({"program": "housing", "tags": ["no-heat"], "summary": "x"} | raw)
    return info.value.errors


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"program": ""}, "program", "This is required."),
        ({"program": "nope"}, "program", "Unknown program 'nope'."),
        ({"tags": []}, "tags", "Choose at least one tag."),
        ({"tags": ["no-heat", "ghost"]}, "tags", "Unknown tag: ghost."),
        ({"tags": "no-heat"}, None, None),  # a single string is fine (CSV and form)
        ({"summary": "   "}, "summary", "This is required."),
        ({"summary": "x" * 501}, "summary", "Use at most 500 characters (this has 501)."),
        ({"summary": 42}, "summary", "Must be text."),
        ({"summary": "bad\x00byte"}, "summary", "Contains a character that cannot be stored (NUL)."),
        ({"occurred_on": "2026-13-01"}, "occurred_on", "Use a date like 2026-03-31."),
        ({"occurred_on": "1999-12-31"}, "occurred_on", "Cannot be before 2000-01-01."),
        ({"source": "rumour"}, "source", "Use 'client' (the client reported it) or 'staff' (staff observed it)."),
        ({"race_ethnicity": ["black", "martian"]}, "race_ethnicity", "Unknown codes: martian."),
        ({"language": "x" * 41}, "language", "Use at most 40 characters (this has 41)."),
        ({"age_band": "ancient"}, "age_band", "Use one of: under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65-plus."),
        ({"zip": "1122"}, "zip", "Use a 5-digit ZIP code."),
        ({"zip": "11226-1234"}, "zip", "Use a 5-digit ZIP code."),
        ({"client_importance": 6}, "client_importance", "Use a whole number from 1 (not much) to 5 (very much)."),
        ({"client_importance": "high"}, "client_importance", "Use a whole number from 1 (not much) to 5 (very much)."),
        ({"client_importance": True}, "client_importance", "Use a whole number from 1 (not much) to 5 (very much)."),
        ({"wants_involvement": "maybe"}, "wants_involvement", "Use true or false (yes/no, 1/0)."),
        ({"story_consent": "perhaps"}, "story_consent", "Use true or false (yes/no, 1/0)."),
        ({"external_id": "x" * 101}, "external_id", "Use at most 100 characters (this has 101)."),
    ],
)
def test_each_field_is_validated(taxonomy, raw, field, message):
    if field is None:
        assert services.parse_concern({"program": "housing", "summary": "x"} | raw).tags
        return
    assert _errors(raw)[field] == [message]


def test_future_date_is_refused(taxonomy):
    tomorrow = (dates.today() + timedelta(days=1)).isoformat()
    assert _errors({"occurred_on": tomorrow})["occurred_on"] == ["Cannot be in the future."]


@pytest.mark.parametrize("codes", [["refused", "black"], ["unknown", "not_collected"]])
def test_non_answers_cannot_combine(taxonomy, codes):
    assert "cannot be combined" in _errors({"race_ethnicity": codes})["race_ethnicity"][0]


def test_every_error_is_reported_at_once(taxonomy):
    errors = _errors({"program": "nope", "tags": [], "summary": "", "zip": "x"})
    assert set(errors) == {"program", "tags", "summary", "zip"}


def test_tags_found_by_name_or_slug_case_insensitively(taxonomy):
    data = services.parse_concern({"program": "Housing Assistance", "tags": ["NO HEAT", "mold"], "summary": "s"})
    assert sorted(t.slug for t in data.tags) == ["mold", "no-heat"]


def test_client_reference_is_hashed_and_never_stored(db, make_concern, app):
    concern = make_concern(client_ref="  Case KWXJQZ-B ")
    assert concern.client_key == services.client_key("case kwxjqz-b")  # normalised: trimmed, case-folded
    assert len(concern.client_key) == 64
    # The raw reference appears nowhere in the database. (Letters no hash, number or time can hold:
    # searching for digits failed whenever a random hash or timestamp happened to contain them.)
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).all():
            assert "kwxjqz" not in repr(row).lower(), table.name


def test_repeat_concerns_from_one_client_are_counted(make_concern):
    day = dates.today()
    make_concern(client_ref="ref-1", occurred_on=(day - timedelta(days=200)).isoformat())
    make_concern(client_ref="ref-1", occurred_on=(day - timedelta(days=400)).isoformat())  # older than 12 months
    make_concern(client_ref="REF-1", occurred_on=(day - timedelta(days=10)).isoformat())
    make_concern(client_ref="someone else")
    latest = make_concern(client_ref="ref-1")
    assert services.earlier_concerns_from_client(latest, latest.author) == 2
    assert services.ordinal(3) == "3rd" and services.ordinal(11) == "11th" and services.ordinal(22) == "22nd"


def test_story_consent_is_dated_and_revocable(make_concern, db):
    concern = make_concern(story_consent=True)
    assert concern.has_story_consent and concern.story_consent_on == dates.today()
    data = services.parse_concern(
        {"program": "housing", "tags": ["no-heat"], "summary": "No heat", "story_consent": False}
    )
    services.update_concern(concern.author, concern, data, concern.version)
    db.session.commit()
    assert not concern.has_story_consent and concern.story_consent_revoked_on == dates.today()


def test_stale_version_raises_and_keeps_the_other_edit(make_concern, db):
    concern = make_concern()
    first = services.parse_concern({"program": "housing", "tags": ["mold"], "summary": "Mold, not heat"})
    services.update_concern(concern.author, concern, first, 1)
    db.session.commit()
    second = services.parse_concern({"program": "housing", "tags": ["no-heat"], "summary": "Overwrite attempt"})
    with pytest.raises(StaleVersion):
        services.update_concern(concern.author, concern, second, 1)
    db.session.rollback()
    assert db.session.get(Concern, concern.id).summary == "Mold, not heat"


# --- The quick-log form -------------------------------------------------------------------------


def test_quick_log_is_the_caseworker_home_and_remembers_the_program(client, login_as, taxonomy, db):
    user = login_as("caseworker")
    assert client.get("/").headers["Location"].endswith("/log")
    response = client.post("/log", data={"program": "legal", "tag_text": "No heat", "summary": "Cold flat"})
    assert response.status_code == 302
    saved_id = int(response.headers["Location"].split("saved=")[1])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved." in page and f"/concerns/{saved_id}" in page
    assert '<option selected value="legal">' in page or 'value="legal" selected' in page
    assert db.session.get(User, user.id).last_program_id == taxonomy["programs"]["legal"].id


def test_quick_log_ignores_a_confirmation_link_for_a_concern_that_cannot_exist(client, login_as, taxonomy):
    login_as("caseworker")
    for saved in ("99999999999999999999999", "-1", "0", "abc"):
        response = client.get(f"/log?saved={saved}")
        assert response.status_code == 200
        assert "Saved." not in response.get_data(as_text=True)


def test_quick_log_accepts_chips_and_typed_tags_together(client, login_as, taxonomy, db):
    login_as("caseworker")
    response = client.post(
        "/log", data={"program": "housing", "tags": ["mold"], "tag_text": "no heat; Wage theft", "summary": "Several"}
    )
    assert response.status_code == 302
    concern = db.session.scalar(select(Concern))
    assert sorted(t.slug for t in concern.tags) == ["mold", "no-heat", "wage-theft"]


def test_quick_log_error_keeps_everything_typed_with_the_message_at_the_field(client, login_as, taxonomy, db):
    login_as("caseworker")
    response = client.post(
        "/log",
        data={
            "program": "housing",
            "tags": ["mold"],
            "tag_text": "",
            "summary": "Mould <b>everywhere</b>",
            "zip": "123",
            "narrative": "Long story here",
            "race_ethnicity": ["black", "hispanic"],
            "client_importance": "4",
            "wants_involvement": "y",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="zip-error"' in html and "Use a 5-digit ZIP code." in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="zip-error"' in html
    assert "Mould &lt;b&gt;everywhere&lt;/b&gt;" in html  # kept, and escaped
    assert "Long story here" in html and 'value="123"' in html
    assert 'value="mold"' in html  # the chosen chip survives
    assert 'value="black" checked' in html or 'checked id="race_ethnicity-2"' in html or html.count("checked") >= 3
    assert '<details class="more" open>' in html  # the section with the error is open
    assert db.session.scalar(select(func.count()).select_from(Concern)) == 0


def test_third_concern_from_a_client_is_announced(client, login_as, taxonomy):
    login_as("caseworker")
    for _ in range(2):
        client.post("/log", data={"program": "housing", "tag_text": "mold", "summary": "Again", "client_ref": "A-17"})
    response = client.post(
        "/log", data={"program": "housing", "tag_text": "mold", "summary": "Again", "client_ref": "a-17"}
    )
    assert "3rd concern from this client in 12 months" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_creating_editing_and_deleting_are_audited(client, login_as, make_concern, db, make_user):
    login_as("caseworker")
    client.post("/log", data={"program": "housing", "tag_text": "mold", "summary": "Secret summary text"})
    concern = db.session.scalar(select(Concern))
    client.post(
        f"/concerns/{concern.id}/edit",
        data={"program": "housing", "tags": ["mold"], "summary": "Changed", "version": concern.version},
    )
    director = make_user("director")
    other = client.application.test_client()
    login(other, director.email)  # with the director's second step
    other.post(f"/concerns/{concern.id}/delete", data={"reason": "Duplicate entry"})
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "concerns")).all()
    assert actions == ["concern.create", "concern.update", "concern.delete"]
    dumped = " ".join(repr(e.details) for e in db.session.scalars(select(AuditEvent)))
    assert "Secret summary text" not in dumped and "Changed" not in dumped


# --- List, detail, visibility ---------------------------------------------------------------------


def test_caseworker_sees_own_concerns_only_and_gets_404_for_others(client, login_as, make_concern, make_user):
    other = make_user("caseworker")
    theirs = make_concern(author=other, summary="Their concern")
    me = login_as("caseworker")
    mine = make_concern(author=me, summary="My concern")
    page = client.get("/concerns").get_data(as_text=True)
    assert "My concern" in page and "Their concern" not in page
    assert client.get(f"/concerns/{mine.id}").status_code == 200
    assert client.get(f"/concerns/{theirs.id}").status_code == 404
    assert client.get(f"/concerns/{theirs.id}/edit").status_code == 404


@pytest.mark.parametrize("role", ["organizer", "director"])
def test_organizers_and_directors_see_all_with_narratives(client, login_as, make_concern, role):
    concern = make_concern(narrative="The whole story")
    login_as(role)
    assert "No heat for a week" in client.get("/concerns").get_data(as_text=True)
    assert "The whole story" in client.get(f"/concerns/{concern.id}").get_data(as_text=True)


def test_list_filters_sort_and_paginate(client, login_as, make_concern):
    me = login_as("organizer")
    day = dates.today()
    make_concern(author=me, summary="Cold radiator", zip="11226", occurred_on=(day - timedelta(days=3)).isoformat())
    make_concern(author=me, summary="Mold in kitchen", tags=["mold"], program="legal", source="staff")
    make_concern(
        author=me, summary="Unpaid wages", tags=["wage-theft"], occurred_on=(day - timedelta(days=40)).isoformat()
    )

    def summaries(query: str) -> list[str]:
        html = client.get("/concerns?" + query).get_data(as_text=True)
        return [s for s in ("Cold radiator", "Mold in kitchen", "Unpaid wages") if s in html]

    assert summaries("tag=mold") == ["Mold in kitchen"]
    assert summaries("category=Employment") == ["Unpaid wages"]
    assert summaries("program=legal") == ["Mold in kitchen"]
    assert summaries("source=staff") == ["Mold in kitchen"]
    assert summaries("zip=11226") == ["Cold radiator"]
    assert summaries("q=radiator") == ["Cold radiator"]
    assert summaries(f"since={(day - timedelta(days=10)).isoformat()}") == ["Cold radiator", "Mold in kitchen"]
    assert summaries(f"until={(day - timedelta(days=10)).isoformat()}") == ["Unpaid wages"]
    html = client.get("/concerns?since=not-a-date").get_data(as_text=True)
    assert "Use a date like 2026-03-31." in html
    newest = client.get("/concerns").get_data(as_text=True)
    assert newest.index("Mold in kitchen") < newest.index("Unpaid wages")
    oldest = client.get("/concerns?sort=oldest").get_data(as_text=True)
    assert oldest.index("Unpaid wages") < oldest.index("Mold in kitchen")
    assert "3 concerns." in newest


def test_pagination(client, login_as, make_concern):
    me = login_as("organizer")
    for i in range(27):
        make_concern(author=me, summary=f"Concern number {i:02d}")
    first = client.get("/concerns").get_data(as_text=True)
    assert "Page 1 of 2" in first and "27 concerns" in first
    second = client.get("/concerns?page=2").get_data(as_text=True)
    assert second.count("Concern number") == 2


def test_edit_with_stale_version_shows_conflict_and_keeps_typed_changes(client, login_as, make_concern, db):
    me = login_as("caseworker")
    concern = make_concern(author=me)
    # Someone else saves first.
    data = services.parse_concern({"program": "housing", "tags": ["mold"], "summary": "Their edit"})
    services.update_concern(me, db.session.get(Concern, concern.id), data, 1)
    db.session.commit()
    response = client.post(
        f"/concerns/{concern.id}/edit",
        data={"program": "housing", "tags": ["no-heat"], "summary": "My edit", "version": "1"},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "someone else changed this concern" in html and "My edit" in html and "Their edit" in html
    assert db.session.get(Concern, concern.id).summary == "Their edit"


def test_soft_delete_needs_a_reason_and_the_right_role(client, login_as, make_concern, db):
    concern = make_concern()
    login_as("organizer")
    assert client.post(f"/concerns/{concern.id}/delete", data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login_as("director")
    missing = client.post(f"/concerns/{concern.id}/delete", data={"reason": ""})
    assert missing.status_code == 422 and "Say why" in missing.get_data(as_text=True)
    assert client.post(f"/concerns/{concern.id}/delete", data={"reason": "Logged twice"}).status_code == 302
    stored = db.session.get(Concern, concern.id)
    assert stored.deleted_reason == "Logged twice" and stored.deleted_at is not None
    assert client.get(f"/concerns/{concern.id}").status_code == 404
    assert "No heat for a week" not in client.get("/concerns").get_data(as_text=True)


def test_caseworker_edit_of_own_concern(client, login_as, make_concern, db):
    me = login_as("caseworker")
    concern = make_concern(author=me)
    form = client.get(f"/concerns/{concern.id}/edit").get_data(as_text=True)
    assert 'value="No heat for a week"' in form
    response = client.post(
        f"/concerns/{concern.id}/edit",
        data={"program": "legal", "tags": ["no-heat", "mold"], "summary": "Updated", "version": str(concern.version)},
    )
    assert response.status_code == 302
    stored = db.session.get(Concern, concern.id)
    assert stored.summary == "Updated" and stored.program.slug == "legal" and stored.version == 2


def test_external_id_is_unique(make_concern, db):
    make_concern(external_id="cms-1")
    with pytest.raises(Exception):  # noqa: B017 (the database refuses; the API checks first)
        make_concern(external_id="cms-1")
    db.session.rollback()
    assert db.session.execute(text("select count(*) from concerns")).scalar() == 1


def test_today_uses_the_organisation_time_zone(app):
    with app.app_context():
        assert isinstance(dates.today(), date)
