"""The navigation bar: each entry shows only to users whose roles hold its permission."""

from __future__ import annotations

from flask import current_app, request, url_for

from caseflow.accounts.permissions import can

NAV = [
    ("concerns.quick_log", "Log a concern", "concern.log"),
    ("concerns.index", "Concerns", ("concern.read_own", "concern.read_all")),
    ("selfreport.queue", "Self-reports", "self_report.triage"),
    ("patterns.index", "Patterns", "pattern.read"),
    ("patterns.equity", "Equity", "pattern.read"),
    ("suggestions.emerging", "Emerging issues", "pattern.manage"),
    ("campaigns.board", "Campaigns", "campaign.read"),
    ("measures.index", "Measures", "measure.read"),
    ("people.index", "People", "person.read"),
    ("convenings.index", "Convenings", "convening.read"),
    ("committee.index", "Committee", "committee.read"),
    ("reflection.summaries", "Quarterly summaries", "summary.read"),
    ("reflection.self_assessment_page", "Self-assessment", "self_assessment.take"),
    ("concerns.import_page", "Import", "concern.import"),
    ("taxonomy.index", "Programs & tags", "taxonomy.manage"),
    ("accounts.users", "Users", "admin.users"),
    ("accounts.tokens", "API tokens", "admin.tokens"),
    ("audit.index", "Audit log", "admin.audit"),
    ("admin.jobs_page", "Jobs", "admin.jobs"),
]


def nav_items() -> list[dict]:
    items = []
    for endpoint, label, perms in NAV:
        perms = (perms,) if isinstance(perms, str) else perms
        if endpoint in current_app.view_functions and any(can(p) for p in perms):
            items.append({"url": url_for(endpoint), "label": label, "current": request.endpoint == endpoint})
    return items
