"""The director's day, made trustworthy (issue 13): sign-off only after the quarter, from a summary
counted again at that moment, with its built-at time; an unfinished quarter "so far" against the
same days of the last; overdue follow-ups by the right rule; one figure per finding, print and PDF;
a self-assessment everyone takes, whose anonymous answers cannot be traced. Clock frozen."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from caseflow.concerns.services import log_concern, parse_concern
from caseflow.models import AuditEvent, Campaign, QuarterlySummary, SelfAssessmentResponse
from caseflow.models.campaign_steps import CampaignAction, FollowUp
from caseflow.reflection import self_assessment
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.services import QuarterNotOver, ensure_summary, sign_off
from caseflow.reflection.summary import build_summary
from tests.conftest import login

Q3, Q4 = Quarter.parse("2026-Q3"), Quarter.parse("2026-Q4")


@pytest.fixture
def campaign(db, make_user):
    organizer = make_user("organizer", name="Olu Organizer")
    c = Campaign(title="Heat now", lead_id=organizer.id, step="action", created_at=datetime(2026, 6, 1, tzinfo=UTC))
    db.session.add(c)
    db.session.commit()
    return c


def _follow_up(db, campaign, description, due, done=None):
    row = FollowUp(
        campaign_id=campaign.id,
        description=description,
        owner_id=campaign.lead_id,
        due_on=due,
        done_at=None if done is None else datetime(done.year, done.month, done.day, 15, tzinfo=UTC),
    )
    db.session.add(row)
    return row


def test_sign_off_is_refused_before_the_quarter_ends(db, client, login_as, clock, campaign):
    clock.set("2026-11-28T15:00:00+00:00")
    summary, _ = ensure_summary(Q4)
    db.session.commit()
    director = login_as("director")
    page = client.get("/summaries/2026-Q4").get_data(as_text=True)
    assert "Sign off 2026-Q4" not in page
    assert "2026-Q4 is not over yet: it can be signed off from 2027-01-01" in page
    response = client.post("/summaries/2026-Q4/sign-off", data={"version": str(summary.version)}, follow_redirects=True)
    assert "2026-Q4 is not over yet" in response.get_data(as_text=True)
    assert not db.session.get(QuarterlySummary, summary.id).is_signed_off
    with pytest.raises(QuarterNotOver):
        sign_off(director, db.session.get(QuarterlySummary, summary.id), summary.version)


def test_sign_off_rebuilds_the_summary_and_shows_when_it_was_built(db, client, login_as, clock, campaign):
    clock.set("2026-10-01T14:00:00+00:00")
    summary, _ = ensure_summary(Q3)
    db.session.commit()
    assert summary.data["actions"]["actions"] == 0
    # A 42-person rally in September, entered after the snapshot was taken.
    db.session.add(
        CampaignAction(
            campaign_id=campaign.id,
            kind="rally",
            occurred_on=date(2026, 9, 24),
            title="Rally at city hall",
            constituent_participants=42,
        )
    )
    db.session.commit()
    clock.set("2026-10-06T02:30:00+00:00")  # 22:30 on 5 October in New York
    login_as("director")
    version = db.session.get(QuarterlySummary, summary.id).version
    assert client.post("/summaries/2026-Q3/sign-off", data={"version": str(version)}).status_code == 302
    stored = db.session.get(QuarterlySummary, summary.id)
    assert stored.is_signed_off and stored.data["actions"]["constituent_participants"] == 42
    assert stored.built_at == datetime(2026, 10, 6, 2, 30, tzinfo=UTC)
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    assert "Built 2026-10-05 22:30 EDT" in page and "on 2026-10-05 22:30 EDT" in page
    listing = client.get("/summaries").get_data(as_text=True)
    assert "2026-10-05 22:30 EDT" in listing


def test_an_unfinished_quarter_is_so_far_against_the_same_days_of_the_last(
    db, make_user, taxonomy, clock, client, login_as
):
    author = make_user("caseworker")

    def add(day):
        log_concern(author, parse_concern({"program": "housing", "tags": ["mold"], "summary": "x", "occurred_on": day}))

    for day in ("2026-07-02", "2026-08-28", "2026-08-29", "2026-09-30"):  # Q3: two within the first 59 days
        add(day)
    clock.set("2026-11-29T02:00:00+00:00")  # 28 November in New York: day 59 of Q4
    add("2026-10-15")
    db.session.commit()
    d = build_summary(Q4)
    assert d["so_far"] and d["counted_to"] == "2026-11-28" and d["end"] == "2026-12-31"
    assert (d["previous_start"], d["previous_end"]) == ("2026-07-01", "2026-08-28")
    concerns = next(r for r in d["comparison"] if r["key"] == "concerns")
    assert (concerns["this"], concerns["previous"], concerns["change"]) == (1, 2, -1)  # not 1 against 4
    # Once the quarter is over, the whole of both quarters.
    clock.set("2027-01-02T12:00:00+00:00")
    whole = build_summary(Q4)
    assert not whole["so_far"] and (whole["previous_start"], whole["previous_end"]) == ("2026-07-01", "2026-09-30")
    assert next(r for r in whole["comparison"] if r["key"] == "concerns")["previous"] == 4

    clock.set("2026-11-29T02:00:00+00:00")
    ensure_summary(Q4)
    db.session.commit()
    login_as("director")
    page = client.get("/summaries/2026-Q4").get_data(as_text=True)
    assert 'Reflection summary, 2026-Q4 <span class="so-far">so far</span>' in page
    assert "So far against the same days of last quarter (2026-Q3)" in page
    assert "2026-Q4 so far" in page and "2026-Q3 same days" in page
    assert "compares it with the same days of 2026-Q3 (2026-07-01 to 2026-08-28)" in page


def test_a_so_far_draft_is_counted_again_when_the_quarter_is_over(db, clock, campaign):
    clock.set("2026-09-15T12:00:00+00:00")
    summary, _ = ensure_summary(Q3)
    db.session.commit()
    assert summary.data["so_far"]
    clock.set("2026-10-01T10:00:00+00:00")
    again, created = ensure_summary(Q3)
    assert not created and again.id == summary.id and not again.data["so_far"]
    before = again.built_at
    assert ensure_summary(Q3)[0].built_at == before  # and then it stays as it is


def test_overdue_follow_ups_in_a_running_quarter(db, clock, campaign):
    _follow_up(db, campaign, "Due 25 November, open", date(2026, 11, 25))
    _follow_up(db, campaign, "Due 10 December, open", date(2026, 12, 10))
    _follow_up(db, campaign, "Due today, open", date(2026, 11, 28))
    _follow_up(db, campaign, "Due 20 November, done 22nd", date(2026, 11, 20), done=date(2026, 11, 22))
    _follow_up(db, campaign, "Due 30 September, still open", date(2026, 9, 30))
    db.session.commit()
    clock.set("2026-11-29T02:00:00+00:00")  # still 28 November in New York
    overdue = build_summary(Q4)["overdue_follow_ups"]
    assert [i["description"] for i in overdue["items"]] == ["Due 30 September, still open", "Due 25 November, open"]
    assert overdue["count"] == 2


def test_overdue_follow_ups_at_the_end_of_a_finished_quarter(db, clock, campaign):
    _follow_up(db, campaign, "Due 30 September, open", date(2026, 9, 30))
    _follow_up(db, campaign, "Due 20 September, done 2 October", date(2026, 9, 20), done=date(2026, 10, 2))
    _follow_up(db, campaign, "Due 20 September, done in time", date(2026, 9, 20), done=date(2026, 9, 25))
    _follow_up(db, campaign, "Due 1 October", date(2026, 10, 1))
    db.session.commit()
    clock.set("2026-10-05T12:00:00+00:00")
    overdue = build_summary(Q3)["overdue_follow_ups"]
    assert [i["description"] for i in overdue["items"]] == [
        "Due 20 September, done 2 October",
        "Due 30 September, open",
    ]


def _pdf_pages_and_text(body: bytes) -> tuple[int, str]:
    pages = len(re.findall(rb"/Type /Page[^s]", body))
    text = b"".join(zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\n(.*?)\nendstream", body, re.S)).decode(
        "cp1252"
    )
    return pages, text


def test_summary_page_has_one_figure_per_finding_print_and_pdf(db, client, login_as, clock, campaign, make_user):
    _follow_up(db, campaign, "Send testimony (to council)", date(2026, 9, 10))
    db.session.commit()
    clock.set("2026-10-02T12:00:00+00:00")
    summary, _ = ensure_summary(Q3)
    db.session.commit()
    director = login_as("director")
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    assert page.count("<details") >= 9 and "<summary>Table: concerns by issue category</summary>" in page
    assert "data-print hidden>Print</button>" in page and "summary.js" in page
    assert "Download PDF" not in page  # only the signed summary goes to the board
    assert client.get("/summaries/2026-Q3/summary.pdf").status_code == 404

    client.post("/summaries/2026-Q3/commentary", data={"commentary": "A good quarter (mostly).", "version": "1"})
    version = db.session.get(QuarterlySummary, summary.id).version
    client.post("/summaries/2026-Q3/sign-off", data={"version": str(version)})
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    assert "Download PDF" in page
    response = client.get("/summaries/2026-Q3/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.data
    assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
    # The cross-reference table points at each object.
    xref = int(re.search(rb"startxref\n(\d+)", body).group(1))
    assert body[xref : xref + 4] == b"xref"
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", body), 1):
        assert body[int(offset) :].startswith(b"%d 0 obj" % number)
    pages, text = _pdf_pages_and_text(body)
    assert 1 <= pages <= 3
    assert "Reflection summary, 2026-Q3" in text and "Signed off by" in text
    assert "Send testimony \\(to council\\)" in text and "A good quarter \\(mostly\\)." in text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "summary.export")).all()
    assert [e.details.get("table") for e in event] == ["pdf"] and event[0].actor_id == director.id


def test_pdf_writer_wraps_and_breaks_pages():
    from caseflow.pdf import Document

    doc = Document(title="t")
    doc.heading("A heading")
    doc.paragraph("word " * 400)
    doc.table(["Name", "Count"], [[f"row {i} — “quoted” → next", i] for i in range(120)], [4, 1])
    pages, text = _pdf_pages_and_text(doc.render())
    assert (
        pages >= 3 and "Page 3 of" in text and "row 119" in text and "row 119 \u2014 \u201cquoted\u201d -> next" in text
    )


# --- self-assessment --------------------------------------------------------------------------


def test_anonymous_answers_cannot_be_traced(db, make_user, clock, client, login_as):
    clock.set("2026-11-20T17:45:00+00:00")
    me = login_as("caseworker")
    page = client.get("/self-assessment").get_data(as_text=True)
    assert "You have not answered yet." in page
    data = dict.fromkeys(self_assessment.ITEM_KEYS, "2") | {"anonymous": "y"}
    assert client.post("/self-assessment", data=data).status_code == 302
    response = db.session.scalar(select(SelfAssessmentResponse))
    assert response.user_id is None and response.role == "caseworker"
    assert response.submitted_at == datetime(2026, 10, 1, 4, tzinfo=UTC)  # only the quarter, no time
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == me.id)).all()
    assert "self_assessment.submit" not in actions
    page = client.get("/self-assessment").get_data(as_text=True)
    assert "You answered for 2026-Q4 on 2026-11-20." in page
    clock.set("2027-01-10T12:00:00+00:00")
    client.post("/logout")
    login(client, me.email)  # the session timed out while the clock moved on
    assert "You last answered on 2026-11-20 (for 2026-Q4)." in client.get("/self-assessment").get_data(as_text=True)


def test_averages_only_from_three_responses_and_by_role(db, make_user, clock, client, login_as):
    clock.set("2026-11-20T12:00:00+00:00")
    ratings = dict.fromkeys(self_assessment.ITEM_KEYS, 1)
    for rating in (1, 2):
        self_assessment.submit(make_user("organizer"), "2026-Q4", dict.fromkeys(ratings, rating), anonymous=True)
    db.session.commit()
    assert self_assessment.averages(["2026-Q4"]) == {"2026-Q4": {}}
    self_assessment.submit(make_user("organizer"), "2026-Q4", dict.fromkeys(ratings, 3), anonymous=False)
    self_assessment.submit(make_user("director"), "2026-Q4", dict.fromkeys(ratings, 0), anonymous=False)
    db.session.commit()
    assert self_assessment.averages(["2026-Q4"])["2026-Q4"]["equity_lens"] == 1.5
    roles = {r["role"]: r for r in self_assessment.by_role("2026-Q4")}
    assert roles["organizer"]["responses"] == 3 and roles["organizer"]["average"] == 2.0
    assert roles["director"]["responses"] == 1 and roles["director"]["average"] is None  # one person: hidden
    assert db.session.scalar(select(func.count()).select_from(SelfAssessmentResponse)) == 4

    login_as("admin")  # every role may open it
    page = client.get("/self-assessment").get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">Organizers</th><td class=\"num\">3</td><td class=\"num\">2.00</td>", page)
    assert re.search(r"<th scope=\"row\">Directors</th><td class=\"num\">1</td><td class=\"num\">—</td>", page)
    assert "fewer than 3" in page


def test_self_assessment_chart_labels_are_drawn_whole(db, clock, client, login_as, campaign, make_user):
    clock.set("2026-10-02T12:00:00+00:00")
    for role in ("director", "organizer", "caseworker"):
        self_assessment.submit(make_user(role), "2026-Q3", dict.fromkeys(self_assessment.ITEM_KEYS, 2), anonymous=True)
    ensure_summary(Q3)
    db.session.commit()
    login_as("director")
    page = client.get("/summaries/2026-Q3").get_data(as_text=True)
    chart = re.search(r"<svg[^>]*chart-paired.*?</svg>", page, re.S).group(0)
    labels = re.findall(r'<text [^>]*class="label"[^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>', chart)
    assert labels == list(self_assessment.SHORT.values())
    assert "…" not in "".join(labels)


def test_the_last_day_of_a_quarter_is_still_so_far_at_two_in_the_morning_utc(db, clock, make_user, campaign):
    clock.set("2027-01-01T02:00:00+00:00")  # 31 December, 21:00 in New York: Q4 is not over
    d = build_summary(Q4)
    assert d["so_far"] and d["counted_to"] == "2026-12-31"
    summary, _ = ensure_summary(Q4)
    with pytest.raises(QuarterNotOver):
        sign_off(make_user("director"), summary, summary.version)
    clock.set("2027-01-01T05:00:00+00:00")  # midnight in New York: now it is over
    sign_off(make_user("director"), summary, summary.version)
    assert summary.is_signed_off and not summary.data["so_far"]
