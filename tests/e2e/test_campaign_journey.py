"""The organizer's campaign journey in a real browser: the board, the learning step with its
evidence, a form corrected at the field, the power map, a move forward and back with notes, an
action logged; every page passes axe and fits a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

STEP_PAGES = ("learning", "awareness", "vision", "strategy", "action", "reflection")


def _setup(api, unique) -> dict:
    program, tag = unique("tenants"), unique("no-heat")
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Tenant help {program[-6:]}"})[0] == 201
    assert api("POST", "/api/v1/tags", {"slug": tag, "name": f"No heat {tag[-6:]}", "category": "Housing"})[0] == 201
    for n in range(14):
        body = {
            "program": program,
            "tags": [tag],
            "summary": f"No heat in the building, week {n}",
            "client_ref": unique("client"),
            "race_ethnicity": ["black"] if n % 4 else ["hispanic"],
            "client_root_cause": "The landlord waits us out",
            "story_consent": n % 2 == 0,
        }
        status, created = api("POST", "/api/v1/concerns", body, role="organizer")
        assert status == 201, created
    title = f"Heat is a right {tag[-6:]}"
    status, campaign = api(
        "POST", "/api/v1/campaigns", {"title": title, "pattern_keys": [f"tag:{tag}"]}, role="organizer"
    )
    assert status == 201, campaign
    return {"id": campaign["id"], "title": title}


def test_organizer_runs_a_campaign(
    page, phone_page, login, api, check_a11y, screenshot, unique, assert_no_horizontal_scroll
):
    data = _setup(api, unique)
    cid = data["id"]
    login(page, "organizer")

    page.goto("/campaigns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    expect(
        page.get_by_role("region", name=re.compile("Learning")).get_by_role("link", name=data["title"])
    ).to_be_visible()
    check_a11y(page, "campaign-board")

    # Learning: the evidence by race, exact for an organizer (record access) and marked internal,
    # and the issue analysis corrected at its field.
    page.goto(f"/campaigns/{cid}/learning")
    race_table = page.get_by_role("table", name=re.compile("by self-reported race"))
    expect(race_table).not_to_contain_text("<11")
    expect(page.get_by_text("Internal", exact=True).first).to_be_visible()
    page.get_by_label("Root causes").fill("Inspections take weeks")
    page.get_by_role("button", name="Save issue analysis").click()
    expect(page.locator("#learning-problem_statement-error")).to_have_text("This is required.")
    expect(page.get_by_label("Root causes")).to_have_value("Inspections take weeks")
    check_a11y(page, "campaign-learning-error")
    page.get_by_label("Problem statement").fill("Tenants go weeks without heat")
    page.get_by_role("button", name="Save issue analysis").click()
    expect(page.get_by_role("status")).to_contain_text("Learning saved.")
    check_a11y(page, "campaign-learning")
    screenshot(page, "campaign-learning")

    # Awareness: an actor on the power map, drawn beside its table.
    page.goto(f"/campaigns/{cid}/awareness")
    page.get_by_label("Name").fill("Housing commissioner")
    page.get_by_label("Kind").select_option("target")
    page.get_by_label("Influence over the issue").select_option("5")
    page.get_by_label("Position on our demands").select_option("-1")
    page.get_by_role("button", name="Add to the map").click()
    expect(page.get_by_role("table", name="Actors on the power map")).to_contain_text("Housing commissioner")
    expect(page.get_by_role("img", name=re.compile("Power map"))).to_be_visible()
    check_a11y(page, "campaign-awareness")

    # Move forward, then back, each with a note; the history shows the loop.
    page.goto(f"/campaigns/{cid}")
    page.get_by_label("Move to step").select_option("strategy")
    page.get_by_label("Why move now?").fill("Power map done")
    page.get_by_role("button", name="Move", exact=True).click()
    page.get_by_label("Move to step").select_option("learning")
    page.get_by_label("Why move now?").fill("We need the inspection data first")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_role("list").filter(has_text="looped back")).to_contain_text("We need the inspection data first")
    check_a11y(page, "campaign-overview")

    # Action: log one, with constituents (new leaders are counted from attendance).
    page.goto(f"/campaigns/{cid}/action")
    page.get_by_label("Kind").select_option("convening")
    page.get_by_label("Date").fill("2026-01-15")
    page.get_by_label("Title").fill("Tenant convening")
    page.get_by_label("Constituents who took part").fill("28")
    page.get_by_role("button", name="Log action").click()
    expect(page.get_by_role("table", name=re.compile("Organizing actions"))).to_contain_text("Tenant convening")
    check_a11y(page, "campaign-action")

    for step in STEP_PAGES:
        page.goto(f"/campaigns/{cid}/{step}")
        check_a11y(page, f"campaign-step-{step}")

    # On a phone, nothing scrolls sideways.
    login(phone_page, "organizer")
    for path in ("/campaigns", f"/campaigns/{cid}", *(f"/campaigns/{cid}/{s}" for s in STEP_PAGES)):
        phone_page.goto(path)
        assert_no_horizontal_scroll(phone_page)
