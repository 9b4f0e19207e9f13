"""Programs and tags: create, rename, deactivate, merge."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext
from sqlalchemy import select

from caseflow.audit.services import record
from caseflow.errors import ValidationFailed
from caseflow.extensions import db
from caseflow.models import TAG_CATEGORIES, Program, ProgramName, Tag, TagName
from caseflow.taxonomy.signals import concerns_retagged, tag_category_changed

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """A slug from a name, as static/app.js makes it while the name is typed: "Café & Food" → "cafe-food"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].rstrip("-")


def _check(model, slug: str, name: str, *, existing_id: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 60:
        errors["slug"] = [gettext("Use 1–60 lowercase letters, digits and single hyphens, e.g. 'food-pantry'.")]
    elif db.session.scalar(select(model.id).where(model.slug == slug, model.id != (existing_id or 0))):
        errors["slug"] = [gettext("This slug is already in use.")]
    if not isinstance(name, str) or not name.strip() or len(name) > 120 or "\x00" in name:
        errors["name"] = [gettext("Give a name of 1–120 characters (no NUL).")]
    return errors


def problems(model, slug: str, name: str) -> dict[str, list[str]]:
    """What is wrong with a new program's or tag's slug and name, all at once (for forms that show
    every error together)."""
    return _check(model, slug, name)


def create_program(actor, slug: str, name: str) -> Program:
    errors = _check(Program, slug, name)
    if errors:
        raise ValidationFailed(errors)
    program = Program(slug=slug, name=name.strip())
    db.session.add(program)
    db.session.flush()
    record("program.create", actor, program, slug=slug)
    return program


def create_tag(actor, slug: str, name: str, category: str, description: str = "") -> Tag:
    errors = _check(Tag, slug, name)
    description = "" if description is None else description
    if not isinstance(description, str) or len(description) > 1000 or "\x00" in description:
        errors["description"] = [gettext("Use at most 1,000 characters of plain text.")]
    if category not in TAG_CATEGORIES:
        errors["category"] = [gettext("Choose one of: %(values)s.", values=", ".join(TAG_CATEGORIES))]
    if errors:
        raise ValidationFailed(errors)
    tag = Tag(slug=slug, name=name.strip(), category=category, description=description or "")
    db.session.add(tag)
    db.session.flush()
    record("tag.create", actor, tag, slug=slug)
    return tag


def update(actor, obj, *, name: str, active: bool, category: str | None = None) -> None:
    errors = _check(type(obj), obj.slug, name, existing_id=obj.id)
    if category is not None and category not in TAG_CATEGORIES:
        errors["category"] = [gettext("Choose a category from the list.")]
    if errors:
        raise ValidationFailed(errors)
    before = {"name": obj.name, "active": obj.active}
    obj.name = name.strip()
    obj.active = active
    if category is not None:
        before["category"] = obj.category
        recount = obj.category != category
        obj.category = category
        if recount:  # the race rollup counts concerns per tag category
            db.session.flush()
            tag_category_changed.send(db.session, tag=obj)
    record(f"{obj.__tablename__[:-1]}.update", actor, obj, before=before)


def local_name(obj, locale: str) -> str:
    """The name set for `locale` ("" when none: pages then show the default name)."""
    model, key = (TagName, "tag_id") if isinstance(obj, Tag) else (ProgramName, "program_id")
    row = db.session.get(model, {key: obj.id, "locale": locale})
    return row.name if row else ""


def set_local_name(actor, obj, locale: str, name: str | None) -> None:
    """Name a tag or program in one more language (empty: the default name again); audited."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if len(name) > 120 or "\x00" in name:
        raise ValidationFailed({f"name_{locale}": [gettext("Give a name of 1–120 characters (no NUL).")]})
    model, key = (TagName, "tag_id") if isinstance(obj, Tag) else (ProgramName, "program_id")
    row = db.session.get(model, {key: obj.id, "locale": locale})
    before = row.name if row else ""
    if name == before:
        return
    if not name:
        db.session.delete(row)
    elif row is None:
        db.session.add(model(**{key: obj.id, "locale": locale, "name": name}))
    else:
        row.name = name
    db.session.flush()
    record(f"{obj.__tablename__[:-1]}.translate", actor, obj, locale=locale, name=name, before=before)


def active_programs() -> list[Program]:
    return list(db.session.scalars(select(Program).where(Program.active).order_by(Program.name)))


def active_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(Tag.active).order_by(Tag.category, Tag.name)))


def merge_tags(actor, source: Tag, target: Tag) -> int:
    """Move every concern from `source` to `target`; `source` stays, inactive, pointing at `target`.

    Returns how many concerns moved. History is kept: the audit record names both tags.
    """
    from sqlalchemy import delete, exists, update

    from caseflow.models import concern_tags

    if source.id == target.id:
        raise ValidationFailed({"target": [gettext("Choose a different tag to merge into.")]})
    if target.merged_into_id is not None:
        raise ValidationFailed({"target": [gettext("That tag was itself merged; choose the tag it was merged into.")]})
    ct = concern_tags
    t2 = ct.alias("t2")
    both = exists().where(t2.c.concern_id == ct.c.concern_id, t2.c.tag_id == target.id)
    # Concerns that carry both tags keep one row (the target's).
    removed = db.session.execute(delete(ct).where(ct.c.tag_id == source.id, both)).rowcount
    moved = db.session.execute(update(ct).where(ct.c.tag_id == source.id).values(tag_id=target.id)).rowcount
    source.active = False
    source.merged_into_id = target.id
    # Tags merged into `source` earlier now point at the final target.
    db.session.execute(update(Tag).where(Tag.merged_into_id == source.id).values(merged_into_id=target.id))
    db.session.flush()
    # The concerns' tags changed behind the ORM's back: whoever counts them recounts.
    concerns_retagged.send(db.session, source=source, target=target)
    record("tag.merge", actor, source, into=target.slug, moved=moved + removed)
    return moved + removed
