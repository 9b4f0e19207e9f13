"""Attacks on the disclosure policy, each written as the attacker would run it.

The attacker knows the method and its public perturbation table, the threshold, and whatever the
aggregate-access view (a caseworker) or an export shows; not the record keys. From what they see
and what they know of how the counts relate (one concern more, the same records again, ...), they
list every true count consistent with it all (`Attacker.feasible`). An attack succeeds when that
list pins a count from 1 to 10 to one value. Each test below runs one attack from the issue over
random histories (hypothesis on the policy itself; seeded histories through the real pages, API
and summary) and asserts that it never succeeds.
"""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseflow.dates import today
from caseflow.equity.perturbation import MAX_ADJUSTMENT, MODULUS, perturb, possible_counts
from caseflow.equity.policy import Audience, Disclosure, Tally, total
from caseflow.extensions import db as _db
from caseflow.models import Concern
from caseflow.reflection.quarters import Quarter
from tests.conftest import csrf_token_from

MIN_CELL = 11
CASEWORKER = Disclosure(Audience.AGGREGATE, MIN_CELL)
HIDDEN = f"<{MIN_CELL}"
LIMIT = 80


@cache
def published_values(n: int) -> frozenset[int]:
    """Every value the table can publish for a cell of `n` records (over all 256 cell keys)."""
    return frozenset(perturb(n, k) for k in range(MODULUS))


class Attacker:
    """What a reader can conclude from published displays ("<11", "0", "23"), knowing the table."""

    @staticmethod
    def consistent(display: str | None, n: int) -> bool:
        """Could a cell of `n` records be shown as `display`? (None: the cell was not listed at all,
        which a list does for a cell published as 0 or under the threshold.)"""
        values = published_values(n)
        if display is None:
            return min(values) < MIN_CELL
        if display == HIDDEN:
            # A lone cell under the threshold (the strongest reading: no complementary suppression).
            return any(0 < v < MIN_CELL for v in values)
        return int(display.replace(",", "")) in values

    @classmethod
    def feasible(cls, observations: list[tuple[str | None, int]], low: int = 1) -> set[int]:
        """True counts n >= `low` such that every (display, offset) fits the cell of n + offset."""
        return {n for n in range(low, LIMIT) if all(cls.consistent(d, n + off) for d, off in observations)}

    @classmethod
    def differences(cls, bigger: str | None, smaller: str | None) -> set[int]:
        """Every b - s >= 0 with b shown as `bigger` and s as `smaller` (two cells, one inside the other)."""
        return {
            b - s for b in range(LIMIT) if cls.consistent(bigger, b) for s in range(b + 1) if cls.consistent(smaller, s)
        }


def recovered(candidates: set[int]) -> bool:
    """The attack pinned a count of people from 1 to 10."""
    return len(candidates) == 1 and 1 <= next(iter(candidates)) < MIN_CELL


def display(tally: Tally) -> str:
    return CASEWORKER.cell(tally).display()


def keys(rng_or_data, n: int) -> list[int]:
    return [rng_or_data.randrange(MODULUS) for _ in range(n)]


# --- The method itself, over random record keys (hypothesis) --------------------------------------

record_keys = st.lists(st.integers(0, MODULUS - 1), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(record_keys, st.integers(0, MODULUS - 1))
def test_nested_windows_one_concern_apart_pin_no_small_count(inner, extra_key):
    """Attack 2: a window and the next one differ by one concern the attacker knows entered."""
    small, big = Tally(len(inner), sum(inner)), Tally(len(inner) + 1, sum(inner) + extra_key)
    assert not recovered(Attacker.feasible([(display(small), 0), (display(big), 1)]))


@settings(max_examples=300, deadline=None)
@given(record_keys, record_keys)
def test_a_difference_of_two_published_cells_pins_no_small_count(shared, extra):
    """Attacks 3, 4 and 5 in one shape: two cells, one holding the other's records and `extra` more
    (a day more, the multiracial clients, the other program); the difference is what is wanted."""
    if len(extra) >= MIN_CELL:
        extra = extra[: MIN_CELL - 1]
    smaller = Tally(len(shared), sum(shared))
    bigger = smaller + Tally(len(extra), sum(extra))
    assert not recovered(Attacker.differences(display(bigger), display(smaller)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, MODULUS - 1), min_size=1, max_size=10), st.integers(0, MODULUS - 1))
