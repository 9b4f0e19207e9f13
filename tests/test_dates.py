"""One clock (caseflow.dates): nothing else reads the machine's clock, and the key flows hold at
02:00 UTC, when New York is still on the previous day."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from caseflow import dates, jobs
from caseflow.campaigns import services as campaign_services
from caseflow.errors import ValidationFailed
from caseflow.models import AuditEvent, Campaign, Concern, QuarterlySummary

ROOT = Path(__file__).resolve().parents[1]
MACHINE_CLOCK = re.compile(r"\b(date\.today|datetime\.now|datetime\.utcnow|datetime\.today)\(")

# 02:00 UTC on 29 November 2026 is 21:00 on 28 November in New York.
NIGHT = "2026-11-29T02:00:00+00:00"
NY_TODAY, UTC_TODAY = date(2026, 11, 28), date(2026, 11, 29)


@pytest.mark.parametrize("folder", ["caseflow", "bench", "tests"])
def test_nothing_but_dates_reads_the_machine_clock(folder):
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        if path == ROOT / "caseflow" / "dates.py" or path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if MACHINE_CLOCK.search(line) and "machine-clock-ok" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "use caseflow.dates (today/now) instead:\n" + "\n".join(offenders)


def test_today_is_the_organisations_date(app, clock):
    clock.set(NIGHT)
    with app.app_context():
        assert dates.now() == datetime(2026, 11, 29, 2, tzinfo=UTC)
        assert dates.today() == NY_TODAY
        assert dates.show(dates.now()) == "2026-11-28 21:00 EST"
        assert dates.show(dates.now(), "date") == "2026-11-28"
        assert dates.show(None) == "—"
        app.config["TIMEZONE"] = "UTC"
        try:
            assert dates.today() == UTC_TODAY
        finally:
            app.config["TIMEZONE"] = "America/New_York"


def test_clock_at_starts_the_clock_at_an_instant_and_lets_it_run(tmp_path, monkeypatch):
    from caseflow import create_app
    from config import TestingConfig

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        CLOCK_AT = NIGHT

    monkeypatch.setenv("CASEFLOW_INSTANCE_PATH", str(tmp_path))
    app = create_app(Config)
    with app.app_context():
        first = dates.now()
        assert abs((first - datetime(2026, 11, 29, 2, tzinfo=UTC)).total_seconds()) < 60
        assert dates.today() == NY_TODAY
        assert dates.now() >= first  # it runs on

    class Production(Config):
        ENV_NAME = "production"
        SECRET_KEY = "x" * 32

    with pytest.raises(RuntimeError, match="CASEFLOW_CLOCK_AT"):
        create_app(Production)


def test_key_flows_at_two_in_the_morning_utc(client, login_as, taxonomy, db, clock, make_user):
    clock.set(NIGHT)
    me = login_as("caseworker")

    # Quick log offers New York's date, accepts it, and refuses New York's tomorrow.
    page = client.get("/log").get_data(as_text=True)
    assert 'value="2026-11-28"' in page
    tomorrow = client.post(
        "/log", data={"program": "housing", "tag_text": "No heat", "summary": "Cold", "occurred_on": "2026-11-29"}
    )
    assert tomorrow.status_code == 422 and "future" in tomorrow.get_data(as_text=True)
    logged = client.post(
        "/log", data={"program": "housing", "tag_text": "No heat", "summary": "Cold flat", "occurred_on": "2026-11-28"}
    )
    assert logged.status_code == 302
    concern = db.session.scalar(select(Concern).where(Concern.author_id == me.id))
    assert concern.occurred_on == NY_TODAY

    # "Logged by … <date>" under the concern is the organisation's date, not UTC's.
    detail = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert re.search(r"Logged by</dt><dd>[^<]*, 2026-11-28</dd>", detail), detail

    # A campaign reflection may end "today" (New York's) but not tomorrow.
    organizer = make_user("organizer")
    campaign = Campaign(title="Heat", lead=organizer, step="reflection")
    db.session.add(campaign)
    db.session.commit()
    review = {"period_start": "2026-09-01", "against_goals": "Slow", "learned": "More tenants", "decision": "continue"}
    with pytest.raises(ValidationFailed) as refused:
        campaign_services.add_review(organizer, campaign, review | {"period_end": "2026-11-29"}, campaign.version)
    assert refused.value.errors["period_end"] == ["Cannot be in the future."]
    db.session.rollback()
    campaign_services.add_review(organizer, campaign, review | {"period_end": "2026-11-28"}, campaign.version)
    db.session.commit()

    # The audit log shows the organisation's wall-clock time.
    client.post("/logout")
    login_as("admin")
    audit = client.get("/admin/audit/").get_data(as_text=True)
    assert "2026-11-28 21:00:00 EST" in audit and "2026-11-29 02:00" not in audit
    assert db.session.scalar(select(AuditEvent.at).limit(1)) == datetime(2026, 11, 29, 2, tzinfo=UTC)


def test_quarterly_job_at_two_in_the_morning_utc_on_the_first(app, db, clock):
    # 1 October 02:00 UTC is still 30 September in New York: Q3 is not over, so Q2 is "last quarter".
    clock.set("2026-10-01T02:00:00+00:00")
    early = jobs.run_job(app, "quarterly-summary", None, jobs.quarterly_summary_work)
    assert early.details["quarter"] == "2026-Q2"
    clock.set("2026-10-01T10:00:00+00:00")  # 06:00 in New York, when the scheduler fires
    on_time = jobs.run_job(app, "quarterly-summary", None, jobs.quarterly_summary_work)
    assert on_time.details["quarter"] == "2026-Q3"
    assert sorted(db.session.scalars(select(QuarterlySummary.quarter))) == ["2026-Q2", "2026-Q3"]


def test_cli_clock_prints_the_apps_clock(app, clock):
    clock.set(NIGHT)
    out = app.test_cli_runner().invoke(args=["clock"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {
        "now": "2026-11-29T02:00:00+00:00",
        "today": "2026-11-28",
        "timezone": "America/New_York",
    }
