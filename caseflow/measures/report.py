"""Measures in the quarterly summary, and the progress report for a board or funder.

The summary stores a measures section when it is built (`summary_section`): each campaign's
measures and the organisation-wide ones, with the latest value, the change since last quarter and
since the baseline, and the gap between groups and its trend, all published for "leaving the
building" (the disclosure policy's `leaving()`). The report (PDF, one page per campaign, and CSV)
is made from that stored section only, so it shows exactly what the director signed off.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from flask_babel import format_datetime, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from caseflow import dates
from caseflow.campaigns.rules import STATUS_LABELS, STEP_DISPLAY, STEP_NAMES
from caseflow.equity.policy import leaving, stored_note
from caseflow.extensions import db
from caseflow.measures.progress import fmt, summary_row
from caseflow.models import DIMENSIONS, Campaign, CampaignMeasure, Measure, MeasureValue, QuarterlySummary
from caseflow.models.measure import ORG_SCOPE
from caseflow.pdf import Document


def summary_section(until: date, before: date) -> dict:
    """The measures as of `until` (the quarter's last day counted), against `before` (the end of
    the quarter before)."""
    disclosure = leaving()
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.step, Campaign.status)
        .where(
            exists().where(CampaignMeasure.campaign_id == Campaign.id),
            Campaign.created_at < dates.day_start(until + timedelta(days=1)),
        )
        .order_by(Campaign.title)
    ).all()
    out_campaigns = []
    for campaign_id, title, step, status in campaigns:
        picks = db.session.scalars(
            select(CampaignMeasure).where(CampaignMeasure.campaign_id == campaign_id).order_by(CampaignMeasure.id)
        ).all()
        out_campaigns.append(
            {
                "id": campaign_id,
                "title": title,
                "step": step,
                "status": status,
                "measures": [summary_row(p.measure, campaign_id, disclosure, until, before) for p in picks],
            }
        )
    org_measures = db.session.scalars(
        select(Measure)
        .where(
            or_(
                Measure.derived != "",
                exists().where(
                    MeasureValue.measure_id == Measure.id,
                    MeasureValue.scope == ORG_SCOPE,
                    MeasureValue.observed_on <= until,
                ),
            )
        )
        .order_by(Measure.name)
    ).all()
    return {
        "as_of": until.isoformat(),
        "previous_end": before.isoformat(),
        "campaigns": out_campaigns,
        "organisation": [summary_row(m, None, disclosure, until, before) for m in org_measures],
        "note": disclosure.note,
    }


def _signed(value, unit: str) -> str:
    if value is None:
        return "-"
    text = fmt(abs(value), unit)
    return gettext("no change") if value == 0 else (f"+{text}" if value > 0 else f"-{text}")


def _with_date(value, unit: str, on: str | None) -> str:
    if value is None:
        return "-"
    return fmt(value, unit) + (f" ({on})" if on else "")


def gap_sentence(m: dict) -> str:
    """The gap between groups in words, as the summary page, the PDF and the CSV say it."""
    if m.get("gap_latest") is None:
        return gettext("No gap between groups yet (values for at least two groups on one date are needed).")
    dimension = DIMENSIONS.get(m["gap_dimension"], m["gap_dimension"]).lower()
    unit = m["unit"]
    text = gettext(
        "Gap between groups by %(dimension)s: %(value)s on %(day)s",
        dimension=dimension,
        value=fmt(m["gap_latest"], unit),
        day=m["gap_latest_on"],
    )
    if m.get("gap_first_on") and m["gap_first_on"] != m["gap_latest_on"]:
        text += ", " + gettext("from %(value)s on %(day)s", value=fmt(m["gap_first"], unit), day=m["gap_first_on"])
    if m.get("gap_trend"):
        text += f": {trend_word(m['gap_trend'])}"
    if m.get("gap_worst"):
        text += " " + gettext("(furthest from the goal: %(group)s)", group=m["gap_worst"])
    return text + "."


def trend_word(trend: str) -> str:
    """The gap's trend in the reader's words (the CSV and the API keep the English code)."""
    words = {"narrowing": gettext("narrowing"), "widening": gettext("widening"), "no change": gettext("no change")}
    return words.get(trend, trend)


TABLE_HEADER = [
    _l("Measure"),
    _l("Baseline"),
    _l("Latest"),
    _l("Since last quarter"),
    _l("Since baseline"),
    _l("Target"),
    _l("Gap"),
]
WIDTHS = [1.6, 1.6, 1.3, 1.3, 1.6, 1.1]  # the figures' columns; the name is written above them in full


def table_row(m: dict) -> list[str]:
    unit = m["unit"]
    return [
        m["name"] + (f" ({unit})" if unit and unit != "%" else ""),
        _with_date(m["baseline"], unit, m["baseline_on"]),
        _with_date(m["latest"], unit, m["latest_on"]) if m["latest"] is not None else m["latest_display"],
        _signed(m["change_quarter"], unit),
        _signed(m["change_baseline"], unit),
        _with_date(m["target"], unit, m["target_on"]),
        trend_word(m.get("gap_trend") or "-"),
    ]


def progress_pdf(stored: QuarterlySummary, org_name: str) -> bytes:
    d = stored.data
    section = d.get("measures") or {"campaigns": [], "organisation": [], "note": d.get("suppression_note", "")}
    quarter = d["quarter"]
    doc = Document(
        title=gettext("Progress report %(quarter)s", quarter=quarter),
        footer=f"{org_name} - " + gettext("progress report %(quarter)s", quarter=quarter),
    )
    heading = gettext("Progress report, %(quarter)s", quarter=quarter)
    doc.heading(heading + (" " + gettext("(so far)") if d.get("so_far") else ""), size=18)
    signed = (
        gettext(
            "Signed off by %(name)s on %(moment)s",
            name=stored.signed_off_by.display_name,
            moment=format_datetime(stored.signed_off_at, "medium"),
        )
        if stored.is_signed_off
        else gettext("Draft, not signed off")
    )
    doc.paragraph(
        gettext(
            "%(org)s - %(start)s to %(end)s - %(signed)s, with the quarterly reflection summary.",
            org=org_name,
            start=d["start"],
            end=d["end"],
            signed=signed,
        )
    )
    doc.paragraph(
        gettext(
            "Common measures of our campaigns: the latest value, the change since last quarter (%(previous)s) and "
            "since the baseline, the target, and whether the gap between groups is narrowing. Each campaign follows "
            "on its own page.",
            previous=d["previous_quarter"],
        )
    )
    doc.heading(gettext("Across the organisation"))
    for m in section["organisation"]:
        _measure_block(doc, m)
    if not section["organisation"]:
        doc.paragraph(gettext("No organisation-wide measures."))
    doc.heading(gettext("Campaigns in this report"))
    doc.table(
        [gettext("Campaign"), gettext("Step"), gettext("Status"), gettext("Measures")],
        [
            [c["title"], str(STEP_NAMES.get(c["step"], c["step"])), _status(c["status"]), len(c["measures"])]
            for c in section["campaigns"]
        ]
        or [[gettext("No campaign tracks a measure yet"), "", "", ""]],
        [5, 2, 1.2, 1.2],
    )
    doc.heading(gettext("Director's commentary"))
    doc.paragraph(stored.commentary or gettext("No commentary."))
    doc.paragraph(stored_note(section.get("note", ""), d.get("min_cell")), size=8)
    for c in section["campaigns"]:
        doc.new_page()
        doc.heading(c["title"], size=16)
        doc.paragraph(
            gettext(
                "%(quarter)s - step: %(step)s - status: %(status)s",
                quarter=quarter,
                step=STEP_DISPLAY.get(c["step"], c["step"]),
                status=_status(c["status"]),
            )
        )
        for m in c["measures"]:
            _measure_block(doc, m)
    return doc.render()


def _status(code: str) -> str:
    return str(STATUS_LABELS.get(code, code)).lower()


def _measure_block(doc: Document, m: dict) -> None:
    """One measure: its full name, a row of its figures, and the gap between groups in words."""
    row = table_row(m)
    doc.paragraph(row[0], size=10, bold=True)
    doc.table([str(h) for h in TABLE_HEADER[1:]], [row[1:]], WIDTHS, size=8)
    doc.paragraph(gap_sentence(m), size=9)


CSV_HEADER = [
    "quarter",
    "campaign",
    "measure",
    "unit",
    "baseline",
    "baseline_on",
    "latest",
    "latest_on",
    "previous_quarter_value",
    "change_since_last_quarter",
    "change_since_baseline",
    "target",
    "target_on",
    "gap_by",
    "gap_first",
    "gap_first_on",
    "gap_latest",
    "gap_latest_on",
    "gap_trend",
]


def csv_rows(stored: QuarterlySummary) -> Iterator[list]:
    d = stored.data
    section = d.get("measures") or {"campaigns": [], "organisation": []}
    yield CSV_HEADER
    blocks = [("(organisation-wide)", section["organisation"])] + [
        (c["title"], c["measures"]) for c in section["campaigns"]
    ]
    for title, measures in blocks:
        for m in measures:
            yield [
                d["quarter"],
                title,
                m["name"],
                m["unit"],
                m["baseline"],
                m["baseline_on"],
                m["latest"] if m["latest"] is not None else m["latest_display"],
                m["latest_on"],
                m["previous"],
                m["change_quarter"],
                m["change_baseline"],
                m["target"],
                m["target_on"],
                m["gap_dimension"],
                m["gap_first"],
                m["gap_first_on"],
                m["gap_latest"],
                m["gap_latest_on"],
                m["gap_trend"],
            ]
