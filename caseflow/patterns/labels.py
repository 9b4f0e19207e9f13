"""Pattern keys in words for people: `tag:eviction-threat/program:housing` → "Eviction threat · Housing
Assistance". Keys stay the stable identifiers in URLs, the API and the database; pages say names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.models import Program, Tag
from caseflow.patterns.keys import PatternKey


def pattern_labels(keys: Iterable[str]) -> dict[str, str]:
    """Each key's label, with two queries for any number of keys; an unknown slug shows as itself."""
    keys = list(dict.fromkeys(keys))
    parsed = {key: PatternKey.parse(key) for key in keys}
    tag_slugs = {p.tag for p in parsed.values() if p}
    program_slugs = {p.program for p in parsed.values() if p and p.program}
    tags = (
        dict(db.session.execute(select(Tag.slug, Tag.name).where(Tag.slug.in_(tag_slugs))).all()) if tag_slugs else {}
    )
    programs = (
        dict(db.session.execute(select(Program.slug, Program.name).where(Program.slug.in_(program_slugs))).all())
        if program_slugs
        else {}
    )
    labels = {}
    for key, p in parsed.items():
        if p is None:
            labels[key] = key
            continue
        parts = [tags.get(p.tag, p.tag)]
        if p.program:
            parts.append(programs.get(p.program, p.program))
        if p.zip:
            parts.append(f"ZIP {p.zip}")
        labels[key] = " · ".join(parts)
    return labels


def pattern_label(key: str) -> str:
    return pattern_labels([key])[key]
