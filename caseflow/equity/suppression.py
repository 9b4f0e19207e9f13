"""Small-cell suppression: the one module every page, export and API uses to show counts of people.

Counts broken down by a person's characteristics (race and ethnicity, language, age band, ZIP, ...)
must never let a reader learn a count between 1 and ``min_cell - 1`` (``CASEFLOW_MIN_CELL``, 11 by
default, the CMS rule). The functions here are pure: they take already-aggregated counts and an
explicit ``min_cell`` and return :class:`Cell` objects that know how to display themselves.

Rules
-----
* **Primary suppression.** A count ``v`` with ``1 <= v < min_cell`` is suppressed and displayed as
  ``f"<{min_cell}"``. Zero is shown as ``0``: a zero reveals no one. Row, column and grand totals
  are counts too, and are suppressed by the same rule.
* **Complementary suppression.** A table with its totals is a set of linear equations: every row's
  cells add up to its row total, every column's cells to its column total, and the row totals and
  the column totals each add up to the grand total. A suppressed number must not be recoverable
  from the numbers that are shown. Two steps repeat until nothing changes:

  1. *Lone unknowns.* For every line (a row, a column, the row of column totals, the column of row
     totals) with exactly one suppressed number, suppress a second number in that line: the
     smallest non-zero cell, preferring one whose crossing line already has a suppressed number (so
     the fix does not start a new chain); if every other cell is zero, the smallest cell; if the
     line has no other cell, its total. Suppressing one number can leave its crossing line with a
     lone unknown, hence the loop.
  2. *Hidden subtraction chains.* Even with no line holding a lone unknown, a suppressed number can
     still be derived by adding and subtracting whole lines (two separate blocks of suppressed
     cells joined by a single cell). Viewing rows and columns as nodes and suppressed numbers as
     edges, a number is derivable exactly when its edge is a bridge; each bridge is closed into a
     cycle by suppressing one more number (the smallest non-zero cell that joins the two sides).

  The result: no suppressed number can be computed exactly from the shown numbers by any
  combination of sums and differences (verified in the tests by a Gaussian-elimination attacker).
  Suppressed values are *not* guaranteed to have wide bounds; the rule targets exact recovery,
  which is what the CMS cell-size policy asks for.
* Every suppressed number, primary or complementary, displays the same label (``"<11"``), so a
  reader cannot tell which ones are small. Put :data:`SUPPRESSION_NOTE` under any table that shows
  one.

What callers must know
----------------------
* Totals are the sums of the cells passed in. Show only totals taken from the returned table; a
  total computed separately and shown elsewhere on the same page or export (e.g. "all concerns this
  quarter") counts as shown and may undo the protection - pass that breakdown through here too.
* Showing fewer numbers than returned (e.g. a table without its totals) is always safe.
* ``Cell.value`` is the true count, for computing things like disparity ratios only when both
  inputs are shown. Never render it: render ``cell.display()`` / ``str(cell)`` / ``cell.shown()``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from markupsafe import Markup, escape

DEFAULT_MIN_CELL = 11

SUPPRESSION_NOTE = (
    "Counts from 1 to {max_small} are shown as “<{min_cell}” to protect privacy; some larger counts are "
    "also shown as “<{min_cell}” so that a hidden count cannot be worked out from the totals."
)

__all__ = [
    "DEFAULT_MIN_CELL",
    "SUPPRESSION_NOTE",
    "Cell",
    "SuppressedTable",
    "default_min_cell",
    "display",
    "is_small",
    "suppressed_label",
    "suppression_note",
    "suppress_series",
    "suppress_table",
]


def default_min_cell() -> int:
    """``CASEFLOW_MIN_CELL`` from the current Flask app's config, or 11 outside an app context."""
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("CASEFLOW_MIN_CELL", DEFAULT_MIN_CELL))
    return DEFAULT_MIN_CELL


def _check_min_cell(min_cell: int) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"min_cell must be a positive integer, not {min_cell!r}")


def _check_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"counts must be non-negative integers, not {value!r}")
    return value


def is_small(value: int, min_cell: int = DEFAULT_MIN_CELL) -> bool:
    """True for a count that primary suppression hides (1 <= value < min_cell)."""
    return 0 < value < min_cell


