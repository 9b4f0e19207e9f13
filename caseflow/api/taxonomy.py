from flask import jsonify
from sqlalchemy import select

from caseflow.accounts.permissions import current_actor, require
from caseflow.api.blueprint import bp, json_body
from caseflow.extensions import db
from caseflow.models import Program, Tag
from caseflow.taxonomy import services


def program_json(p: Program) -> dict:
    return {"slug": p.slug, "name": p.name, "active": p.active}


def tag_json(t: Tag) -> dict:
    return {"slug": t.slug, "name": t.name, "category": t.category, "active": t.active}


@bp.get("/v1/programs")
@require("taxonomy.read")
def programs():
    rows = db.session.scalars(select(Program).order_by(Program.name))
    return jsonify(items=[program_json(p) for p in rows])


@bp.post("/v1/programs")
@require("taxonomy.manage")
def program_create():
    body = json_body()
    program = services.create_program(current_actor(), body.get("slug"), body.get("name"))
    db.session.commit()
    return jsonify(program_json(program)), 201


@bp.get("/v1/tags")
@require("taxonomy.read")
def tags():
    rows = db.session.scalars(select(Tag).order_by(Tag.category, Tag.name))
    return jsonify(items=[tag_json(t) for t in rows])


@bp.post("/v1/tags")
@require("taxonomy.manage")
def tag_create():
    body = json_body()
    tag = services.create_tag(
        current_actor(), body.get("slug"), body.get("name"), body.get("category"), body.get("description") or ""
    )
    db.session.commit()
    return jsonify(tag_json(tag)), 201
