"""The director's journey in a real browser: last quarter's reflection summary, read against the
quarter before, commentary written (once too long, refused at the field), signed off after a
confirmation (it becomes read-only), and the print view, which prints on A4 and Letter without the
site's navigation."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PREFIX = "director"


def _quarter(day: date) -> tuple[str, date, date]:
    """The calendar quarter holding `day` (the server's fiscal year starts in January): label, start, end."""
    n = (day.month - 1) // 3
    start = date(day.year, 3 * n + 1, 1)
    following = date(day.year + (n == 3), (3 * n + 3) % 12 + 1, 1)
    return f"{day.year}-Q{n + 1}", start, following - timedelta(days=1)


def _previous(q: tuple[str, date, date]) -> tuple[str, date, date]:
    return _quarter(q[1] - timedelta(days=1))


@pytest.fixture(scope="module")
def quarters(api, flask_cli, app_today):
    """Concerns and an action in last quarter and the one before, then both quarters' summaries built.

    A summary is a snapshot, immutable once built, so the data goes in first. Other journeys share
    the database, so the exact concern totals are read through the API just before the build."""

    def unique(prefix: str) -> str:
        return f"{prefix}-{secrets.token_hex(3)}"

    last = _previous(_quarter(app_today))
    before = _previous(last)
    program, tag = unique("board-report"), unique("rent-hikes")
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Board report {program[-6:]}"})[0] == 201
    status, body = api("POST", "/api/v1/tags", {"slug": tag, "name": f"Rent hikes {tag[-6:]}", "category": "Housing"})
    assert status == 201, body

    planted = {}
    for (label, start, _end), count, involved in ((last, 9, 4), (before, 5, 1)):
        for i in range(count):
            concern = {
                "program": program,
                "tags": [tag],
                "summary": f"Rent raised twice this year ({label}, {i + 1})",
                "occurred_on": (start + timedelta(days=3 + 7 * i)).isoformat(),
                "zip": "60623",
                "client_ref": unique("tenant"),
                "race_ethnicity": ["hispanic"],
                "wants_involvement": i < involved,
            }
            status, body = api("POST", "/api/v1/concerns", concern, role="caseworker")
            assert status == 201, body
        planted[label] = {"concerns": count, "clients": count, "involved": involved}

    # An organizing action last quarter, so the participation rows have something to count.
    status, campaign = api(
        "POST",
        "/api/v1/campaigns",
        {"title": f"Rent stabilisation {tag[-6:]}", "pattern_keys": [f"tag:{tag}"]},
        role="organizer",
    )
    assert status == 201, campaign
    action = {
        "kind": "testimony",
        "occurred_on": (last[1] + timedelta(days=20)).isoformat(),
        "title": "Testimony at the rent board",
        "staff_participants": 2,
        "constituent_participants": 17,
    }
    status, body = api("POST", f"/api/v1/campaigns/{campaign['id']}/actions", action, role="organizer")
    assert status == 201, body
    # New leaders are not typed: they are who spoke for the first time, from the action's attendance.
    leaders = []
    for i in range(3):
        status, person = api(
            "POST",
            "/api/v1/people",
            {"consent": True, "name": f"Leader {i} {tag[-6:]}", "phone": f"718-555-02{i:02d}"},
            role="organizer",
        )
        assert status == 201, person
        leaders.append({"person_id": person["id"], "status": "spoke"})
    status, came = api("POST", f"/api/v1/actions/{body['id']}/attendance", {"people": leaders}, role="organizer")
    assert status == 200 and came["people_came"] == 3, came
    planted[last[0]] |= {"actions": 1, "constituents": 17, "new_leaders": 3}

    totals = {}
    for label, start, end in (last, before):
        status, body = api(
            "GET", f"/api/v1/concerns?since={start.isoformat()}&until={end.isoformat()}", role="director"
        )
        assert status == 200, body
        totals[label] = body["total"]
    for label, *_ in (before, last):
        out = flask_cli("jobs", "run", "quarterly-summary", "--quarter", label)
        assert f"'quarter': '{label}'" in out, out
    return {"last": last[0], "before": before[0], "planted": planted, "totals": totals}


def _row(table, label: str) -> list[str]:
    return table.get_by_role("row", name=re.compile("^" + re.escape(label))).get_by_role("cell").all_inner_texts()


def _n(text: str) -> int:
    return int(text.replace(",", ""))


def test_director_signs_off_last_quarter(page, login, quarters, check_a11y, screenshot):
    last, before = quarters["last"], quarters["before"]
    mine = quarters["planted"]
    login(page, "director")

    # The list of quarters: both summaries built, drafts awaiting sign-off.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quarterly summaries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly reflection summaries")
    listing = page.get_by_role("table", name="Quarters and their state")
    for label in (last, before):
        expect(listing.get_by_role("row", name=re.compile(label))).to_contain_text("draft")
    check_a11y(page, f"{PREFIX}-summaries")
    screenshot(page, f"{PREFIX}-summaries")

    listing.get_by_role("link", name=last, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/summaries/{last}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reflection summary, {last}")
    expect(page.locator("p.lead")).to_contain_text("Draft awaiting the director's sign-off")

    # The comparison with the quarter before: exact concern totals, and at least what was planted.
    expect(page.get_by_role("heading", level=2, name=f"Against last quarter ({before})")).to_be_visible()
    comparison = page.get_by_role("table", name="This quarter compared with the last")
    expect(comparison.get_by_role("columnheader")).to_have_text(["Measure", last, before, "Change"])
    this, prev, change = _row(comparison, "Concerns logged")
    assert (_n(this), _n(prev)) == (quarters["totals"][last], quarters["totals"][before]), (this, prev)
    difference = quarters["totals"][last] - quarters["totals"][before]
    assert change == ("no change" if difference == 0 else f"{'+' if difference > 0 else '−'}{abs(difference):,}")
    assert _n(this) >= mine[last]["concerns"] and _n(prev) >= mine[before]["concerns"]
    this, prev, _ = _row(comparison, "Distinct clients (with a reference)")
    assert _n(this) >= mine[last]["clients"] and _n(prev) >= mine[before]["clients"], (this, prev)
    this, prev, _ = _row(comparison, "Clients wanting to get involved")
    assert _n(this) >= mine[last]["involved"] and _n(prev) >= mine[before]["involved"], (this, prev)
    for label, key in (("Organizing actions", "actions"), ("Constituent participants", "constituents")):
        this, _, _ = _row(comparison, label)
        assert _n(this) >= mine[last][key], (label, this)
    # New leaders are people: published by the disclosure policy, a small count shows as "<11".
    this, _, _ = _row(comparison, "New constituent leaders")
    assert this == "<11" or _n(this) >= mine[last]["new_leaders"] - 2, this
    # One figure per finding; its table one click away.
    category_table = page.get_by_role("table", name="Concerns by issue category")
    expect(category_table).to_be_hidden()
    page.get_by_text("Table: concerns by issue category").click()
    expect(category_table).to_contain_text("Housing")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.locator("p.built-at")).to_contain_text("Built ")
    check_a11y(page, f"{PREFIX}-summary-draft")
    screenshot(page, f"{PREFIX}-summary-draft")

    # Commentary. A deputy saves a note in another tab meanwhile: the director's save is refused at
    # the field with the text kept, and saving again (after review) goes through.
    box = page.get_by_role("textbox", name="Director's commentary")
    commentary = (
        f"Concerns moved from {quarters['totals'][before]} to {quarters['totals'][last]}. "
        "Rent hikes drove the rise; the rent board heard 17 tenants."
    )
    box.fill(commentary)
    other = page.context.new_page()
    other.goto(f"/summaries/{last}")
    other.get_by_role("textbox", name="Director's commentary").fill("Draft note from the deputy")
    other.get_by_role("button", name="Save commentary").click()
    expect(other.get_by_role("status")).to_contain_text("Commentary saved.")
    other.close()
    page.get_by_role("button", name="Save commentary").click()
    expect(page.locator("#commentary-error")).to_contain_text("Someone else saved this summary while you were writing.")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value(commentary)
    check_a11y(page, f"{PREFIX}-summary-commentary-conflict")
    screenshot(page, f"{PREFIX}-summary-commentary-conflict")
    page.get_by_role("button", name="Save commentary").click()
    expect(page.get_by_role("status")).to_contain_text("Commentary saved.")
    expect(box).to_have_value(commentary)

    # Sign-off asks first: cancelled, nothing happens; accepted, the summary is read-only.
    sign = page.get_by_role("button", name=f"Sign off {last}")
    page.once("dialog", lambda d: d.dismiss())
    sign.click()
    expect(page.locator("p.lead")).to_contain_text("Draft")
    expect(sign).to_be_visible()
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    sign.click()
    expect(page.get_by_role("status")).to_contain_text(f"{last} signed off. The summary is now read-only.")
    assert messages == [f"Sign off {last}? The summary is counted again now and becomes read-only."], messages
    lead = page.locator("p.lead")
    expect(lead).to_contain_text("Signed off by E2E Director")
    # Counted again at sign-off: the built-at time (in the organisation's zone) is the signing time.
    signed_at = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d \w+)", lead.inner_text()).group(1)
    expect(page.locator("p.built-at")).to_have_text(f"Built {signed_at}.")
    expect(lead.locator("strong")).to_have_text("Signed off")
    section = page.get_by_role("region", name="Director's commentary")
    expect(section.locator(".commentary")).to_have_text(commentary)
    expect(section.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Save commentary")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Sign off"))).to_have_count(0)
    check_a11y(page, f"{PREFIX}-summary-signed-off")
    screenshot(page, f"{PREFIX}-summary-signed-off")

    # The CSV of the comparison carries the same figures.
    with page.expect_download() as download:
        page.get_by_role("region", name=re.compile("Against last quarter")).get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0] == f"measure,{last},{before},change"
    assert f"Concerns logged,{quarters['totals'][last]},{quarters['totals'][before]}," in text

    # The board's PDF of the signed summary, made by the server.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and 1 <= len(re.findall(rb"/Type /Page[^s]", pdf)) <= 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{PREFIX}-summary-{last}-board.pdf").write_bytes(pdf)

    page.get_by_role("link", name="All quarters").click()
    expect(
        page.get_by_role("table", name="Quarters and their state").get_by_role("row", name=re.compile(last))
    ).to_contain_text("signed off")

    # The print view: the print stylesheet is linked; on paper the navigation and forms go.
    page.goto(f"/summaries/{last}")
    page.get_by_role("link", name="Print view").click()
    expect(page).to_have_url(re.compile(rf"/summaries/{last}/print$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reflection summary, {last}")
    expect(page.get_by_role("table", name="This quarter compared with the last")).to_be_visible()
    expect(page.get_by_role("region", name="Director's commentary")).to_contain_text(commentary)
    expect(page.get_by_role("link", name="CSV")).to_have_count(0)
    sheet = page.locator('link[rel="stylesheet"][media="print"]')
    expect(sheet).to_have_count(1)
    response = page.request.get(sheet.get_attribute("href"))
    assert response.ok and ".site-header nav" in response.text()
    check_a11y(page, f"{PREFIX}-summary-print")
    screenshot(page, f"{PREFIX}-summary-print")

    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.locator("footer.site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("table", name="This quarter compared with the last")).to_be_visible()
    screenshot(page, f"{PREFIX}-summary-print-media")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for paper in ("A4", "Letter"):
        path = ARTIFACTS / f"{PREFIX}-summary-{last}-{paper}.pdf"
        page.pdf(path=str(path), format=paper, print_background=True)
        data = path.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 10_000, (paper, len(data))
        pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
        assert 1 <= pages <= 3, (paper, pages)


def test_director_cannot_sign_off_a_quarter_that_is_not_over(page, login, app_today, check_a11y, screenshot):
    """This quarter's summary can be built to look at, "so far" against the same days of the last,
    but not signed off until the quarter is over."""
    current = _quarter(app_today)[0]
    login(page, "director")
    page.goto("/summaries")
    page.get_by_label("Quarter").fill(current)
    page.get_by_role("button", name="Build").click()
    expect(page).to_have_url(re.compile(rf"/summaries/{current}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reflection summary, {current} so far")
    expect(page.get_by_role("heading", level=2, name=re.compile("So far against the same days"))).to_be_visible()
    comparison = page.get_by_role("table", name=re.compile("This quarter compared with the last, over the same days"))
    expect(comparison.get_by_role("columnheader").nth(1)).to_have_text(f"{current} so far")
    expect(page.get_by_role("button", name=re.compile("^Sign off"))).to_have_count(0)
    expect(page.locator("#sign-off-refusal")).to_contain_text(f"{current} is not over yet")
    check_a11y(page, f"{PREFIX}-summary-so-far")
    screenshot(page, f"{PREFIX}-summary-so-far")


def test_everyone_takes_the_self_assessment_and_anonymous_stays_anonymous(page, login, check_a11y, screenshot):
    login(page, "caseworker")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Self-assessment").click()
    expect(page.locator("#answered-status")).to_have_text("You have not answered yet.")
    expect(page.get_by_role("table", name="By role: responses and average across all items")).to_be_visible()
    check_a11y(page, "self-assessment-caseworker")
    form = page.locator("form.self-assessment")
    for group in form.locator("fieldset").all():
        group.get_by_label("Developing").check()
    page.get_by_label("Answer anonymously").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")
    expect(page.locator("#answered-status")).to_contain_text("You answered for")
    expect(page.locator("form.self-assessment")).to_have_count(0)
    check_a11y(page, "self-assessment-answered")
    screenshot(page, "self-assessment-answered")


def test_the_demo_quarter_prints_on_four_pages(demo_page, demo_server, login, check_a11y, screenshot):
    """The demo's signed-off quarter on paper: figures, findings and the common measures' progress,
    at most four pages on A4 and Letter."""
    page = login(demo_page, "director")
    page.goto("/summaries")
    signed = page.get_by_role("table", name="Quarters and their state").get_by_role(
        "row", name=re.compile("signed off")
    )
    label = signed.first.get_by_role("link").inner_text()
    page.goto(f"/summaries/{label}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reflection summary, {label}")
    check_a11y(page, f"{PREFIX}-demo-summary")
    screenshot(page, f"{PREFIX}-demo-summary")
    page.emulate_media(media="print")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for paper in ("A4", "Letter"):
        path = ARTIFACTS / f"{PREFIX}-demo-summary-{label}-{paper}.pdf"
        page.pdf(path=str(path), format=paper, print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))
        assert 1 <= pages <= 4, (paper, pages)
    with page.expect_download() as download:
        page.emulate_media(media="screen")
        page.get_by_role("link", name="Download PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    (ARTIFACTS / f"{PREFIX}-demo-summary-{label}-board.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and 1 <= len(re.findall(rb"/Type /Page[^s]", pdf)) <= 4
