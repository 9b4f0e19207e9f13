"""The facets a pattern can be broken down by: one entry each, read by everything that groups.

A pattern is a tag, alone or within one value of a facet (`tag:no-heat/zip:11226`). Each facet says
how it reads a concern (in Python for the write path, in SQL for the rebuild and the engine), how
its values appear in a pattern key and to people. Whether its counts are counts of people by a
characteristic, which the disclosure policy protects, is the policy's to say (its PEOPLE_FACETS).

The key parser, the engine, the rollup writer and its rebuild, the pattern pages, the API's schema
and the labels all read `FACETS`. Adding a facet is one entry here plus a migration that fills its
grouping in the pattern rollups (their key is (grouping, tag, value), whatever the facet); the
tests in tests/test_facets.py walk every entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import String, cast, select

from caseflow.equity.policy import PEOPLE_FACETS
from caseflow.models import AGE_BANDS, Concern, Program

NO_VALUE = ""  # the value column of a plain tag's rollup rows


@dataclass(frozen=True)
class Facet:
    name: str  # in keys (`/zip:11226`) and groupings (`tag_zip`)
    label: str  # a column heading: "ZIP code"
    phrase: str  # a pattern's title: tag name + phrase.format(name) → "No heat in 11226"
    tagline: str  # a key's label after the tag's name and " · ": "ZIP {}" → "No heat · ZIP 11226"
    column: str  # the Concern attribute it reads
    key_pattern: str  # what a value may look like in a key (after unquoting)
    example: str  # a value as a concern's form, the API and keys take it (docs and the facet tests)
    references: type | None = None  # values are ids of this model (key: its slug; pages: its name)
    relation: str | None = None  # … reached from a concern by this relationship

    def key_value_of(self, concern) -> str | None:
        """A concern object's value as keys carry it (a program's slug), None when it has none."""
        if self.relation is not None:
            related = getattr(concern, self.relation)
            return None if related is None else related.slug
        return self.value_of(concern)

    @property
    def about_people(self) -> bool:
        """Counts by it are counts of people by a characteristic, which the disclosure policy
        protects: the policy's list decides (caseflow.equity.policy.PEOPLE_FACETS)."""
        return self.name in PEOPLE_FACETS

    @property
    def grouping(self) -> str:
        return f"tag_{self.name}"

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: "program", "ZIP code" (an acronym keeps its capitals)."""
        label = str(self.label)
        return label if label[:2].isupper() else label[0].lower() + label[1:]

    @property
    def grouping_label(self) -> str:
        return gettext("Tag × %(facet)s", facet=self.in_sentence)

    # --- reading a concern -----------------------------------------------------------------------
    def value_of(self, concern) -> str | None:
        """The stored value (the rollups' `value`) of a concern object, or None when it has none."""
        return stored(getattr(concern, self.column))

    def sql(self, column=None):
        """The stored value in SQL, of `column` (default: the concern's own)."""
        column = getattr(Concern, self.column) if column is None else column
        return cast(column, String(64)) if self.references is not None else column

    # --- values in keys and on pages -------------------------------------------------------------
    def valid_key_value(self, value: str) -> bool:
        return bool(re.fullmatch(self.key_pattern, value))

    def key_values(self, values: Iterable[str], session) -> tuple[dict[str, str], dict[str, str]]:
        """Stored values → the values keys carry (a program's id → its slug), and those → the names
        people read: one query for a facet of references (even for no values, so a page's query
        count does not depend on its data), none otherwise."""
        values = set(values)
        if self.references is None:
            return {v: v for v in values}, self.names(values, session)
        model = self.references
        ids = [int(v) for v in values]
        rows = session.execute(select(model.id, model.slug, model.name).where(model.id.in_(ids))).all()
        translated = _translated_names(model)
        return {str(i): slug for i, slug, _ in rows}, {slug: translated.get(i) or name for i, slug, name in rows}

    def stored_value(self, key_value: str, session) -> str | None:
        """A key's value → the stored value (a program's slug → its id), None if nothing has it."""
        if self.references is None:
            return key_value
        model = self.references
        found = session.scalar(select(model.id).where(model.slug == key_value))
        return None if found is None else str(found)

    def names(self, key_values: Iterable[str], session) -> dict[str, str]:
        """Key values → what people read (a program's slug → its name; an age band "65-plus" → "65+")."""
        key_values = set(key_values)
        if self.references is None:
            return {v: age_label(v) if self.name == "age_band" else v for v in key_values}
        model = self.references
        rows = session.execute(select(model.id, model.slug, model.name).where(model.slug.in_(key_values))).all()
        translated = _translated_names(model)
        found = {slug: translated.get(i) or name for i, slug, name in rows}
        return {v: found.get(v, v) for v in key_values}


def _translated_names(model) -> dict[int, str]:
    """{id: name in the reader's language} for a taxonomy model (programs), where an admin gave one."""
    from caseflow.i18n import taxonomy_names

    return taxonomy_names("tag" if model.__name__ == "Tag" else "program")


def stored(value) -> str | None:
    """A concern attribute as the rollups store it: text, None when absent (the SQL twin is the
    facet's `sql()` with `IS NOT NULL`)."""
    return None if value is None else str(value)


def age_label(band: str) -> str:
    return band.replace("-plus", "+")


FACETS: tuple[Facet, ...] = (
    Facet(
        "program", _l("Program"), _l(" at {}"), "{}", "program_id", r"[a-z0-9-]{1,60}", "housing", Program, "program"
    ),
    Facet("zip", _l("ZIP code"), _l(" in {}"), _l("ZIP {}"), "zip", r"[0-9]{5}", "11226"),
    Facet("age_band", _l("Age band"), _l(", aged {}"), _l("aged {}"), "age_band", "|".join(AGE_BANDS), "25-34"),
    Facet(
        "language", _l("Language"), _l(", speaking {}"), _l("speaks {}"), "language", r"[^\x00-\x1f]{1,40}", "Spanish"
    ),
)
BY_NAME = {f.name: f for f in FACETS}
BY_GROUPING = {f.grouping: f for f in FACETS}
GROUPINGS: tuple[str, ...] = ("tag", *(f.grouping for f in FACETS))
PEOPLE_GROUPINGS = frozenset(f.grouping for f in FACETS if f.about_people)
GROUPING_LABELS = {"tag": _l("By tag"), **{f.grouping: LazyString(lambda f=f: f.grouping_label) for f in FACETS}}


def facet_of(grouping: str) -> Facet | None:
    return BY_GROUPING.get(grouping)


def quote_value(value: str) -> str:
    """A facet value as it sits in a key: '%' and '/' escaped (a language may hold either)."""
    return value.replace("%", "%25").replace("/", "%2F")


def unquote_value(text: str) -> str:
    return text.replace("%2F", "/").replace("%2f", "/").replace("%25", "%")