def test_the_add_one_probe_pins_no_small_count(cell, probe_key):
    """Attack 7: a hidden cell of 1–10, then one probe logged into it (then edited away: the same
    records as before, so the same display, which adds nothing)."""
    before = Tally(len(cell), sum(cell))
    with_probe = before + Tally(1, probe_key)
    assert display(before) == display(Tally(len(cell), sum(cell)))  # same records, same value
    assert not recovered(Attacker.feasible([(display(before), 0), (display(with_probe), 1)]))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 300), st.integers(0, 10_000))
def test_the_table_is_bounded_unbiased_and_keeps_zero(count, key_sum):
    published = perturb(count, key_sum)
    assert abs(published - count) <= MAX_ADJUSTMENT and published >= 1  # only an empty cell shows 0
    if count >= 3:
        assert sum(perturb(count, k) - count for k in range(MODULUS)) == 0  # mean adjustment 0
    assert perturb(0, key_sum) == 0


def test_every_published_value_leaves_at_least_three_counts_open():
    for published in range(MIN_CELL, 200):
        assert len(possible_counts(published)) == 2 * MAX_ADJUSTMENT + 1


# --- Through the application: seeded random histories ---------------------------------------------

SEEDS = [1, 2, 3]


def _log(author, *, days_ago: int, zip_code: str | None, tag: str = "no-heat", program: str = "housing", **extra):
    from caseflow.concerns.services import log_concern, parse_concern

    body = {
        "program": program,
        "tags": [tag],
        "summary": extra.pop("summary", f"Concern {random.random():.12f}"),
        "occurred_on": (today() - timedelta(days=days_ago)).isoformat(),
        "client_ref": extra.pop("client_ref", f"client-{random.random():.12f}"),
    }
    if zip_code:
        body["zip"] = zip_code
    return log_concern(author, parse_concern(body | extra))


def signed_in(app, user):
    """A second browser, signed in as `user`."""
    from tests.conftest import login

    other = app.test_client()
    assert login(other, user.email).status_code == 302
    return other


def _api_pattern_count(client, headers, key: str, window: int) -> str | None:
    response = client.get(f"/api/v1/patterns?window_days={window}", headers=headers)
    assert response.status_code == 200
    found = {p["key"]: p for p in response.get_json()["items"]}
    if key not in found:
        return None
    value = found[key]["count"]
    return HIDDEN if value is None else f"{value:,}"


def _zip_row(html: str, zip_code: str) -> str | None:
    """The ZIP table of a tag's detail page: the display beside `zip_code`, or None if not listed."""
    table = html.split("Concerns by ZIP code</caption>", 1)[1].split("</table>", 1)[0]
    match = re.search(rf"<td>{zip_code}</td><td class=\"num\">([^<]+)</td>", table)
    return None if match is None else match.group(1).replace("&lt;", "<")


@pytest.mark.parametrize("seed", SEEDS)
def test_rows_behind_a_hidden_cell_are_not_listed(seed, app, db, taxonomy, make_user, client, login_as):
    """Attack 1: a tag × ZIP key with 1–10 concerns opened on the detail page."""
    rng = random.Random(seed)
    author = make_user("caseworker")
    small = rng.randint(1, 10)
    secrets = [f"Hidden summary {seed}-{i} {rng.random():.9f}" for i in range(small)]
    for summary in secrets:
        _log(author, days_ago=rng.randrange(60), zip_code="11239", summary=summary, client_ref=summary)
    for i in range(12):  # the tag itself surfaces elsewhere
        _log(author, days_ago=rng.randrange(60), zip_code="11226", client_ref=f"c{i}")
    db.session.commit()
    login_as("caseworker")
    html = client.get("/patterns/detail?key=tag:no-heat/zip:11239").get_data(as_text=True)
    assert not any(s in html for s in secrets)
    assert "not listed here" in html
    # The tag's own pattern (not about people) lists its concerns without their places.
    tag_page = client.get("/patterns/detail?key=tag:no-heat").get_data(as_text=True)
    assert "11239</li>" not in tag_page
    organizer = signed_in(app, make_user("organizer"))
    page = organizer.get("/patterns/detail?key=tag:no-heat/zip:11239").get_data(as_text=True)
    assert all(s in page for s in secrets)


