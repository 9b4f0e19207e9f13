"""Pattern rollups: per-day counts for each pattern grouping, kept in step with every concern write.

`PatternDay` holds, for one grouping key (a tag, alone or with one value of a facet: program, ZIP …,
see caseflow.patterns.facets) and one day, the live
concerns' counts and sums — so a window's totals are a SUM over at most window-days rows per key
instead of a scan of every concern. Distinct clients are not additive over days; they are kept
exactly with `PatternLastSeen`: each (key, client) pair's latest day, and `clients_last` counts the
clients whose latest day in the key is that day. For a window that ends today (no concern can be
dated in the future), the distinct clients since `start` are the SUM of `clients_last` from `start`.
The same last-seen rows for programs give the programs a tag (or tag × ZIP) spans in the window.

`grouping` is "tag" or "tag_<facet>", `value` the facet's value as text ('' for a plain tag): one
generic key, so a new facet needs no new column.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.models.base import Base


class _PatternCounts:
    grouping: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    concerns: Mapped[int] = mapped_column(default=0)
    without_ref: Mapped[int] = mapped_column(default=0)
    importance_sum: Mapped[int] = mapped_column(default=0)
    importance_n: Mapped[int] = mapped_column(default=0)
    wants: Mapped[int] = mapped_column(default=0)
    clients_last: Mapped[int] = mapped_column(default=0)
    # Sums of record keys (caseflow.equity.perturbation) of the concerns counted in `concerns` and
    # `wants`, and of the client record keys of the clients counted in `clients_last`.
    key_sum: Mapped[int] = mapped_column(default=0)
    wants_key_sum: Mapped[int] = mapped_column(default=0)
    clients_key_last: Mapped[int] = mapped_column(default=0)


class PatternDay(_PatternCounts, Base):
    __tablename__ = "pattern_days"
    # SQLite: the primary key is the table (a window is one contiguous range of it).
    __table_args__ = {"sqlite_with_rowid": False}


class PatternWeek(_PatternCounts, Base):
    """The same sums per ISO week (`day` is its Monday): a window's whole weeks are read from here,
    only its ragged ends from pattern_days — a 90-day window reads ~13 rows per key instead of 90."""

    __tablename__ = "pattern_weeks"
    __table_args__ = {"sqlite_with_rowid": False}


class PatternLastSeen(Base):
    __tablename__ = "pattern_last_seen"
    __table_args__ = (
        Index("ix_pattern_last_seen_kind_day", "kind", "last_day"),
        # A write looks up the few rows of its own clients and programs.
        Index("ix_pattern_last_seen_member_tag", "member", "tag_id"),
        {"sqlite_with_rowid": False},
    )

    grouping: Mapped[str] = mapped_column(String(20), primary_key=True)
    tag_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "client" or "program"
    member: Mapped[str] = mapped_column(String(64), primary_key=True)  # a client key or a program id
    last_day: Mapped[date]
    member_key: Mapped[int] = mapped_column(default=0)  # a client's record key; 0 for a program


class RaceDay(Base):
    """Concerns per day by race/ethnicity answer, for everyone ('all'), per tag and per tag category
    (a concern counts once per category however many of its tags share it). `code` is an answer
    code or one of the per-concern totals: _total, _reported (≥ 1 category), _blank (no answer),
    _nc_or_blank (no answer or 'data not collected'). `alone` counts a category answer only for
    concerns that reported exactly one category (non-answers always count). Counts add up over days,
    so any window — past quarters too — is a SUM."""

    __tablename__ = "race_days"
    __table_args__ = {"sqlite_with_rowid": False}

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # "all", "tag" or "category"
    day: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # "", a tag id, or a category
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    concerns: Mapped[int] = mapped_column(default=0)
    alone: Mapped[int] = mapped_column(default=0)
    key_sum: Mapped[int] = mapped_column(default=0)  # record keys of the concerns in `concerns`
    alone_key_sum: Mapped[int] = mapped_column(default=0)  # … and in `alone`
