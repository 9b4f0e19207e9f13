"""Small-cell suppression: hand-worked tables and property tests against two attackers."""

from __future__ import annotations

from fractions import Fraction

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.equity.suppression import (
    Cell,
    SuppressedTable,
    default_min_cell,
    display,
    suppress_series,
    suppress_table,
    suppression_note,
)


def grid(rows: list[list[int]]) -> dict[tuple[int, int], int]:
    return {(i, j): v for i, row in enumerate(rows) for j, v in enumerate(row)}


def suppressed_cells(table: SuppressedTable) -> set[tuple[int, int]]:
    return {k for k, c in table.cells.items() if c.suppressed}


# --- the attackers -------------------------------------------------------------------------------


def equations(table: SuppressedTable) -> tuple[dict, list[list[tuple[object, int]]]]:
    """Every number a reader sees (``None`` when suppressed) and the equations linking them.

    Numbers are named ("cell", r, c), ("row", r), ("col", c) and ("total",). Each equation is a list
    of (name, coefficient) whose weighted sum is zero.
    """
    known = {("cell", r, c): cell.shown() for (r, c), cell in table.cells.items()}
    known |= {("row", r): cell.shown() for r, cell in table.row_totals.items()}
    known |= {("col", c): cell.shown() for c, cell in table.col_totals.items()}
    known[("total",)] = table.total.shown()
    eqs = []
    for r in table.row_keys:
        eqs.append([(("cell", r, c), 1) for c in table.col_keys] + [(("row", r), -1)])
    for c in table.col_keys:
        eqs.append([(("cell", r, c), 1) for r in table.row_keys] + [(("col", c), -1)])
    eqs.append([(("row", r), 1) for r in table.row_keys] + [(("total",), -1)])
    eqs.append([(("col", c), 1) for c in table.col_keys] + [(("total",), -1)])
    return known, eqs


def peeling_attack(table: SuppressedTable) -> dict:
    """Repeatedly solve any row, column or totals line that has exactly one unknown number."""
    known, eqs = equations(table)
    progress = True
    while progress:
        progress = False
        for eq in eqs:
            unknown = [(name, coef) for name, coef in eq if known[name] is None]
            if len(unknown) == 1:
                name, coef = unknown[0]
                rest = sum(known[n] * k for n, k in eq if n != name)
                known[name] = -rest // coef
                progress = True
    return known


