"""The signed summary as a PDF for the board: the same stored figures as the page, as text and tables."""

from __future__ import annotations

from caseflow import dates
from caseflow.models import STEP_LABELS, QuarterlySummary
from caseflow.pdf import Document
from caseflow.reflection.quarters import Quarter


def _change(n: int | None) -> str:
    if n is None:
        return "-"
    return f"+{n:,}" if n > 0 else (f"-{-n:,}" if n < 0 else "no change")


def summary_pdf(stored: QuarterlySummary, q: Quarter, org_name: str) -> bytes:
    d = stored.data
    doc = Document(title=f"Reflection summary {d['quarter']}", footer=f"{org_name} - reflection summary {d['quarter']}")
    doc.heading(f"Reflection summary, {d['quarter']}" + (" (so far)" if d.get("so_far") else ""), size=18)
    signed = (
        f"Signed off by {stored.signed_off_by.display_name} on {dates.show(stored.signed_off_at)}"
        if stored.is_signed_off
        else "Draft, not signed off"
    )
    doc.paragraph(f"{q.span} - {org_name} - {signed}. Built {dates.show(stored.built_at)}.")

    doc.heading(f"Against last quarter ({d['previous_quarter']})")
    doc.table(
        ["Measure", d["quarter"], d["previous_quarter"], "Change"],
        [
            [r["label"], r.get("this_display") or f"{r['this']:,}", r.get("previous_display") or f"{r['previous']:,}"]
            + [_change(r["change"])]
            for r in d["comparison"]
        ],
        [5, 1.5, 1.5, 1.5],
    )

    doc.heading("What clients brought")
    doc.table(["Issue category", "Concerns"], [[r["label"], r["display"]] for r in d["by_category"]], [5, 1.5])
    doc.table(["Program", "Concerns"], [[r["label"], r["display"]] for r in d["by_program"]], [5, 1.5])

    doc.heading("Patterns")
    doc.table(
        ["Largest patterns", "Concerns", "Clients"],
        [
            [p["title"], p["count"] if p["count"] is not None else f"<{d['min_cell']}", p["distinct_clients"]]
            for p in d["patterns"]["top"]
        ]
        or [["None large enough", "", ""]],
        [5, 1.5, 1.5],
    )
    for g in d["patterns"]["disparities"]:
        doc.paragraph(
            f"{g['pattern']}: {g['group']} clients are {g['rate_ratio']}x as represented as in the whole caseload "
            f"({g['in_pattern']} concerns)."
        )
    if not d["patterns"]["disparities"]:
        doc.paragraph(
            "No disparity of 1.5x or more among the largest patterns (where counts are large enough to show)."
        )
    doc.paragraph(d["suppression_note"], size=8)

    doc.heading("Campaigns and where they moved")
    doc.table(
        ["Step", "Active campaigns"],
        [[STEP_LABELS.get(r["step"], r["step"]), r["count"]] for r in d["campaigns"]["by_step"]],
        [5, 1.5],
    )
    if d["campaigns"]["moves"]:
        doc.table(
            ["Campaign", "Move", "On", "Why"],
            [[m["campaign"], f"{m['from']} -> {m['to']}", m["on"], m["note"]] for m in d["campaigns"]["moves"]],
            [3, 2.5, 1.5, 4],
        )

    a = d["actions"]
    doc.heading("Action and participation")
    doc.paragraph(
        f"{a['actions']} organizing actions; {a['constituent_participants']} constituent participations alongside "
        f"{a['staff_participants']} staff; {a.get('new_leaders_display', a['new_leaders'])} new constituent leaders."
    )
    for r in d["reviews"]:
        doc.paragraph(
            f"Review - {r['campaign']}: {r['decision']}" + (f" - \u201c{r['learned']}\u201d" if r["learned"] else "")
        )
    overdue = d["overdue_follow_ups"]
    doc.paragraph(f"Overdue follow-ups at quarter end: {overdue['count']}", bold=True)
    if overdue["items"]:
        doc.table(
            ["Campaign", "Follow-up", "Owner", "Due"],
            [[i["campaign"], i["description"], i["owner"], i["due_on"]] for i in overdue["items"]],
            [3, 4, 2.5, 1.5],
        )

    sa = d["self_assessment"]
    doc.heading(f"Self-assessment ({sa['respondents']} responses)")
    doc.table(
        ["Statement", d["quarter"], d["previous_quarter"]],
        [
            [i["statement"], "-" if i["this"] is None else i["this"], "-" if i["previous"] is None else i["previous"]]
            for i in sa["items"]
        ],
        [7, 1.2, 1.2],
    )

    doc.heading("Director's commentary")
    doc.paragraph(stored.commentary or "No commentary.")
    return doc.render()
