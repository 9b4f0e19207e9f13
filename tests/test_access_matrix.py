"""Access control proven everywhere: every endpoint × every role × objects owned by someone else.

The expected answer for each (endpoint, method, role) is derived from the view's declared
`required_permissions` and ROLE_PERMISSIONS, never written out by hand:

- anonymous: pages redirect to /login, the API answers 401;
- a role without the permission: 403, and nothing in the database changes (every row of every
  table is compared before and after);
- a role with the permission: never 403 and never a server error; a caseworker asking for another
  caseworker's concern gets 404 (no IDOR) and changes nothing.

Then the field-level rules: narratives, race/ethnicity and client voice of an individual concern
never reach a caseworker who did not log it, in pages, exports or the API; pattern pages show only
suppressed aggregates and consented root-cause quotes; directors read campaigns but cannot edit them.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseflow.accounts.permissions import ROLE_PERMISSIONS
from caseflow.extensions import db as _db

ROLES = ["caseworker", "organizer", "director", "admin", "anonymous"]
SKIPPED_METHODS = {"HEAD", "OPTIONS"}  # answered by Flask from GET / the rule itself
# Columns a request may touch without being a write by the view: authentication bookkeeping.
VOLATILE_COLUMNS = {("api_tokens", "last_used_at")}
# Endpoints that name their object in the query string rather than the path.
QUERY = {
    "patterns.detail": "?key=tag:no-heat",
    "api.suggest_tags": "?text=no+heat",
    "suggestions.suggest_tags": "?text=no+heat",
    "people.pattern_calls": "?key=tag:no-heat",
}
# Endpoints for one's own objects only (a notification, an owned follow-up, one's own concern to
# retract): the world's objects belong to someone else, so every role that may use them gets 404.
OWN_ONLY = {
    "notifications.open_notification",
    "following.follow_up",
    "following.complete_follow_up",
    "concerns.retract",
    "concerns.request_deletion",
}

SECRET_NARRATIVE = "NARRATIVE-of-Ms-Q-who-fled-her-flat"
SECRET_ROOT_CAUSE = "ROOTCAUSE-landlord-ignores-the-boiler"
CONSENTED_ROOT_CAUSE = "CONSENTED-the-city-never-inspects"
OTHER_SUMMARY = "OTHERSUMMARY no heat since October"
LANGUAGE = "Lang-Secret-Xyz"


# --- The world: objects that exist and belong to someone else ---------------------------------


@pytest.fixture
def world(db, taxonomy, make_user, make_concern):
    """One of every object a URL can name, owned by users other than the one asking."""
    from caseflow.accounts.services import create_token
    from caseflow.dates import today
    from caseflow.models import (
        Campaign,
        CampaignAction,
        CampaignMeasure,
        CampaignMember,
        CommitteeDecision,
        CommitteeMeeting,
        CommitteeMember,
        Convening,
        EmergingTheme,
        FollowUp,
        HarvestItem,
        Measure,
        MeasureValue,
        Notification,
        Person,
        PersonConcern,
        PowerActor,
    )
    from caseflow.reflection.services import ensure_summary
    from caseflow.reflection.summary import today_quarter

    other = make_user("caseworker", email="other.caseworker@example.org")
    lead = make_user("organizer", email="lead.organizer@example.org")
    concern = make_concern(
        author=other,
        summary=OTHER_SUMMARY,
        narrative=SECRET_NARRATIVE,
        race_ethnicity=["black", "hispanic"],
        client_importance=5,
        client_root_cause=SECRET_ROOT_CAUSE,
        wants_involvement=True,
        client_ref="client-0001",
        zip="11226",
        language=LANGUAGE,
    )
    campaign = Campaign(title="Heat is a right", issue_statement="No heat in Flatbush", lead=lead)
    _db.session.add(campaign)
    _db.session.flush()
    actor = PowerActor(campaign_id=campaign.id, name="Housing commissioner", kind="target", influence=5, position=-1)
    measure = Measure(name="Open heat complaints", breakdowns="race_ethnicity", counts_people=True)
    _db.session.add(measure)
    _db.session.flush()
    pick = CampaignMeasure(campaign_id=campaign.id, measure_id=measure.id, baseline=40, target=10)
    value = MeasureValue(
        measure_id=measure.id, observed_on=today(), dimension="race_ethnicity", group_code="black", value=7
    )
    action = CampaignAction(campaign_id=campaign.id, kind="meeting", occurred_on=today(), title="Tenant meeting")
    _db.session.add_all([actor, pick, value, action])
    _db.session.flush()
    follow_up = FollowUp(campaign_id=campaign.id, action_id=action.id, description="Call", owner_id=lead.id)
    _db.session.add(follow_up)
    notification = Notification(user_id=other.id, kind="digest", message="Rising pattern", dedupe_key="d1")
    _db.session.add(notification)
    quarter = today_quarter(today()).previous()
    summary, _ = ensure_summary(quarter)
    summary.signed_off_by_id, summary.signed_off_at = lead.id, summary.built_at  # the board's PDF exists
    token, _secret = create_token(None, other, "sync")
    theme = EmergingTheme(window_start=today(), window_end=today(), keywords=["elevator", "broken"])
    _db.session.add(theme)
    person = Person(name="Ms Q", phone="718-555-0100", channel="phone", source="concern", consent_on=today())
    _db.session.add(person)
    _db.session.flush()
    _db.session.add(PersonConcern(person_id=person.id, concern_id=concern.id))
    convening = Convening(title="Summit", held_on=today(), campaign_id=campaign.id)
    _db.session.add(convening)
    _db.session.flush()
    item = HarvestItem(convening_id=convening.id, kind="policy_change", takeaway="Overtime authority")
    _db.session.add(item)
    _db.session.add(CampaignMember(campaign_id=campaign.id, user_id=other.id))
    member = CommitteeMember(person_id=person.id, term_start=today())
    meeting = CommitteeMeeting(held_on=today())
    decision = CommitteeDecision(kind="general", title="Meet monthly")
    _db.session.add_all([member, meeting, decision])
    from caseflow.models import SelfReport

    self_report = SelfReport(what_happened="A client's own words, waiting for triage", locale="es")
    _db.session.add(self_report)
    _db.session.commit()
    values = {
        "concern_id": concern.id,
        "campaign_id": campaign.id,
        "actor_id": actor.id,
        "measure_id": measure.id,
        "follow_up_id": follow_up.id,
        "notification_id": notification.id,
        "user_id": other.id,
        "member_id": member.id,
        "meeting_id": meeting.id,
        "decision_id": decision.id,
        "token_id": token.id,
        "person_id": person.id,
        "action_id": action.id,
        "convening_id": convening.id,
        "item_id": item.id,
        "into": "tag",
        "program_id": taxonomy["programs"]["housing"].id,
        "tag_id": taxonomy["tags"]["mold"].id,
        "quarter": summary.quarter,
        "step": "learning",
        "table": "by_category",
        "filename": "style.css",
        "job_id": "retention-purge",
        "theme_id": theme.id,
        "report_id": self_report.id,
    }
    return {"values": values, "other": other, "lead": lead, "concern": concern, "campaign": campaign}


def _concrete(rule, values: dict) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, f"{rule.rule}: give the access matrix a real value for {missing}"
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def snapshot() -> dict[str, list]:
    """Every row of every table (minus authentication bookkeeping), to prove nothing was written."""
    _db.session.commit()
    out = {}
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in VOLATILE_COLUMNS]
        rows = _db.session.execute(select(*columns)).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    _db.session.commit()
    return out


def _diff(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _pairs(app):
    """(rule, method) for every endpoint; logout last, since it ends the session it is given."""
    pairs = [(rule, method) for rule in app.url_map.iter_rules() for method in sorted(rule.methods - SKIPPED_METHODS)]
    return sorted(pairs, key=lambda p: (p[0].endpoint == "accounts.logout", p[0].rule, p[1]))


def _expectation(app, rule, role: str) -> tuple[str, tuple[str, ...]]:
    view = app.view_functions[rule.endpoint]
    if getattr(view, "is_public", False) or rule.endpoint == "static":
        return "public", ()
    perms = view.required_permissions
    if role == "anonymous":
        return "anonymous", perms
    return ("allowed" if any(p in ROLE_PERMISSIONS[role] for p in perms) else "forbidden"), perms


TOTALS: dict[str, int] = {}


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_for_every_role(app, client, world, login_as, token_for, role):
    values = world["values"]
    headers = {}
    if role != "anonymous":
        user = login_as(role)
        headers = token_for(user=user)
        # The token's first use stamps last_used_at; do it now so later snapshots compare cleanly.
        client.get("/api/v1/programs", headers=headers)
    failures: list[str] = []
    checked = 0
    last = None  # the snapshot after the last watched request, while nothing else ran since
    for rule, method in _pairs(app):
        is_api = rule.endpoint.startswith("api.")
        kind, perms = _expectation(app, rule, role)
        url = _concrete(rule, values) + QUERY.get(rule.endpoint, "")
        idor = kind == "allowed" and (
            rule.endpoint in OWN_ONLY
            or (
                "concern_id" in rule.arguments
                and "concern.read_all" not in ROLE_PERMISSIONS[role]
                and rule.endpoint not in ("concerns.delete", "concerns.decline_deletion")
            )
        )
        watch = kind in ("forbidden", "anonymous") or idor
        before = (last or snapshot()) if watch else None
        response = client.open(url, method=method, headers=headers if is_api else {})
        status = response.status_code
        checked += 1
        where = f"{role:10} {method:4} {rule.rule} ({'/'.join(perms) or 'public'}) → {status}"

        if status >= 500:
            failures.append(f"{where}: server error")
        elif kind == "public":
            if status not in (200, 302):
                failures.append(f"{where}: public endpoint should answer")
        elif kind == "anonymous":
            if is_api:
                if status != 401 or "errors" not in (response.get_json(silent=True) or {}):
                    failures.append(f"{where}: expected 401 with errors")
            elif status != 302 or "/login" not in response.headers.get("Location", ""):
                failures.append(f"{where}: expected a redirect to /login")
        elif kind == "forbidden":
            if status != 403:
                failures.append(f"{where}: expected 403")
            elif is_api and "errors" not in (response.get_json(silent=True) or {}):
                failures.append(f"{where}: API 403 should be a JSON error")
        elif idor:
            if status != 404:
                failures.append(f"{where}: someone else's object (concern, notification, follow-up) must be 404")
        elif method == "GET":
            if status != 200:
                failures.append(f"{where}: expected 200")
        elif is_api:
            if status not in (400, 422):
                failures.append(f"{where}: an empty body should be refused as malformed")
        elif status not in (200, 302, 400, 409, 422):
            failures.append(f"{where}: unexpected answer to an empty form")

        last = None
        if watch:
            last = snapshot()
            changed = _diff(before, last)
            if changed:
                failures.append(f"{where}: wrote to {changed}")

    if role != "anonymous":
        # The last request was POST /logout: the session really ended.
        assert client.get("/account/password").status_code == 302
    TOTALS[role] = checked
    print(f"\naccess matrix: {role}: {checked} (endpoint, method) pairs checked; {sum(TOTALS.values())} so far")
    assert failures == [], "\n".join(failures)


def test_the_matrix_walks_every_rule_and_method(app):
    """The parametrized walk above covers the whole url_map: 5 roles × every (rule, method)."""
    pairs = _pairs(app)
    endpoints = {rule.endpoint for rule, _ in pairs}
    assert endpoints == {rule.endpoint for rule in app.url_map.iter_rules()}
    assert len(pairs) >= 70
    print(f"\naccess matrix: {len(pairs)} (endpoint, method) pairs × {len(ROLES)} roles = {len(pairs) * len(ROLES)}")


# --- Field-level rules -------------------------------------------------------------------------


def _hidden_fields_absent(text: str) -> None:
    for secret in (SECRET_NARRATIVE, SECRET_ROOT_CAUSE, OTHER_SUMMARY, LANGUAGE):
        assert secret not in text, secret


def test_caseworker_never_sees_another_persons_concern_fields(client, world, login_as, token_for, make_concern):
    me = login_as("caseworker")
    mine = make_concern(author=me, summary="MINE broken window", narrative="MY-OWN-NARRATIVE", race_ethnicity=["white"])
    concern_id = world["concern"].id

    listing = client.get("/concerns").get_data(as_text=True)
    assert "MINE broken window" in listing
    _hidden_fields_absent(listing)
    for path in (f"/concerns/{concern_id}", f"/concerns/{concern_id}/edit"):
        response = client.get(path)
        assert response.status_code == 404
        _hidden_fields_absent(response.get_data(as_text=True))
    page = client.get(f"/concerns/{mine.id}").get_data(as_text=True)
    assert "MY-OWN-NARRATIVE" in page  # the author sees their own narrative

    export = client.get("/concerns/export.csv").get_data(as_text=True)
    assert "MINE broken window" in export
    _hidden_fields_absent(export)
    assert "narrative" not in export.splitlines()[0]  # caseworkers' exports carry no narrative column
    filtered = client.get("/concerns/export.csv?q=OTHERSUMMARY").get_data(as_text=True)
    assert len(filtered.strip().splitlines()) == 1  # header only

    headers = token_for(user=me)
    body = client.get("/api/v1/concerns", headers=headers).get_json()
    assert [c["id"] for c in body["items"]] == [mine.id] and body["total"] == 1
    _hidden_fields_absent(str(body))
    assert client.get(f"/api/v1/concerns/{concern_id}", headers=headers).status_code == 404
    # An external_id that belongs to someone else's concern does not reveal it either.
    from caseflow.models import Concern

    world_concern = _db.session.get(Concern, concern_id)
    world_concern.external_id = "crm-77"
    _db.session.commit()
    clash = client.post(
        "/api/v1/concerns",
        json={"program": "housing", "tags": ["no-heat"], "summary": "x", "external_id": "crm-77"},
        headers=headers,
    )
    assert clash.status_code == 409
    _hidden_fields_absent(clash.get_data(as_text=True))
    # The quick-log confirmation does not show someone else's concern either.
    confirm = client.get(f"/log?saved={concern_id}").get_data(as_text=True)
    _hidden_fields_absent(confirm)


@pytest.mark.parametrize("role", ["organizer", "director"])
def test_organizers_and_directors_see_the_sensitive_fields(client, world, login_as, token_for, role):
    """The positive control: the roles allowed to read narratives and client voice do see them."""
    user = login_as(role)
    concern_id = world["concern"].id
    page = client.get(f"/concerns/{concern_id}").get_data(as_text=True)
    assert SECRET_NARRATIVE in page and SECRET_ROOT_CAUSE in page
    export = client.get("/concerns/export.csv").get_data(as_text=True)
    assert SECRET_NARRATIVE in export
    body = client.get(f"/api/v1/concerns/{concern_id}", headers=token_for(user=user)).get_json()
    assert body["narrative"] == SECRET_NARRATIVE and body["race_ethnicity"] == ["black", "hispanic"]


def test_admin_cannot_read_concerns_anywhere(client, world, login_as, token_for):
    """Admins manage accounts; they hold no concern-reading permission in pages, exports or API."""
    user = login_as("admin")
    concern_id = world["concern"].id
    assert client.get("/concerns").status_code == 403
    assert client.get(f"/concerns/{concern_id}").status_code == 403
    assert client.get("/concerns/export.csv").status_code == 403
    headers = token_for(user=user)
    assert client.get("/api/v1/concerns", headers=headers).status_code == 403
    assert client.get(f"/api/v1/concerns/{concern_id}", headers=headers).status_code == 403
    # The delete page (admins may delete) shows the summary to confirm, never the sensitive fields.
    page = client.get(f"/concerns/{concern_id}/delete").get_data(as_text=True)
    for secret in (SECRET_NARRATIVE, SECRET_ROOT_CAUSE, LANGUAGE, "11226"):
        assert secret not in page


def test_pattern_pages_show_suppressed_aggregates_and_consented_quotes_only(
    client, world, login_as, make_user, token_for, db
):
    from caseflow.concerns.services import log_concern, parse_concern

    author = make_user("caseworker")
    for i in range(6):
        raw = {
            "program": "housing",
            "tags": ["no-heat"],
            "summary": f"Pattern concern {i}",
            "narrative": f"PATTERN-NARRATIVE-{i}",
            "race_ethnicity": ["black"],
            "client_ref": f"client-{i}",
            "client_root_cause": CONSENTED_ROOT_CAUSE if i % 2 else f"PRIVATE-ROOTCAUSE-{i}",
            "story_consent": bool(i % 2),
            "zip": "11226",
        }
        log_concern(author, parse_concern(raw))
    db.session.commit()

    me = login_as("caseworker")
    page = client.get("/patterns/detail?key=tag:no-heat").get_data(as_text=True)
    assert CONSENTED_ROOT_CAUSE in page  # a consented quote appears…
    assert "PRIVATE-ROOTCAUSE" not in page and SECRET_ROOT_CAUSE not in page  # …unconsented ones never
    assert "PATTERN-NARRATIVE" not in page and SECRET_NARRATIVE not in page  # no narratives for a caseworker
    # Seven concerns by Black clients: a small cell, shown as <11, with no share that gives it away.
    row = re.search(r"<th scope=\"row\">Black[^<]*</th>(.*?)</tr>", page, re.S)
    assert row, "the disparity table lists the group"
    cells = re.findall(r'<td class="num">([^<]*)', row.group(1))
    assert cells[0] == "&lt;11" and cells[1] == "—", cells
    assert "7" not in cells
    # ZIP breakdown: one ZIP holding every concern is a small cell too.
    assert re.search(r"<td>11226</td><td class=\"num\">&lt;11</td>", page)

    equity = client.get("/patterns/equity").get_data(as_text=True)
    assert "&lt;11" in equity and "PATTERN-NARRATIVE" not in equity and "PRIVATE-ROOTCAUSE" not in equity

    listing = client.get("/patterns/").get_data(as_text=True)
    assert "PRIVATE-ROOTCAUSE" not in listing and "PATTERN-NARRATIVE" not in listing
    api = client.get("/api/v1/patterns", headers=token_for(user=me)).get_data(as_text=True)
    assert "PRIVATE-ROOTCAUSE" not in api and "PATTERN-NARRATIVE" not in api and SECRET_ROOT_CAUSE not in api


CAMPAIGN_WRITES = [
    "move",
    "status",
    "learning",
    "vision",
    "strategy",
    "actors",
    "actors/{actor_id}/delete",
    "measures",
    "actions",
    "follow-ups",
    "follow-ups/{follow_up_id}/done",
    "reviews",
    "discard",
]


def test_director_reads_campaigns_but_every_edit_is_403(client, world, login_as, token_for):
    from caseflow.models import STEPS

    user = login_as("director")
    values = world["values"]
    campaign_id = values["campaign_id"]
    assert client.get("/campaigns").status_code == 200
    assert client.get(f"/campaigns/{campaign_id}").status_code == 200
    for step in STEPS:
        page = client.get(f"/campaigns/{campaign_id}/{step}")
        assert page.status_code == 200
        assert 'type="submit"' not in page.get_data(as_text=True).split("<main", 1)[-1], step
    headers = token_for(user=user)
    client.get("/api/v1/programs", headers=headers)  # the token's first use stamps last_used_at
    before = snapshot()
    for path in CAMPAIGN_WRITES:
        url = f"/campaigns/{campaign_id}/" + path.format(**values)
        response = client.post(url, data={"version": "1", "note": "x", "step": "awareness"})
        assert response.status_code == 403, url
    assert client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).status_code == 200
    for path, body in (("step", {"step": "awareness", "note": "x", "version": 1}), ("actions", {"kind": "rally"})):
        response = client.post(f"/api/v1/campaigns/{campaign_id}/{path}", json=body, headers=headers)
        assert response.status_code == 403
    assert (
        client.post(
            "/api/v1/campaigns", json={"title": "x", "pattern_keys": ["tag:no-heat"]}, headers=headers
        ).status_code
        == 403
    )
    assert _diff(before, snapshot()) == []


# --- Every notification opens for the person who got it ---------------------------------------


def test_every_notification_link_opens_for_the_person_who_got_it(app, client, db, make_user, make_concern):
    """Each kind of news the app sends, made by the code that sends it, opened by its recipient
    through the inbox's Open button: the link it leads to answers 200 for them (no "Not allowed")."""
    from datetime import timedelta

    from caseflow import jobs
    from caseflow.campaigns.services import add_follow_up, move_step, set_status
    from caseflow.concerns.services import request_deletion
    from caseflow.dates import today
    from caseflow.models import Notification, User
    from caseflow.patterns.services import promote_patterns
    from tests.conftest import login

    caseworker = make_user("caseworker")
    organizer, other_organizer = make_user("organizer"), make_user("organizer")
    director = make_user("director")
    concerns = [make_concern(author=caseworker, client_ref=f"client-{i}") for i in range(6)]
    jobs.weekly_digest_work()  # organizers: a rising pattern
    campaign = promote_patterns(organizer, ["tag:no-heat"], "Heat for every tenant")  # the caseworker
    move_step(organizer, campaign, "awareness", "mapping power", campaign.version)
    set_status(organizer, campaign, {"status": "paused"}, campaign.version)
    set_status(organizer, campaign, {"status": "active"}, campaign.version)
    overdue = (today() - timedelta(days=3)).isoformat()
    for owner in (caseworker, other_organizer, director):
        add_follow_up(
            organizer,
            campaign,
            {"description": f"Call for {owner.email}", "owner_id": str(owner.id), "due_on": overdue},
            campaign.version,
        )
    db.session.commit()
    jobs.followup_reminders_work()  # owners: overdue reminders
    jobs.quarterly_summary_work()  # directors: the summary is ready
    request_deletion(caseworker, concerns[0], "Logged for the wrong client")  # directors: a request
    db.session.commit()

    notifications = db.session.scalars(select(Notification).order_by(Notification.user_id, Notification.id)).all()
    kinds = {n.kind for n in notifications}
    assert {"digest", "campaign", "follow_up", "summary", "deletion_request"} <= kinds, kinds
    failures = []
    for user_id in sorted({n.user_id for n in notifications}):
        user = db.session.get(User, user_id)
        assert login(client, user.email).status_code == 302
        for n in (n for n in notifications if n.user_id == user_id):
            opened = client.post(f"/inbox/{n.id}/open")
            where = f"{sorted(user.roles)} {n.kind} {n.link!r}"
            if opened.status_code != 302:
                failures.append(f"{where}: Open answered {opened.status_code}")
                continue
            page = client.get(opened.headers["Location"])
            if page.status_code != 200:
                failures.append(f"{where} → {opened.headers['Location']}: {page.status_code}")
            if db.session.get(Notification, n.id).read_at is None:
                failures.append(f"{where}: not marked read")
        client.post("/logout")
    assert failures == [], "\n".join(failures)
