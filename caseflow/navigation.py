"""The navigation bar: each entry shows only to users whose roles hold its permission."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from caseflow.accounts.permissions import can

NAV = [
    ("concerns.quick_log", _l("Log a concern"), "concern.log"),
    ("concerns.index", _l("Concerns"), ("concern.read_own", "concern.read_all")),
    ("selfreport.queue", _l("Self-reports"), "self_report.triage"),
    ("patterns.index", _l("Patterns"), "pattern.read"),
    ("patterns.equity", _l("Equity"), "pattern.read"),
    ("suggestions.emerging", _l("Emerging issues"), "pattern.manage"),
    ("campaigns.board", _l("Campaigns"), "campaign.read"),
    ("measures.index", _l("Measures"), "measure.read"),
    ("people.index", _l("People"), "person.read"),
    ("convenings.index", _l("Convenings"), "convening.read"),
    ("committee.index", _l("Committee"), "committee.read"),
    ("reflection.summaries", _l("Quarterly summaries"), "summary.read"),
    ("reflection.self_assessment_page", _l("Self-assessment"), "self_assessment.take"),
    ("concerns.import_page", _l("Import"), "concern.import"),
    ("taxonomy.index", _l("Programs & tags"), "taxonomy.manage"),
    ("accounts.users", _l("Users"), "admin.users"),
    ("accounts.tokens", _l("API tokens"), "admin.tokens"),
    ("audit.index", _l("Audit log"), "admin.audit"),
    ("admin.jobs_page", _l("Jobs"), "admin.jobs"),
]


def nav_items() -> list[dict]:
    items = []
    for endpoint, label, perms in NAV:
        perms = (perms,) if isinstance(perms, str) else perms
        if endpoint in current_app.view_functions and any(can(p) for p in perms):
            items.append({"url": url_for(endpoint), "label": str(label), "current": request.endpoint == endpoint})
    return items
