"""The organizer's journey in a real browser, patterns part: find a planted pattern, read its detail
and disparity table, promote it with a related pattern. (The campaign steps come later.)"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

ZIP = "11226"
OTHER_ZIP = "11225"


@pytest.fixture(scope="module")
def planted(api, app_today):
    """A shutoff pattern in ZIP 11226 (16 concerns, 12 Hispanic) and 20 background concerns.

    The background is tagged "repairs": 12 in 11226 (a related pattern in the same ZIP) and 8 in
    11225, reported as White, Middle Eastern or North African, and Native Hawaiian or Pacific
    Islander, so Hispanic clients are over-represented in the shutoff pattern."""
    import secrets

    run = secrets.token_hex(3)
    program = f"energy-help-{run}"
    shutoff, repairs = f"shutoff-{run}", f"repairs-{run}"
    shutoff_name, repairs_name = f"Utility shutoff notice {run}", f"Repairs ignored {run}"
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": f"Energy help {run}"})
    assert status == 201, body
    for slug, name, category in ((shutoff, shutoff_name, "Utilities"), (repairs, repairs_name, "Housing")):
        status, body = api("POST", "/api/v1/tags", {"slug": slug, "name": name, "category": category})
        assert status == 201, body

    today = app_today  # the server's clock, never the machine's
    races = ["hispanic"] * 12 + ["black"] * 2 + ["asian"] * 2
    for i, race in enumerate(races):
        quoted = i % 4 == 0
        concern = {
            "program": program,
            "tags": [shutoff],
            "summary": f"Shutoff notice while the bill is in dispute ({i + 1})",
            "occurred_on": (today - timedelta(days=1 + 3 * i)).isoformat(),
            "zip": ZIP,
            "client_ref": f"shutoff-{run}-{i}",
            "race_ethnicity": [race],
            "wants_involvement": i % 3 == 0,
            "story_consent": quoted,
            "client_root_cause": "The utility cuts people off before anyone reads the dispute." if quoted else None,
        }
        status, body = api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body

    background = ["white"] * 14 + ["mena"] * 3 + ["nhpi"] * 3
    for i, race in enumerate(background):
        concern = {
            "program": program,
            "tags": [repairs],
            "summary": f"Landlord ignores repair requests ({i + 1})",
            "occurred_on": (today - timedelta(days=2 + 2 * i)).isoformat(),
            "zip": ZIP if i < 12 else OTHER_ZIP,
            "client_ref": f"repairs-{run}-{i}",
            "race_ethnicity": [race],
        }
        status, body = api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body

    return {
        "program": program,
        "shutoff": shutoff,
        "repairs": repairs,
        "title": f"{shutoff_name} in {ZIP}",
        "related_title": f"{repairs_name} in {ZIP}",
        "key": f"tag:{shutoff}/zip:{ZIP}",
    }


def test_organizer_finds_and_promotes_a_pattern(page, login, planted, check_a11y, screenshot, unique):
    login(page, "organizer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patterns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patterns")
    expect(page.get_by_role("heading", level=2, name=planted["title"])).to_be_visible()
    check_a11y(page, "organizer-patterns")
    screenshot(page, "organizer-patterns")

    # Narrow the list with the filters; they land in the URL, so the view can be shared.
    filters = page.get_by_role("search", name="Filter patterns")
    filters.get_by_label("Grouping").select_option("tag_zip")
    filters.get_by_label("Category").select_option("Utilities")
    filters.get_by_label("ZIP").fill(ZIP)
    filters.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"grouping=tag_zip"))
    expect(page).to_have_url(re.compile(rf"zip={ZIP}"))
    expect(page).to_have_url(re.compile(r"category=Utilities"))
    card = page.locator("li.pattern").filter(has=page.get_by_role("heading", name=planted["title"]))
    expect(card).to_have_count(1)
    expect(card).to_contain_text("16 concerns")
    expect(card.get_by_role("checkbox", name=f"Choose {planted['title']} for a campaign")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=planted["related_title"])).to_have_count(0)  # Housing
    check_a11y(page, "organizer-patterns-filtered")
    screenshot(page, "organizer-patterns-filtered")

    # The detail: week by week, places, who is affected, in the clients' words.
    card.get_by_role("link", name=planted["title"]).click()
    expect(page).to_have_url(re.compile(r"/patterns/detail\?key="))
    expect(page.get_by_role("heading", level=1)).to_contain_text(planted["title"])
    expect(page.locator("p.lead")).to_contain_text("16 concerns")

    weekly = page.get_by_role("table", name="Concerns per week")
    expect(weekly.get_by_role("columnheader")).to_have_text(["Week of", "Concerns"])
    assert weekly.locator("tbody tr").count() >= 7
    # An organizer has record access: the 16 concerns' weeks are exact (2-3 a week), never "<11".
    shown = weekly.locator("tbody tr td:last-child").all_inner_texts()
    assert "<11" not in shown and sum(int(n) for n in shown) == 16, shown

    gap = page.get_by_role("table", name="Disparity by race/ethnicity")
    expect(gap.get_by_role("columnheader")).to_have_text(
        ["Group", "In pattern", "Share", "All concerns", "Share", "Rate ratio"]
    )
    hispanic = gap.get_by_role("row", name="Hispanic/Latina/e/o")
    expect(hispanic.get_by_role("cell").first).to_have_text("12")
    expect(hispanic).to_have_class(re.compile(r"\bflagged\b"))
    expect(hispanic).to_contain_text("disparity")
    black = gap.get_by_role("row", name=re.compile("Black, African American"))
    expect(black.get_by_role("cell").first).to_have_text("2")  # exact, for record access
    expect(page.get_by_text(re.compile("Exact counts, for staff with record access only")).first).to_be_visible()

    voices = page.get_by_role("region", name="In clients' own words: the root cause")
    expect(voices).to_contain_text("The utility cuts people off before anyone reads the dispute.")
    check_a11y(page, "organizer-pattern-detail")
    screenshot(page, "organizer-pattern-detail")

    # Promote it together with the related pattern in the same ZIP.
    act = page.get_by_role("region", name="Act on this pattern")
    expect(act.get_by_role("checkbox", name=planted["title"], exact=True)).to_be_checked()
    related = act.get_by_role("checkbox", name=planted["related_title"], exact=True)
    expect(related).not_to_be_checked()
    related.check()
    title = f"Keep the lights on in {ZIP} {unique('c')}"
    act.get_by_label("Campaign title").fill(title)
    act.get_by_role("button", name="Create campaign").click()
    # A confirm step names both patterns and keeps the title; only it creates the campaign.
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a campaign?")
    expect(page.get_by_role("checkbox", name=f"{planted['title'].rsplit(' in ', 1)[0]} · ZIP {ZIP}")).to_be_checked()
    expect(page.get_by_label("Campaign title")).to_have_value(title)
    check_a11y(page, "organizer-promote-confirm")
    page.get_by_role("button", name="Create campaign").click()

    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    flash = page.get_by_role("status").filter(has_text="Campaign")
    expect(flash).to_contain_text(f"Campaign “{title}” created from 2 patterns.")
    screenshot(page, "organizer-promoted")

    # Both patterns now say they are a campaign.
    for key in (planted["key"], f"tag:{planted['repairs']}/zip:{ZIP}"):
        page.goto(f"/patterns/detail?key={key}")
        expect(page.get_by_role("region", name="Act on this pattern")).to_contain_text("This pattern is a campaign")
    check_a11y(page, "organizer-pattern-detail-promoted")

    # The equity overview.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Equity").click()
    expect(page).to_have_url(re.compile(r"/patterns/equity"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Utilities")
    check_a11y(page, "organizer-equity")
    screenshot(page, "organizer-equity")


def test_patterns_fit_a_phone(phone_page, login, planted, assert_no_horizontal_scroll, check_a11y, screenshot):
    page = phone_page
    login(page, "organizer")
    page.goto("/patterns/")
    expect(page.get_by_role("heading", level=2, name=planted["title"])).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_a11y(page, "organizer-phone-patterns")
    screenshot(page, "organizer-phone-patterns")

    page.goto(f"/patterns/detail?key={planted['key']}")
    expect(page.get_by_role("table", name="Disparity by race/ethnicity")).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_a11y(page, "organizer-phone-pattern-detail")
    screenshot(page, "organizer-phone-pattern-detail")


def test_caseworker_sees_the_same_place_published(page, login, planted, check_a11y, screenshot):
    """The same pattern through a caseworker's eyes: published counts, no rows behind a place,
    windows from the menu only."""
    login(page, "caseworker")
    page.goto(f"/patterns/detail?key={planted['key']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(planted["title"])
    weekly = page.get_by_role("table", name="Concerns per week")
    shown = weekly.locator("tbody tr td:last-child").all_inner_texts()
    assert shown.count("<11") >= 6 and all(n in ("0", "<11") for n in shown), shown
    expect(page.get_by_text(re.compile("published with a small random adjustment")).first).to_be_visible()
    expect(page.get_by_text(re.compile("Concerns are not listed here for a place"))).to_be_visible()
    expect(page.get_by_text("The utility cuts people off before anyone reads the dispute.")).to_have_count(0)
    check_a11y(page, "caseworker-pattern-detail-published")
    screenshot(page, "caseworker-pattern-detail-published")
    page.goto("/patterns/")
    options = page.get_by_label("Window").locator("option").all_inner_texts()
    assert options == ["7 days", "30 days", "90 days", "365 days"], options
