from flask import abort, current_app, jsonify

from caseflow.accounts.permissions import require
from caseflow.api.blueprint import bp
from caseflow.reflection.quarters import Quarter
from caseflow.reflection.services import get_summary


@bp.get("/v1/summaries/<quarter>")
@require("summary.read")
def summary_get(quarter: str):
    q = Quarter.parse(quarter, current_app.config["FISCAL_YEAR_START_MONTH"])
    stored = get_summary(q.label) if q else None
    if stored is None:
        abort(404)
    return jsonify(
        quarter=stored.quarter,
        state=stored.state,
        built_at=stored.built_at.isoformat(timespec="seconds"),
        signed_off_at=stored.signed_off_at.isoformat(timespec="seconds") if stored.signed_off_at else None,
        signed_off_by=stored.signed_off_by.email if stored.signed_off_by else None,
        commentary=stored.commentary,
        data=stored.data,
    )
