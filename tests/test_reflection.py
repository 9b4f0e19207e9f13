"""Quarterly summaries, the scheduler's jobs, self-assessment and notifications (frozen clock)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import func, select

from caseflow import jobs
from caseflow.concerns.services import delete_concern, log_concern, parse_concern
from caseflow.extensions import db as db_
from caseflow.models import Campaign, Concern, JobRun, Notification, Person, QuarterlySummary
from caseflow.models.campaign_steps import CampaignAction, FollowUp, ReflectionReview, StepMove
from caseflow.people import ladder
from caseflow.reflection import self_assessment
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.services import SummaryLocked, ensure_summary, set_commentary, sign_off
from caseflow.reflection.summary import build_summary

Q3 = Quarter.parse("2026-Q3")


@pytest.fixture
def frozen(clock):
    """Freeze the app's clock (noon in the organisation's zone on the given day)."""

    def freeze(day: date):
        clock.on(day)

    freeze(date(2026, 10, 1))
    return freeze


def count(db, model, *where) -> int:
    value = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.commit()  # SQLite: end the read so another session (a job, a CLI command) may write
    return value


@pytest.mark.parametrize(
    ("label", "start_month", "start", "end"),
    [
        ("2026-Q3", 1, date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-Q1", 7, date(2025, 7, 1), date(2025, 9, 30)),
        ("2026-Q4", 10, date(2026, 7, 1), date(2026, 9, 30)),
    ],
)
def test_fiscal_quarters(label, start_month, start, end):
    q = Quarter.parse(label, start_month)
    assert (q.start, q.end) == (start, end)
    assert Quarter.containing(start, start_month) == q and Quarter.containing(end, start_month) == q
    assert q.next().previous() == q
    assert Quarter.parse("2026-Q5") is None and Quarter.parse("26-Q1") is None


@pytest.fixture
def quarter_data(db, taxonomy, make_user, frozen):
    """Q3 2026 and Q2 2026, worked by hand below."""
    author = make_user("caseworker")
    organizer = make_user("organizer")

    def add(tag, day, program="housing", **extra):
        body = {"program": program, "tags": [tag], "summary": f"{tag} {day}", "occurred_on": day.isoformat()}
        return log_concern(author, parse_concern(body | extra))

    # Q3: 4 Housing concerns (3 no-heat, 1 mold), 2 Employment (wage theft, legal); clients A, A, B.
    add("no-heat", date(2026, 7, 3), client_ref="A", zip="11226", wants_involvement=True)
    add("no-heat", date(2026, 8, 3), client_ref="A", zip="11226")
    add("no-heat", date(2026, 9, 3), client_ref="B", zip="11212")
    add("mold", date(2026, 9, 30), zip="11226")
    add("wage-theft", date(2026, 7, 15), program="legal")
    add("wage-theft", date(2026, 8, 15), program="legal", source="staff")
    # Q2: 2 concerns.
    add("no-heat", date(2026, 5, 3))
    add("mold", date(2026, 6, 30))
    # Outside both.
    add("mold", date(2026, 10, 1))

    campaign = Campaign(
        title="Heat now", lead_id=organizer.id, step="strategy", created_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    db.session.add(campaign)
    db.session.flush()
    at = lambda d: datetime(d.year, d.month, d.day, 15, tzinfo=UTC)  # noqa: E731
    db.session.add_all(
        [
            StepMove(
                campaign_id=campaign.id,
                from_step="learning",
                to_step="reflection",
                note="Jumped",
                author_id=organizer.id,
                at=at(date(2026, 7, 10)),
            ),
            StepMove(
                campaign_id=campaign.id,
                from_step="reflection",
                to_step="strategy",
                note="Strategy was wrong",
                author_id=organizer.id,
                at=at(date(2026, 9, 1)),
            ),
            StepMove(
                campaign_id=campaign.id,
                from_step="strategy",
                to_step="action",
                note="Before",
                author_id=organizer.id,
                at=at(date(2026, 6, 1)),
            ),
            CampaignAction(
                campaign_id=campaign.id,
                kind="testimony",
                occurred_on=date(2026, 8, 20),
                title="Council",
                staff_participants=2,
                constituent_participants=9,
            ),
            CampaignAction(
                campaign_id=campaign.id,
                kind="meeting",
                occurred_on=date(2026, 9, 2),
                title="Tenants",
                staff_participants=1,
                constituent_participants=14,
            ),
            CampaignAction(
                campaign_id=campaign.id,
                kind="rally",
                occurred_on=date(2026, 6, 2),
                title="Old",
                staff_participants=3,
                constituent_participants=30,
            ),
            FollowUp(
                campaign_id=campaign.id,
                description="Send testimony to council",
                owner_id=organizer.id,
                due_on=date(2026, 9, 10),
            ),
            FollowUp(
                campaign_id=campaign.id,
                description="Done in time",
                owner_id=organizer.id,
                due_on=date(2026, 9, 10),
                done_at=at(date(2026, 9, 9)),
            ),
            FollowUp(
                campaign_id=campaign.id, description="Due later", owner_id=organizer.id, due_on=date(2026, 10, 20)
            ),
            ReflectionReview(
                campaign_id=campaign.id,
                period_start=date(2026, 7, 1),
                period_end=date(2026, 8, 31),
                decision="revisit",
                revisit_step="strategy",
                learned="Target the council, not the landlord",
                created_at=at(date(2026, 9, 1)),
            ),
        ]
    )
    db.session.flush()
    # Who came: new leaders are counted from the ladder (first time speaking or leading), not typed.
    # Q2: Ola speaks at the old rally. Q3: Ola speaks again (not new), Bea and Dee speak for the
    # first time at the council, Cy leads the tenants' meeting: 3 new leaders in Q3, 1 in Q2.
    actions = {a.title: a for a in db.session.scalars(select(CampaignAction))}
    ola, bea, cy, dee = (_person(name) for name in ("Ola", "Bea", "Cy", "Dee"))
    ladder.set_attendance(organizer, {ola.id: "spoke", dee.id: "attended"}, [], action=actions["Old"])
    ladder.set_attendance(organizer, {ola.id: "spoke", bea.id: "spoke", dee.id: "spoke"}, [], action=actions["Council"])
    ladder.set_attendance(organizer, {cy.id: "led", ola.id: "attended"}, [], action=actions["Tenants"])
    director = make_user("director")
    ratings = dict.fromkeys(self_assessment.ITEM_KEYS, 2)
    self_assessment.submit(director, "2026-Q3", ratings, anonymous=False)
    self_assessment.submit(organizer, "2026-Q3", ratings | {"equity_lens": 3}, anonymous=True)
    self_assessment.submit(author, "2026-Q3", ratings | {"equity_lens": 3}, anonymous=True)
    for person in (director, organizer, author):  # averages show from 3 responses up
        self_assessment.submit(person, "2026-Q2", dict.fromkeys(self_assessment.ITEM_KEYS, 1), anonymous=False)
    db.session.commit()
    return {"campaign": campaign, "organizer": organizer, "director": director}


def _person(name: str) -> Person:
    person = Person(name=name, channel="phone", source="organizer", consent_on=date(2026, 5, 1))
    db_.session.add(person)
    db_.session.flush()
    return person


def test_summary_figures_equal_those_worked_by_hand(quarter_data, app):
    d = build_summary(Q3)
    assert (d["start"], d["end"], d["previous_quarter"]) == ("2026-07-01", "2026-09-30", "2026-Q2")
    assert d["totals"] == {"concerns": 6, "distinct_clients": 2, "staff_observed": 1, "wants_involvement": 1}
    assert [(r["label"], r["count"]) for r in d["by_category"]] == [("Housing", 4), ("Employment", 2)]
    assert [(r["label"], r["count"]) for r in d["by_program"]] == [("Housing Assistance", 4), ("Legal Services", 2)]
    # By place is a breakdown by a characteristic: 3 in 11226 and 1 in 11212 are small cells (a
    # count of 1 may be published as 0, and a ZIP published as 0 is not listed).
    zips = {r["label"]: r["display"] for r in d["by_zip"]}
    assert zips["11226"] == "<11" and zips.items() <= {"11226": "<11", "11212": "<11"}.items()
    assert all(r["count"] is None for r in d["by_zip"])
    cmp = {r["key"]: (r["this"], r["previous"], r["change"]) for r in d["comparison"]}
    assert cmp["concerns"] == (6, 2, 4)
    assert cmp["actions"] == (2, 1, 1)
    assert cmp["constituent_participants"] == (23, 30, -7)
    # New leaders come from the ladder (Bea, Cy and Dee in Q3; Ola in Q2), a count of people
    # published through the disclosure policy: 3 and 1 are under the threshold, so no number.
    assert cmp["new_leaders"] == (None, None, None)
    leaders = next(r for r in d["comparison"] if r["key"] == "new_leaders")
    assert (leaders["this_display"], leaders["previous_display"]) == ("<11", "<11")
    assert (d["actions"]["new_leaders"], d["actions"]["new_leaders_display"]) == (None, "<11")
    assert ladder.new_leaders_between(Q3.start, Q3.end) == 3
    assert d["actions"]["staff_participants"] == 3
    assert {k["kind"]: k["count"] for k in d["actions"]["by_kind"]} == {"testimony": 1, "meeting": 1}
    moves = d["campaigns"]["moves"]
    assert [(m["from"], m["to"], m["direction"]) for m in moves] == [
        ("learning", "reflection", "forward"),
        ("reflection", "strategy", "back"),
    ]
    assert moves[1]["note"] == "Strategy was wrong"
    assert {r["step"]: r["count"] for r in d["campaigns"]["by_step"]}["strategy"] == 1
    assert [(r["decision"], r["revisit_step"]) for r in d["reviews"]] == [("revisit", "strategy")]
    overdue = d["overdue_follow_ups"]
    assert overdue["count"] == 1 and overdue["items"][0]["description"] == "Send testimony to council"
    items = {i["item"]: i for i in d["self_assessment"]["items"]}
    assert d["self_assessment"]["respondents"] == 3
    assert (
        items["equity_lens"]["this"] == 2.67
        and items["equity_lens"]["previous"] == 1.0
        and items["equity_lens"]["change"] == 1.67
    )
    assert items["step_vision"]["change"] == 1.0
    # Patterns in the quarter (min 5 concerns): none this small; the structure is there.
    assert d["patterns"]["top"] == [] and d["patterns"]["disparities"] == []


def test_summary_counts_by_category_and_patterns_from_the_rollups_equal_a_count_of_the_concerns(quarter_data, app):
    """By category is read from the race rollup's per-category totals: a concern counts once per
    category however many of its tags share it, a deleted one not at all — as a direct count."""
    author = quarter_data["organizer"]
    body = {"program": "housing", "summary": "Both", "occurred_on": "2026-08-20", "client_ref": "C"}
    log_concern(author, parse_concern(body | {"tags": ["no-heat", "mold"]}))
    gone = log_concern(author, parse_concern(body | {"tags": ["wage-theft"]}))
    delete_concern(author, gone, "Logged twice")
    db_.session.commit()
    from_rollups = build_summary(Q3)
    assert [(r["label"], r["count"]) for r in from_rollups["by_category"]] == [("Housing", 5), ("Employment", 2)]
    app.config["USE_ROLLUPS"] = False
    try:
        from_concerns = build_summary(Q3)
    finally:
        app.config["USE_ROLLUPS"] = True
    for part in ("by_category", "by_program", "totals", "equity", "patterns"):
        assert from_rollups[part] == from_concerns[part], part


def test_new_leaders_in_the_summary_are_the_ladders_count_published_by_the_policy(db, make_user, frozen):
    from caseflow.equity.policy import leaving

    organizer = make_user("organizer")
    campaign = Campaign(title="Heat", lead_id=organizer.id, created_by_id=organizer.id)
    db.session.add(campaign)
    db.session.flush()
    rally = CampaignAction(campaign_id=campaign.id, kind="rally", occurred_on=date(2026, 8, 1), title="Rally")
    hearing = CampaignAction(campaign_id=campaign.id, kind="testimony", occurred_on=date(2026, 9, 1), title="Hearing")
    db.session.add_all([rally, hearing])
    db.session.flush()
    people = [_person(f"P{i}") for i in range(16)]
    # 14 step up for the first time in Q3 (12 speak at the rally, 2 lead the hearing); the 2 others
    # only came. Speaking again at the hearing does not make anyone new twice.
    ladder.set_attendance(
        organizer, {p.id: "spoke" for p in people[:12]} | {people[15].id: "attended"}, [], action=rally
    )
    ladder.set_attendance(
        organizer, {p.id: "spoke" for p in people[:3]} | {p.id: "led" for p in people[12:14]}, [], action=hearing
    )
    db.session.commit()

    tally = ladder.new_leaders_tally(Q3.start, Q3.end)
    assert tally.count == 14
    published = leaving().cell(tally)
    d = build_summary(Q3)
    leaders = next(r for r in d["comparison"] if r["key"] == "new_leaders")
    assert leaders["this"] == published.shown() == d["actions"]["new_leaders"]
    assert leaders["this_display"] == published.display()
    assert abs(leaders["this"] - 14) <= 2  # published with the policy's small adjustment, never "<11" here
    assert leaders["previous"] == 0 and leaders["change"] == leaders["this"]
    # The same people always publish the same number.
    assert build_summary(Q3)["actions"]["new_leaders"] == leaders["this"]


def test_quarterly_job_builds_exactly_one_summary_however_often_it_runs(quarter_data, app, db):
    first = jobs.run_scheduled(app, "quarterly-summary")
    assert first.status == "success" and first.details == {"quarter": "2026-Q3", "created": True}
    assert jobs.run_scheduled(app, "quarterly-summary") is None  # the slot is taken: skipped
    manual = jobs.run_job(app, "quarterly-summary", None, lambda: jobs.quarterly_summary_work(Q3))
    assert manual.details == {"quarter": "2026-Q3", "created": False}
    assert count(db, QuarterlySummary) == 1
    # The directors heard about it once.
    assert count(db, Notification, Notification.kind == "summary") == 1


def test_sign_off_locks_the_summary(quarter_data, db, client, login_as):
    summary, _ = ensure_summary(Q3)
    db.session.commit()
    director = login_as("director")
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    assert "Draft" in page and "Sign off 2026-Q3" in page and "Strategy was wrong" in page
    stale = client.post("/summaries/2026-Q3/commentary", data={"commentary": "Mine", "version": "99"})
    assert stale.status_code == 409 and "Mine" in stale.get_data(as_text=True)
    ok = client.post(
        "/summaries/2026-Q3/commentary", data={"commentary": "Heat work paid off.", "version": str(summary.version)}
    )
    assert ok.status_code == 302
    version = db.session.get(QuarterlySummary, summary.id).version
    assert client.post("/summaries/2026-Q3/sign-off", data={"version": str(version)}).status_code == 302
    stored = db.session.get(QuarterlySummary, summary.id)
    assert stored.is_signed_off and stored.signed_off_by_id == director.id
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    assert "Signed off" in page and "Heat work paid off." in page and "Save commentary" not in page
    refused = client.post(
        "/summaries/2026-Q3/commentary", data={"commentary": "Changed", "version": str(stored.version)}
    )
    assert refused.status_code == 409
    assert db.session.get(QuarterlySummary, summary.id).commentary == "Heat work paid off."
    with pytest.raises(SummaryLocked):
        set_commentary(director, stored, "x", stored.version)
    with pytest.raises(SummaryLocked):
        sign_off(director, stored, stored.version)
    assert client.get("/summaries/2026-Q3/print").status_code == 200


def test_summary_pages_csv_and_api_by_role(quarter_data, db, client, login_as, token_for):
    ensure_summary(Q3)
    db.session.commit()
    login_as("director")
    listing = client.get("/summaries").get_data(as_text=True)
    assert "2026-Q3" in listing and "draft" in listing
    csv_text = client.get("/summaries/2026-Q3/by_zip.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "label,concerns" and "11226,<11" in csv_text
    assert client.get("/summaries/2026-Q3/nope.csv").status_code == 404
    assert client.get("/summaries/2026-Q9").status_code == 404
    headers = token_for("director")
    body = client.get("/api/v1/summaries/2026-Q3", headers=headers).get_json()
    assert body["quarter"] == "2026-Q3" and body["state"] == "draft" and body["data"]["totals"]["concerns"] == 6
    assert client.get("/api/v1/summaries/2026-Q2", headers=headers).status_code == 404
    assert client.get("/api/v1/summaries/2026-Q3", headers=token_for("organizer")).status_code == 403
    client.post("/logout")
    login_as("organizer")
    assert client.get("/summaries/2026-Q3").status_code == 403


def test_build_from_the_page(quarter_data, db, client, login_as):
    login_as("director")
    bad = client.post("/summaries", data={"quarter": "2030-Q1"})
    assert "Give a quarter that has started" in bad.get_data(as_text=True)
    assert client.post("/summaries", data={"quarter": "2026-Q3"}).status_code == 302
    assert count(db, QuarterlySummary) == 1


def test_retention_purge_blanks_old_narratives_and_nothing_else(db, make_concern, app, frozen):
    frozen(date(2026, 10, 1))
    app.config["NARRATIVE_RETENTION_DAYS"] = 30
    try:
        old = make_concern(narrative="Old story", occurred_on="2026-08-01", zip="11226", client_root_cause="Landlord")
        recent = make_concern(narrative="New story", occurred_on="2026-09-15")
        run = jobs.run_job(app, "retention-purge", None, jobs.retention_purge_work)
    finally:
        app.config["NARRATIVE_RETENTION_DAYS"] = 730
    assert run.details["purged"] == 1
    old, recent = db.session.get(Concern, old.id), db.session.get(Concern, recent.id)
    assert old.narrative is None and old.narrative_purged_at is not None
    assert (old.summary, old.zip, old.client_root_cause, [t.slug for t in old.tags]) == (
        "No heat for a week",
        "11226",
        "Landlord",
        ["no-heat"],
    )
    assert recent.narrative == "New story"


def test_digest_notifies_organizers_of_a_rising_pattern_once(db, make_concern, make_user, app, frozen):
    organizers = [make_user("organizer"), make_user("organizer")]
    caseworker = make_user("caseworker")
    frozen(date(2026, 10, 1))
    for i in range(6):
        make_concern(
            author=caseworker, client_ref=f"c{i}", occurred_on=(date(2026, 9, 25) - timedelta(days=i)).isoformat()
        )
    first = jobs.run_scheduled(app, "weekly-digest")
    # Two patterns rise (no heat; no heat at Housing Assistance), each told to both organizers.
    assert first.details == {"rising": 2, "notifications": 4}
    frozen(date(2026, 10, 8))  # next week: the same rising patterns are not news again
    second = jobs.run_scheduled(app, "weekly-digest")
    assert second.status == "success" and second.details["notifications"] == 0
    assert count(db, Notification, Notification.kind == "digest") == 4
    messages = db.session.scalars(select(Notification.message).where(Notification.user_id == organizers[0].id)).all()
    assert sorted(messages) == [
        "Rising pattern: No heat at Housing Assistance — 6 concerns, new.",
        "Rising pattern: No heat — 6 concerns, new.",
    ]
    assert {n.user_id for n in db.session.scalars(select(Notification))} == {o.id for o in organizers}


def test_two_schedulers_in_one_database_do_not_run_a_job_twice(db, make_concern, make_user, app, frozen):
    make_user("organizer")
    for i in range(6):
        make_concern(client_ref=f"c{i}", occurred_on=(date(2026, 9, 25) - timedelta(days=i)).isoformat())
    db.session.commit()
    fire_at = datetime.now(UTC) + timedelta(seconds=1)  # machine-clock-ok: APScheduler fires on real time
    schedulers = []
    for _ in range(2):
        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(
            jobs.run_scheduled, DateTrigger(run_date=fire_at), args=[app, "weekly-digest"], id="weekly-digest"
        )
        scheduler.start()
        schedulers.append(scheduler)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        db.session.rollback()
        if count(db, JobRun, JobRun.job_id == "weekly-digest", JobRun.status != "running") >= 1 and all(
            not s.get_jobs() for s in schedulers
        ):
            break
        time.sleep(0.1)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    db.session.rollback()
    assert count(db, JobRun, JobRun.job_id == "weekly-digest") == 1
    assert count(db, Notification, Notification.kind == "digest") == 2  # 2 patterns, 1 organizer, once


def test_a_failing_job_is_recorded_and_the_next_still_runs(app, db):
    def broken():
        raise RuntimeError("mail server on fire")

    failed = jobs.run_job(app, "weekly-digest", "2026-W40", broken)
    assert failed.status == "failed" and "mail server on fire" in failed.error and failed.finished_at
    nxt = jobs.run_job(app, "retention-purge", "2026-10-01", jobs.retention_purge_work)
    assert nxt.status == "success"


def test_concurrent_claims_of_one_slot(app, db):
    """Two processes firing the same slot at the same moment: one works, the other skips."""
    results, barrier = [], threading.Barrier(2)

    def claim():
        barrier.wait()
        results.append(jobs.run_job(app, "followup-reminders", "2026-10-01", lambda: time.sleep(0.2) or {"ok": 1}))

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r is None for r in results) == [False, True]


def test_cli_jobs_run_and_list(app, db, quarter_data):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "quarterly-summary", "--quarter", "2026-Q3"])
    assert result.exit_code == 0, result.output
    assert "success" in result.output and count(db, QuarterlySummary) == 1
    assert runner.invoke(args=["jobs", "run", "quarterly-summary", "--quarter", "2026-Q3"]).exit_code == 0
    assert count(db, QuarterlySummary) == 1
    assert runner.invoke(args=["jobs", "run", "quarterly-summary", "--quarter", "bad"]).exit_code != 0
    listing = runner.invoke(args=["jobs", "list"])
    assert "quarterly-summary" in listing.output and "weekly-digest" in listing.output and "next 20" in listing.output


def test_admin_jobs_page(client, login_as, app):
    jobs.run_job(app, "retention-purge", "2026-10-02", jobs.retention_purge_work)
    login_as("admin")
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "quarterly-summary" in html and "retention-purge" in html and "success" in html


def test_self_assessment_page(client, login_as, db):
    login_as("director")
    missing = client.post("/self-assessment", data={"step_learning": "2"})
    assert missing.status_code == 422 and "Choose where we are on the continuum." in missing.get_data(as_text=True)
    data = dict.fromkeys(self_assessment.ITEM_KEYS, "1") | {"anonymous": "y"}
    assert client.post("/self-assessment", data=data).status_code == 302
    page = client.get("/self-assessment").get_data(as_text=True)
    # One response: counted, but no average until there are three.
    assert "1 response so far" in page and "1.00" not in page and "fewer than 3 responses" in page
    assert "You answered for" in page and 'class="self-assessment"' not in page
    assert client.post("/self-assessment", data=data).status_code == 409  # once a quarter
    client.post("/logout")
    login_as("caseworker")  # every role takes part
    assert client.get("/self-assessment").status_code == 200


def test_caseworkers_hear_what_their_concerns_became(client, login_as, make_concern, db, make_user):
    from caseflow.patterns.services import promote_patterns

    me = login_as("caseworker")
    for i in range(5):
        make_concern(author=me, client_ref=f"r{i}")
    promote_patterns(make_user("organizer"), ["tag:no-heat"], "Heat for every tenant")
    db.session.commit()
    home = client.get("/log").get_data(as_text=True)
    assert "What your concerns became" in home and "Heat for every tenant" in home and "5 of your concerns" in home
    assert '1<span class="visually-hidden"> unread</span>' in home
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "The concerns you logged (No heat) are now the campaign “Heat for every tenant”." in inbox
    client.post("/inbox/read")
    assert "unread</span>" not in client.get("/log").get_data(as_text=True)


def test_anonymous_answers_are_unlinkable_and_averages_need_three(client, login_as, make_user, db, clock):
    """Issue 16 item 5: "1 response so far" must not show one person's answers, and no audit row
    may date an anonymous answer; the trail counts anonymous answers per day instead."""
    from datetime import date

    from caseflow.models import AuditEvent, SelfAssessmentDay

    clock.on(date(2026, 11, 20))
    answers = dict.fromkeys(self_assessment.ITEM_KEYS, "3") | {"anonymous": "y"}
    for n in (1, 2):
        login_as("organizer")
        assert client.post("/self-assessment", data=answers).status_code == 302
        page = client.get("/self-assessment").get_data(as_text=True)
        assert f"{n} response{'s' if n > 1 else ''} so far" in page and "3.00" not in page
        client.post("/logout")
    clock.on(date(2026, 11, 21))
    login_as("organizer")
    client.post("/self-assessment", data=answers)
    assert "3.00" in client.get("/self-assessment").get_data(as_text=True)  # three: the mean shows
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("self_assessment%"))).all() == []
    days = {row.day: row.anonymous for row in db.session.scalars(select(SelfAssessmentDay))}
    assert days == {date(2026, 11, 20): 2, date(2026, 11, 21): 1}
    assert self_assessment.anonymous_per_day(date(2026, 11, 1), date(2026, 11, 30)) == [
        (date(2026, 11, 20), 2),
        (date(2026, 11, 21), 1),
    ]