def linear_attack(table: SuppressedTable) -> set:
    """Names of suppressed numbers that Gaussian elimination over all equations pins down exactly.

    A number is determined iff the unit vector for it lies in the row space of the equations
    restricted to the unknowns, i.e. iff the reduced row echelon form has a row equal to it.
    """
    known, eqs = equations(table)
    unknowns = sorted((n for n, v in known.items() if v is None), key=repr)
    index = {n: k for k, n in enumerate(unknowns)}
    matrix = []
    for eq in eqs:
        row = [Fraction(0)] * len(unknowns)
        for name, coef in eq:
            if name in index:
                row[index[name]] += coef
        if any(row):
            matrix.append(row)
    pivot_row = 0
    for col in range(len(unknowns)):
        pick = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pick is None:
            continue
        matrix[pivot_row], matrix[pick] = matrix[pick], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                f = matrix[r][col]
                matrix[r] = [a - f * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
    determined = set()
    for row in matrix[:pivot_row]:
        nonzero = [k for k, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            determined.add(unknowns[nonzero[0]])
    return determined


def check_protected(table: SuppressedTable, counts: dict, min_cell: int) -> None:
    every = list(table.cells.values()) + list(table.row_totals.values()) + list(table.col_totals.values())
    every.append(table.total)
    for cell in every:
        # (a) nothing small is shown; zeros are shown as zeros.
        if not cell.suppressed:
            assert not (1 <= cell.value < min_cell)
            assert cell.display() == f"{cell.value:,}"
        else:
            assert cell.display() == f"<{min_cell}"
            assert cell.shown() is None
        if 1 <= cell.value < min_cell:
            assert cell.suppressed and cell.primary
    # (c) shown values are the true values, and totals are the sums of the cells.
    for (r, c), cell in table.cells.items():
        assert cell.value == counts.get((r, c), 0)
    for r in table.row_keys:
        assert table.row_totals[r].value == sum(table.cells[(r, c)].value for c in table.col_keys)
    for c in table.col_keys:
        assert table.col_totals[c].value == sum(table.cells[(r, c)].value for r in table.row_keys)
    assert table.total.value == sum(counts.values())
    # (b) the peeling attacker recovers nothing, and neither does full linear algebra.
    known_before, _ = equations(table)
    after = peeling_attack(table)
    recovered = [n for n, v in known_before.items() if v is None and after[n] is not None]
    assert recovered == []
    assert linear_attack(table) == set()


# --- hand-worked examples ---------------------------------------------------------------------------


def test_display_of_a_lone_count():
    assert display(0, 11) == "0"
    assert display(1, 11) == "<11"
    assert display(10, 11) == "<11"
    assert display(11, 11) == "11"
    assert display(1234, 11) == "1,234"
    assert display(4, 5) == "<5"
    with pytest.raises(ValueError):
        display(-1, 11)
    with pytest.raises(ValueError):
        display(3, 0)


def test_cell_never_leaks_its_value_when_suppressed():
    cell = Cell(7, suppressed=True, primary=True, min_cell=11)
    assert str(cell) == "<11"
    assert cell.__html__() == "&lt;11"
    assert cell.shown() is None
    assert "7" not in repr(cell)
    assert str(Cell(12345, min_cell=11)) == "12,345"


def test_two_by_three_with_one_small_cell():
    counts = grid([[5, 20, 30], [40, 50, 60]])
    table = suppress_table(counts, min_cell=11)
    # The small cell, the smallest other cell in its row, the other cell in its column, and the
    # cell closing the rectangle (its row and column would otherwise reveal it).
    assert suppressed_cells(table) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert table.cell(0, 0).primary
    assert not table.cell(0, 1).primary
    assert not any(c.suppressed for c in table.row_totals.values())
    assert not any(c.suppressed for c in table.col_totals.values())
    assert table.total.display() == "205"
    rows = table.as_rows()
    assert rows[0] == {
        "row": 0,
        "cells": ["<11", "<11", "30"],
        "values": [None, None, 30],
        "total": "55",
        "total_value": 55,
    }
    assert table.totals_row()["cells"] == ["45", "70", "90"]
    check_protected(table, counts, 11)


def test_zero_cells_are_shown_and_not_chosen_when_a_nonzero_one_exists():
    counts = grid([[3, 0, 25], [0, 0, 40], [30, 0, 50]])
    table = suppress_table(counts, min_cell=11)
    assert table.cell(0, 1).display() == "0"
    assert table.cell(1, 1).display() == "0"
    assert table.cell(0, 0).display() == "<11"
    assert all(not table.cells[k].suppressed or table.cells[k].value > 0 for k in table.cells)
    check_protected(table, counts, 11)


def test_small_column_total_needs_another_column_total_hidden():
    # Column 0 totals 5: hidden. With the grand total and the other column total shown, 5 would
    # follow by subtraction, so a second column total must go too.
    counts = grid([[3, 50], [2, 60]])
    table = suppress_table(counts, min_cell=11)
    assert table.col_totals[0].suppressed and table.col_totals[0].primary
    assert table.col_totals[1].suppressed and not table.col_totals[1].primary
    assert table.total.display() == "115"
    check_protected(table, counts, 11)


def test_single_row_table_hides_column_totals_with_their_cells():
    counts = {("all", "a"): 4, ("all", "b"): 30, ("all", "c"): 70}
    table = suppress_table(counts, min_cell=11)
    for c in "abc":
        assert table.cell("all", c).suppressed == table.col_totals[c].suppressed
    assert table.row_totals["all"].suppressed == table.total.suppressed
    check_protected(table, counts, 11)


def test_keys_order_and_missing_combinations():
    counts = {("b", "y"): 20}
    table = suppress_table(counts, row_keys=["a", "b"], col_keys=["x", "y"], min_cell=11)
    assert table.row_keys == ["a", "b"]
    assert table.cell("a", "x").display() == "0"
    assert table.to_json()["values"] == [[0, 0], [0, 20]]
    with pytest.raises(ValueError):
        suppress_table({("c", "y"): 5}, row_keys=["a"], min_cell=11)
    with pytest.raises(ValueError):
        suppress_table({("a", "y"): -5}, min_cell=11)


def test_min_cell_one_suppresses_nothing():
    table = suppress_table(grid([[1, 2], [0, 3]]), min_cell=1)
    assert not table.any_suppressed


def test_empty_table():
    table = suppress_table({}, min_cell=11)
    assert table.as_rows() == []
    assert table.total.display() == "0"


def test_series_gets_a_complementary_entry():
    cells, total = suppress_series({"A": 5, "B": 40, "C": 100}, min_cell=11)
    assert [cells[k].display() for k in "ABC"] == ["<11", "<11", "100"]
    assert cells["A"].primary and not cells["B"].primary
    assert total.display() == "145"


def test_series_without_its_total_only_hides_small_entries():
    cells, total = suppress_series({"A": 5, "B": 40, "C": 100}, min_cell=11, total_shown=False)
    assert [cells[k].display() for k in "ABC"] == ["<11", "40", "100"]
    assert total.suppressed


def test_series_with_a_single_entry_hides_the_total():
    cells, total = suppress_series({"only": 50, "none": 0}, min_cell=11)
    assert not cells["only"].suppressed and total.display() == "50"
    cells, total = suppress_series({"only": 7}, min_cell=11)
    assert cells["only"].suppressed and total.suppressed
    cells, total = suppress_series({"small": 7, "zero": 0}, min_cell=11)
    assert cells["small"].suppressed and total.suppressed and not cells["zero"].suppressed


def test_default_min_cell_reads_config():
    assert default_min_cell() == 11
    app = Flask(__name__)
    app.config["CASEFLOW_MIN_CELL"] = 5
    with app.app_context():
        assert default_min_cell() == 5
    assert "<11" in suppression_note(11) and "10" in suppression_note(11)


# --- property tests -------------------------------------------------------------------------------

count = st.one_of(
    st.integers(0, 30),
    st.integers(0, 30),
    st.sampled_from([0, 0, 1, 2]),
    st.integers(31, 5000),
)


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 8))
    values = draw(st.lists(count, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    counts = {(f"r{i}", f"c{j}"): values[i * n_cols + j] for i in range(n_rows) for j in range(n_cols)}
    return counts, draw(st.sampled_from([3, 5, 11]))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_cell_can_be_recovered(case):
    counts, min_cell = case
    table = suppress_table(counts, min_cell=min_cell)
    check_protected(table, counts, min_cell)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=3), count, max_size=10), st.sampled_from([3, 5, 11]))
