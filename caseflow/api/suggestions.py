"""GET /api/v1/tags/suggest: the tags most likely for a text. The text is used and dropped."""

from flask import jsonify, request

from caseflow.accounts.permissions import require
from caseflow.api.blueprint import bp
from caseflow.suggestions import services


@bp.get("/v1/tags/suggest")
@require("concern.log")
def suggest_tags():
    text, limit = services.parse_request(request.args)  # ValidationFailed → 422 with field errors
    return jsonify(services.suggest(text, limit).as_json())
