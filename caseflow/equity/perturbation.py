"""The cell key method: consistent, bounded, unbiased perturbation of counts of people.

As in the Australian Bureau of Statistics' TableBuilder and the UK's 2021 Census outputs:

* every concern carries a random **record key** from 0 to ``MODULUS - 1``, drawn when it is first
  written and never shown (``Concern.record_key``); a client carries one too, derived from the
  keyed hash of their reference (``client_record_key``), so a cell of *distinct clients* has a key;
* a cell's **cell key** is the sum of its records' keys modulo ``MODULUS``: sums add, so the
  rollups keep them beside the counts and no query scans concerns for them;
* a fixed **perturbation table** (below) turns (count, cell key) into a small adjustment.

The same records always give the same cell key, so the same cell is published with the same value
on every page, export and API answer, and asking again teaches nothing. Two cells that differ by a
few records have unrelated cell keys, so their difference is no longer the exact count of what
separates them.

The table is public (it is built from fixed seeds, below): the protection rests on the record keys,
never on hiding the method.

Parameters
----------
* ``MODULUS`` 256 (record keys 0–255).
* Adjustments: −2, −1, 0, +1, +2 with probabilities 26, 51, 102, 51, 26 in 256 (mean 0, variance
  1.21, never more than 2 away).
* Zero stays zero, and only zero is published as 0: a cell with records is published as at least 1.
  (Otherwise a cell could show "0" while a cell inside it shows "<11", and the pair would pin a
  count of 1.) So the mean adjustment is 0 for every count from 3 up; counts of 1 and 2 lean up a
  little, which no one sees: they are always under the threshold and shown as "<11".
* Each count from 1 to ``ROWS`` has its own arrangement of the adjustments over the 256 cell keys
  (a shuffle seeded by the count); larger counts reuse the rows cyclically. So one cell key does
  not give the same adjustment to neighbouring counts.
"""

from __future__ import annotations

import random
from functools import lru_cache

MODULUS = 256
MAX_ADJUSTMENT = 2
ROWS = 64
# adjustment -> how many of the 256 cell keys give it
DISTRIBUTION = {-2: 26, -1: 51, 0: 102, 1: 51, 2: 26}

__all__ = [
    "DISTRIBUTION",
    "MAX_ADJUSTMENT",
    "MODULUS",
    "adjustment",
    "cell_key",
    "perturb",
    "possible_counts",
]


def _row_index(count: int) -> int:
    return count if count <= ROWS else ROWS // 2 + (count - ROWS // 2) % (ROWS // 2)


@lru_cache(maxsize=ROWS + 1)
def _row(index: int) -> tuple[int, ...]:
    values = [d for d, n in sorted(DISTRIBUTION.items()) for _ in range(n)]
    assert len(values) == MODULUS
    random.Random(f"caseflow-ptable-{index}").shuffle(values)  # noqa: S311 - a public, fixed table
    return tuple(values)


def cell_key(key_sum: int) -> int:
    """The cell key of a cell whose records' keys add up to `key_sum`."""
    return key_sum % MODULUS


def adjustment(count: int, key_sum: int) -> int:
    """The table's adjustment for a cell of `count` records whose keys sum to `key_sum`."""
    if count <= 0:
        return 0
    return _row(_row_index(count))[cell_key(key_sum)]


def perturb(count: int, key_sum: int) -> int:
    """The published value of a cell: the count plus its adjustment; 0 stays 0, and a cell with
    records is published as at least 1."""
    if count < 0:
        raise ValueError(f"counts are never negative, not {count!r}")
    if count == 0:
        return 0
    return max(1, count + adjustment(count, key_sum))


@lru_cache(maxsize=4096)
def possible_counts(published: int, limit: int = 10_000) -> frozenset[int]:
    """Every true count that some cell key publishes as `published`: what a reader who knows the
    table (but not the record keys) can conclude from one published value."""
    low = max(0, published - MAX_ADJUSTMENT)
    return frozenset(
        n
        for n in range(low, min(limit, published + MAX_ADJUSTMENT) + 1)
        if any(perturb(n, k) == published for k in range(MODULUS))
    )
