"""A director opens a common measure, sees the gap between groups narrowing, and downloads the
board's progress report (PDF) of the last signed-off quarter: checked by extracting its text.

Runs on the demo organisation (`flask seed-demo`): the heat campaign's "days from complaint to
inspection" by race/ethnicity over six quarters, a gap that narrows; the benefits campaign's
"days to a decision" by language, a gap that widens. The report's first page is kept in
test-artifacts/ (the PDF, and a PNG when poppler's pdftoppm is installed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, _flask
from tests.test_measures import pdf_text

HEAT = "Median days from heat complaint to inspection"
BENEFITS = "Median days to a benefits decision"
REPORT_DIR = ARTIFACTS.parent  # test-artifacts/


def _last_quarter(today: date) -> str:
    index = (today.year * 12 + today.month - 1) // 3 - 1  # calendar quarters (the demo's fiscal year)
    return f"{index // 4}-Q{index % 4 + 1}"


def test_director_sees_the_gap_narrowing_and_downloads_the_progress_report(
    demo_page, demo_server, login, check_a11y, screenshot, assert_no_horizontal_scroll
):
    page = demo_page
    today = date.fromisoformat(json.loads(_flask(demo_server.env, "clock"))["today"])
    quarter = _last_quarter(today)
    login(page, "director")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Measures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Common measures")
    check_a11y(page, "measures-library")
    page.get_by_role("link", name=HEAT, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HEAT)
    page.get_by_role("navigation", name="Whose values").get_by_role("link", name="Heat is a right").click()
    verdict = page.locator("#gap-verdict")
    expect(verdict.locator(".gap-verdict")).to_have_text("narrowing")
    expect(verdict).to_contain_text("Black, African American, or African")
    gap_rows = page.locator("#gap-table tbody tr")
    expect(gap_rows).to_have_count(6)  # six quarters
    gaps = [float(t) for t in gap_rows.locator("td.num").all_inner_texts()]
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < gaps[0]  # narrowing, quarter after quarter
    expect(page.locator("svg.chart-series")).to_contain_text("Baseline 21")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    check_a11y(page, "measures-heat-gap")
    screenshot(page, "measures-heat-gap")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The widening one reads widening.
    page.goto("/measures/")
    page.get_by_role("link", name=BENEFITS, exact=True).click()
    page.get_by_role("navigation", name="Whose values").get_by_role("link", name="Benefits without the wait").click()
    expect(page.locator("#gap-verdict .gap-verdict")).to_have_text("widening")

    # The quarterly summary's measures, and the board's report.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quarterly summaries").click()
    page.get_by_role("link", name=quarter, exact=True).first.click()
    section = page.get_by_role("region", name="Measures: is the gap narrowing?")
    expect(section).to_contain_text(HEAT)
    expect(section).to_contain_text("narrowing")
    check_a11y(page, "measures-summary-section")
    section.scroll_into_view_if_needed()
    screenshot(page, "measures-summary-section", full_page=False)
    with page.expect_download() as download:
        section.get_by_role("link", name="PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    pages = pdf_text(pdf)

    assert f"Progress report, {quarter}" in pages[0] and "Signed off by Dana Director" in pages[0]
    campaigns = {p.splitlines()[0]: p for p in pages[1:]}
    assert set(campaigns) >= {
        "Heat is a right: Flatbush winter repairs",
        "Benefits without the wait",
        "Pay what's owed: Sunset Park warehouse wage theft",
    }
    heat = campaigns["Heat is a right: Flatbush winter repairs"]
    for name in (HEAT, "Heat complaints per 1,000 units in 11226", "Tenants active in building committees"):
        assert name in heat, name
    assert re.search(r"Gap between groups by race and ethnicity: 3 on \S+, from 18 on \S+: narrowing", heat)
    assert BENEFITS in campaigns["Benefits without the wait"] and "widening" in campaigns["Benefits without the wait"]

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    target = REPORT_DIR / f"measures-progress-report-{quarter}.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(target),
                str(target.with_suffix("")),
            ],
            check=True,
        )
        assert target.with_suffix(".png").stat().st_size > 10_000
