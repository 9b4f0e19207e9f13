"""The /api blueprint and the helpers every endpoint uses for bodies and errors."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.validation import MAX_JSON_DEPTH, json_problem

bp = Blueprint("api", __name__, url_prefix="/api")


class BadRequest(Exception):
    pass


def json_body() -> dict:
    """The request's JSON object, or BadRequest (→ 400) when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest()
    return data


@bp.before_request
def _refuse_hostile_json():
    """Parse a JSON body once, before any view: nesting deeper than the parser's stack (50,000
    levels answered 500), too deep to mean anything, or a lone surrogate no database can store are
    a 400 and nothing is written. The views then read the cached, checked body."""
    if not request.is_json:
        return None
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        return errors({"body": [f"Nest JSON at most {MAX_JSON_DEPTH} levels deep."]}, 400)
    problem = json_problem(data) if data is not None else None
    return errors({"body": [problem]}, 400) if problem else None


def errors(errors: dict[str, list[str]], status: int = 422):
    return jsonify(errors=errors), status


@bp.errorhandler(BadRequest)
def _bad_request(e):
    db.session.rollback()
    return errors({"body": ["Send a JSON object with Content-Type: application/json."]}, 400)


@bp.errorhandler(ValidationFailed)
def _validation_failed(e: ValidationFailed):
    db.session.rollback()
    return errors(e.errors, 422)


@bp.errorhandler(DomainError)
def _domain_error(e: DomainError):
    db.session.rollback()
    return errors({e.field or "request": [e.message]}, e.status)
