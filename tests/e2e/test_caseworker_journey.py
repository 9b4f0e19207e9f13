"""The caseworker's journey in a real browser: three concerns logged with the keyboard alone, an
invalid form corrected at the field, the concerns found with a filter and exported as CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from playwright.sync_api import expect

KEYSTROKES_FILE = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e" / "keystrokes.txt"


class Keys:
    """page.keyboard, counting every key pressed (a chord like Shift+Tab counts each key)."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += len(key.split("+"))

    def tab_to(self, locator, limit: int = 25) -> None:
        """Press Tab until `locator` has focus (a date input takes one Tab per segment)."""
        for _ in range(limit):
            if locator.evaluate("el => el === document.activeElement"):
                return
            self.press("Tab")
        expect(locator).to_be_focused()


def _setup(api, unique) -> dict:
    program = unique("walk-in")
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": f"Walk-in clinic {program[-6:]}"})
    assert status == 201, body
    mould, wages = unique("mould"), unique("wage-theft")
    names = {}
    for slug, name, category in ((mould, "Mould and damp", "Housing"), (wages, "Wages not paid", "Employment")):
        status, body = api("POST", "/api/v1/tags", {"slug": slug, "name": name, "category": category})
        if status != 201:  # the name is taken in this database: make it unique
            name = f"{name} {slug[-6:]}"
            status, body = api("POST", "/api/v1/tags", {"slug": slug, "name": name, "category": category})
        assert status == 201, body
        names[slug] = name
    return {"program": program, "mould": mould, "wages": wages, "names": names}


def _saved_id(page) -> int:
    link = page.get_by_role("status").get_by_role("link", name=re.compile(r"^Concern #\d+"))
    return int(re.search(r"/concerns/(\d+)", link.get_attribute("href")).group(1))


