"""Pattern keys in words for people: `tag:eviction-threat/program:housing` → "Eviction threat · Housing
Assistance". Keys stay the stable identifiers in URLs, the API and the database; pages say names."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from caseflow.extensions import db
from caseflow.i18n import taxonomy_names
from caseflow.models import Tag
from caseflow.patterns.facets import FACETS
from caseflow.patterns.keys import PatternKey


def pattern_labels(keys: Iterable[str]) -> dict[str, str]:
    """Each key's label, with a query for the tags and one per facet that names its values (programs);
    an unknown slug shows as itself."""
    keys = list(dict.fromkeys(keys))
    parsed = {key: PatternKey.parse(key) for key in keys}
    tag_slugs = {p.tag for p in parsed.values() if p}
    rows = (
        db.session.execute(select(Tag.id, Tag.slug, Tag.name).where(Tag.slug.in_(tag_slugs))).all() if tag_slugs else []
    )
    translated = taxonomy_names("tag")  # the names in the reader's language, where an admin gave one
    tags = {slug: translated.get(tag_id) or name for tag_id, slug, name in rows}
    names = {
        facet.name: facet.names({p.value for p in parsed.values() if p and p.facet_name == facet.name}, db.session)
        for facet in FACETS
    }
    labels = {}
    for key, p in parsed.items():
        if p is None:
            labels[key] = key
            continue
        parts = [tags.get(p.tag, p.tag)]
        if p.facet:
            parts.append(p.facet.tagline.format(names[p.facet_name].get(p.value, p.value)))
        labels[key] = " · ".join(parts)
    return labels


def key_words(key: PatternKey) -> str:
    """A key as people read it, without a query: "no-heat · ZIP 11226" (the tag's slug, not its name)."""
    if key.facet is None:
        return key.tag
    return f"{key.tag} · {key.facet.tagline.format(key.value)}"


def pattern_label(key: str) -> str:
    return pattern_labels([key])[key]