def suppressed_label(min_cell: int = DEFAULT_MIN_CELL) -> str:
    """The text shown in place of a suppressed count, e.g. ``"<11"``."""
    return f"<{min_cell}"


def suppression_note(min_cell: int = DEFAULT_MIN_CELL) -> str:
    """A footnote explaining the label, for tables and exports that show one."""
    return gettext(
        "Counts from 1 to %(max_small)s are shown as “<%(min_cell)s” to protect privacy; some larger counts are "
        "also shown as “<%(min_cell)s” so that a hidden count cannot be worked out from the totals.",
        min_cell=min_cell,
        max_small=min_cell - 1,
    )


def display(value: int, min_cell: int = DEFAULT_MIN_CELL) -> str:
    """Primary suppression of a single lone count: ``"0"``, ``"<11"`` or ``"1,234"``.

    Only for a count shown on its own. A count shown next to others that add up to a shown total
    needs :func:`suppress_series` or :func:`suppress_table`.
    """
    _check_min_cell(min_cell)
    _check_count(value)
    return suppressed_label(min_cell) if is_small(value, min_cell) else f"{value:,}"


@dataclass(frozen=True)
class Cell:
    """One count after suppression. ``value`` is the true count and is never rendered if suppressed."""

    value: int = field(repr=False)
    suppressed: bool = False
    primary: bool = False  # suppressed because small, as opposed to complementary
    min_cell: int = DEFAULT_MIN_CELL
    internal: bool = False  # an exact count for record-access viewers (never leaves the building)

    def display(self) -> str:
        """``"<11"`` when suppressed, else the count with thousands separators."""
        return suppressed_label(self.min_cell) if self.suppressed else f"{self.value:,}"

    def shown(self) -> int | None:
        """The count, or None when suppressed (for JSON and CSV numbers)."""
        return None if self.suppressed else self.value

    def __str__(self) -> str:
        return self.display()

    def __html__(self) -> Markup:
        return escape(self.display())


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table of counts with row, column and grand totals, after suppression."""

    row_keys: list
    col_keys: list
    cells: dict[tuple[Hashable, Hashable], Cell]
    row_totals: dict[Hashable, Cell]
    col_totals: dict[Hashable, Cell]
    total: Cell
    min_cell: int = DEFAULT_MIN_CELL

    def cell(self, row: Hashable, col: Hashable) -> Cell:
        return self.cells[(row, col)]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self._all_cells())

    def _all_cells(self) -> Iterable[Cell]:
        yield from self.cells.values()
        yield from self.row_totals.values()
        yield from self.col_totals.values()
        yield self.total

    def as_rows(self) -> list[dict[str, Any]]:
        """One dict per row for templates, CSV and JSON.

        ``{"row": key, "cells": [display...], "values": [int | None...], "total": display,
        "total_value": int | None}``
        """
        out = []
        for r in self.row_keys:
            cells = [self.cells[(r, c)] for c in self.col_keys]
            out.append(
                {
                    "row": r,
                    "cells": [c.display() for c in cells],
                    "values": [c.shown() for c in cells],
                    "total": self.row_totals[r].display(),
                    "total_value": self.row_totals[r].shown(),
                }
            )
        return out

    def totals_row(self) -> dict[str, Any]:
        """The footer row: column totals and the grand total, in the shape of :meth:`as_rows`."""
        cells = [self.col_totals[c] for c in self.col_keys]
        return {
            "row": None,
            "cells": [c.display() for c in cells],
            "values": [c.shown() for c in cells],
            "total": self.total.display(),
            "total_value": self.total.shown(),
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: shown numbers, None where suppressed, plus the label to display."""
        return {
            "min_cell": self.min_cell,
            "suppressed_label": suppressed_label(self.min_cell),
            "rows": list(self.row_keys),
            "columns": list(self.col_keys),
            "values": [[self.cells[(r, c)].shown() for c in self.col_keys] for r in self.row_keys],
            "row_totals": [self.row_totals[r].shown() for r in self.row_keys],
            "column_totals": [self.col_totals[c].shown() for c in self.col_keys],
            "total": self.total.shown(),
        }


