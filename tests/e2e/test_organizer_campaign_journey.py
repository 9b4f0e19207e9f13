"""The organizer's journey end to end, with the advisory gate on (a second server, ``gated_*``):
find a planted pattern, promote it with a related one, fill Learning and Awareness (the power map
appears beside its table), be refused Strategy until the standing advisory committee votes for it,
fill the strategy's essentials, log a convening with a harvest follow-up, reach Reflection, and loop
back to Strategy with a note the history keeps. Every page state passes axe; on a phone, no page of
the campaign workspace scrolls sideways."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

ZIP = "10451"
OTHER_ZIP = "10452"
STEP_PAGES = ("learning", "awareness", "vision", "strategy", "action", "reflection")
PREFIX = "organizer-campaign"


@pytest.fixture(scope="module")
def planted(gated_api, gated_app_today):
    """On the gated server: a pattern of 16 "eviction filings" concerns in one ZIP and a related
    pattern of 12 "mould" concerns in the same ZIP (8 more elsewhere)."""
    run = secrets.token_hex(3)
    program, evictions, mould = f"tenant-line-{run}", f"evictions-{run}", f"mould-{run}"
    evictions_name, mould_name = f"Eviction filings {run}", f"Mould not fixed {run}"
    status, body = gated_api("POST", "/api/v1/programs", {"slug": program, "name": f"Tenant line {run}"})
    assert status == 201, body
    for slug, name, category in ((evictions, evictions_name, "Housing"), (mould, mould_name, "Health")):
        status, body = gated_api("POST", "/api/v1/tags", {"slug": slug, "name": name, "category": category})
        assert status == 201, body

    today = gated_app_today  # the server's clock, never the machine's
    for i in range(16):
        concern = {
            "program": program,
            "tags": [evictions],
            "summary": f"Eviction filed while repairs are pending ({i + 1})",
            "occurred_on": (today - timedelta(days=1 + 3 * i)).isoformat(),
            "zip": ZIP,
            "client_ref": f"evictions-{run}-{i}",
            "race_ethnicity": ["black"] if i % 3 else ["hispanic"],
            "wants_involvement": i % 2 == 0,
            "story_consent": i % 4 == 0,
            "client_root_cause": "The landlord files to push us out before the repairs." if i % 4 == 0 else None,
        }
        status, body = gated_api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body
    for i in range(20):
        concern = {
            "program": program,
            "tags": [mould],
            "summary": f"Mould in the bedroom, reported again ({i + 1})",
            "occurred_on": (today - timedelta(days=2 + 2 * i)).isoformat(),
            "zip": ZIP if i < 12 else OTHER_ZIP,
            "client_ref": f"mould-{run}-{i}",
            "race_ethnicity": ["white"] if i % 2 else ["asian"],
        }
        status, body = gated_api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body
    return {
        "title": f"{evictions_name} in {ZIP}",
        "related_title": f"{mould_name} in {ZIP}",
        "keys": [f"tag:{evictions}/zip:{ZIP}", f"tag:{mould}/zip:{ZIP}"],
        "names": [f"{evictions_name} · ZIP {ZIP}", f"{mould_name} · ZIP {ZIP}"],
    }


def _move(page, step: str, note: str) -> None:
    page.get_by_label("Move to step").select_option(step)
    page.get_by_label("Why move now?").fill(note)
    page.get_by_role("button", name="Move", exact=True).click()


def _committee(page, gated_api, run: str, day: date) -> list[str]:
    """The standing committee: three tenants who opted in, added with terms that cover `day`."""
    names = []
    for i in range(3):
        status, body = gated_api(
            "POST",
            "/api/v1/people",
            {"consent": True, "name": f"Tenant member {i} {run}", "phone": f"718-555-02{i:02d}"},
            role="organizer",
        )
        assert status == 201, body
        names.append(body["name"])
    page.goto("/committee/")
    for name in names:
        page.get_by_text("Add a member").click()
        page.get_by_label("Community member").select_option(label=name)
        page.get_by_label("Term starts").fill((day - timedelta(days=30)).isoformat())
        page.get_by_role("button", name="Add member").click()
    return names


def _committee_approves(page, campaign_id: int, for_step: str, members: list[str], day: date) -> None:
    """Propose entering `for_step` from the campaign, then the committee meets and votes for it."""
    page.goto(f"/campaigns/{campaign_id}")
    advisory = page.get_by_role("region", name="Advisory committee")
    advisory.get_by_label("Ask the committee to approve entering").select_option(for_step)
    advisory.get_by_role("button", name="Propose to the committee").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proposal #")
    proposal_id = int(re.search(r"/committee/proposals/(\d+)", page.url).group(1))
    expect(page.locator(".callout")).to_contain_text("waits for the committee's vote")
    page.goto("/committee/")
    page.get_by_text("Add a meeting").click()
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Add meeting").click()
    for name in members:
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Save presence and minutes").click()
    vote = page.locator(f"#proposal-{proposal_id}")
    for name in members:
        vote.get_by_role("radio", name=f"{name}: For").check()
    vote.get_by_role("button", name=re.compile("Record the vote")).click()
    expect(page.get_by_role("status").first).to_contain_text("approved")
    page.goto(f"/campaigns/{campaign_id}")


def test_organizer_campaign_with_the_advisory_gate(
    gated_page,
    gated_phone_page,
    login,
    planted,
    check_a11y,
    screenshot,
    assert_no_horizontal_scroll,
    unique,
    gated_app_today,
    gated_api,
):
    page = gated_page
    today = gated_app_today
    login(page, "organizer")

    # --- Patterns: find the planted one, promote it with the related one -----------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patterns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patterns")
    card = page.locator("li.pattern").filter(has=page.get_by_role("heading", name=planted["title"]))
    expect(card).to_contain_text("16 concerns")
    card.get_by_role("link", name=planted["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(planted["title"])
    act = page.get_by_role("region", name="Act on this pattern")
    expect(act.get_by_role("checkbox", name=planted["title"], exact=True)).to_be_checked()
    act.get_by_role("checkbox", name=planted["related_title"], exact=True).check()
    title = f"No evictions for asking for repairs {unique('c')[-6:]}"
    act.get_by_label("Campaign title").fill(title)
    check_a11y(page, f"{PREFIX}-pattern-detail")
    act.get_by_role("button", name="Create campaign").click()
    # The confirm step, then the campaign.
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a campaign?")
    for name in planted["names"]:
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    check_a11y(page, f"{PREFIX}-promote-confirm")
    page.get_by_role("button", name="Create campaign").click()

    # Promotion lands in the new campaign's workspace.
    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    cid = int(re.search(r"/campaigns/(\d+)$", page.url).group(1))
    expect(page.get_by_role("status")).to_contain_text(f"Campaign “{title}” created from 2 patterns.")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    about = page.get_by_role("region", name="About this campaign")
    for key, name in zip(planted["keys"], planted["names"], strict=True):
        expect(about).to_contain_text(name)  # patterns in words, not keys
        expect(about).not_to_contain_text(key)
    expect(about).to_contain_text("28 linked concerns")  # 16 + the 12 in the same ZIP
    expect(page.locator(".gate-note")).to_contain_text("Strategy: not approved yet")
    check_a11y(page, f"{PREFIX}-overview-new")
    screenshot(page, f"{PREFIX}-overview-new")

    # --- Learning: an empty problem statement is refused at its field, then the analysis saved --
    steps_nav = page.get_by_role("navigation", name="Campaign steps")
    steps_nav.get_by_role("link", name=re.compile("Learning")).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{cid}/learning$"))
    page.get_by_label("Root causes").fill("Filing is cheap; repair orders take months")
    page.get_by_role("button", name="Save issue analysis").click()
    problem = page.get_by_label("Problem statement")
    expect(page.locator("#learning-problem_statement-error")).to_have_text("This is required.")
    expect(problem).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Root causes")).to_have_value("Filing is cheap; repair orders take months")
    check_a11y(page, f"{PREFIX}-learning-error")
    screenshot(page, f"{PREFIX}-learning-error")
    problem.fill("Landlords file evictions against tenants who ask for repairs")
    page.get_by_label("Who is affected").fill("Black and Latino tenants in older buildings, most of them families")
    page.get_by_label("Data sources").fill("Our concerns; housing court filings; code complaints")
    page.get_by_label("Constituents' own root-cause views").fill("“They file to push us out before the repairs.”")
    page.get_by_role("button", name="Save issue analysis").click()
    expect(page.get_by_role("status")).to_contain_text("Learning saved.")
    expect(page.get_by_label("Problem statement")).to_have_value(
        "Landlords file evictions against tenants who ask for repairs"
    )
    expect(page.locator(".step-missing")).to_have_text("Everything this step asks for is filled in.")
    check_a11y(page, f"{PREFIX}-learning")
    screenshot(page, f"{PREFIX}-learning")

    # --- Awareness: two actors; the power map and its table, side by side ---------------------
    steps_nav.get_by_role("link", name="Overview").click()
    _move(page, "awareness", "The issue analysis is written")
    expect(page.get_by_role("status")).to_contain_text("Step changed; the move is in the history.")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Awareness")
    steps_nav.get_by_role("link", name=re.compile("Awareness")).click()
    expect(page.get_by_role("img", name=re.compile("Power map"))).to_contain_text("No actors yet.")
    page.get_by_role("button", name="Add to the map").click()  # nothing chosen: errors at the fields
    expect(page.locator("#actor-name-error")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    check_a11y(page, f"{PREFIX}-awareness-error")
    actors = [
        ("Housing court judge", "target", "5", "-1"),
        ("Tenants' union", "ally", "3", "2"),
    ]
    for name, kind, influence, position in actors:
        page.get_by_label("Name").fill(name)
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("Influence over the issue").select_option(influence)
        page.get_by_label("Position on our demands").select_option(position)
        page.get_by_role("button", name="Add to the map").click()
        expect(page.get_by_role("status")).to_contain_text("Actor added to the power map.")
    power_map = page.get_by_role("img", name=re.compile("Power map"))
    table = page.get_by_role("table", name="Actors on the power map")
    for name, *_ in actors:
        expect(power_map.locator("text.actor-name", has_text=name)).to_have_count(1)
        expect(table.get_by_role("rowheader", name=name)).to_be_visible()
    expect(power_map.locator("desc")).to_contain_text("Housing court judge (target): influence 5 of 5")
    expect(table.get_by_role("row", name=re.compile("Tenants' union"))).to_contain_text("+2 strongly supportive")
    # With it: the map at a readable size, its numbered table (the key) right below, inside the page.
    both = page.locator(".chart-with-table.power")
    expect(both.locator("svg.chart-power")).to_be_visible()
    expect(both.get_by_role("table", name="Actors on the power map")).to_be_visible()
    svg_box, table_box = both.locator("svg.chart-power").bounding_box(), table.bounding_box()
    assert table_box["y"] >= svg_box["y"] + svg_box["height"] - 1, (svg_box, table_box)
    assert svg_box["width"] >= 600, svg_box  # the map's 11-unit text is not shrunk below 11 px
    assert table_box["x"] + table_box["width"] <= page.viewport_size["width"], table_box
    check_a11y(page, f"{PREFIX}-awareness")
    screenshot(page, f"{PREFIX}-awareness")

    # --- Strategy is gated: refused with a clear message, approved, then entered ---------------
    steps_nav.get_by_role("link", name="Overview").click()
    _move(page, "strategy", "The power map is done; time to plan")
    refusal = page.locator("#move-step-error")
    expect(refusal).to_contain_text("Entering Strategy needs the advisory committee's approval")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the 1 field marked below.")
    expect(page.get_by_label("Why move now?")).to_have_value("The power map is done; time to plan")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Awareness")
    check_a11y(page, f"{PREFIX}-move-refused")
    screenshot(page, f"{PREFIX}-move-refused")
    expect(page.get_by_role("link", name="Propose it to the advisory committee")).to_be_visible()

    # The standing committee votes: a proposal, a meeting with quorum, the recorded votes.
    members = _committee(page, gated_api, unique("m")[-6:], today)
    _committee_approves(page, cid, "strategy", members, today)
    decisions = page.get_by_role("table", name="The committee's proposals and decisions for this campaign")
    expect(decisions).to_contain_text("Approved")
    expect(decisions).to_contain_text("Strategy")
    expect(page.locator(".gate-note")).to_contain_text("Strategy: approved")
    check_a11y(page, f"{PREFIX}-advisory-approved")

    _move(page, "strategy", "The committee approved; the power map is done")
    expect(page.get_by_role("status")).to_contain_text("Step changed; the move is in the history.")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Strategy")

    # --- Strategy: the essentials ---------------------------------------------------------------
    steps_nav.get_by_role("link", name=re.compile("Strategy")).click()
    expect(page.get_by_role("link", name="committee's decisions")).to_be_visible()  # the gate note
    page.get_by_label("Long-term goal").fill("No tenant is evicted for asking for repairs")
    page.get_by_label("Short-term goal").fill("The court checks for open repair orders before hearing a filing")
    page.get_by_label("Demands", exact=True).fill("A repair-order check on every eviction filing")
    page.get_by_label("Primary targets").fill("Chief administrative judge of the housing court")
    page.get_by_label("Secondary targets").fill("Council housing committee")
    page.get_by_label("Tactics", exact=True).fill("Court watch, testimony, a tenants' convening")
    page.get_by_label("Timeline", exact=True).fill("Convening this month; testimony next quarter")
    plan = page.get_by_role("group", name="Practice questions every plan should answer")
    for n, box in enumerate(plan.get_by_role("textbox").all()):
        box.fill(f"Answered with the tenants' union, point {n + 1}")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("status")).to_contain_text("Strategy saved.")
    # The campaign picks a common measure from the organisation's library (added there by the API).
    indicator = f"Filings heard with an open repair order {unique('m')[-6:]}"
    status, _ = gated_api(
        "POST",
        "/api/v1/measures",
        {"name": indicator, "unit": "%", "direction": "lower", "frequency": "quarterly"},
        role="organizer",
    )
    assert status == 201
    page.reload()
    measure = page.locator("form").filter(has=page.get_by_role("button", name="Add measure"))
    measure.get_by_label("Measure from the library").select_option(label=indicator)
    measure.get_by_label("Baseline", exact=True).fill("80")
    measure.get_by_label("Baseline date").fill((today - timedelta(days=30)).isoformat())
    measure.get_by_label("Target", exact=True).fill("0")
    measure.get_by_label("Target date").fill((today + timedelta(days=365)).isoformat())
    measure.get_by_role("button", name="Add measure").click()
    expect(page.get_by_role("status")).to_contain_text("Measure added.")
    expect(page.get_by_role("table", name="Measures of this campaign")).to_contain_text(indicator)
    expect(page.locator(".step-missing")).to_have_text("Everything this step asks for is filled in.")
    check_a11y(page, f"{PREFIX}-strategy")
    screenshot(page, f"{PREFIX}-strategy")

    # --- Action: approved, entered, a convening with its harvest follow-up ---------------------
    steps_nav.get_by_role("link", name="Overview").click()
    _committee_approves(page, cid, "action", members, today)
    _move(page, "action", "Plan approved; holding the convening")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Action")

    steps_nav.get_by_role("link", name=re.compile("Action")).click()
    convening = f"Tenants' convening at the library {unique('a')[-6:]}"
    page.get_by_label("Kind").select_option("convening")
    page.get_by_label("Date", exact=True).fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Title").fill(convening)
    page.get_by_label("Staff who took part").fill("3")
    page.get_by_label("Constituents who took part").fill("31")
    page.get_by_label("Outcome").fill("Agreed the demand and chose speakers for the hearing")
    page.get_by_label("Harvest: takeaways").fill("Tenants want a hotline for filings; six will testify")
    page.get_by_role("button", name="Log action").click()
    expect(page.get_by_role("status")).to_contain_text("Action logged.")
    logged = page.get_by_role("table", name=re.compile("Organizing actions")).get_by_role(
        "row", name=re.compile(convening)
    )
    expect(logged).to_contain_text("31")
    expect(logged).to_contain_text("Takeaways: Tenants want a hotline for filings")

    due = today + timedelta(days=14)
    page.get_by_label("Follow-up", exact=True).fill("Send the harvest notes to everyone who came")
    page.get_by_label("Owner").select_option(label="E2E Organizer")
    page.get_by_label("Due").fill(due.isoformat())
    page.get_by_label("From action").select_option(label=f"{(today - timedelta(days=1)).isoformat()} · {convening}")
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_role("status")).to_contain_text("Follow-up added.")
    item = page.get_by_role("table", name=re.compile("Follow-up items")).get_by_role(
        "row", name=re.compile("Send the harvest notes")
    )
    expect(item).to_contain_text("E2E Organizer")
    expect(item).to_contain_text(due.isoformat())
    expect(item).to_contain_text(convening)
    check_a11y(page, f"{PREFIX}-action")
    screenshot(page, f"{PREFIX}-action")

    # --- Reflection, then back to Strategy through a review that says why ----------------------
    steps_nav.get_by_role("link", name="Overview").click()
    _move(page, "reflection", "The convening is done; time to take stock")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Reflection")

    steps_nav.get_by_role("link", name=re.compile("Reflection")).click()
    page.get_by_label("Period from").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("Period to").fill(today.isoformat())
    page.get_by_label("What happened against our goals and measures").fill("The court has not moved yet")
    page.get_by_label("What we learned").fill("The judge answers to the council, not to us")
    page.get_by_role("radio", name="Revisit a step").check()
    page.get_by_role("button", name="Save review").click()  # no step, no note: errors at the fields
    expect(page.locator("#review-revisit_step-error")).to_have_text("Choose the step to revisit.")
    expect(page.locator("#review-decision_note-error")).to_contain_text("Say why")
    expect(page.get_by_label("What we learned")).to_have_value("The judge answers to the council, not to us")
    check_a11y(page, f"{PREFIX}-reflection-error")
    screenshot(page, f"{PREFIX}-reflection-error")
    back_note = "Retarget: the council housing committee moves the court"
    page.get_by_label("Step to revisit").select_option("strategy")
    page.get_by_label("Why this decision").fill(back_note)
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status")).to_contain_text("Reflection review saved.")
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Strategy")
    expect(page.locator("article.campaign-review h4")).to_contain_text("Revisit a step: Strategy")
    check_a11y(page, f"{PREFIX}-reflection")
    screenshot(page, f"{PREFIX}-reflection")

    # The history shows the loop back, with its note, above the way forward.
    steps_nav.get_by_role("link", name="Overview").click()
    timeline = page.locator("ol.timeline")
    latest = timeline.locator("li").first
    expect(latest).to_have_class(re.compile(r"\bback\b"))
    expect(latest).to_contain_text("Reflection → Strategy")
    expect(latest).to_contain_text("looped back")
    expect(latest).to_contain_text(back_note)
    expect(timeline.locator("li.forward")).to_have_count(4)  # awareness, strategy, action, reflection
    expect(timeline.locator("li.back")).to_have_count(1)
    check_a11y(page, f"{PREFIX}-overview-looped")
    screenshot(page, f"{PREFIX}-overview-looped")

    for step in ("vision",):  # the one step page not visited above
        steps_nav.get_by_role("link", name=re.compile(step.capitalize())).click()
        check_a11y(page, f"{PREFIX}-step-{step}")

    # --- On a phone, no page of the workspace scrolls sideways ---------------------------------
    phone = gated_phone_page
    login(phone, "organizer")
    for path in (f"/campaigns/{cid}", *(f"/campaigns/{cid}/{s}" for s in STEP_PAGES)):
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_have_text(title)
        assert_no_horizontal_scroll(phone)
    phone.goto(f"/campaigns/{cid}/awareness")
    screenshot(phone, f"{PREFIX}-phone-awareness")
    check_a11y(phone, f"{PREFIX}-phone-awareness")
    phone.goto(f"/campaigns/{cid}")
    screenshot(phone, f"{PREFIX}-phone-overview")


# --- Issue 13: the organizer's trust fixes, on the ungated server ------------------------------


@pytest.fixture(scope="module")
def small_pattern(api, app_today):
    """A fresh tag × program pattern of 6 concerns from 6 clients, dated by the server's clock."""
    run = secrets.token_hex(3)
    program, tag = f"tenant-desk-{run}", f"lockout-{run}"
    program_name, tag_name = f"Tenant desk {run}", f"Illegal lockout {run}"
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": program_name})
    assert status == 201, body
    status, body = api("POST", "/api/v1/tags", {"slug": tag, "name": tag_name, "category": "Housing"})
    assert status == 201, body
    for i in range(6):
        concern = {
            "program": program,
            "tags": [tag],
            "summary": f"Locked out by the landlord ({i + 1})",
            "occurred_on": (app_today - timedelta(days=2 + i)).isoformat(),
            "client_ref": f"lockout-{run}-{i}",
        }
        status, body = api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body
    return {"key": f"tag:{tag}/program:{program}", "name": f"{tag_name} · {program_name}", "tag_name": tag_name}


