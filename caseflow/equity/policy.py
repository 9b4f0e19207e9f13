"""The one disclosure policy: every number about people that anyone sees passes through here.

Three audiences (DESIGN.md, "Equity and privacy"):

* **record access** — organizers and directors in the app: they can read every concern anyway, and
  equity work needs exact numbers, so they get exact counts, marked internal;
* **aggregate access** — caseworkers, and API callers without record access: protected counts;
* **leaving the building** — quarterly summaries, print and PDF views, every CSV, the summary API,
  any feed to partners: protected counts, whoever asks.

A *protected count* is a cell of people by a characteristic (race and ethnicity, ZIP, language, age
band) or the distinct clients of such a cell. It is perturbed by the cell key method
(:mod:`caseflow.equity.perturbation`), then shown as "<11" when the published value is under
``CASEFLOW_MIN_CELL``, with complementary suppression inside one table. Totals are published the
same way from their own records, never as sums of exact cells. Rates and ratios are computed from
published values. Counts not about people (per tag, program, week, step) stay exact for everyone.

Callers hand in :class:`Tally` values (a count and the sum of its records' keys, both read from the
rollups or one GROUP BY) and get back :class:`~caseflow.equity.suppression.Cell` objects whose
``value`` is what may be shown or computed with: the published value for a protected audience, the
exact count for record access. Views and templates never decide; they ask :func:`for_viewer` or
:func:`leaving` for a :class:`Disclosure` and pass it down.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext

from caseflow.equity.perturbation import perturb
from caseflow.equity.suppression import (
    DEFAULT_MIN_CELL,
    Cell,
    SuppressedTable,
    default_min_cell,
    is_small,
    suppress_series,
    suppress_table,
    suppressed_label,
)

# The windows an aggregate-access viewer may choose (days ending today), besides whole quarters:
# with a free choice of windows, nested windows a day apart would differ by single concerns.
WINDOW_MENU = (7, 30, 90, 365)
# Characteristics of people: a breakdown by one of these is a table of protected counts.
PEOPLE_FACETS = frozenset({"race_ethnicity", "zip", "language", "age_band"})


def N_(message: str) -> str:  # noqa: N802  (marks a message for pybabel; translated where it is shown)
    return message


INTERNAL_NOTE = N_(
    "Exact counts, for staff with record access only: internal, not for sharing outside the organisation."
)
PROTECTED_NOTE = N_(
    "Counts of people by race/ethnicity, ZIP code, language or age band are published with a small "
    "random adjustment (at most ±2, the same every time for the same records), and counts under "
    "%(min_cell)s are shown as “<%(min_cell)s”; some larger counts are also shown as “<%(min_cell)s” so that a "
    "hidden count cannot be worked out from the totals."
)


@dataclass(frozen=True)
class Tally:
    """A count of records and the sum of their record keys (additive, so rollups keep both)."""

    count: int = 0
    key_sum: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.key_sum + other.key_sum)

    def __bool__(self) -> bool:
        return self.count != 0


def total(tallies: Iterable[Tally]) -> Tally:
    out = Tally()
    for t in tallies:
        out = out + t
    return out


class Audience(StrEnum):
    RECORD = "record"
    AGGREGATE = "aggregate"
    PUBLISHED = "published"


@dataclass(frozen=True)
class Disclosure:
    """How counts of people are shown to one audience."""

    audience: Audience
    min_cell: int = DEFAULT_MIN_CELL

    @property
    def exact(self) -> bool:
        return self.audience is Audience.RECORD

    @property
    def protected(self) -> bool:
        return not self.exact

    @property
    def label(self) -> str:
        return suppressed_label(self.min_cell)

    @property
    def note(self) -> str:
        """What the reader is shown about these counts, in their language."""
        return gettext(INTERNAL_NOTE) if self.exact else gettext(PROTECTED_NOTE, min_cell=self.min_cell)

    @property
    def windows(self) -> tuple[int, ...] | None:
        """The window menu (days) for this audience; None: any window."""
        return None if self.exact else WINDOW_MENU

    def value(self, tally: Tally) -> int:
        """The number this audience may see or compute with (before "<11")."""
        return tally.count if self.exact else perturb(tally.count, tally.key_sum)

    def hidden(self, tally: Tally) -> bool:
        """True when this count is shown as "<11" on its own (so rows behind it stay hidden too)."""
        return self.protected and is_small(self.value(tally), self.min_cell)

    def cell(self, tally: Tally) -> Cell:
        """A protected count shown on its own (no total beside it)."""
        if self.exact:
            return Cell(tally.count, min_cell=self.min_cell, internal=True)
        value = self.value(tally)
        small = is_small(value, self.min_cell)
        return Cell(value, small, small, self.min_cell)

    def series(
        self,
        tallies: Mapping[Hashable, Tally],
        whole: Tally | None = None,
        *,
        total_shown: bool = True,
    ) -> tuple[dict[Hashable, Cell], Cell]:
        """A one-way breakdown of protected counts and its total (`whole`; by default the sum of
        the entries' records)."""
        whole = whole if whole is not None else total(tallies.values())
        if self.exact:
            cells = {k: Cell(t.count, min_cell=self.min_cell, internal=True) for k, t in tallies.items()}
            return cells, Cell(whole.count, min_cell=self.min_cell, internal=True)
        return suppress_series(
            {k: self.value(t) for k, t in tallies.items()},
            min_cell=self.min_cell,
            total_shown=total_shown,
            total=self.value(whole),
        )

    def table(
        self,
        tallies: Mapping[tuple[Hashable, Hashable], Tally],
        row_keys: list,
        col_keys: list,
    ) -> SuppressedTable:
        """A two-way table of protected counts with row, column and grand totals, each total
        published from its own records."""
        get = lambda r, c: tallies.get((r, c), Tally())  # noqa: E731
        rows = {r: total(get(r, c) for c in col_keys) for r in row_keys}
        cols = {c: total(get(r, c) for r in row_keys) for c in col_keys}
        grand = total(rows.values())
        if self.exact:
            exact = lambda t: Cell(t.count, min_cell=self.min_cell, internal=True)  # noqa: E731
            return SuppressedTable(
                row_keys=list(row_keys),
                col_keys=list(col_keys),
                cells={(r, c): exact(get(r, c)) for r in row_keys for c in col_keys},
                row_totals={r: exact(t) for r, t in rows.items()},
                col_totals={c: exact(t) for c, t in cols.items()},
                total=exact(grand),
                min_cell=self.min_cell,
            )
        return suppress_table(
            {(r, c): self.value(get(r, c)) for r in row_keys for c in col_keys},
            row_keys=row_keys,
            col_keys=col_keys,
            min_cell=self.min_cell,
            row_totals={r: self.value(t) for r, t in rows.items()},
            col_totals={c: self.value(t) for c, t in cols.items()},
            total=self.value(grand),
        )


def record_access(user) -> bool:
    """Organizers and directors read every concern: the exact numbers tell them nothing new."""
    from caseflow.accounts.permissions import can

    return user is not None and can("concern.read_all", user)


def for_viewer(user=None) -> Disclosure:
    """The policy for whoever makes this request (the session's user, or the API token's owner)."""
    from flask import has_request_context

    from caseflow.accounts.permissions import current_actor

    if user is None and not has_request_context():
        return leaving()  # a job or a command: whatever it builds may leave the building
    user = user if user is not None else current_actor()
    audience = Audience.RECORD if record_access(user) else Audience.AGGREGATE
    return Disclosure(audience, default_min_cell())


def leaving() -> Disclosure:
    """The policy for anything that leaves the building: summaries, print, CSV, feeds."""
    return Disclosure(Audience.PUBLISHED, default_min_cell())


def exact() -> Disclosure:
    """Exact counts, for code that computes (thresholds for organizers, tests, checks)."""
    return Disclosure(Audience.RECORD, default_min_cell())


def stored_note(stored: str, min_cell: int | None) -> str:
    """A disclosure note kept with stored figures, in the reader's language when it is the note the
    policy writes for that smallest shown count (else as stored: the policy changed since)."""
    if not min_cell or stored != PROTECTED_NOTE % {"min_cell": min_cell}:
        return stored
    return Disclosure(Audience.PUBLISHED, min_cell).note