def test_caseworker_journey(page, login, api, check_a11y, screenshot, unique):
    data = _setup(api, unique)
    mould_name, wages_name = data["names"][data["mould"]], data["names"][data["wages"]]
    client = unique("client")  # the client reference shared by the first and third concern
    keys = Keys(page)

    # The caseworker's home is the quick-log form; the tag field has focus.
    login(page, "caseworker")
    expect(page).to_have_url(re.compile(r"/log$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a concern")
    tag_field = page.locator("#tag_text")
    expect(tag_field).to_be_focused()
    check_a11y(page, "caseworker-quick-log")
    screenshot(page, "caseworker-quick-log")
    chips = page.get_by_role("list", name="Chosen tags")

    # --- 1. A full concern, with demographics and the client's voice, by keyboard ------------
    keys.press("Shift+Tab")
    program = page.get_by_label("Program")
    expect(program).to_be_focused()
    keys.type("Walk-in")  # type-ahead in the select
    expect(program).to_have_value(data["program"])
    keys.press("Tab")
    expect(tag_field).to_be_focused()
    # The datalist's own pop-up is not drawn by headless Chromium: type the whole name, Enter
    # (app.js turns an exact name into a chip, as it does for a suggestion picked with ArrowDown).
    keys.type(mould_name)
    keys.press("Enter")
    expect(chips.get_by_role("listitem")).to_have_count(1)
    keys.type(wages_name)
    keys.press("Enter")
    expect(chips).to_contain_text(mould_name)
    expect(chips).to_contain_text(wages_name)
    expect(tag_field).to_have_value("")
    keys.press("Tab")
    expect(page.get_by_label("Summary")).to_be_focused()
    keys.type("Black mould in the bedroom, boss cut her hours after she asked for time off")
    keys.tab_to(page.get_by_role("radio", name="Client reported"))
    keys.tab_to(page.get_by_label("Client reference"))
    keys.type(client)
    keys.press("Tab")
    more = page.locator("details.more")
    expect(more.locator("summary")).to_be_focused()
    keys.press("Enter")
    expect(more).to_have_attribute("open", "")
    keys.press("Tab")
    expect(page.get_by_label("Narrative")).to_be_focused()
    keys.type("Landlord says the mould is her fault. Employer owes two weeks of pay.")
    hispanic = page.get_by_role("checkbox", name="Hispanic/Latina/e/o")
    keys.tab_to(hispanic)
    keys.press("Space")
    expect(hispanic).to_be_checked()
    keys.tab_to(page.get_by_label("Preferred language"))
    keys.type("Spanish")
    keys.press("Tab")
    age = page.get_by_label("Age", exact=True)
    expect(age).to_be_focused()
    keys.type("25")
    expect(age).to_have_value("25-34")
    keys.press("Tab")
    expect(page.get_by_label("ZIP code")).to_be_focused()
    keys.type("11213")
    keys.press("Tab")
    expect(page.get_by_role("radio", name="Not asked")).to_be_focused()
    keys.press("ArrowRight", times=4)
    expect(page.get_by_role("radio", name="4", exact=True)).to_be_checked()
    keys.press("Tab")
    expect(page.get_by_label("The client's view of the root cause")).to_be_focused()
    keys.type("The building owner never fixes anything in our block.")
    keys.press("Tab")
    wants = page.get_by_role("checkbox", name=re.compile("wants to be involved"))
    expect(wants).to_be_focused()
    keys.press("Space")
    keys.press("Tab")
    consent = page.get_by_role("checkbox", name=re.compile("may be quoted"))
    expect(consent).to_be_focused()
    keys.press("Space")
    expect(wants).to_be_checked()
    expect(consent).to_be_checked()
    keys.press("Tab")
    expect(page.get_by_role("button", name="Save concern")).to_be_focused()
    keys.press("Enter")
    saved = page.get_by_role("status")
    expect(saved).to_contain_text("Saved.")
    expect(saved).to_contain_text("Black mould in the bedroom")
    expect(saved).not_to_contain_text("from this client")
    first_id = _saved_id(page)
    check_a11y(page, "caseworker-quick-log-saved")
    screenshot(page, "caseworker-quick-log-saved")

    # --- 2. The minimal concern, counted from landing on the form to "Saved." ----------------
    keys.count = 0
    expect(tag_field).to_be_focused()
    expect(program).to_have_value(data["program"])  # the last program is remembered
    keys.type(mould_name)
    keys.press("Enter")
    keys.press("Tab")
    keys.type("Leak over the kitchen sink")
    keys.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_role("status")).to_contain_text("Leak over the kitchen sink")
    minimal = keys.count
    line = f"KEYSTROKES minimal concern: {minimal} keys, 0 clicks"
    detail = (
        f"(landing on the form to 'Saved.': tag name '{mould_name}' typed in full + Enter, Tab, "
        f"a {len('Leak over the kitchen sink')}-character summary, Enter; program and date prefilled)"
    )
    print(f"\n{line} {detail}")
    KEYSTROKES_FILE.parent.mkdir(parents=True, exist_ok=True)
    KEYSTROKES_FILE.write_text(f"{line}\n{detail}\n")

    # --- 3. The same client again: the save says how often they came ------------------------
    expect(tag_field).to_be_focused()
    keys.type(wages_name)
    keys.press("Enter")
    keys.press("Tab")
    keys.type("Wages withheld again, second employer this year")
    keys.tab_to(page.get_by_label("Client reference"))
    keys.type(client)
    keys.press("Enter")
    saved = page.get_by_role("status")
    expect(saved).to_contain_text("Wages withheld again")
    expect(saved).to_contain_text("2nd concern from this client in 12 months.")

    # --- An invalid form: no tag and a 4-digit ZIP; errors at the fields, nothing lost -------
    formula = "=HYPERLINK(evil) tenant charged twice for repairs"
    page.get_by_label("Summary").fill(formula)
    page.get_by_label("Client reference").fill("walk-in 7")
    page.locator("details.more summary").click()
    page.get_by_label("ZIP code").fill("1121")
    page.get_by_role("checkbox", name="Black, African American, or African").check()
    page.get_by_role("button", name="Save concern").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the 2 fields")
    expect(page.get_by_text("Saved.")).to_have_count(0)  # the last save's callout does not linger
    for field, error_id, message in (
        (tag_field, "tag_text-error", "Choose at least one tag."),
        (page.get_by_label("ZIP code"), "zip-error", "Use a 5-digit ZIP code."),
    ):
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))
        expect(page.locator(f"#{error_id}")).to_be_visible()
        expect(page.locator(f"#{error_id}")).to_have_text(message)
    expect(page.locator("details.more")).to_have_attribute("open", "")  # the ZIP error is not hidden
    expect(page.get_by_label("Summary")).to_have_value(formula)
    expect(page.get_by_label("Client reference")).to_have_value("walk-in 7")
    expect(page.get_by_label("ZIP code")).to_have_value("1121")
    expect(page.get_by_role("checkbox", name="Black, African American, or African")).to_be_checked()
    expect(program).to_have_value(data["program"])
    check_a11y(page, "caseworker-quick-log-error")
    screenshot(page, "caseworker-quick-log-error")

    tag_field.fill(mould_name)
    tag_field.press("Enter")
    expect(chips).to_contain_text(mould_name)
    page.get_by_label("ZIP code").fill("11213")
    page.get_by_role("button", name="Save concern").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.get_by_role("status")).to_contain_text(formula)

    # --- The first concern's detail page -----------------------------------------------------
    page.goto(f"/concerns/{first_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Concern #{first_id}")
    facts = page.locator("main")
    expect(facts).to_contain_text("Hispanic/Latina/e/o")
    expect(facts).to_contain_text("11213")
    expect(facts).to_contain_text("4 of 5")
    expect(facts).to_contain_text("The building owner never fixes anything")
    expect(facts).to_contain_text("1 earlier concern in the 12 months before")
    check_a11y(page, "caseworker-concern-detail")
    screenshot(page, "caseworker-concern-detail")

    # --- Find them in the list with a filter, export them as CSV ----------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Concerns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My concerns")
    check_a11y(page, "caseworker-concern-list")
    filters = page.get_by_role("search", name="Filter concerns")
    filters.get_by_label("Tag").select_option(data["mould"])
    filters.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"[?&]tag={data['mould']}"))
    expect(page.locator("p.count")).to_contain_text("3 concerns match these filters.")
    table = page.get_by_role("table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    for text in ("Black mould in the bedroom", "Leak over the kitchen sink", formula):
        expect(table).to_contain_text(text)
    expect(table).not_to_contain_text("Wages withheld again")
    check_a11y(page, "caseworker-concern-list-filtered")
    screenshot(page, "caseworker-concern-list-filtered")

    # Words in the summary narrow it further.
    filters.get_by_label("Words in the summary").fill("kitchen")
    filters.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(table).to_contain_text("Leak over the kitchen sink")
    filters.get_by_label("Words in the summary").fill("")
    filters.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these as CSV").click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == "concerns.csv"
    with open(download.path(), newline="", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    header = list(exported[0].keys()) if exported else []
    for column in ("id", "occurred_on", "program", "tags", "summary", "race_ethnicity", "zip", "author"):
        assert column in header, header
    assert len(exported) == 3, exported
    by_summary = {r["summary"]: r for r in exported}
    assert set(by_summary) == {
        "Black mould in the bedroom, boss cut her hours after she asked for time off",
        "Leak over the kitchen sink",
        "'" + formula,  # neutralised: a spreadsheet shows it as text, never runs it
    }, list(by_summary)
    full = by_summary["Black mould in the bedroom, boss cut her hours after she asked for time off"]
    assert full["id"] == str(first_id)
    assert full["program"] == data["program"]
    assert set(full["tags"].split(";")) == {data["mould"], data["wages"]}
    assert full["race_ethnicity"] == "hispanic"
    assert full["zip"] == "11213"
    assert full["wants_involvement"] == "yes" and full["story_consent"] == "yes"
    assert all(r["author"] == "caseworker@e2e.caseflow.test" for r in exported)


def test_caseworker_pages_fit_a_phone(phone_page, login, assert_no_horizontal_scroll, check_a11y, screenshot):
    page = phone_page
    login(page, "caseworker")
    expect(page).to_have_url(re.compile(r"/log$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a concern")
    assert_no_horizontal_scroll(page)
    screenshot(page, "caseworker-phone-quick-log")

    if page.locator("details.more").get_attribute("open") is None:  # open when last used (remembered)
        page.locator("details.more summary").click()
    expect(page.locator("details.more")).to_have_attribute("open", "")
    expect(page.get_by_label("ZIP code")).to_be_visible()
    assert_no_horizontal_scroll(page)
    check_a11y(page, "caseworker-phone-quick-log-open")
    screenshot(page, "caseworker-phone-quick-log-open")

    page.goto("/concerns")
    expect(page.get_by_role("heading", level=1)).to_have_text("My concerns")
    assert_no_horizontal_scroll(page)
    check_a11y(page, "caseworker-phone-concern-list")
    screenshot(page, "caseworker-phone-concern-list")


# --- The loop closes: from the inbox to the campaign, and the follow-ups a caseworker owns --------


def _campaign_from_my_concerns(api, unique, title: str) -> dict:
    """Five concerns by the caseworker (API), promoted by the organizer, moved and acted on."""
    data = _setup(api, unique)
    for i in range(5):
        body = {
            "program": data["program"],
            "tags": [data["mould"]],
            "summary": f"Mould in flat {i} {unique('s')}",
            "client_ref": unique("ref"),
            "narrative": "PRIVATE narrative nobody else should read",
        }
        status, created = api("POST", "/api/v1/concerns", body, role="caseworker")
        assert status == 201, created
    status, campaign = api(
        "POST", "/api/v1/campaigns", {"title": title, "pattern_keys": [f"tag:{data['mould']}"]}, role="organizer"
    )
    assert status == 201, campaign
    version = campaign["version"]
    for step, note in (("awareness", "Mapping who owns the buildings"), ("vision", "Tenants wrote the vision")):
        status, campaign = api(
            "POST",
            f"/api/v1/campaigns/{campaign['id']}/step",
            {"step": step, "note": note, "version": version},
            role="organizer",
        )
        assert status == 200, campaign
        version = campaign["version"]
    status, action = api(
        "POST",
        f"/api/v1/campaigns/{campaign['id']}/actions",
        {
            "kind": "rally",
            "occurred_on": "2026-01-15",
            "title": "Rally at the housing office",
            "constituent_participants": 42,
            "outcome": "The commissioner agreed to inspect 30 buildings",
            "version": version,
        },
        role="organizer",
    )
    assert status == 201, action
    return data | {"campaign_id": campaign["id"]}


def test_caseworker_opens_the_campaign_their_concerns_became(page, login, api, check_a11y, screenshot, unique):
    title = f"Dry homes {unique('c')}"
    data = _campaign_from_my_concerns(api, unique, title)
    login(page, "caseworker")
    page.get_by_role("link", name=re.compile(r"^Inbox")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    # Created, then moved twice in a minute: one notification, updated, not three.
    card = page.locator(".inbox li").filter(has_text=title)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("3 updates that day")
    expect(card).to_contain_text("new")
    check_a11y(page, "caseworker-inbox")
    screenshot(page, "caseworker-inbox")

    card.get_by_role("button", name=re.compile(r"^Open")).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{data['campaign_id']}/about$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    main = page.locator("main")
    expect(main).to_contain_text("Now in")
    expect(main).to_contain_text("Vision")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Tenants wrote the vision")
    expect(timeline).to_contain_text("Mapping who owns the buildings")
    actions = page.get_by_role("table")
    expect(actions).to_contain_text("Rally at the housing office")
    expect(actions).to_contain_text("The commissioner agreed to inspect 30 buildings")
    expect(main).to_contain_text("5 concerns logged by staff are this campaign's evidence; 5 of them are yours")
    expect(main).not_to_contain_text("PRIVATE narrative")
    check_a11y(page, "caseworker-campaign-read-only")
    screenshot(page, "caseworker-campaign-read-only")

    # Opened is read: back in the inbox the card has no "new" badge.
    page.go_back()
    page.reload()
    expect(page.locator(".inbox li").filter(has_text=title).locator(".badge.up")).to_have_count(0)


def test_caseworker_completes_the_follow_up_they_own_from_the_reminder(
    browser, base_url, page, login, api, flask_cli, app_today, check_a11y, screenshot, unique
):
    from datetime import timedelta

    title = f"Repairs now {unique('c')}"
    data = _campaign_from_my_concerns(api, unique, title)
    description = f"Call the inspector about block {unique('b')}"
    # The organizer gives the caseworker a follow-up, already overdue.
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    organizer_page = context.new_page()
    login(organizer_page, "organizer")
    organizer_page.goto(f"/campaigns/{data['campaign_id']}/action")
    form = organizer_page.locator("form[action$='/follow-ups']")
    form.get_by_label("Follow-up", exact=True).fill(description)
    form.get_by_label("Owner").select_option(label="E2E Caseworker")
    form.get_by_label("Due").fill((app_today - timedelta(days=5)).isoformat())  # the server's clock
    form.get_by_role("button", name="Add follow-up").click()
    expect(organizer_page.locator("main")).to_contain_text(description)
    context.close()
    flask_cli("jobs", "run", "followup-reminders")

    login(page, "caseworker")
    page.goto("/inbox")
    reminder = page.locator(".inbox li").filter(has_text="Overdue since").filter(has_text=description)
    expect(reminder).to_have_count(1)
    reminder.get_by_role("button", name=re.compile(r"^Open")).click()
    expect(page).to_have_url(re.compile(r"/follow-ups/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your follow-up")
    expect(page.locator("main")).to_contain_text(description)
    expect(page.locator("main")).to_contain_text("overdue")
    check_a11y(page, "caseworker-follow-up")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("status")).to_contain_text("Follow-up marked done")
    expect(page.locator("main")).to_contain_text("Done ")
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)
    check_a11y(page, "caseworker-follow-up-done")
    screenshot(page, "caseworker-follow-up-done")


# --- Finding and fixing their own work ----------------------------------------------------------


def test_caseworker_finds_a_clients_concerns_and_retracts_a_mistake(page, login, api, check_a11y, screenshot, unique):
    data = _setup(api, unique)
    client = unique("case")
    ids = []
    for summary, day in (("Heating off all winter", "2026-01-10"), ("Heating off again", "2026-02-10")):
        body = {"program": data["program"], "tags": [data["mould"]], "summary": f"{summary} {client}"}
        status, created = api(
            "POST", "/api/v1/concerns", body | {"client_ref": client, "occurred_on": day}, role="caseworker"
        )
        assert status == 201, created
        ids.append(created["id"])

    login(page, "caseworker")
    page.goto("/concerns")
    page.get_by_role("link", name="Find a client's concerns by their reference").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a client's concerns")
    search = page.get_by_role("search", name="Find a client's concerns")
    search.get_by_role("button", name="Find").click()  # empty: an error at the field
    expect(page.locator("#client_ref-error")).to_be_visible()
    expect(page.get_by_label("Client reference")).to_have_attribute("aria-invalid", "true")
    check_a11y(page, "caseworker-client-search-error")
    page.get_by_label("Client reference").fill(f"  {client.upper()} ")  # case and spaces do not matter
    page.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"/concerns/by-client$"))  # the reference is in no address
    expect(page.get_by_role("heading", level=2)).to_have_text("2 concerns from this client")
    check_a11y(page, "caseworker-client-search")
    screenshot(page, "caseworker-client-search")

    page.get_by_role("link", name=re.compile("Heating off again")).click()
    earlier = page.get_by_role("region", name="This client's earlier concerns that you logged")
    expect(earlier.get_by_role("link")).to_have_count(1)
    expect(earlier).to_contain_text("Heating off all winter")
    check_a11y(page, "caseworker-concern-earlier")

    # Logged by mistake a minute ago: retract it, with a reason.
    page.get_by_role("link", name="Retract…").click()
    page.get_by_role("button", name="Retract concern").click()
    expect(page.locator("#reason-error")).to_have_text("Say why you are retracting this concern.")
    check_a11y(page, "caseworker-retract-error")
    page.get_by_label("Why are you retracting it?").fill("Logged under the wrong client")
    page.get_by_role("button", name="Retract concern").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Concern #{ids[1]} retracted.")
    expect(page.get_by_role("table")).not_to_contain_text(f"Heating off again {client}")
    assert page.request.get(f"/concerns/{ids[1]}").status == 404


# --- Quick log: the tag box ---------------------------------------------------------------------


def test_enter_in_the_tag_box_takes_the_highlighted_tag_and_never_submits(
    page, login, api, check_a11y, screenshot, unique
):
    data = _setup(api, unique)
    mould_name, wages_name = data["names"][data["mould"]], data["names"][data["wages"]]
    login(page, "caseworker")
    expect(page).to_have_url(re.compile(r"/log$"))
    tag_field = page.get_by_role("combobox", name="Tags")
    expect(tag_field).to_be_focused()
    expect(tag_field).to_have_attribute("aria-required", "true")
    chips = page.get_by_role("list", name="Chosen tags")
    page.get_by_label("Summary").fill("Half-typed tags")

    tag_field.press_sequentially(mould_name[:4])  # "Moul": half a name
    suggestions = page.get_by_role("listbox", name="Matching tags")
    expect(suggestions).to_be_visible()
    expect(tag_field).to_have_attribute("aria-expanded", "true")
    highlighted = suggestions.locator('[role="option"][aria-selected="true"]')
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_have_id(re.compile(r"-0$"))  # the first suggestion, at once
    expect(tag_field).to_have_attribute("aria-activedescendant", highlighted.get_attribute("id"))

    def name_of(option) -> str:  # the tag's name, without the category shown beside it
        return option.evaluate("el => el.firstChild.textContent")

    picked = name_of(highlighted)
    assert picked.lower().startswith(mould_name[:4].lower()), picked
    check_a11y(page, "caseworker-tag-suggestions")
    screenshot(page, "caseworker-tag-suggestions")
    tag_field.press("Enter")
    expect(chips.get_by_role("listitem")).to_have_count(1)
    expect(chips).to_contain_text(picked)
    expect(tag_field).to_have_value("")
    expect(page).to_have_url(re.compile(r"/log$"))  # not submitted
    expect(page.get_by_role("alert")).to_have_count(0)

    # Arrow keys move the highlight; Enter takes the highlighted one.
    tag_field.press_sequentially(wages_name[:3])
    expect(suggestions).to_be_visible()
    for _ in range(8):
        if name_of(highlighted) == wages_name:
            break
        tag_field.press("ArrowDown")
    assert name_of(highlighted) == wages_name
    tag_field.press("Enter")
    expect(chips.get_by_role("listitem")).to_have_count(2)
    expect(chips).to_contain_text(wages_name)

    # Nothing matches: Enter still does not submit.
    tag_field.press_sequentially("zzqx")
    tag_field.press("Enter")
    expect(page).to_have_url(re.compile(r"/log$"))
    expect(page.get_by_text("Saved.")).to_have_count(0)

    # Submitted anyway with an unknown tag: "did you mean" at the field, what was typed kept.
    tag_field.fill(mould_name[:-1] + "x")
    page.get_by_role("button", name="Save concern").click()
    error = page.locator("#tag_text-error")
    expect(error).to_contain_text("Did you mean")
    expect(error).to_contain_text(mould_name)
    expect(page.get_by_label("Summary")).to_have_value("Half-typed tags")
    check_a11y(page, "caseworker-tag-did-you-mean")
    screenshot(page, "caseworker-tag-did-you-mean")


# --- Phone (375 px): a folded menu, tables that scroll inside themselves, readable charts --------

_LAYOUT = """() => {
  const vw = document.documentElement.clientWidth;
  const tables = Array.from(document.querySelectorAll("main table")).map((t) => {
    const box = t.closest(".table-wrap");
    const r = box ? box.getBoundingClientRect() : t.getBoundingClientRect();
    return {wrapped: !!box, overflow: box ? getComputedStyle(box).overflowX : "", left: r.left, right: r.right,
            scrolls: box ? box.scrollWidth > box.clientWidth : false, focusable: box ? box.tabIndex >= 0 : false};
  });
  const charts = Array.from(document.querySelectorAll("svg.chart")).map((svg) => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = Array.from(svg.querySelectorAll("text")).filter((t) => t.textContent.trim())
      .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    const box = svg.parentElement.getBoundingClientRect();
    return {smallest: Math.min(...sizes), right: box.right, texts: sizes.length};
  });
  return {vw, tables, charts};
}"""


def _assert_fits_a_phone(page, assert_no_horizontal_scroll) -> dict:
    assert_no_horizontal_scroll(page)
    layout = page.evaluate(_LAYOUT)
    for t in layout["tables"]:
        assert t["wrapped"] and t["overflow"] in ("auto", "scroll"), t  # scrolls inside itself…
        assert t["left"] >= -0.5 and t["right"] <= layout["vw"] + 0.5, t  # …and its box is on screen
        assert t["focusable"] or not t["scrolls"], t  # a box that scrolls can be scrolled by keyboard
    for c in layout["charts"]:
        assert c["texts"] == 0 or c["smallest"] >= 10.99, c  # chart text never below 11 px
        assert c["right"] <= layout["vw"] + 0.5, c
    return layout


def test_caseworker_pages_on_a_phone_menu_tables_charts(
    phone_page, login, api, assert_no_horizontal_scroll, check_a11y, screenshot, unique
):
    title = f"Phone check {unique('c')}"
    data = _campaign_from_my_concerns(api, unique, title)
    page = phone_page
    login(page, "caseworker")
    header = page.locator("header.site-header")
    menu_button = page.get_by_role("button", name=re.compile(r"^Menu"))
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    height = header.bounding_box()["height"]
    assert height <= 64, f"the header takes {height}px on a phone"
    check_a11y(page, "caseworker-phone-menu-closed")
    screenshot(page, "caseworker-phone-menu-closed")
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Concerns")).to_be_visible()
    check_a11y(page, "caseworker-phone-menu-open")
    screenshot(page, "caseworker-phone-menu-open")
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()
    menu_button.click()
    nav.get_by_role("link", name="Concerns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My concerns")
    expect(page.get_by_role("button", name=re.compile(r"^Menu"))).to_have_attribute("aria-expanded", "false")

    pages = {
        "concerns": "/concerns",
        "patterns": "/patterns/",
        "pattern": f"/patterns/detail?key=tag:{data['mould']}",
        "equity": "/patterns/equity",
        "campaign": f"/campaigns/{data['campaign_id']}/about",
        "inbox": "/inbox",
    }
    seen_tables = seen_charts = 0
    for name, path in pages.items():
        page.goto(path)
        layout = _assert_fits_a_phone(page, assert_no_horizontal_scroll)
        seen_tables += len(layout["tables"])
        seen_charts += len(layout["charts"])
        check_a11y(page, f"caseworker-phone-{name}")
        screenshot(page, f"caseworker-phone-{name}")
    assert seen_tables >= 4 and seen_charts >= 2, (seen_tables, seen_charts)


def test_after_a_day_the_author_asks_a_director_who_declines(
    browser, base_url, live_server, page, login, api, check_a11y, screenshot, unique
):
    import sqlite3

    data = _setup(api, unique)
    summary = f"Logged twice by mistake {unique('d')}"
    status, created = api(
        "POST",
        "/api/v1/concerns",
        {"program": data["program"], "tags": [data["mould"]], "summary": summary},
        role="caseworker",
    )
    assert status == 201, created
    # Two days old: past the author's own 24-hour retraction.
    with sqlite3.connect(live_server.env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        db.execute("UPDATE concerns SET created_at = datetime('now', '-2 days') WHERE id = ?", (created["id"],))

    login(page, "caseworker")
    page.goto(f"/concerns/{created['id']}")
    expect(page.get_by_role("link", name="Retract…")).to_have_count(0)
    page.get_by_role("link", name="Ask to delete…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Withdraw concern #{created['id']}")
    page.get_by_role("button", name="Ask a director to delete it").click()
    expect(page.locator("#reason-error")).to_have_text("Say why it should be deleted.")
    check_a11y(page, "caseworker-ask-deletion-error")
    page.get_by_label("Why should it be deleted?").fill("The same visit is logged as the concern before it")
    page.get_by_role("button", name="Ask a director to delete it").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request is with the directors")
    expect(page.locator("main")).to_contain_text("You asked a director to delete this concern")

    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    director = context.new_page()
    login(director, "director")
    director.goto("/inbox")
    card = director.locator(".inbox li").filter(has_text=f"delete concern #{created['id']}")
    expect(card).to_have_count(1)
    card.get_by_role("button", name=re.compile(r"^Open")).click()
    expect(director).to_have_url(re.compile(rf"/concerns/{created['id']}/delete$"))
    expect(director.locator("main")).to_contain_text("The same visit is logged as the concern before it")
    check_a11y(director, "director-deletion-request")
    screenshot(director, "director-deletion-request")
    director.get_by_role("button", name="Decline: keep the concern").click()
    expect(director.get_by_role("status").first).to_contain_text("Request declined")
    context.close()

    page.goto("/inbox")
    told = page.locator(".inbox li").filter(has_text=f"delete concern #{created['id']} was declined")
    expect(told).to_have_count(1)
    told.get_by_role("button", name=re.compile(r"^Open")).click()
    expect(page).to_have_url(re.compile(rf"/concerns/{created['id']}$"))
    expect(page.locator("main")).to_contain_text(summary)