def test_promotion_is_confirmed_and_can_be_discarded(page, login, small_pattern, check_a11y, screenshot, unique):
    login(page, "organizer")
    page.goto(f"/patterns/detail?key={small_pattern['key']}")
    act = page.get_by_role("region", name="Act on this pattern")
    title = f"Keys back for every tenant {unique('c')[-6:]}"
    act.get_by_label("Campaign title").fill(title)
    act.get_by_role("button", name="Create campaign").click()

    # One click only asks: the confirm page names the pattern in words and keeps the title.
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a campaign?")
    expect(page).to_have_url(re.compile(r"/patterns/promote\?"))
    chosen = page.get_by_role("checkbox", name=small_pattern["name"])
    expect(chosen).to_be_checked()
    expect(page.get_by_label("Campaign title")).to_have_value(title)
    expect(page.locator("main")).not_to_contain_text(small_pattern["key"])
    check_a11y(page, "issue13-promote-confirm")
    screenshot(page, "issue13-promote-confirm")
    # Nothing is created yet: the pattern is still open.
    page.goto(f"/patterns/detail?key={small_pattern['key']}")
    expect(page.get_by_role("region", name="Act on this pattern")).not_to_contain_text("This pattern is a campaign")
    page.go_back()

    # An emptied title is refused at its field, with the patterns kept.
    page.get_by_label("Campaign title").fill("")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.get_by_role("checkbox", name=small_pattern["name"])).to_be_checked()
    check_a11y(page, "issue13-promote-confirm-error")
    page.get_by_label("Campaign title").fill(title)
    page.get_by_role("button", name="Create campaign").click()

    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    expect(page.get_by_role("status")).to_contain_text(f"Campaign “{title}” created from 1 pattern.")
    about = page.get_by_role("region", name="About this campaign")
    expect(about.get_by_role("link", name=small_pattern["name"])).to_be_visible()
    expect(about).not_to_contain_text(small_pattern["key"])
    expect(about).to_contain_text("6 linked concerns")
    expect(about).to_contain_text("from any date, and those logged since the campaign began")
    discard = page.get_by_role("region", name="Created by mistake?")
    expect(discard).to_contain_text("Until")
    check_a11y(page, "issue13-campaign-new")
    screenshot(page, "issue13-campaign-new")

    page.once("dialog", lambda dialog: dialog.accept())
    discard.get_by_role("button", name="Discard this campaign").click()
    expect(page.locator(".flashes")).to_contain_text(f"Campaign “{title}” discarded")
    page.goto(f"/patterns/detail?key={small_pattern['key']}")
    act = page.get_by_role("region", name="Act on this pattern")
    expect(act).not_to_contain_text("This pattern is a campaign")
    expect(act.get_by_role("button", name="Create campaign")).to_be_visible()


