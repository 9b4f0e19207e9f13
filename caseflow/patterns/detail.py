"""Everything the pattern detail page shows about one key, as one viewer may see it.

A plain function of (key, window, disclosure), so the page's numbers can be tested without a
request. Counts about people (a ZIP's weeks and programs, every breakdown by a facet about people,
race/ethnicity) go through the disclosure policy; counts that are not (a tag's weeks and programs)
are exact and drawn.
Rows (recent concerns, quotes) are shown to an aggregate-access viewer only for a key that surfaces
as a pattern and is not about people (a tag, a tag in a program): no rows behind a protected cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from caseflow.equity.disparity import Disparity
from caseflow.equity.policy import Disclosure, Tally, total
from caseflow.equity.suppression import Cell
from caseflow.extensions import db
from caseflow.models import Concern
from caseflow.patterns import engine
from caseflow.patterns.facets import FACETS, Facet
from caseflow.patterns.keys import PatternKey

RELATED = 8
EXAMPLES = 10
VOICES = 12


@dataclass
class PatternDetail:
    key: PatternKey
    settings: engine.PatternSettings
    disclosure: Disclosure
    pattern: engine.Pattern | None
    weeks: list[tuple[date, Cell]]
    breakdowns: list[tuple[Facet, list[tuple[str, Cell]]]]  # one per facet, in FACETS' order
    gap: Disparity
    related: list[engine.Pattern]
    rows_hidden: bool
    examples: list[Concern] = field(default_factory=list)
    voices: list[str] = field(default_factory=list)

    @property
    def about_people(self) -> bool:
        return self.key.about_people

    def by(self, facet_name: str) -> list[tuple[str, Cell]]:
        return next(cells for facet, cells in self.breakdowns if facet.name == facet_name)


def ordered(cells: list[tuple[str, Cell]]) -> list[tuple[str, Cell]]:
    """Largest shown count first, then the hidden ones by name: no order depends on a hidden value.
    An entry published as 0 is left out, as an empty one would be."""
    cells = [c for c in cells if c[1].value > 0]
    shown = sorted((c for c in cells if c[1].shown() is not None), key=lambda c: (-c[1].value, str(c[0])))
    hidden = sorted((c for c in cells if c[1].shown() is None), key=lambda c: str(c[0]))
    return shown + hidden


def _breakdown(pairs: list[tuple[str, Tally]], disclosure: Disclosure, *, protected: bool) -> list[tuple[str, Cell]]:
    if protected:
        cells, _ = disclosure.series(dict(pairs), total(t for _, t in pairs))
        return ordered([(label, cells[label]) for label, _ in pairs])
    return [(label, Cell(t.count, min_cell=disclosure.min_cell)) for label, t in pairs]


def pattern_detail(key: PatternKey, settings: engine.PatternSettings, disclosure: Disclosure) -> PatternDetail:
    # One search serves both this pattern and its related ones (same tag, or same ZIP).
    everything = engine.find_patterns(settings, with_examples=0, near=key, disclosure=disclosure)
    pattern = next((p for p in everything if p.key == str(key)), None)
    about_people = key.about_people
    weekly = engine.week_counts(key, settings)
    if about_people:
        # Each week of one ZIP is a cell of people, published on its own (weeks are not a table
        # whose total is shown: the pattern's own count is published from its own records).
        weeks = [(d, disclosure.cell(t)) for d, t in weekly]
    else:
        weeks = [(d, Cell(t.count, min_cell=disclosure.min_cell)) for d, t in weekly]
    matching = key.conditions(settings.start, settings.as_of)
    breakdowns = [
        (
            facet,
            _breakdown(
                engine.breakdown(key, settings, facet, matching),
                disclosure,
                protected=about_people or facet.about_people,
            ),
        )
        for facet in FACETS
    ]
    gap = engine.disparity_for(key, settings.start, settings.as_of, disclosure, matching)
    related = [
        p
        for p in everything
        if p.key != str(key)
        and (p.tag == key.tag or (key.about_people and p.facet == key.facet_name and p.value == key.value))
        and p.state != "promoted"
    ][:RELATED]
    # Rows behind a key about people are never listed for a protected audience: a list of them
    # would count the cell exactly (nine rows listed under a published "11").
    rows_hidden = disclosure.protected and (pattern is None or about_people)
    detail = PatternDetail(key, settings, disclosure, pattern, weeks, breakdowns, gap, related, rows_hidden)
    if not rows_hidden:
        detail.examples = list(
            db.session.scalars(
                select(Concern).where(*matching).order_by(Concern.occurred_on.desc(), Concern.id.desc()).limit(EXAMPLES)
            )
        )
        # Each view once (many clients say the same thing), most recent first.
        detail.voices = list(
            db.session.scalars(
                select(Concern.client_root_cause)
                .where(*matching)
                .where(Concern.client_root_cause.is_not(None), Concern.story_consent_on.is_not(None))
                .where(Concern.story_consent_revoked_on.is_(None))
                .group_by(Concern.client_root_cause)
                .order_by(func.max(Concern.occurred_on).desc())
                .limit(VOICES)
            )
        )
    return detail
