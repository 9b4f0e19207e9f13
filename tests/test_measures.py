"""Common measures: the library, dated values that are never overwritten (the 409 rule),
derived measures equal to a hand count, the progress and gap views, the CSV import, the API, and
the quarterly summary's board report showing the same numbers as the measure pages."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from caseflow.equity.policy import exact, leaving
from caseflow.measures import derived, progress, services
from caseflow.measures.services import AlreadyRecorded
from caseflow.models import Campaign, CampaignEvidence, CampaignMeasure, Measure, MeasureValue, QuarterlySummary

HEAT = "Median days from heat complaint to inspection"


def html(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(body: bytes) -> list[str]:
    """The text of each page of a PDF from caseflow.pdf: every string shown (Tj) in its content stream."""
    pages = []
    for stream in re.finditer(rb"stream\n(.*?)\nendstream", body, re.S):
        content = zlib.decompress(stream.group(1))
        strings = re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", content)
        text = [re.sub(rb"\\(.)", rb"\1", s).decode("cp1252") for s in strings]
        pages.append("\n".join(text))
    return pages


@pytest.fixture
def director(make_user):
    return make_user("director", name="Dana Director")


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", name="Olu Organizer")


@pytest.fixture
def heat(db, director, organizer):
    """A campaign tracking the heat measure by race/ethnicity, with a baseline and a target."""
    campaign = Campaign(title="Heat is a right", lead=organizer, created_at=datetime(2025, 12, 1, tzinfo=UTC))
    db.session.add(campaign)
    measure = services.create_measure(
        director,
        {
            "name": HEAT,
            "unit": "days",
            "direction": "lower",
            "frequency": "quarterly",
            "breakdowns": ["race_ethnicity", "zip"],
        },
    )
    db.session.flush()
    db.session.add(
        CampaignMeasure(
            campaign_id=campaign.id,
            measure_id=measure.id,
            baseline=21,
            baseline_on=date(2025, 12, 31),
            target=2,
            target_on=date(2027, 12, 31),
        )
    )
    db.session.commit()
    return campaign, measure


def enter(measure, actor, on, value, group="", dimension=None, campaign=None, **more):
    raw = {
        "observed_on": on,
        "dimension": dimension or ("race_ethnicity" if group else "all"),
        "group": group,
        "value": str(value),
        "campaign": str(campaign.id) if campaign else "",
        **more,
    }
    return services.record_value(actor, measure, raw)


SERIES = {  # (date, everyone, black, hispanic, white): the gap narrows from 18 to 3
    "2025-12-31": (21, 30, 26, 12),
    "2026-03-31": (19, 27, 24, 11),
    "2026-06-30": (13, 17, 15, 9),
    "2026-09-30": (9, 10, 9, 7),
}


def enter_series(measure, actor, campaign):
    for on, (everyone, black, hispanic, white) in SERIES.items():
        enter(measure, actor, on, everyone, campaign=campaign)
        for group, value in (("black", black), ("hispanic", hispanic), ("white", white)):
            enter(measure, actor, on, value, group, campaign=campaign)


# --- History is never overwritten; the 409 rule --------------------------------------------------


def test_a_value_entered_twice_is_409_and_a_correction_keeps_the_history(db, clock, heat, organizer):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    first = enter(measure, organizer, "2026-09-30", 30, "black", campaign=campaign)
    db.session.commit()

    with pytest.raises(AlreadyRecorded) as refused:
        enter(measure, organizer, "2026-09-30", 28, "black", campaign=campaign)
    assert refused.value.status == 409 and "already recorded (30)" in refused.value.message
    db.session.rollback()
    # The same date and group organisation-wide is another observation, not a repeat.
    enter(measure, organizer, "2026-09-30", 25, "black")
    correction = enter(measure, organizer, "2026-09-30", 28, "black", campaign=campaign, corrects="yes")
    db.session.commit()

    assert (correction.revision, correction.corrects_id) == (2, first.id)
    stored = db.session.execute(
        select(MeasureValue.value, MeasureValue.revision)
        .where(MeasureValue.scope == f"c{campaign.id}")
        .order_by(MeasureValue.revision)
    ).all()
    assert stored == [(30.0, 1), (28.0, 2)]  # the first value is still there, unchanged
    assert [v.value for v in services.current_values(measure, f"c{campaign.id}")] == [28.0]
    assert [v.revision for v, _ in services.history(measure, f"c{campaign.id}")] == [2, 1]

    # A correction made from an old reading (revision 1) after someone corrected it: 409 too.
    with pytest.raises(AlreadyRecorded):
        enter(measure, organizer, "2026-09-30", 27, "black", campaign=campaign, corrects="yes", revision="1")
    db.session.rollback()
    # Correcting what was never recorded is a mistake in the input, not a conflict.
    with pytest.raises(services.DomainError) as nothing:
        enter(measure, organizer, "2026-06-30", 27, "black", campaign=campaign, corrects="yes")
    assert nothing.value.status == 422
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 3


def test_the_form_and_the_api_answer_409_for_a_repeat_and_write_nothing(
    client, db, clock, heat, login_as, token_for, organizer
):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    enter(measure, organizer, "2026-09-30", 30, "black", campaign=campaign)
    db.session.commit()
    login_as("organizer")
    form = {"observed_on": "2026-09-30", "dimension": "race_ethnicity", "group": "black", "value": "29"}
    page = client.post(f"/measures/{measure.id}/values", data=form | {"campaign": str(campaign.id)})
    assert page.status_code == 409
    assert "already recorded (30)" in html(page) and 'value="29"' in html(page)  # what was typed stays
    api = client.post(
        f"/api/v1/measures/{measure.id}/values",
        json={"observed_on": "2026-09-30", "dimension": "race_ethnicity", "group": "black", "value": 29}
        | {"campaign": campaign.id},
        headers=token_for("organizer"),
    )
    assert api.status_code == 409 and "observed_on" in api.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 1

    assert 'name="revision" type="hidden" value="1"' in html(page)  # the revision the person was shown
    # Someone else corrects it meanwhile: the correction sent from the page is refused, not stacked.
    enter(measure, organizer, "2026-09-30", 31, "black", campaign=campaign, corrects="yes")
    db.session.commit()
    corrected = form | {"campaign": str(campaign.id), "corrects": "y"}
    stale = client.post(f"/measures/{measure.id}/values", data=corrected | {"revision": "1"})
    assert stale.status_code == 409 and "Someone corrected this value since you read it (now 31" in html(stale)
    fixed = client.post(f"/measures/{measure.id}/values", data=corrected | {"revision": "2"})
    assert fixed.status_code == 302
    page = html(client.get(fixed.headers["Location"]))
    assert "Correction recorded" in page and "3 (correction)" in page
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 3


def test_bad_value_re_renders_with_what_was_typed_and_the_message_at_the_field(client, db, clock, heat, login_as):
    clock.on(date(2026, 10, 10))
    _, measure = heat
    login_as("director")
    bad = client.post(
        f"/measures/{measure.id}/values",
        data={"observed_on": "2027-01-01", "dimension": "race_ethnicity", "group": "martian", "value": "lots"},
    )
    assert bad.status_code == 422
    body = html(bad)
    assert 'id="observed_on-error"' in body and "Cannot be in the future." in body
    assert 'id="group-error"' in body and 'id="value-error"' in body and 'value="lots"' in body
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 0


def test_a_library_measure_is_added_by_form_with_its_breakdowns(client, db, login_as):
    login_as("organizer")
    taken = {"name": "Days to repair", "unit": "days", "direction": "lower", "frequency": "quarterly"}
    ok = client.post("/measures/new", data=taken | {"breakdowns": ["race_ethnicity", "age_band"]})
    assert ok.status_code == 302
    m = db.session.scalar(select(Measure))
    assert m.dimensions == ["race_ethnicity", "age_band"] and m.created_by_id is not None
    again = client.post("/measures/new", data=taken | {"name": "days TO repair", "unit": "hours"})
    assert again.status_code == 422 and "already has a measure with this name" in html(again)
    assert 'value="hours"' in html(again)
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 1


# --- Derived measures equal a hand count (SQLite and PostgreSQL: run with TEST_DATABASE_URL) --------


@pytest.fixture
def fixed_concerns(db, clock, make_concern, make_user, organizer):
    """Seven concerns in 2026-Q3 and two campaigns with evidence: the counts below are by hand."""
    clock.on(date(2026, 10, 15))
    author = make_user("caseworker")
    rows = [
        ("2026-07-03", ["no-heat"], ["black"]),
        ("2026-07-20", ["no-heat"], ["black", "hispanic"]),
        ("2026-08-05", ["no-heat"], ["not_collected"]),
        ("2026-08-09", ["no-heat"], []),
        ("2026-08-30", ["no-heat"], ["white"]),
        ("2026-09-10", ["no-heat"], ["refused"]),
        ("2026-07-15", ["mold"], ["asian"]),
    ]
    concerns = [
        make_concern(author=author, occurred_on=on, tags=tags, race_ethnicity=race, summary=f"Concern of {on}")
        for on, tags, race in rows
    ]
    first = Campaign(title="Heat now", lead=organizer, created_at=datetime(2026, 9, 15, 16, tzinfo=UTC))
    second = Campaign(title="Heat later", lead=organizer, created_at=datetime(2026, 9, 20, 16, tzinfo=UTC))
    db.session.add_all([first, second])
    db.session.flush()
    for c in (concerns[0], concerns[1], concerns[2], concerns[4]):  # 74, 57, 41 and 16 days before
        db.session.add(CampaignEvidence(campaign_id=first.id, concern_id=c.id))
    db.session.add(CampaignEvidence(campaign_id=second.id, concern_id=concerns[5].id))  # 10 days
    db.session.commit()
    return first, second


def test_derived_measures_equal_a_hand_count(db, fixed_concerns):
    first, second = fixed_concerns
    start, end = date(2026, 1, 1), date(2026, 10, 15)

    per_month = derived.compute("concerns_per_month", "tag:no-heat", None, start, end)
    everyone = [(r.period, r.value) for r in per_month if r.dimension == "all"]
    assert everyone == [(date(2026, 7, 1), 2), (date(2026, 8, 1), 3), (date(2026, 9, 1), 1), (date(2026, 10, 1), 0)]
    by_race = sorted((r.period, r.group, r.value) for r in per_month if r.dimension == "race_ethnicity")
    assert by_race == [
        (date(2026, 7, 1), "black", 2),
        (date(2026, 7, 1), "hispanic", 1),
        (date(2026, 8, 1), "white", 1),
    ]
    zip_pattern = derived.compute("concerns_per_month", "tag:mold", None, start, end)
    assert [(r.period, r.value) for r in zip_pattern if r.dimension == "all"][0] == (date(2026, 7, 1), 1)

    share = derived.compute("race_collected_share", "", None, start, end)
    # 7 concerns in Q3; 2 without race/ethnicity (one blank, one "data not collected"): 5 of 7.
    assert [(r.period, r.value, r.numerator.count, r.denominator.count) for r in share] == [
        (date(2026, 7, 1), 71.4, 5, 7)
    ]

    median = derived.compute("median_days_to_campaign", "", None, start, end)
    assert [(r.period, r.value) for r in median] == [(date(2026, 7, 1), 41.0)]  # 10, 16, 41, 57, 74
    assert [r.value for r in derived.compute("median_days_to_campaign", "", first.id, start, end)] == [49.0]
    assert [r.value for r in derived.compute("median_days_to_campaign", "", second.id, start, end)] == [10.0]


def test_derived_counts_of_people_go_through_the_disclosure_policy(db, fixed_concerns, director):
    measure = services.create_measure(
        director, {"name": "No heat per month", "derived": "concerns_per_month", "derived_param": "tag:no-heat"}
    )
    assert measure.counts_people and measure.dimensions == ["race_ethnicity"] and measure.unit == "concerns"
    inside = progress.progress(measure, None, exact())
    outside = progress.progress(measure, None, leaving())
    assert [p.value for p in inside.points if p.on == date(2026, 7, 1)] == [2, 1]
    assert [p.display for p in outside.points] == ["<11", "<11", "<11"]  # small cells by race: hidden
    # Concerns per month for everyone are not about people's characteristics: exact for everyone.
    assert [p.value for p in outside.totals] == [2, 3, 1, 0]


# --- Progress: the gap between groups, and what leaves the building -----------------------------


def test_the_measure_page_shows_the_gap_narrowing_with_baseline_and_target(
    client, db, clock, heat, organizer, login_as
):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    enter_series(measure, organizer, campaign)
    db.session.commit()
    login_as("caseworker")  # any staff reads measures
    library = html(client.get("/measures/"))
    assert HEAT in library and f'href="/measures/{measure.id}?campaign={campaign.id}">Heat is a right</a>' in library
    assert "Add a measure to the library" not in library  # a caseworker reads; organizers and directors add
    page = html(client.get(f"/measures/{measure.id}?campaign={campaign.id}"))
    verdict = re.sub(r"\s+", " ", re.search(r'id="gap-verdict">(.*?)</p>', page, re.S).group(1))
    assert "was 18 on 2025-12-31 and is 3 on 2026-09-30" in verdict and ">narrowing<" in verdict
    assert "Black, African American, or African" in verdict
    assert 'class="chart chart-series"' in page and "Baseline 21" in page and "Target 2" in page
    assert '<table id="gap-table">' in page and '<table id="values-table">' in page
    assert 'id="history-table"' not in page  # the entry history is for those who record values


def test_a_widening_gap_reads_widening(db, clock, heat, organizer):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    for on, black, white in (("2026-03-31", 20, 15), ("2026-06-30", 24, 14), ("2026-09-30", 30, 12)):
        enter(measure, organizer, on, black, "black", campaign=campaign)
        enter(measure, organizer, on, white, "white", campaign=campaign)
    p = progress.progress(measure, campaign.id, exact())
    assert [g.value for g in p.gaps] == [5, 10, 18] and p.trend == "widening"


def test_entered_counts_of_people_are_published_for_those_outside(db, clock, director, client, token_for):
    clock.on(date(2026, 10, 10))
    measure = services.create_measure(
        director,
        {
            "name": "Tenants in committees",
            "unit": "tenants",
            "direction": "higher",
            "frequency": "quarterly",
            "breakdowns": "language",
            "counts_people": "yes",
        },
    )
    for group, value in (("es", 7), ("en", 40)):
        enter(measure, director, "2026-09-30", value, group, dimension="language")
    enter(measure, director, "2026-09-30", 47)
    db.session.commit()
    as_director = client.get(f"/api/v1/measures/{measure.id}/values", headers=token_for("director")).get_json()
    as_caseworker = client.get(f"/api/v1/measures/{measure.id}/values", headers=token_for("caseworker")).get_json()
    exact_values = {(i["dimension"], i["group"]): i["value"] for i in as_director["items"]}
    published = {(i["dimension"], i["group"]): i["value"] for i in as_caseworker["items"]}
    assert exact_values == {("language", "en"): 40, ("language", "es"): 7, ("all", ""): 47}
    assert published[("language", "es")] is None  # 7 people: "<11"
    assert abs(published[("language", "en")] - 40) <= 2  # published with the cell key method
    assert published[("all", "")] == 47  # everyone: not a breakdown by a characteristic
    again = client.get(f"/api/v1/measures/{measure.id}/values", headers=token_for("caseworker")).get_json()
    assert again["items"] == as_caseworker["items"]  # the same published value every time


# --- The quarterly summary and the board's report show the measure page's numbers -----------------


def test_the_report_numbers_equal_the_measure_pages(client, db, clock, heat, organizer, director, login_as):
    from caseflow.reflection.quarters import Quarter
    from caseflow.reflection.services import ensure_summary, sign_off

    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    enter_series(measure, organizer, campaign)
    summary, _ = ensure_summary(Quarter(2026, 3), director)
    sign_off(director, summary, summary.version)
    db.session.commit()

    login_as("director")
    page = html(client.get(f"/measures/{measure.id}?campaign={campaign.id}"))
    latest = re.sub(r"\s+", " ", re.search(r'id="latest-value">(.*?)</dd>', page, re.S).group(1))
    verdict = re.sub(r"\s+", " ", re.search(r'id="gap-verdict">(.*?)</p>', page, re.S).group(1))
    assert latest == "9 days on 2026-09-30"

    row = db.session.scalar(select(QuarterlySummary)).data["measures"]["campaigns"][0]["measures"][0]
    assert (row["latest"], row["latest_on"], row["previous"], row["change_quarter"]) == (9, "2026-09-30", 13, -4)
    assert (row["baseline"], row["change_baseline"], row["gap_trend"]) == (21, -12, "narrowing")
    assert (
        f"was {row['gap_first']:g} on {row['gap_first_on']} and is {row['gap_latest']:g} on {row['gap_latest_on']}"
        in verdict
    )

    summary_page = html(client.get("/summaries/2026-Q3"))
    assert "Measures: is the gap narrowing?" in summary_page and "9 (2026-09-30)" in summary_page

    csv_lines = html(client.get("/measures/report/2026-Q3.csv")).splitlines()
    cells = dict(zip(csv_lines[0].split(","), csv_lines[-1].split(","), strict=True))
    assert cells["campaign"] == "Heat is a right" and cells["latest"] == "9.0" and cells["gap_latest"] == "3.0"
    assert cells["change_since_last_quarter"] == "-4.0" and cells["gap_trend"] == "narrowing"

    response = client.get("/measures/report/2026-Q3.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_text(response.data)
    assert len(pages) == 2  # the cover, then one page per campaign
    assert "Progress report, 2026-Q3" in pages[0] and "Signed off by Dana Director" in pages[0]
    assert pages[1].startswith("Heat is a right") and HEAT + " (days)" in pages[1]
    assert "9 (2026-09-30)" in pages[1] and "-4" in pages[1] and "narrowing" in pages[1]
    assert "Gap between groups by race and ethnicity: 3 on 2026-09-30, from 18 on 2025-12-31: narrowing" in pages[1]


def test_the_report_pdf_waits_for_the_sign_off(client, db, clock, heat, director, login_as):
    from caseflow.reflection.quarters import Quarter
    from caseflow.reflection.services import ensure_summary

    clock.on(date(2026, 10, 10))
    ensure_summary(Quarter(2026, 3), director)
    db.session.commit()
    login_as("director")
    assert client.get("/measures/report/2026-Q3.pdf").status_code == 404
    assert client.get("/measures/report/2026-Q3.csv").status_code == 200
    assert client.get("/measures/report/2026-Q2.csv").status_code == 404


# --- CSV import: all or nothing, with a row-by-row report ---------------------------------------


def _upload(client, text: str, dry_run: bool = False):
    import io

    data = {"file": (io.BytesIO(text.encode()), "values.csv")}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/measures/import", data=data, content_type="multipart/form-data")


def test_csv_import_is_all_or_nothing_and_applies_the_409_rule(client, db, clock, heat, login_as):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    login_as("organizer")
    header = "measure,campaign,observed_on,dimension,group,value,source_note,corrects\n"
    good = (
        f"{measure.id},{campaign.id},2026-09-30,race_ethnicity,black,10,311 data,\n"
        f"{HEAT},{campaign.id},2026-09-30,race_ethnicity,white,7,311 data,\n"
    )
    bad = _upload(client, header + good + f"{measure.id},,2026-09-31,race_ethnicity,black,lots,,\n")
    assert bad.status_code == 422
    body = html(bad)
    assert "line 4: observed_on" in body and "line 4: value" in body and "nothing was written" in body
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 0

    assert _upload(client, header + good).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(MeasureValue)) == 2
    repeat = _upload(client, header + good)
    assert repeat.status_code == 422 and "line 2: observed_on: A value for Black" in html(repeat)
    corrected = good.replace(",10,311 data,", ",11,re-counted,yes").replace(",7,311 data,", ",7,re-counted,yes")
    assert _upload(client, header + corrected).status_code == 200
    assert sorted(db.session.scalars(select(MeasureValue.revision))) == [1, 1, 2, 2]


# --- API ----------------------------------------------------------------------------------------


def test_api_library_and_values(client, db, clock, heat, token_for):
    clock.on(date(2026, 10, 10))
    campaign, measure = heat
    organizer = token_for("organizer")
    assert client.get("/api/v1/measures", headers=token_for("caseworker")).get_json()["items"][0]["name"] == HEAT
    assert client.post("/api/v1/measures", json={"name": "x"}, headers=token_for("caseworker")).status_code == 403
    created = client.post(
        "/api/v1/measures",
        json={"name": "Repairs within 30 days", "unit": "%", "direction": "higher", "frequency": "monthly"},
        headers=organizer,
    )
    assert created.status_code == 201 and created.get_json()["breakdowns"] == []
    invalid = client.post(
        "/api/v1/measures", json={"name": "", "direction": "up", "breakdowns": ["height"]}, headers=organizer
    )
    assert invalid.status_code == 422 and set(invalid.get_json()["errors"]) >= {"name", "direction", "breakdowns"}

    url = f"/api/v1/measures/{measure.id}/values"
    rate = {"observed_on": "2026-09-30", "numerator": 3, "denominator": 12, "campaign": campaign.id}
    stored = client.post(url, json=rate | {"value": "12"}, headers=organizer)
    assert stored.status_code == 422 and "value" in stored.get_json()["errors"]  # JSON numbers are numbers
    stored = client.post(url, json=rate, headers=organizer)
    assert stored.status_code == 201 and stored.get_json()["value"] == 0.25
    listed = client.get(url + f"?campaign={campaign.id}", headers=organizer).get_json()
    assert [(i["value"], i["numerator"], i["denominator"]) for i in listed["items"]] == [(0.25, 3, 12)]
    assert client.get(url, headers=organizer).get_json()["items"] == []  # organisation-wide: nothing yet
    assert client.get("/api/v1/measures/999/values", headers=organizer).status_code == 404


def test_the_series_chart_draws_each_group_with_its_gaps_hidden_cells_and_reference_lines():
    from caseflow.charts import series_chart

    svg = str(
        series_chart(
            ["2026-03-31", "2026-06-30", "2026-09-30"],
            [("Black <b>", [30, None, 10]), ("White", [12, float("nan"), 7])],
            "Days to inspection",
            references=[("Baseline 21", 21), ("Target 2", 2)],
        )
    )
    assert svg.count('<polyline class="line series-') == 0  # every line is broken in the middle
    assert svg.count('class="dot series-0"') == 2 and svg.count('class="dot series-1"') == 2
    assert svg.count('class="ref ref-') == 2 and "Baseline 21" in svg and "Target 2" in svg
    assert "Black &lt;b&gt;: 2026-03-31 30, 2026-06-30 &lt;11, 2026-09-30 10" in svg  # the description
    assert "White: 2026-03-31 12, 2026-06-30 no value, 2026-09-30 7" in svg
    assert "<b>" not in svg and "style=" not in svg
    joined = str(series_chart(["a", "b"], [("All", [3, 4])], "t"))
    assert joined.count('<polyline class="line series-0"') == 1