def test_crowded_power_map_and_the_move_form_on_a_step_page(
    page, phone_page, login, api, check_a11y, screenshot, assert_no_horizontal_scroll, unique
):
    run = unique("pm")[-6:]
    status, body = api("POST", "/api/v1/tags", {"slug": f"pm-{run}", "name": f"Power {run}", "category": "Housing"})
    assert status == 201, body
    status, body = api(
        "POST",
        "/api/v1/campaigns",
        {"title": f"Crowded map {run}", "pattern_keys": [f"tag:pm-{run}"]},
        role="organizer",
    )
    assert status == 201, body
    cid = body["id"]
    login(page, "organizer")
    page.goto(f"/campaigns/{cid}/awareness")
    actors = [
        ("Borough housing office, inspections desk", "opponent", "4", "-1"),
        ("Borough housing office, complaints desk", "opponent", "4", "-1"),
        ("Borough housing office, legal desk", "opponent", "4", "-1"),
        ("Chief administrative judge", "target", "3", "0"),
        ("Council housing committee chair", "target", "3", "1"),
        ("Tenants' union", "ally", "3", "2"),
        ("Landlords' association", "opponent", "5", "-2"),
    ]
    note = "Listens to the tenants' union after the March hearing; meets monthly with the council's staff."
    for name, kind, influence, position in actors:
        page.get_by_label("Name").fill(name)
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("Influence over the issue").select_option(influence)
        page.get_by_label("Position on our demands").select_option(position)
        page.get_by_label("Notes").fill(note)
        page.get_by_role("button", name="Add to the map").click()
        expect(page.get_by_role("status")).to_contain_text("Actor added to the power map.")

    power_map = page.get_by_role("img", name=re.compile("Power map"))
    # Every marker is numbered; the names drawn do not overlap each other.
    expect(power_map.locator("text.actor-num")).to_have_count(len(actors))
    boxes = [
        power_map.locator("text.actor-name").nth(i).bounding_box()
        for i in range(power_map.locator("text.actor-name").count())
    ]
    assert len(boxes) >= 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"]
                or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"]
                or b["y"] + b["height"] <= a["y"]
            )
            assert apart, (a, b)
    # At 1280 px every Remove button is inside the viewport (no sideways scrolling to reach it).
    table = page.get_by_role("table", name="Actors on the power map")
    expect(table.get_by_role("row").nth(1).get_by_role("cell").first).to_have_text("1")
    viewport = page.viewport_size["width"]
    removes = table.get_by_role("button", name=re.compile("^Remove"))
    expect(removes).to_have_count(len(actors))
    for i in range(len(actors)):
        box = removes.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, box
    wrap = page.locator(".chart-with-table.power .table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the actors table scrolls sideways"
    # Notes wrap between words, never inside one.
    cell = table.locator("td.notes").first
    assert cell.evaluate("el => getComputedStyle(el).overflowWrap") != "anywhere"
    assert_no_horizontal_scroll(page)
    check_a11y(page, "issue13-power-map-crowded")
    screenshot(page, "issue13-power-map-crowded")

    # Move on from this step page: the move lands on the page of the step moved to.
    moving = page.get_by_role("region", name="Move between steps")
    moving.get_by_label("Move to step").select_option("vision")
    moving.get_by_label("Why move now?").fill("The map is drawn")
    moving.get_by_role("button", name="Move", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{cid}/vision$"))
    expect(page.locator(".campaign-meta")).to_contain_text("Now in Vision")
    check_a11y(page, "issue13-step-page-moved")

    phone = phone_page
    login(phone, "organizer")
    phone.goto(f"/campaigns/{cid}/awareness")
    assert_no_horizontal_scroll(phone)
    check_a11y(phone, "issue13-phone-power-map")
    screenshot(phone, "issue13-phone-power-map")


def test_campaign_board_reads_at_1280_and_on_a_phone(
    page, phone_page, login, api, check_a11y, screenshot, assert_no_horizontal_scroll, unique
):
    run = unique("bd")[-6:]
    status, body = api("POST", "/api/v1/tags", {"slug": f"bd-{run}", "name": f"Board tag {run}", "category": "Food"})
    assert status == 201, body
    title = f"A long campaign title about pantry hours that fit nobody's shift {run}"
    status, body = api(
        "POST", "/api/v1/campaigns", {"title": title, "pattern_keys": [f"tag:bd-{run}"]}, role="organizer"
    )
    assert status == 201, body
    for p, name in ((page, "issue13-board"), (phone_page, "issue13-phone-board")):
        login(p, "organizer")
        p.goto("/campaigns")
        card = p.locator("li.campaign-card").filter(has=p.get_by_role("link", name=title))
        expect(card).to_contain_text(f"From Board tag {run}")
        expect(card).to_contain_text("Lead")
        box = card.bounding_box()
        assert box["width"] >= min(300, p.viewport_size["width"] - 40), box  # wide enough to read
        # Each fact's label and value share a line.
        lead = card.locator("dl.card-facts div").first
        assert lead.locator("dt").bounding_box()["y"] == lead.locator("dd").bounding_box()["y"]
        assert_no_horizontal_scroll(p)
        check_a11y(p, name)
        screenshot(p, name)
