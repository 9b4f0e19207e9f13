"""Common measures in the API: the library and each measure's dated values per group."""

from __future__ import annotations

from flask import abort, jsonify, request

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, errors, json_body
from caseflow.equity.policy import for_viewer
from caseflow.extensions import db
from caseflow.measures import progress, services
from caseflow.models import Measure
from caseflow.web import database_id


@bp.get("/v1/measures")
@require("measure.read")
def measures_list():
    return jsonify(items=[services.measure_json(m) for m in services.library()])


@bp.post("/v1/measures")
@require("measure.manage")
def measures_create():
    measure = services.create_measure(current_actor(), json_body(), strict=True)
    db.session.commit()
    return jsonify(services.measure_json(measure)), 201


def _measure_or_404(measure_id: int) -> Measure:
    measure = db.session.get(Measure, measure_id)
    if measure is None:
        abort(404)
    return measure


@bp.get("/v1/measures/<int:measure_id>/values")
@require("measure.read")
def measure_values(measure_id: int):
    """The current value of each (date, group) in a scope, as the caller may see it."""
    measure = _measure_or_404(measure_id)
    raw_campaign = request.args.get("campaign")
    campaign_id = database_id(raw_campaign) if raw_campaign else None
    if raw_campaign and campaign_id is None:
        return errors({"campaign": ["Give a campaign's id."]})
    disclosure = for_viewer()
    items = []
    for p in progress.points(measure, campaign_id, disclosure):
        items.append(
            {
                "id": p.value_id,
                "observed_on": p.on.isoformat(),
                "dimension": p.dimension,
                "group": p.group,
                "value": p.value,
                "numerator": p.raw_numerator,
                "denominator": p.raw_denominator,
                "revision": p.revision,
                "source_note": p.source_note,
            }
        )
    return jsonify(measure=services.measure_json(measure), campaign_id=campaign_id, items=items)


@bp.post("/v1/measures/<int:measure_id>/values")
@require("measure.record")
def measure_values_create(measure_id: int):
    measure = _measure_or_404(measure_id)
    row = services.record_value(current_actor(), measure, json_body(), strict=True)
    db.session.commit()
    return jsonify(services.value_json(row)), 201
