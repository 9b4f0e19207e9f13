"""Stable pattern keys: `tag:no-heat`, `tag:no-heat/program:housing`, `tag:no-heat/zip:11226` — a tag,
alone or within one value of a facet (caseflow.patterns.facets).

A key names a grouping, not a time window, so a pattern keeps its key (and its stored state)
as concerns come and go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, false, select

from caseflow.models import Concern, Tag, concern_tags
from caseflow.patterns.facets import BY_NAME, GROUPINGS, Facet, quote_value, unquote_value

__all__ = ["GROUPINGS", "PatternKey"]

_KEY = re.compile(r"^tag:([a-z0-9-]{1,60})(?:/([a-z_]{1,20}):([^/]{1,160}))?$")


@dataclass(frozen=True)
class PatternKey:
    tag: str
    facet_name: str | None = None
    value: str | None = None  # as keys carry it (a program's slug, a ZIP)

    @classmethod
    def of(cls, tag: str, facet: Facet | None = None, value: str | None = None) -> PatternKey:
        return cls(tag, facet.name if facet else None, value if facet else None)

    @property
    def facet(self) -> Facet | None:
        return BY_NAME.get(self.facet_name) if self.facet_name else None

    @property
    def grouping(self) -> str:
        return self.facet.grouping if self.facet else "tag"

    @property
    def program(self) -> str | None:
        return self.value if self.facet_name == "program" else None

    @property
    def zip(self) -> str | None:
        return self.value if self.facet_name == "zip" else None

    @property
    def about_people(self) -> bool:
        return bool(self.facet and self.facet.about_people)

    def __str__(self) -> str:
        if self.facet_name:
            return f"tag:{self.tag}/{self.facet_name}:{quote_value(self.value or '')}"
        return f"tag:{self.tag}"

    @classmethod
    def parse(cls, key: str) -> PatternKey | None:
        match = _KEY.match(key or "")
        if not match:
            return None
        tag, name, text = match.groups()
        if name is None:
            return cls(tag)
        facet, value = BY_NAME.get(name), unquote_value(text)
        if facet is None or not facet.valid_key_value(value):
            return None
        return cls(tag, name, value)

    def stored_value(self) -> str | None:
        """The facet value as the rollups and concerns hold it (a program's id), None if none does."""
        from caseflow.extensions import db

        return self.facet.stored_value(self.value, db.session) if self.facet else None

    def conditions(self, start: date | None = None, end: date | None = None) -> list:
        """WHERE clauses on Concern for this pattern's live concerns (dated `start`…`end` if given):
        used directly, a query walks its dates and checks each concern's tag by primary key."""
        from caseflow.extensions import db

        # Ids resolved first, as values: PostgreSQL plans a literal tag id from its statistics (a
        # common tag's rows counted right), where a subquery's result is a guess.
        tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == self.tag))
        tagged = exists().where(concern_tags.c.concern_id == Concern.id, concern_tags.c.tag_id == tag_id)
        conditions = [Concern.deleted_at.is_(None), tagged]
        if self.facet:
            value = self.stored_value()
            conditions.append(self.facet.sql() == value if value is not None else false())
        if start is not None:
            conditions.append(Concern.occurred_on >= start)
        if end is not None:
            conditions.append(Concern.occurred_on <= end)
        return conditions

    def matching_concern_ids(self, start: date | None = None, end: date | None = None) -> Select:
        """SELECT concerns.id of every live concern this pattern covers, dated from `start` to `end`
        when given (then the database collects only the window's concerns, not every year's)."""
        return select(Concern.id).where(and_(*self.conditions(start, end)))

    def matches(self, concern: Concern) -> bool:
        if concern.deleted_at is not None or self.tag not in {t.slug for t in concern.tags}:
            return False
        return self.facet is None or self.facet.key_value_of(concern) == self.value
