from flask import abort, jsonify, request
from sqlalchemy import func, select

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, errors, json_body
from caseflow.concerns import fields, services
from caseflow.extensions import db
from caseflow.models import Concern
from caseflow.validation import is_ascii_digits

PER_PAGE = 50


def concern_json(c: Concern, actor) -> dict:
    """The stored concern as the API shows it; the client reference is never echoed (only hashed)."""
    shown = services.can_see_narrative(actor, c)
    out = {f.name: f.value(c) for f in fields.FIELDS if not f.hidden and (shown or not f.restricted)}
    out.update(
        id=c.id,
        has_client_ref=c.client_key is not None,
        author=c.author.email,
        version=c.version,
        created_at=c.created_at.isoformat(timespec="seconds"),
    )
    return out


@bp.post("/v1/concerns")
@require("concern.log")
def concern_create():
    actor = current_actor()
    body = json_body()
    data = services.parse_concern(body)
    if data.external_id:
        existing = services.find_by_external_id(data.external_id)
        if existing is not None:
            if not services.can_view(actor, existing):
                return errors({"external_id": ["Another system's concern already uses this external_id."]}, 409)
            return jsonify(concern_json(existing, actor)), 200
    concern = services.write_concern(actor, data)
    body = concern_json(concern, actor)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/v1/concerns")
@require("concern.read_own", "concern.read_all")
def concern_list():
    actor = current_actor()
    filters, problems = services.ConcernFilters.from_args(request.args)
    if problems:
        return errors(problems, 422)
    if request.args.get("page") not in (None, "") and not is_ascii_digits(request.args["page"]):
        return errors({"page": ["Use a page number from 1."]}, 422)
    query = filters.apply(services.visible_concerns(actor))
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(PER_PAGE).offset((filters.page - 1) * PER_PAGE)).all()
    return jsonify(
        items=[concern_json(c, actor) for c in rows],
        page=filters.page,
        pages=max(1, -(-total // PER_PAGE)),
        total=total,
    )


@bp.get("/v1/concerns/<int:concern_id>")
@require("concern.read_own", "concern.read_all")
def concern_get(concern_id: int):
    actor = current_actor()
    concern = db.session.get(Concern, concern_id)
    if concern is None or not services.can_view(actor, concern):
        abort(404)
    return jsonify(concern_json(concern, actor))
