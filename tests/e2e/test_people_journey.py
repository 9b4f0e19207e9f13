"""Organizing with people, in a real browser: a caseworker records a client's consent and contact on
a concern; an organizer builds a call list from the pattern and logs calls, runs a convening with
sign-ups and attendance, and harvests it into three follow-ups and a campaign. Then the committee:
with governance on, a pattern becomes a campaign only by the committee's recorded vote."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from playwright.sync_api import expect

PREFIX = "people"


@pytest.fixture(scope="module")
def pattern(api, app_today):
    """Six concerns from four clients who want to be involved, in one new tag."""
    run = secrets.token_hex(3)
    program, tag, name = f"tenants-{run}", f"broken-boiler-{run}", f"Broken boiler {run}"
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Tenant line {run}"})[0] == 201
    assert api("POST", "/api/v1/tags", {"slug": tag, "name": name, "category": "Housing"})[0] == 201
    ids = []
    for i in range(6):
        status, body = api(
            "POST",
            "/api/v1/concerns",
            {
                "program": program,
                "tags": [tag],
                "summary": f"Boiler out again ({run} {i})",
                "occurred_on": (app_today - timedelta(days=1 + i)).isoformat(),
                "client_ref": f"boiler-{run}-{i % 4}",
                "wants_involvement": True,
                "language": "Spanish" if i % 2 else "English",
            },
            role="caseworker",
        )
        assert status == 201, body
        ids.append(body["id"])
    return {"key": f"tag:{tag}", "name": name, "tag": tag, "concerns": ids, "run": run}


def test_organizer_call_list_convening_and_harvest(
    page, login, pattern, check_a11y, screenshot, assert_no_horizontal_scroll, phone_page, app_today, unique
):
    run = pattern["run"]
    # --- A caseworker asks two clients, and records consent and contact ------------------------
    login(page, "caseworker")
    people = [(f"Rosa {run}", "718-555-0101"), (f"Marcus {run}", "718-555-0102")]
    for concern_id, (name, phone) in zip(pattern["concerns"][:2], people, strict=True):
        page.goto(f"/concerns/{concern_id}")
        page.get_by_role("link", name="Record consent and contact…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The client wants to be involved")
        page.get_by_label("Name they go by").fill(name)
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".field-errors").first).to_be_visible()  # no consent, no phone: nothing stored
        check_a11y(page, f"{PREFIX}-consent-errors")
        page.get_by_label("They agreed to be contacted about organizing").check()
        page.get_by_label("Phone").fill(phone)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Consent and contact recorded")
        expect(page.locator("dl.facts").last).to_contain_text("consent and contact recorded")
        expect(page.get_by_text(phone)).to_have_count(0)  # the caseworker never sees the contact again
    page.get_by_role("button", name=re.compile("Log out")).click()

    # --- The organizer: pattern → call list → calls --------------------------------------------
    login(page, "organizer")
    page.goto(f"/patterns/detail?key={pattern['key']}")
    page.get_by_role("link", name="Call list: the people who asked to be involved").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Call list")
    table = page.get_by_role("table", name=re.compile("to call"))
    for name, phone in people:
        expect(table).to_contain_text(name)
        expect(table).to_contain_text(phone)
    check_a11y(page, f"{PREFIX}-call-list")
    first = page.locator("details.call-form").filter(has_text=f"Call {people[0][0]}")
    first.get_by_text(f"Call {people[0][0]}").click()
    first.get_by_role("button", name=f"Log call to {people[0][0]}").click()
    expect(page.get_by_text("Choose how the call went.")).to_be_visible()
    check_a11y(page, f"{PREFIX}-call-list-error")
    first = page.locator("details.call-form").filter(has_text=f"Call {people[0][0]}")
    first.get_by_role("radio", name="Reached, will come").check()
    first.get_by_role("button", name=f"Log call to {people[0][0]}").click()
    second = page.locator("details.call-form").filter(has_text=f"Call {people[1][0]}")
    second.get_by_text(f"Call {people[1][0]}").click()
    second.get_by_role("radio", name="Left a message").check()
    second.get_by_role("button", name=f"Log call to {people[1][0]}").click()
    table = page.get_by_role("table", name=re.compile("to call"))
    expect(table.get_by_role("row", name=re.compile(people[0][0]))).to_contain_text("Reached, will come")
    expect(table.get_by_role("row", name=re.compile(people[1][0]))).to_contain_text("Left a message")
    screenshot(page, f"{PREFIX}-call-list")

    # --- A convening: plan, sign-ups and attendance ----------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Convenings").click()
    page.get_by_role("link", name="Plan a convening").click()
    title = f"Boiler summit {run}"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Date").fill(app_today.isoformat())
    page.get_by_label("Agenda").fill("1. Stories\n2. Breakouts\n3. Harvest")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check_a11y(page, f"{PREFIX}-convening-new")
    page.get_by_role("link", name="Sign-ups and attendance").click()
    page.get_by_label(people[0][0]).select_option("spoke")
    page.get_by_label(people[1][0]).select_option("attended")
    page.get_by_role("checkbox").first.check()
    check_a11y(page, f"{PREFIX}-attendance")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("dl.facts")).to_contain_text("2 community members")

    # --- The harvest: four takeaways → three follow-ups and a campaign -----------------------------
    takeaways = [
        ("Policy change", f"Heat inspections within 48 hours {run}"),
        ("Staff training", f"Train intake on heat law {run}"),
        ("Community engagement", f"Floor captains in every building {run}"),
        ("Internal practice", f"Log every boiler outage {run}"),
    ]
    for kind, text in takeaways:
        page.get_by_label("Kind of change").select_option(label=kind)
        page.get_by_label("Takeaway").fill(text)
        page.get_by_role("button", name="Add takeaway").click()
    for _kind, text in takeaways[1:]:
        item = page.locator("li.card").filter(has_text=text)
        item.get_by_text("Make it a follow-up").click()
        item.get_by_label("Owner").select_option(label="E2E Caseworker")
        item.get_by_label("Due").fill((app_today + timedelta(days=14)).isoformat())
        item.get_by_role("button", name="Make follow-up").click()
        expect(page.locator("li.card").filter(has_text=text)).to_contain_text("Follow-up for")
    campaign_title = f"Heat inspections now {run}"
    item = page.locator("li.card").filter(has_text=takeaways[0][1])
    item.get_by_text("Make it a campaign").click()
    item.get_by_label("Campaign title").fill(campaign_title)
    item.get_by_role("button", name="Start campaign").click()
    expect(page.locator("li.card").filter(has_text=takeaways[0][1])).to_contain_text(campaign_title)
    check_a11y(page, f"{PREFIX}-harvest")

    page.get_by_role("link", name="Convening report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.get_by_text("3 follow-ups open")).to_be_visible()
    expect(page.get_by_role("table", name="Takeaways by kind of change")).to_contain_text("Policy change")
    check_a11y(page, f"{PREFIX}-report")
    screenshot(page, f"{PREFIX}-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    login(phone_page, "organizer")
    phone_page.goto(page.url)
    assert_no_horizontal_scroll(phone_page)

    # --- An organisation-wide convening's follow-ups reach their owner like any other ----------------
    page.get_by_role("button", name=re.compile("Log out")).click()
    login(page, "caseworker")
    page.goto("/inbox")
    notice = page.locator("li.card").filter(has_text=takeaways[1][1])
    expect(notice).to_contain_text(title)
    notice.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/follow-ups/\d+$"))
    expect(page.locator("p.lead")).to_have_text(takeaways[1][1])
    expect(page.locator("dl.facts")).to_contain_text(title)
    check_a11y(page, f"{PREFIX}-follow-up")
    page.locator("form[action$='/done'] button").click()
    expect(page.locator("form[action$='/done']")).to_have_count(0)


def test_the_committee_votes_a_pattern_into_a_campaign(page, login, pattern, api, check_a11y, screenshot, app_today):
    run = pattern["run"]
    members = []
    for i in range(3):
        status, body = api(
            "POST",
            "/api/v1/people",
            {"consent": True, "name": f"Member {i} {run}", "phone": f"917-555-01{i:02d}", "channel": "phone"},
            role="organizer",
        )
        assert status == 201, body
        members.append(body["name"])

    login(page, "director")
    page.goto("/committee/")
    if page.get_by_role("button", name="Turn governance on").count():
        page.get_by_role("button", name="Turn governance on").click()
    expect(page.get_by_role("status").first).to_contain_text("Governance is on")
    page.get_by_role("button", name=re.compile("Log out")).click()
    try:
        login(page, "organizer")
        page.goto("/committee/")
        for name in members:
            page.get_by_text("Add a member").click()
            page.get_by_label("Community member").select_option(label=name)
            page.get_by_label("Term starts").fill((app_today - timedelta(days=30)).isoformat())
            page.get_by_role("button", name="Add member").click()
        check_a11y(page, f"{PREFIX}-committee")

        # The pattern cannot simply be promoted: it is proposed, and waits.
        page.goto(f"/patterns/detail?key={pattern['key']}")
        act = page.get_by_role("region", name="Act on this pattern")
        title = f"Boilers fixed in a day {run}"
        act.get_by_label("Campaign title").fill(title)
        act.get_by_role("button", name="Create campaign").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Propose a campaign to the committee?")
        expect(page.locator(".gate-note")).to_contain_text("this proposal waits for its vote")
        page.get_by_role("button", name="Propose to the committee").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        expect(page.get_by_role("status").last).to_contain_text("waits for the committee's vote")
        check_a11y(page, f"{PREFIX}-proposal-waiting")

        page.goto("/committee/")
        page.get_by_text("Add a meeting").click()
        page.get_by_label("Date").fill(app_today.isoformat())
        page.get_by_label("Minutes").fill("Three tenant members present; the boiler pattern discussed.")
        page.get_by_role("button", name="Add meeting").click()
        for name in members:
            page.get_by_label(re.compile(name)).check()
        page.get_by_role("button", name="Save presence and minutes").click()
        expect(page.get_by_role("status").last).to_contain_text("quorum")
        proposal = page.locator("form.card").filter(has_text=title)
        for name in members[:2]:
            proposal.get_by_role("radio", name=f"{name}: For").check()
        proposal.get_by_role("radio", name=f"{members[2]}: Abstain").check()
        check_a11y(page, f"{PREFIX}-vote")
        proposal.get_by_role("button", name=re.compile("Record the vote")).click()
        expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        screenshot(page, f"{PREFIX}-voted-campaign")
    finally:
        page.context.clear_cookies()
        login(page, "director")
        page.goto("/committee/")
        if page.get_by_role("button", name="Turn governance off").count():
            page.get_by_role("button", name="Turn governance off").click()