def test_series_never_has_a_lone_unknown(counts, min_cell):
    cells, total = suppress_series(counts, min_cell=min_cell)
    for key, cell in cells.items():
        assert cell.value == counts[key]
        assert cell.suppressed or not (1 <= cell.value < min_cell)
    assert total.value == sum(counts.values())
    assert total.suppressed or not (1 <= total.value < min_cell)
    unknowns = sum(c.suppressed for c in cells.values()) + total.suppressed
    assert unknowns != 1


def _hand_suppressed(counts: dict, hidden: set) -> SuppressedTable:
    """A table with exactly ``hidden`` cells suppressed and every total shown (no algorithm)."""
    rows = sorted({r for r, _ in counts})
    cols = sorted({c for _, c in counts})

    def cell(v: int, hide: bool = False) -> Cell:
        return Cell(v, suppressed=hide, min_cell=11)

    return SuppressedTable(
        row_keys=rows,
        col_keys=cols,
        cells={k: cell(v, k in hidden) for k, v in counts.items()},
        row_totals={r: cell(sum(counts[(r, c)] for c in cols)) for r in rows},
        col_totals={c: cell(sum(counts[(r, c)] for r in rows)) for c in cols},
        total=cell(sum(counts.values())),
    )


def test_the_attackers_find_real_leaks():
    counts = grid([[20] * 4] * 4)
    # Primary suppression alone: peeled from its row.
    lone = _hand_suppressed(counts, {(0, 0)})
    assert peeling_attack(lone)[("cell", 0, 0)] == 20
    # Two rectangles joined by one cell: no line has a lone unknown, yet adding rows 0-1 and
    # subtracting columns 0-1 isolates the joining cell.
    rectangles = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    dumbbell = _hand_suppressed(counts, rectangles | {(1, 2)})
    assert peeling_attack(dumbbell)[("cell", 1, 2)] is None
    assert linear_attack(dumbbell) == {("cell", 1, 2)}
    assert linear_attack(_hand_suppressed(counts, rectangles)) == set()
