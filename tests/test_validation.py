"""One way to say what is wrong with a field, and one meaning for a version a form sends back."""

from __future__ import annotations

import pytest

from caseflow.campaigns import services as campaigns
from caseflow.concerns import services as concerns
from caseflow.errors import ValidationFailed
from caseflow.models import Campaign, Concern


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as info:
        call()
    return info.value.errors


def test_concern_and_campaign_fields_word_the_same_problem_the_same_way(db, taxonomy, make_user):
    organizer = make_user("organizer")
    campaign = Campaign(title="Heat is a right", issue_statement="No heat", lead=organizer)
    db.session.add(campaign)
    db.session.flush()
    too_long = "x" * 5001
    concern = _errors(
        lambda: concerns.parse_concern(
            {"program": "housing", "tags": ["mold"], "summary": "\x00", "client_root_cause": too_long}
        )
    )
    step = _errors(lambda: campaigns.save_artifact(organizer, campaign, "learning", {"affected": too_long}, 1))
    # Required text left out, text too long and an unstorable character read alike everywhere.
    assert concern["client_root_cause"] == step["affected"] == ["Use at most 5,000 characters (this has 5,001)."]
    assert step["problem_statement"] == ["This is required."]
    assert concern["summary"] == ["Contains a character that cannot be stored (NUL)."]
    assert _errors(lambda: concerns.parse_concern({"program": "housing", "tags": ["mold"]}))["summary"] == [
        "This is required."
    ]


@pytest.mark.parametrize("version", ["", "not-a-number", "1.0"])
def test_a_missing_or_mangled_version_is_a_conflict_on_every_form(client, login_as, make_concern, db, version):
    me = login_as("caseworker")
    concern = make_concern(author=me, summary="As it was")
    response = client.post(
        f"/concerns/{concern.id}/edit",
        data={"program": "housing", "tags": ["mold"], "summary": "Overwritten?", "version": version},
    )
    assert response.status_code == 409
    assert db.session.get(Concern, concern.id).summary == "As it was"

    client.post("/logout")
    organizer = login_as("organizer")
    campaign = Campaign(title="Heat is a right", issue_statement="No heat", lead=organizer)
    db.session.add(campaign)
    db.session.commit()
    moved = client.post(
        f"/campaigns/{campaign.id}/move", data={"move-step": "awareness", "move-note": "Go", "move-version": version}
    )
    assert moved.status_code == 409
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).step == "learning"