def _keys(given: Iterable | None, found: Iterable, what: str) -> list:
    found_list = list(dict.fromkeys(found))
    if given is None:
        return found_list
    keys = list(dict.fromkeys(given))
    known = set(keys)
    unknown = [k for k in found_list if k not in known]
    if unknown:
        raise ValueError(f"counts has {what} keys not in {what}_keys: {unknown!r}")
    return keys


# The engine works on an extended (R+1) x (C+1) grid: index R is the row of column totals, index C
# the column of row totals, (R, C) the grand total. Every line of that grid - ("r", i) for i in
# 0..R and ("c", j) for j in 0..C - is one equation: its cells sum to its last entry.
Edge = tuple[int, int]
Line = tuple[str, int]


class _Grid:
    def __init__(self, values: dict[Edge, int], n_rows: int, n_cols: int, min_cell: int) -> None:
        self.values = values
        self.R = n_rows
        self.C = n_cols
        self.primary = {e for e, v in values.items() if is_small(v, min_cell)}
        self.suppressed = set(self.primary)

    def edges(self, line: Line) -> list[Edge]:
        kind, k = line
        if kind == "r":
            return [(k, j) for j in range(self.C + 1)]
        return [(i, k) for i in range(self.R + 1)]

    def lines(self) -> list[Line]:
        return [("r", i) for i in range(self.R + 1)] + [("c", j) for j in range(self.C + 1)]

    def line_total(self, line: Line) -> Edge:
        kind, k = line
        return (k, self.C) if kind == "r" else (self.R, k)

    @staticmethod
    def crossing(edge: Edge, line: Line) -> Line:
        return ("c", edge[1]) if line[0] == "r" else ("r", edge[0])

    def n_suppressed(self, line: Line) -> int:
        return sum(1 for e in self.edges(line) if e in self.suppressed)

    def kind_rank(self, edge: Edge) -> int:
        """0 for an inner cell, 1 for a row or column total, 2 for the grand total."""
        return (edge[0] == self.R) + (edge[1] == self.C)

    def fix_lone_unknown(self) -> bool:
        for line in self.lines():
            if self.n_suppressed(line) != 1:
                continue
            total = self.line_total(line)

            def cost(e: Edge, line: Line = line, total: Edge = total) -> tuple:
                crossing = self.n_suppressed(self.crossing(e, line))
                crossing_rank = 0 if crossing == 1 else 1 if crossing >= 2 else 2
                v = self.values[e]
                return (e == total, v == 0, crossing_rank, v, e)

            candidates = [e for e in self.edges(line) if e not in self.suppressed]
            self.suppressed.add(min(candidates, key=cost))
            return True
        return False

    def _adjacency(self, without: Edge | None = None) -> dict[Line, list[tuple[Line, Edge]]]:
        adj: dict[Line, list[tuple[Line, Edge]]] = {}
        for e in self.suppressed:
            if e != without:
                a, b = ("r", e[0]), ("c", e[1])
                adj.setdefault(a, []).append((b, e))
                adj.setdefault(b, []).append((a, e))
        return adj

    @staticmethod
    def _component(adj: dict[Line, list[tuple[Line, Edge]]], start: Line) -> set[Line]:
        seen = {start}
        todo = [start]
        while todo:
            for other, _ in adj.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def bridges(self) -> list[Edge]:
        """Suppressed numbers that lie on no cycle of suppressed numbers (Tarjan, iterative)."""
        adj = self._adjacency()
        order: dict[Line, int] = {}
        low: dict[Line, int] = {}
        found = []
        for root in sorted(adj):
            if root in order:
                continue
            order[root] = low[root] = len(order)
            stack = [(root, None, iter(adj[root]))]
            while stack:
                node, via, it = stack[-1]
                step = next(it, None)
                if step is None:
                    stack.pop()
                    if stack:
                        parent = stack[-1][0]
                        low[parent] = min(low[parent], low[node])
                        if low[node] > order[parent]:
                            found.append(via)
                    continue
                other, e = step
                if e == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = len(order)
                    stack.append((other, e, iter(adj[other])))
        return sorted(found)

    def fix_bridge(self) -> bool:
        bridges = self.bridges()
        if not bridges:
            return False
        bridge = bridges[0]
        adj = self._adjacency(without=bridge)
        side_a = self._component(adj, ("r", bridge[0]))
        side_b = self._component(adj, ("c", bridge[1]))
        candidates = [
            (i, j)
            for i in range(self.R + 1)
            for j in range(self.C + 1)
            if (i, j) not in self.suppressed
            and ((("r", i) in side_a and ("c", j) in side_b) or (("r", i) in side_b and ("c", j) in side_a))
        ]
        if not candidates:  # pragma: no cover - impossible once no line has a lone unknown
            raise RuntimeError("cannot close a suppression bridge")
        self.suppressed.add(min(candidates, key=lambda e: (self.kind_rank(e), self.values[e] == 0, self.values[e], e)))
        return True

    def run(self) -> None:
        while self.fix_lone_unknown() or self.fix_bridge():
            pass