@pytest.mark.parametrize("seed", SEEDS)
def test_nested_windows_through_the_api(seed, db, taxonomy, make_user, client, token_for):
    """Attack 2 through the API: only the menu's windows, and the 7- and 30-day windows of one place
    differing by one concern pin nothing."""
    rng = random.Random(seed)
    author = make_user("caseworker")
    inner = rng.randint(1, 14)
    for i in range(inner):
        _log(author, days_ago=rng.randrange(7), zip_code="11212", client_ref=f"a{i}")
    _log(author, days_ago=rng.randint(8, 29), zip_code="11212", client_ref="late")
    db.session.commit()
    headers = token_for("caseworker")
    for window in (6, 8, 29, 31, 89, 91, 364, 366):
        assert client.get(f"/api/v1/patterns?window_days={window}", headers=headers).status_code == 422
    seen7 = _api_pattern_count(client, headers, "tag:no-heat/zip:11212", 7)
    seen30 = _api_pattern_count(client, headers, "tag:no-heat/zip:11212", 30)
    assert not recovered(Attacker.feasible([(seen7, 0), (seen30, 1)]))
    # An organizer's token reads exact counts (record access) for any window.
    organizer = token_for("organizer")
    assert client.get("/api/v1/patterns?window_days=8", headers=organizer).status_code == 200


