"""The benchmark's synthetic data (bench/generate.py): the same seed gives the same rows, so a
faster generator does not quietly move the figures measured on earlier data."""

from __future__ import annotations

import hashlib
from datetime import date

from bench import generate

# Fingerprint of the rows the generator drew before it was made faster (2026-11-29): changing it
# changes every cached bench database and makes new figures incomparable with the old ones.
ROWS_5000 = "5febf08109bde63e10e8fa1492b63fe684685ce7beec9a6b1032b2d3c94d6755"


def _fingerprint(n: int, chunk: int) -> str:
    concerns, tags, races = hashlib.sha256(), hashlib.sha256(), hashlib.sha256()
    for cs, ts, rs in generate.generate_rows(n, date(2026, 11, 29)):
        assert len(cs) <= chunk
        for h, rows in ((concerns, cs), (tags, ts), (races, rs)):
            for row in rows:
                h.update(repr(row).encode())
    return hashlib.sha256((concerns.hexdigest() + tags.hexdigest() + races.hexdigest()).encode()).hexdigest()


def test_the_same_seed_gives_the_same_rows_in_chunks(monkeypatch):
    monkeypatch.setattr(generate, "CHUNK", 1200)  # several chunks: the streams carry across them
    assert _fingerprint(5000, 1200) == ROWS_5000
