"""The pattern engine against small datasets whose answers are worked out by hand here."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.concerns.services import log_concern, parse_concern
from caseflow.dates import today
from caseflow.equity.disparity import disparity, equity_overview
from caseflow.equity.policy import Audience, Disclosure
from caseflow.models import CampaignEvidence, PatternState
from caseflow.models.base import utcnow
from caseflow.patterns import services
from caseflow.patterns.engine import PatternSettings, find_patterns
from caseflow.patterns.keys import PatternKey

AS_OF = date(2026, 6, 30)
# Window: 2026-06-01 … 06-30 (30 days); previous window: 2026-05-02 … 05-31.
SETTINGS = PatternSettings(as_of=AS_OF, window_days=30, min_concerns=3, min_clients=2, min_cell=11)


@pytest.fixture
def dataset(db, taxonomy, make_user):
    author = make_user("caseworker")

    def add(tag, day, program="housing", client=None, zip_code="11226", race=(), **extra):
        body = {
            "program": program,
            "tags": [tag],
            "summary": f"{tag} on {day}",
            "occurred_on": day.isoformat(),
            "zip": zip_code,
        }
        if client:
            body["client_ref"] = client
        body["race_ethnicity"] = list(race)
        return log_concern(author, parse_concern(body | extra))

    june = lambda d: date(2026, 6, d)  # noqa: E731
    # no-heat in the window: 3 at Housing (clients A, A, B), 1 at Legal (client C).
    add("no-heat", june(2), client="A", race=["hispanic"], wants_involvement=True, client_importance=5)
    add("no-heat", june(9), client="a ", race=["hispanic"], wants_involvement=True, client_importance=3)
    add("no-heat", june(16), client="B", race=["black"])
    add("no-heat", june(30), program="legal", client="C")
    # …and 2 in the previous window, 1 before it, 1 deleted in the window.
    add("no-heat", date(2026, 5, 2), client="D")
    add("no-heat", date(2026, 5, 31), client="E")
    add("no-heat", date(2026, 5, 1), client="F")
    deleted = add("no-heat", june(3), client="G")
    deleted.deleted_at = utcnow()
    # mold: too few. wage-theft: 3 concerns without client refs (each may be a different client).
    add("mold", june(5), race=["black"], zip_code="11212")
    add("mold", june(6), race=["hispanic"], zip_code="11212")
    for d in (10, 11, 12):
        add("wage-theft", june(d), program="legal", race=["white"], zip_code="11207")
    db.session.commit()
    return add


def by_key(patterns):
    return {p.key: p for p in patterns}


def test_tag_patterns_with_counts_clients_trend_and_programs(dataset):
    found = by_key(find_patterns(SETTINGS))
    heat = found["tag:no-heat"]
    assert (heat.count, heat.distinct_clients, heat.previous_count) == (4, 3, 2)
    assert heat.trend == pytest.approx(1.0)  # 4 against 2: up 100 %
    assert heat.programs == ["Housing Assistance", "Legal Services"] and heat.cross_program
    assert heat.wants_involvement == 2 and heat.avg_importance == pytest.approx(4.0)
    assert len(heat.examples) == 2 and heat.examples[0] == "no-heat on 2026-06-30"

    wages = found["tag:wage-theft"]
    assert (wages.count, wages.distinct_clients, wages.previous_count, wages.trend) == (3, 0, 0, None)
    assert not wages.cross_program
    assert "tag:mold" not in found  # 2 concerns: below the threshold


def test_tag_by_program_and_zip_groupings(dataset):
    found = by_key(find_patterns(SETTINGS))
    housing = found["tag:no-heat/program:housing"]
    assert (housing.count, housing.distinct_clients, housing.previous_count) == (3, 2, 2)
    assert "tag:no-heat/program:legal" not in found
    # A tag × ZIP count is a count of people by place: it surfaces only at MIN_CELL or more.
    assert not any(p.grouping == "tag_zip" for p in found.values())
    small_cells = PatternSettings(as_of=AS_OF, window_days=30, min_concerns=3, min_clients=2, min_cell=3)
    zips = by_key(find_patterns(small_cells, ("tag_zip",)))
    assert zips["tag:no-heat/zip:11226"].count == 4 and zips["tag:wage-theft/zip:11207"].count == 3


def test_distinct_clients_threshold(dataset, db, taxonomy):
    strict = PatternSettings(as_of=AS_OF, window_days=30, min_concerns=3, min_clients=4, min_cell=11)
    found = by_key(find_patterns(strict))
    assert "tag:no-heat" not in found  # 3 distinct clients < 4
    assert "tag:wage-theft" not in found  # 3 concerns without refs < 4


def test_disparity_worked_by_hand(dataset):
    key = PatternKey.parse("tag:no-heat")
    gap = disparity(key.matching_concern_ids(), SETTINGS.start, SETTINGS.as_of, Disclosure(Audience.RECORD, 1))
    rows = {r.code: r for r in gap.rows}
    # In the pattern: 3 concerns report a race (hispanic 2, black 1); the window has 8 (hispanic 3, black 2, white 3).
    assert (gap.pattern_reported, gap.overall_reported) == (3, 8)
    assert rows["hispanic"].ratio == pytest.approx(round((2 / 3) / (3 / 8), 2))  # 1.78
    assert rows["hispanic"].flagged
    assert rows["black"].ratio == pytest.approx(round((1 / 3) / (2 / 8), 2)) and not rows["black"].flagged
    assert rows["white"].ratio == 0.0 and not rows["white"].flagged
    assert gap.quality["blank"].value == 1  # client C reported nothing


def test_disparity_hides_ratios_of_small_cells(dataset):
    caseworker = Disclosure(Audience.AGGREGATE, 11)
    gap = disparity(PatternKey.parse("tag:no-heat").matching_concern_ids(), SETTINGS.start, SETTINGS.as_of, caseworker)
    assert all(r.ratio is None and not r.flagged for r in gap.rows)
    shown = [c.display() for r in gap.rows for c in (r.in_pattern, r.overall)]
    assert set(shown) <= {"0", "<11"}


def test_equity_overview_alone_and_in_combination(db, taxonomy, make_concern):
    day = today().isoformat()
    for _ in range(12):
        make_concern(tags=["no-heat"], race_ethnicity=["black", "hispanic"], occurred_on=day)
    for _ in range(11):
        make_concern(tags=["no-heat"], race_ethnicity=["black"], occurred_on=day)
    make_concern(tags=["no-heat"], race_ethnicity=["not_collected"], occurred_on=day)
    make_concern(tags=["no-heat"], occurred_on=day)
    since = today() - timedelta(days=1)
    organizer = Disclosure(Audience.RECORD, 11)
    combined = equity_overview(since, today(), organizer)
    assert combined.table.cell("Housing", "black").display() == "23"
    assert combined.table.cell("Housing", "hispanic").display() == "12"
    assert combined.not_collected_share["Housing"] == pytest.approx(2 / 25)
    alone = equity_overview(since, today(), organizer, alone=True)
    assert alone.table.cell("Housing", "black").display() == "11"
    assert alone.table.cell("Housing", "hispanic").display() == "0"
    # Everyone else sees published values: within 2 of the count, the same on every call.
    caseworker = Disclosure(Audience.AGGREGATE, 11)
    published = equity_overview(since, today(), caseworker).table.cell("Housing", "black")
    assert abs(published.value - 23) <= 2 and not published.internal
    assert equity_overview(since, today(), caseworker).table.cell("Housing", "black") == published
    assert equity_overview(since, today(), caseworker, alone=True).table.cell("Housing", "hispanic").display() == "0"


def test_snooze_dismiss_return_when_doubled(dataset, db, make_user):
    organizer = make_user("organizer")
    services.snooze(organizer, "tag:wage-theft", date(2026, 7, 15), AS_OF)
    services.dismiss(organizer, "tag:no-heat", "Landlord already in court", 4)
    db.session.commit()
    found = by_key(find_patterns(SETTINGS))
    assert found["tag:wage-theft"].state == "snoozed"
    assert found["tag:no-heat"].state == "dismissed" and not found["tag:no-heat"].returned
    # Snoozes end on their date.
    later = PatternSettings(as_of=date(2026, 7, 15), window_days=45, min_concerns=3, min_clients=2)
    assert by_key(find_patterns(later))["tag:wage-theft"].state == "new"
    # Four more no-heat concerns: 8 ≥ 2 × 4, so the dismissed pattern comes back, marked.
    for d in (20, 21, 22, 23):
        dataset("no-heat", date(2026, 6, d), client=f"N{d}")
    db.session.commit()
    heat = by_key(find_patterns(SETTINGS))["tag:no-heat"]
    assert heat.count == 8 and heat.state == "new" and heat.returned


def test_promotion_links_patterns_and_attaches_evidence(dataset, db, make_user):
    organizer = make_user("organizer")
    campaign = services.promote_patterns(organizer, ["tag:no-heat", "tag:wage-theft"], "Heat and wages")
    db.session.commit()
    evidence = set(
        db.session.scalars(select(CampaignEvidence.concern_id).where(CampaignEvidence.campaign_id == campaign.id))
    )
    # Every live concern with those tags, any date: 7 no-heat (not the deleted one) + 3 wage theft.
    assert len(evidence) == 10
    assert {s.key: s.state for s in db.session.scalars(select(PatternState))} == {
        "tag:no-heat": "promoted",
        "tag:wage-theft": "promoted",
    }
    assert campaign.step == "learning" and campaign.lead_id == organizer.id
    # A concern logged later joins as evidence; one that does not match does not.
    new = dataset("no-heat", date(2026, 7, 1), client="Z")
    other = dataset("mold", date(2026, 7, 1))
    db.session.commit()
    linked = set(
        db.session.scalars(select(CampaignEvidence.concern_id).where(CampaignEvidence.campaign_id == campaign.id))
    )
    assert new.id in linked and other.id not in linked
    with pytest.raises(Exception, match="Already a campaign"):
        services.promote_patterns(organizer, ["tag:no-heat"], "Again")


def test_promotion_validation(db, make_user):
    organizer = make_user("organizer")
    with pytest.raises(Exception) as info:
        services.promote_patterns(organizer, ["not a key"], "")
    assert set(info.value.errors) == {"title", "pattern_keys"}


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("tag:no-heat", True),
        ("tag:no-heat/zip:11226", True),
        ("tag:no-heat/program:housing", True),
        ("tag:no-heat/zip:abc", False),
        ("tag:", False),
        ("program:housing", False),
        ("tag:x/zip:11226/extra", False),
    ],
)
def test_pattern_keys_parse_and_round_trip(key, valid):
    parsed = PatternKey.parse(key)
    assert (parsed is not None) == valid
    if valid:
        assert str(parsed) == key


# --- Pages and API -----------------------------------------------------------------------------


@pytest.fixture
def recent(db, taxonomy, make_user):
    """Concerns in the live 90-day window: a no-heat pattern in 11226 big enough to show."""
    author = make_user("caseworker")
    day = today()
    for i in range(14):
        log_concern(
            author,
            parse_concern(
                {
                    "program": "housing" if i % 3 else "legal",
                    "tags": ["no-heat"],
                    "summary": f"Cold flat number {i}",
                    "narrative": "Secret narrative words",
                    "occurred_on": (day - timedelta(days=i * 3)).isoformat(),
                    "zip": "11226",
                    "client_ref": f"client-{i}",
                    "race_ethnicity": ["hispanic"] if i % 2 else ["black"],
                    "client_root_cause": "Quote me on the landlord" if i == 1 else "Do not quote me",
                    "story_consent": i == 1,
                    "wants_involvement": i < 4,
                }
            ),
        )
    db.session.commit()


def test_pattern_list_page_sorts_filters_and_reads_like_a_sentence(client, login_as, recent):
    login_as("caseworker")
    html = client.get("/patterns/").get_data(as_text=True)
    assert "No heat in 11226" in html
    assert "14 concerns from 14 clients" in html and "spans Housing Assistance and Legal Services" in html
    assert "4 clients want to get involved" in html
    assert "No heat in 11226" not in client.get("/patterns/?zip=11212").get_data(as_text=True)
    legal = client.get("/patterns/?program=legal").get_data(as_text=True)
    assert "No heat at Legal Services" in legal and "No heat at Housing" not in legal  # 5 concerns at Legal
    assert 'name="keys"' not in html  # caseworkers cannot promote
    assert client.get("/patterns/?sort=potential&state=all&category=Housing&window_days=30").status_code == 200


def test_pattern_list_page_comes_in_pages(client, login_as, recent, monkeypatch):
    from caseflow.patterns import routes

    login_as("organizer")
    everything = client.get("/patterns/?grouping=tag_program").get_data(as_text=True)
    titles = re.findall(r'<a href="/patterns/detail\?key=[^"]+">([^<]+)</a>', everything)
    assert len(titles) == 2 and "2 patterns." in everything and 'rel="next"' not in everything
    monkeypatch.setattr(routes, "PER_PAGE", 1)
    first = client.get("/patterns/?grouping=tag_program").get_data(as_text=True)
    assert "2 patterns, showing 1–1." in first and titles[0] in first and titles[1] not in first
    assert 'rel="next"' in first and "Page 1 of 2" in first
    second = client.get("/patterns/?grouping=tag_program&page=2").get_data(as_text=True)
    assert titles[1] in second and titles[0] not in second and '<ol class="pattern-list" start="2">' in second
    # Out-of-range pages show the nearest page instead of an empty list.
    assert titles[1] in client.get("/patterns/?grouping=tag_program&page=99").get_data(as_text=True)


def test_pattern_detail_page_tables_voices_and_narratives(client, login_as, recent):
    login_as("caseworker")
    html = client.get("/patterns/detail?key=tag:no-heat/zip:11226").get_data(as_text=True)
    # A place lists no rows for a caseworker; the tag's own pattern quotes the consenting clients.
    assert "Quote me on the landlord" not in html and "not listed here for a place" in html
    tag_page = client.get("/patterns/detail?key=tag:no-heat").get_data(as_text=True)
    assert "Quote me on the landlord" in tag_page and "Do not quote me" not in tag_page
    assert "Secret narrative words" not in html + tag_page
    # Every count on this page is disaggregated by ZIP: none between 1 and 10 may show.
    numbers = [int(n) for n in re.findall(r'<td class="num">([\d,]+)</td>', html)]
    assert numbers and all(n == 0 or n >= 11 for n in numbers)
    assert "&lt;11" in html
    client.post("/logout")
    login_as("organizer")
    assert "Secret narrative words" in client.get("/patterns/detail?key=tag:no-heat").get_data(as_text=True)
    assert client.get("/patterns/detail?key=garbage").status_code == 404


def test_promote_from_the_page_and_through_the_api(client, login_as, recent, token_for, db):
    login_as("organizer")
    # The pattern page's form leads to the confirm step; only the confirmed form creates.
    response = client.post("/patterns/promote", data={"keys": ["tag:no-heat/zip:11226"], "title": "Heat in 11226"})
    assert response.status_code == 302 and "/patterns/promote?" in response.headers["Location"]
    assert db.session.get(PatternState, "tag:no-heat/zip:11226") is None
    response = client.post(
        "/patterns/promote", data={"keys": ["tag:no-heat/zip:11226"], "title": "Heat in 11226", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert db.session.get(PatternState, "tag:no-heat/zip:11226").state == "promoted"
    bad = client.post("/patterns/promote", data={"keys": [], "title": "", "confirmed": "1"})
    assert bad.status_code == 422 and "Choose at least one pattern." in bad.get_data(as_text=True)

    headers = token_for("organizer")
    listing = client.get("/api/v1/patterns", headers=headers).get_json()
    keys = {p["key"]: p for p in listing["items"]}
    assert keys["tag:no-heat/zip:11226"]["state"] == "promoted"
    assert keys["tag:no-heat"]["count"] == 14 and keys["tag:no-heat"]["cross_program"] is True
    created = client.post(
        "/api/v1/campaigns", json={"title": "All heat", "pattern_keys": ["tag:no-heat"]}, headers=headers
    )
    assert created.status_code == 201 and created.get_json()["evidence_count"] == 14
    again = client.post("/api/v1/campaigns", json={"title": "Again", "pattern_keys": ["tag:no-heat"]}, headers=headers)
    assert again.status_code == 422 and "pattern_keys" in again.get_json()["errors"]
    assert (
        client.post(
            "/api/v1/campaigns", json={"title": "x", "pattern_keys": ["tag:no-heat"]}, headers=token_for("director")
        ).status_code
        == 403
    )
    assert client.get("/api/v1/patterns?window_days=abc", headers=headers).status_code == 422


def test_snooze_and_dismiss_from_the_page(client, login_as, recent, db):
    login_as("organizer")
    until = (today() + timedelta(days=14)).isoformat()
    client.post("/patterns/snooze", data={"key": "tag:no-heat", "until": until})
    assert db.session.get(PatternState, "tag:no-heat").state == "snoozed"
    assert "No heat or" not in client.get("/patterns/?grouping=tag").get_data(as_text=True)
    client.post("/patterns/dismiss", data={"key": "tag:no-heat/zip:11226", "reason": ""})
    assert db.session.get(PatternState, "tag:no-heat/zip:11226") is None
    client.post("/patterns/dismiss", data={"key": "tag:no-heat/zip:11226", "reason": "Handled by the city"})
    state = db.session.get(PatternState, "tag:no-heat/zip:11226")
    assert state.state == "dismissed" and state.count_at_decision == 14


def test_equity_page_suppresses_small_cells(client, login_as, recent):
    login_as("caseworker")
    html = client.get("/patterns/equity").get_data(as_text=True)
    numbers = [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td>', html)]
    assert all(n == 0 or n >= 11 for n in numbers)
    assert "&lt;11" in html and "Housing" in html