def _equity_cell(html: str, category: str, column: int) -> str:
    row = re.search(rf"<th scope=\"row\">{re.escape(category)}</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    return cells[column].replace("&lt;", "<")


@pytest.mark.parametrize("seed", SEEDS)
def test_date_ranges_and_alone_versus_in_combination(seed, db, taxonomy, make_user, client, login_as):
    """Attacks 3 and 4 on the equity overview: free date ranges are not offered to a caseworker,
    and 'alone' against 'alone or in combination' (one multiracial client apart) pins nothing."""
    rng = random.Random(seed)
    author = make_user("caseworker")
    alone = rng.randint(5, 40)
    for i in range(alone):
        _log(author, days_ago=rng.randrange(30), zip_code=None, client_ref=f"b{i}", race_ethnicity=["black"])
    _log(author, days_ago=3, zip_code=None, client_ref="multi", race_ethnicity=["black", "hispanic"])
    db.session.commit()
    login_as("caseworker")
    yesterday, day = (today() - timedelta(days=1)).isoformat(), today().isoformat()
    custom = client.get(f"/patterns/equity?since={yesterday}&until={day}").get_data(as_text=True)
    assert f"Concerns from {yesterday} to {day}" not in custom  # the menu's period instead
    black = 2  # aian, asian, black …
    combined = client.get("/patterns/equity?period=30").get_data(as_text=True)
    only = client.get("/patterns/equity?period=30&count=alone").get_data(as_text=True)
    bigger, smaller = _equity_cell(combined, "Housing", black), _equity_cell(only, "Housing", black)
    assert not recovered(Attacker.differences(bigger, smaller))


@pytest.mark.parametrize("seed", SEEDS)
def test_subtraction_across_tables_of_the_summary(seed, app, db, taxonomy, make_user, client, token_for):
    """Attack 5 on what leaves the building: a ZIP's total (by place) minus its no-heat pattern in
    the same quarter's summary would give the other program's cell; it pins nothing."""
    from caseflow.reflection.summary import build_summary

    rng = random.Random(seed)
    author = make_user("caseworker")
    q = Quarter.containing(today(), app.config["FISCAL_YEAR_START_MONTH"]).previous()
    span = (q.end - q.start).days
    housing, other = rng.randint(11, 30), rng.randint(1, 10)
    for i in range(housing):
        _log(author, days_ago=(today() - q.start).days - rng.randrange(span), zip_code="11207", client_ref=f"h{i}")
    for i in range(other):
        _log(
            author,
            days_ago=(today() - q.start).days - rng.randrange(span),
            zip_code="11207",
            tag="wage-theft",
            program="legal",
            client_ref=f"o{i}",
        )
    db.session.commit()
    data = json.loads(json.dumps(build_summary(q)))
    by_zip = {r["label"]: r["display"] for r in data["by_zip"]}
    tops = {p["key"]: p["count"] for p in data["patterns"]["top"]}
    pattern = tops.get("tag:no-heat/zip:11207")
    assert not recovered(Attacker.differences(by_zip.get("11207"), None if pattern is None else f"{pattern:,}"))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_add_one_probe_with_an_edit_and_a_delete(seed, db, taxonomy, make_user, client, login_as):
    """Attack 7 through the pages: a caseworker logs a probe into a hidden ZIP cell, edits it away,
    and a director deletes it; the same records always show the same value, and nothing is pinned."""
    from caseflow.concerns.services import delete_concern, parse_concern, update_concern

    rng = random.Random(seed)
    author = make_user("caseworker")
    small = rng.randint(1, 10)
    for i in range(small):
        _log(author, days_ago=rng.randrange(30), zip_code="11239", client_ref=f"p{i}")
    for i in range(12):
        _log(author, days_ago=rng.randrange(30), zip_code="11226", client_ref=f"q{i}")
    db.session.commit()
    spy = login_as("caseworker")

    def look() -> str | None:
        return _zip_row(client.get("/patterns/detail?key=tag:no-heat&window_days=30").get_data(as_text=True), "11239")

    before = look()
    probe = _log(spy, days_ago=1, zip_code="11239", client_ref="probe")
    _db.session.commit()
    with_probe = look()
    assert not recovered(Attacker.feasible([(before, 0), (with_probe, 1)]))
    probe = _db.session.get(Concern, probe.id)
    update_concern(
        spy,
        probe,
        parse_concern(
            {"program": "housing", "tags": ["no-heat"], "summary": probe.summary, "zip": "11226"}
            | {"occurred_on": probe.occurred_on.isoformat()}
        ),
        probe.version,
    )
    _db.session.commit()
    assert look() == before  # the same records: the same published value
    delete_concern(make_user("director"), _db.session.get(Concern, probe.id), "Probe")
    _db.session.commit()
    assert look() == before


def _quick_log_as(browser, client_ref: str):
    """Log a concern through the quick-log form as whoever `browser` is signed in as."""
    form = browser.get("/log").get_data(as_text=True)
    return browser.post(
        "/log",
        data={
            "csrf_token": csrf_token_from(form),
            "program": "housing",
            "tag_text": "no-heat",
            "summary": "Heat off again",
            "occurred_on": today().isoformat(),
            "source": "client",
            "client_ref": client_ref,
        },
        follow_redirects=True,
    )


def test_membership_is_not_confirmed_to_another_caseworker(app, db, taxonomy, make_user, client, login_as):
    """The quick-log hint counts only the caseworker's own concerns."""
    other = make_user("caseworker")
    for days in (40, 20, 10):
        _log(other, days_ago=days, zip_code=None, client_ref="Maria R. 1984")
    db.session.commit()
    login_as("caseworker")
    response = _quick_log_as(client, "Maria R. 1984")
    assert response.status_code == 200
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Concern)) == 4  # it was logged
    assert "concern from this client" not in response.get_data(as_text=True)
    # An organizer, who reads every concern anyway, is told.
    organizer = signed_in(app, make_user("organizer"))
    response = _quick_log_as(organizer, "Maria R. 1984")
    assert "concern from this client" in response.get_data(as_text=True)


def test_wording_never_tells_one_from_more(app):
    """Attack 6: "<11 client wants" against "<11 clients want"."""
    from caseflow.patterns.engine import Pattern

    def sentence(wants: int, clients: int) -> str:
        pattern = Pattern(
            key="tag:no-heat/zip:11226",
            grouping="tag_zip",
            tag="no-heat",
            tag_name="No heat",
            category="Housing",
            count=14,
            distinct_clients=clients,
            previous_count=0,
            concerns_without_ref=0,
            avg_importance=None,
            wants_involvement=wants,
            facet="zip",
            value="11226",
            value_name="11226",
            protected=True,
        )
        with app.test_request_context():
            macro = app.jinja_env.get_template("patterns/_macros.html").module.sentence
            return " ".join(str(macro(pattern)).split())

    assert sentence(1, 1) == sentence(7, 9)
    assert "<11 clients want" in sentence(1, 1).replace("&lt;", "<")


