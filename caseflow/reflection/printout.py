"""The signed summary as a PDF for the board: the same stored figures as the page, as text and tables,
in the language of the person who downloads it (caseflow.reflection.words)."""

from __future__ import annotations

from flask_babel import gettext, ngettext

from caseflow import i18n
from caseflow.models import QuarterlySummary
from caseflow.pdf import Document
from caseflow.reflection import words
from caseflow.reflection.quarters import Quarter


def _change(n: int | None) -> str:
    if n is None:
        return "-"
    return f"+{i18n.number(n)}" if n > 0 else (f"-{i18n.number(-n)}" if n < 0 else gettext("no change"))


def summary_pdf(stored: QuarterlySummary, q: Quarter, org_name: str) -> bytes:
    d = stored.data
    quarter, previous = d["quarter"], d["previous_quarter"]
    doc = Document(
        title=gettext("Reflection summary %(quarter)s", quarter=quarter),
        footer=f"{org_name} - " + gettext("reflection summary %(quarter)s", quarter=quarter),
    )
    heading = gettext("Reflection summary, %(quarter)s", quarter=quarter)
    doc.heading(heading + (" " + gettext("(so far)") if d.get("so_far") else ""), size=18)
    signed = (
        gettext(
            "Signed off by %(name)s on %(moment)s",
            name=stored.signed_off_by.display_name,
            moment=i18n.local(stored.signed_off_at),
        )
        if stored.is_signed_off
        else gettext("Draft, not signed off")
    )
    built = gettext("Built %(moment)s", moment=i18n.local(stored.built_at))
    doc.paragraph(f"{q.span} - {org_name} - {signed}. {built}.")

    doc.heading(gettext("Against last quarter (%(quarter)s)", quarter=previous))
    doc.table(
        [gettext("Measure"), quarter, previous, gettext("Change")],
        [
            [
                words.comparison(r),
                r.get("this_display") or i18n.number(r["this"]),
                r.get("previous_display") or i18n.number(r["previous"]),
                _change(r["change"]),
            ]
            for r in d["comparison"]
        ],
        [5, 1.5, 1.5, 1.5],
    )

    concerns = gettext("Concerns")
    doc.heading(gettext("What clients brought"))
    doc.table(
        [gettext("Issue category"), concerns],
        [[words.category(r["label"]), r["display"]] for r in d["by_category"]],
        [5, 1.5],
    )
    doc.table([gettext("Program"), concerns], [[r["label"], r["display"]] for r in d["by_program"]], [5, 1.5])

    doc.heading(gettext("Patterns"))
    doc.table(
        [gettext("Largest patterns"), concerns, gettext("Clients")],
        [
            [p["title"], p["count"] if p["count"] is not None else f"<{d['min_cell']}", p["distinct_clients"]]
            for p in d["patterns"]["top"]
        ]
        or [[gettext("None large enough"), "", ""]],
        [5, 1.5, 1.5],
    )
    for g in d["patterns"]["disparities"]:
        doc.paragraph(
            gettext(
                "%(pattern)s: %(group)s clients are %(ratio)sx as represented as in the whole caseload "
                "(%(num)s concerns).",
                pattern=g["pattern"],
                group=words.race(g.get("group_code"), g["group"]),
                ratio=g["rate_ratio"],
                num=g["in_pattern"],
            )
        )
    if not d["patterns"]["disparities"]:
        doc.paragraph(
            gettext("No disparity of 1.5x or more among the largest patterns (where counts are large enough to show).")
        )
    doc.paragraph(words.note(d), size=8)

    doc.heading(gettext("Campaigns and where they moved"))
    doc.table(
        [gettext("Step"), gettext("Active campaigns")],
        [[words.step_long(r["step"]), r["count"]] for r in d["campaigns"]["by_step"]],
        [5, 1.5],
    )
    if d["campaigns"]["moves"]:
        doc.table(
            [gettext("Campaign"), gettext("Move"), gettext("On"), gettext("Why")],
            [
                [
                    m["campaign"],
                    f"{words.step(m['from'])} -> {words.step(m['to'])}",
                    _day(m["on"]),
                    m["note"],
                ]
                for m in d["campaigns"]["moves"]
            ],
            [3, 2.5, 1.5, 4],
        )

    a = d["actions"]
    doc.heading(gettext("Action and participation"))
    doc.paragraph(
        gettext(
            "%(actions)s organizing actions; %(constituents)s constituent participations alongside %(staff)s staff; "
            "%(leaders)s new constituent leaders.",
            actions=a["actions"],
            constituents=a["constituent_participants"],
            staff=a["staff_participants"],
            leaders=a.get("new_leaders_display", a["new_leaders"]),
        )
    )
    for r in d["reviews"]:
        learned = f" - \u201c{r['learned']}\u201d" if r["learned"] else ""
        doc.paragraph(
            gettext("Review - %(campaign)s: %(decision)s", campaign=r["campaign"], decision=words.review(r["decision"]))
            + learned
        )
    overdue = d["overdue_follow_ups"]
    doc.paragraph(gettext("Overdue follow-ups at quarter end: %(num)s", num=overdue["count"]), bold=True)
    if overdue["items"]:
        doc.table(
            [gettext("Campaign"), gettext("Follow-up"), gettext("Owner"), gettext("Due")],
            [[i["campaign"], i["description"], i["owner"], _day(i["due_on"])] for i in overdue["items"]],
            [3, 4, 2.5, 1.5],
        )

    sa = d["self_assessment"]
    doc.heading(
        ngettext("Self-assessment (%(num)s response)", "Self-assessment (%(num)s responses)", sa["respondents"])
    )
    doc.table(
        [gettext("Statement"), quarter, previous],
        [
            [
                words.statement(i),
                "-" if i["this"] is None else i["this"],
                "-" if i["previous"] is None else i["previous"],
            ]
            for i in sa["items"]
        ],
        [7, 1.2, 1.2],
    )

    doc.heading(gettext("Director's commentary"))
    doc.paragraph(stored.commentary or gettext("No commentary."))
    return doc.render()


def _day(text) -> str:
    """A stored ISO date in the reader's format; anything else as it is."""
    from datetime import date

    try:
        return i18n.day(date.fromisoformat(text))
    except (TypeError, ValueError):
        return text or "-"
