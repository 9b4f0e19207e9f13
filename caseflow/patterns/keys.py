"""Stable pattern keys: `tag:no-heat`, `tag:no-heat/program:housing`, `tag:no-heat/zip:11226`.

A key names a grouping, not a time window, so a pattern keeps its key (and its stored state)
as concerns come and go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, select

from caseflow.models import Concern, Program, Tag, concern_tags

GROUPINGS = ("tag", "tag_program", "tag_zip")
_KEY = re.compile(r"^tag:([a-z0-9-]{1,60})(?:/(program|zip):([a-z0-9-]{1,60}))?$")


@dataclass(frozen=True)
class PatternKey:
    tag: str
    program: str | None = None
    zip: str | None = None

    @property
    def grouping(self) -> str:
        return "tag_program" if self.program else "tag_zip" if self.zip else "tag"

    def __str__(self) -> str:
        if self.program:
            return f"tag:{self.tag}/program:{self.program}"
        if self.zip:
            return f"tag:{self.tag}/zip:{self.zip}"
        return f"tag:{self.tag}"

    @classmethod
    def parse(cls, key: str) -> PatternKey | None:
        match = _KEY.match(key or "")
        if not match:
            return None
        tag, kind, value = match.groups()
        if kind == "zip" and not re.fullmatch(r"\d{5}", value):
            return None
        return cls(tag=tag, program=value if kind == "program" else None, zip=value if kind == "zip" else None)

    def conditions(self, start: date | None = None, end: date | None = None) -> list:
        """WHERE clauses on Concern for this pattern's live concerns (dated `start`…`end` if given):
        used directly, a query walks its dates and checks each concern's tag by primary key."""
        from caseflow.extensions import db

        # Ids resolved first, as values: PostgreSQL plans a literal tag id from its statistics (a
        # common tag's rows counted right), where a subquery's result is a guess.
        tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == self.tag))
        tagged = exists().where(concern_tags.c.concern_id == Concern.id, concern_tags.c.tag_id == tag_id)
        conditions = [Concern.deleted_at.is_(None), tagged]
        if self.program:
            conditions.append(
                Concern.program_id == db.session.scalar(select(Program.id).where(Program.slug == self.program))
            )
        if self.zip:
            conditions.append(Concern.zip == self.zip)
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
        if self.program and concern.program.slug != self.program:
            return False
        return not (self.zip and concern.zip != self.zip)
