"""No N+1: the number of SQL statements a page runs does not grow with the rows it shows.

Each page is fetched with 5 concerns in the database and again with 30 (more patterns, more
list rows, more tags and race answers to load); the statement counts must be equal.
Timings are not tested here: see bench/ for those.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from caseflow.extensions import db as _db

TAGS = ["no-heat", "mold", "benefits-delay", "wage-theft"]
PROGRAMS = ["housing", "legal", "food"]
RACES = [["black"], ["hispanic", "white"], ["asian"], [], ["refused"]]
PAGES = {
    "quick-log form": "/log",
    "concern list": "/concerns?sort=newest",
    "pattern list": "/patterns/",
    "pattern detail": "/patterns/detail?key=tag:no-heat",
    "pattern detail (ZIP)": "/patterns/detail?key=tag:no-heat/zip:11226",
    "equity overview": "/patterns/equity",
}


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _log(make_concern, author, start: int, stop: int) -> None:
    for i in range(start, stop):
        make_concern(
            author=author,
            program=PROGRAMS[i % len(PROGRAMS)],
            tags=["no-heat"] + ([TAGS[i % len(TAGS)]] if i % 2 else []),
            summary=f"Concern {i}",
            client_ref=f"client-{i}",
            zip="11226" if i % 3 else "11212",
            race_ethnicity=RACES[i % len(RACES)],
            client_importance=1 + i % 5,
            wants_involvement=i % 4 == 0,
            story_consent=i % 2 == 0,
            client_root_cause=f"Because {i}",
        )


def _counts(client) -> dict[str, int]:
    counts = {}
    for name, url in PAGES.items():
        with counting(_db.engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


@pytest.fixture
def organizer(login_as, taxonomy):
    return login_as("organizer")


def test_page_query_counts_do_not_grow_with_rows(client, organizer, make_concern, db):
    _log(make_concern, organizer, 0, 5)
    few = _counts(client)
    _log(make_concern, organizer, 5, 30)
    many = _counts(client)
    assert many == few, {name: (few[name], many[name]) for name in PAGES if few[name] != many[name]}
    # And the list really shows the rows whose relations would be loaded one by one in an N+1.
    page = client.get("/concerns").get_data(as_text=True)
    assert "Concern 29" in page and "Concern 5" in page


def test_query_counts_are_small(client, organizer, make_concern, db):
    _log(make_concern, organizer, 0, 30)
    counts = _counts(client)
    # A fixed budget per page (the detail page runs two pattern searches, its breakdowns and the
    # disparity: about 30); any per-row query over 30 concerns and their patterns would exceed it.
    assert max(counts.values()) <= 35, counts
