"""Tag suggestions in a real browser: a caseworker types a summary and adds the suggested tag with
one key chord; an organizer turns an emerging theme into a tag and its concerns are retagged."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _letters(unique, prefix: str) -> str:
    """A unique word of letters only (theme key words are words, never digits)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in unique(prefix)[-6:])


def _concerns(api, program: str, tag: str, summaries: list[str]) -> list[int]:
    ids = []
    for summary in summaries:
        status, body = api(
            "POST", "/api/v1/concerns", {"program": program, "tags": [tag], "summary": summary}, role="caseworker"
        )
        assert status == 201, body
        ids.append(body["id"])
    return ids


def _tag(api, slug: str, name: str, category: str = "Housing") -> str:
    status, body = api("POST", "/api/v1/tags", {"slug": slug, "name": name, "category": category})
    assert status in (201, 422), body  # 422: it exists already in this shared database
    return slug


def test_a_caseworker_types_a_summary_and_picks_a_suggested_tag_with_the_keyboard(
    page, login, api, flask_cli, check_a11y, screenshot, unique
):
    word = _letters(unique, "lift")
    program = unique("tenants")
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Tenant help {program[-6:]}"})[0] == 201
    lift = _tag(api, unique("lift"), f"Elevator out of order {word}")
    heat = _tag(api, unique("heat"), f"Heating failure {word}")
    _concerns(
        api,
        program,
        lift,
        [
            "Elevator broken again, grandmother stuck upstairs",
            "The elevator has been out of service for weeks",
            "Elevator out, cannot carry groceries up six floors",
            "El elevador no funciona hace un mes",
            "Lift broken, wheelchair user trapped",
            "Elevator stuck between floors twice this week",
        ]
        * 3,
    )
    _concerns(
        api,
        program,
        heat,
        [
            "No heat in the apartment since Monday",
            "Radiators cold, kids sleeping in coats",
            "No hay calefaccion en el edificio",
            "Boiler broken, no hot water",
            "Heat off again in the whole building",
            "Apartment freezing, landlord does not answer",
        ]
        * 3,
    )
    assert "Trained version" in flask_cli("tags", "train")

    login(page, "caseworker")
    page.get_by_role("link", name="Log a concern").click()
    page.get_by_label("Program").select_option(label=f"Tenant help {program[-6:]}")
    summary = page.get_by_label("Summary")
    summary.click()
    page.keyboard.type("The elevator is stuck again")
    suggested = page.get_by_role("list", name=re.compile("Suggested tags"))
    first = suggested.get_by_role("button").first
    expect(first).to_contain_text(f"Elevator out of order {word}")
    expect(first).to_have_attribute("aria-keyshortcuts", "Alt+1")
    expect(page.locator("[data-tag-suggest-status]")).to_contain_text("Suggested tags")
    check_a11y(page, "suggestions-quick-log")
    screenshot(page, "suggestions-quick-log")

    page.keyboard.press("Alt+1")  # one chord, without leaving the summary
    chosen = page.get_by_role("list", name="Chosen tags")
    expect(chosen).to_contain_text(f"Elevator out of order {word}")
    expect(page.locator("[data-tag-suggest-status]")).to_contain_text("added as a tag")
    expect(summary).to_be_focused()
    page.get_by_role("button", name="Save concern").click()
    status = page.get_by_role("status").filter(has_text="Saved")
    expect(status).to_contain_text("The elevator is stuck again")
    concern_id = int(re.search(r"/concerns/(\d+)", status.get_by_role("link").get_attribute("href")).group(1))
    code, body = api("GET", f"/api/v1/concerns/{concern_id}", role="organizer")
    assert code == 200 and lift in body["tags"], body


def test_an_organizer_turns_an_emerging_theme_into_a_tag(
    page, login, api, flask_cli, check_a11y, screenshot, unique, assert_no_horizontal_scroll
):
    word = _letters(unique, "theme")
    program = unique("building")
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Building help {program[-6:]}"})[0] == 201
    _tag(api, "other", "Other")
    ids = _concerns(
        api,
        program,
        "other",
        [
            f"Stairwell {word} lights out, tenants falling",
            f"Dark stairwell {word}, no lights for a month",
            f"Stairwell {word} lights broken, afraid at night",
            f"Lights out in the stairwell {word} again",
            f"No lights in stairwell {word}, child fell",
        ],
    )
    assert "found" in flask_cli("tags", "themes")

    login(page, "organizer")
    page.get_by_role("link", name="Emerging issues").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emerging issues")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=re.compile(word)))
    expect(card).to_contain_text("5 concerns")
    check_a11y(page, "suggestions-emerging")
    screenshot(page, "suggestions-emerging")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    card.get_by_label("New tag's name").fill(f"Stairwell lights {word}")
    card.get_by_label("Category").select_option("Safety")
    card.get_by_role("button", name="Create tag and retag").click()
    expect(page.get_by_text(re.compile(r"created and put on 5 concerns"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(word))).to_have_count(0)
    check_a11y(page, "suggestions-emerging-done")
    for concern_id in ids:
        code, body = api("GET", f"/api/v1/concerns/{concern_id}", role="organizer")
        assert code == 200 and body["tags"] == [f"stairwell-lights-{word}"], body