def suppress_table(
    counts: Mapping[tuple[Hashable, Hashable], int],
    row_keys: Iterable[Hashable] | None = None,
    col_keys: Iterable[Hashable] | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    *,
    row_totals: Mapping[Hashable, int] | None = None,
    col_totals: Mapping[Hashable, int] | None = None,
    total: int | None = None,
) -> SuppressedTable:
    """Suppress a two-way table of counts ``{(row, col): n}`` and its row, column and grand totals.

    ``row_keys`` / ``col_keys`` fix the order (and add all-zero rows or columns); by default the
    order of first appearance in ``counts``. Missing combinations count as 0. Totals are the sums
    of the cells unless given (perturbed totals are published on their own, not as sums).
    """
    _check_min_cell(min_cell)
    for v in counts.values():
        _check_count(v)
    rows = _keys(row_keys, (k[0] for k in counts), "row")
    cols = _keys(col_keys, (k[1] for k in counts), "col")
    R, C = len(rows), len(cols)

    values: dict[Edge, int] = {}
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            values[(i, j)] = counts.get((r, c), 0)
    for i, r in enumerate(rows):
        values[(i, C)] = row_totals[r] if row_totals is not None else sum(values[(i, j)] for j in range(C))
    for j, c in enumerate(cols):
        values[(R, j)] = col_totals[c] if col_totals is not None else sum(values[(i, j)] for i in range(R))
    values[(R, C)] = total if total is not None else sum(values[(i, C)] for i in range(R))

    grid = _Grid(values, R, C, min_cell)
    grid.run()

    def make(e: Edge) -> Cell:
        return Cell(values[e], e in grid.suppressed, e in grid.primary, min_cell)

    return SuppressedTable(
        row_keys=rows,
        col_keys=cols,
        cells={(r, c): make((i, j)) for i, r in enumerate(rows) for j, c in enumerate(cols)},
        row_totals={r: make((i, C)) for i, r in enumerate(rows)},
        col_totals={c: make((R, j)) for j, c in enumerate(cols)},
        total=make((R, C)),
        min_cell=min_cell,
    )


def suppress_series(
    counts: Mapping[Hashable, int],
    min_cell: int = DEFAULT_MIN_CELL,
    total_shown: bool = True,
    total: int | None = None,
) -> tuple[dict[Hashable, Cell], Cell]:
    """Suppress a one-way breakdown ``{key: n}`` and its total; returns ``(cells, total)``.

    With ``total_shown`` the entries and the total form one equation, so a lone suppressed entry
    gets a second one (the smallest non-zero entry, else the smallest, else the total). With
    ``total_shown=False`` only primary suppression applies and the returned total is marked
    suppressed so that it cannot be rendered by accident.
    """
    _check_min_cell(min_cell)
    values = {k: _check_count(v) for k, v in counts.items()}
    keys = list(values)
    total_value = sum(values.values()) if total is None else _check_count(total)
    primary = {k for k in keys if is_small(values[k], min_cell)}
    suppressed = set(primary)
    total_primary = is_small(total_value, min_cell)
    total_suppressed = total_primary or not total_shown

    if total_shown and len(suppressed) + total_suppressed == 1:
        # A small total always has a small entry, so the lone unknown is an entry.
        order = {k: n for n, k in enumerate(keys)}
        candidates = [k for k in keys if k not in suppressed]
        if candidates:
            suppressed.add(min(candidates, key=lambda k: (values[k] == 0, values[k], order[k])))
        else:
            total_suppressed = True

    cells = {k: Cell(values[k], k in suppressed, k in primary, min_cell) for k in keys}
    return cells, Cell(total_value, total_suppressed, total_primary, min_cell)