def test_the_same_cell_has_one_published_value_everywhere(app, db, taxonomy, make_user, client, token_for):
    """The list page, the API, the detail page, the summary (page, CSV, API) and the equity overview
    publish one value for the same records."""

    rng = random.Random(7)
    author = make_user("caseworker")
    q = Quarter.containing(today(), app.config["FISCAL_YEAR_START_MONTH"]).previous()
    span = (q.end - q.start).days
    for i in range(rng.randint(15, 40)):
        _log(
            author,
            days_ago=(today() - q.start).days - rng.randrange(span),
            zip_code="11226",
            client_ref=f"s{i}",
            race_ethnicity=["black"],
        )
    db.session.commit()
    records = _db.session.scalars(_db.select(Concern).where(Concern.zip == "11226")).all()
    expected = CASEWORKER.cell(Tally(len(records), sum(c.record_key for c in records))).display()
    assert expected != HIDDEN

    worker = token_for("caseworker")
    assert _api_pattern_count(client, worker, "tag:no-heat/zip:11226", 365) == expected

    caseworker = signed_in(app, make_user("caseworker"))
    listing = caseworker.get("/patterns/?window_days=365&grouping=tag_zip").get_data(as_text=True)
    assert f"{expected} concerns" in listing
    detail = caseworker.get("/patterns/detail?key=tag:no-heat&window_days=365").get_data(as_text=True)
    assert _zip_row(detail, "11226") == expected
    equity = caseworker.get(f"/patterns/equity?period={q.label}").get_data(as_text=True)
    black_housing = _equity_cell(equity, "Housing", 2)

    from caseflow.reflection.services import ensure_summary

    ensure_summary(q)
    db.session.commit()
    director = make_user("director")
    browser = signed_in(app, director)
    data = client.get(f"/api/v1/summaries/{q.label}", headers=token_for("director", user=director)).get_json()["data"]
    assert {r["label"]: r["display"] for r in data["by_zip"]}["11226"] == expected
    csv_text = browser.get(f"/summaries/{q.label}/by_zip.csv").get_data(as_text=True)
    assert f"11226,{expected}" in csv_text.replace('"', "")
    page = browser.get(f"/summaries/{q.label}").get_data(as_text=True)
    assert expected in page
    housing = next(r for r in data["equity"]["rows"] if r["category"] == "Housing")
    assert housing["cells"][2] == black_housing
    # The organizer, in the app, sees the exact count, marked internal.
    organizer = signed_in(app, make_user("organizer"))
    organizer_page = organizer.get("/patterns/detail?key=tag:no-heat&window_days=365").get_data(as_text=True)
    assert _zip_row(organizer_page, "11226") == str(len(records)) and "Internal" in organizer_page


def test_the_detail_charts_draw_counts_not_about_people(db, taxonomy, make_user, client, login_as):
    """The reverse harm: a tag's weekly and program counts are exact and drawn, not "<11" on a 0–1 axis."""
    author = make_user("caseworker")
    for i in range(7):
        _log(author, days_ago=1, zip_code="11226", client_ref=f"w{i}")
    db.session.commit()
    login_as("caseworker")
    html = client.get("/patterns/detail?key=tag:no-heat&window_days=30").get_data(as_text=True)
    weeks = html.split("Concerns per week</caption>", 1)[1].split("</table>", 1)[0]
    assert ">7</td>" in weeks
    chart = html.split('aria-labelledby="timeline-h"', 1)[1].split("</svg>", 1)[0]
    assert ">7<" in chart or "7 concerns" in chart or ": 7" in chart
    assert HIDDEN.replace("<", "&lt;") not in chart
    programs = html.split("Concerns by program</caption>", 1)[1].split("</table>", 1)[0]
    assert ">7</td>" in programs


def test_total_is_published_from_its_own_records():
    cells = {"a": Tally(4, 100), "b": Tally(30, 2000)}
    table = CASEWORKER.table({("x", k): t for k, t in cells.items()}, ["x"], ["a", "b"])
    assert table.total.value == perturb(34, 2100) or table.total.suppressed
    assert total(cells.values()) == Tally(34, 2100)
