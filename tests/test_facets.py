"""Every facet in the registry (caseflow.patterns.facets) works end to end: a value shared by enough
concerns is a pattern with a stable key, counted exactly from the rollups and from the concerns,
protected for an aggregate viewer when it describes people, named on its pages, kept exact in the
rollups through edits and deletes. A new facet is tested by adding its registry entry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from caseflow.dates import today
from caseflow.equity.policy import Audience, Disclosure
from caseflow.patterns import rollup
from caseflow.patterns.engine import PatternSettings, find_patterns
from caseflow.patterns.facets import FACETS, GROUPING_LABELS, Facet
from caseflow.patterns.keys import PatternKey
from caseflow.patterns.labels import pattern_label
from tests.conftest import login

N = 14  # above the small-cell threshold (11), so an aggregate viewer sees the pattern too


def _other(facet: Facet) -> str:
    """A second valid value of the facet, for an edit that moves a concern between cells."""
    return {"program": "legal", "zip": "11212", "age_band": "65-plus", "language": "Tagalog"}.get(facet.name, "x")


def _log_with(make_concern, facet: Facet, value: str, n: int):
    return [
        make_concern(
            **{facet.name: value},
            client_ref=f"client-{facet.name}-{value}-{i}",
            occurred_on=(today() - timedelta(days=i % 20)).isoformat(),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("facet", FACETS, ids=lambda f: f.name)
def test_a_value_shared_by_enough_concerns_is_a_pattern(app, db, make_concern, make_user, facet):
    concerns = _log_with(make_concern, facet, facet.example, N)
    key = PatternKey.of("no-heat", facet, facet.example)
    assert PatternKey.parse(str(key)) == key and key.grouping in GROUPING_LABELS
    settings = PatternSettings(as_of=today(), window_days=30)
    for use_rollups in (True, False):
        app.config["USE_ROLLUPS"] = use_rollups
        try:
            found = {p.key: p for p in find_patterns(settings, (facet.grouping,), with_examples=0)}
        finally:
            app.config["USE_ROLLUPS"] = True
        pattern = found[str(key)]
        assert (pattern.count, pattern.distinct_clients, pattern.facet, pattern.value) == (
            N,
            N,
            facet.name,
            facet.example,
        )
    aggregate = Disclosure(Audience.AGGREGATE, 11)
    seen = {p.key: p for p in find_patterns(settings, (facet.grouping,), with_examples=0, disclosure=aggregate)}
    assert seen[str(key)].protected is facet.about_people
    # Its pages name it: the label, and the tag's detail page breaks the tag down by this facet.
    assert pattern_label(str(key)).startswith("No heat · ")
    organizer = make_user("organizer")
    client = app.test_client()
    assert login(client, organizer.email).status_code == 302
    page = client.get("/patterns/detail", query_string={"key": str(key)})
    assert page.status_code == 200
    tag_page = client.get("/patterns/detail", query_string={"key": "tag:no-heat"}).get_data(as_text=True)
    assert f"Concerns by {facet.in_sentence}</caption>" in tag_page
    # Edits that move a concern to another value, clear it, or delete it keep the rollups exact.
    from caseflow.concerns.services import delete_concern, parse_concern, update_concern

    author = concerns[0].author
    body = {"program": "housing", "tags": ["no-heat"], "summary": "Moved", facet.name: _other(facet)}
    update_concern(author, concerns[1], parse_concern(body), concerns[1].version)
    delete_concern(author, concerns[2], "Duplicate")
    db.session.commit()
    assert rollup.check(db.session) == []
    after = {p.key: p for p in find_patterns(settings, (facet.grouping,), with_examples=0)}
    assert after[str(key)].count == N - 2


def test_a_language_with_a_slash_or_percent_keeps_one_key():
    for language in ("Chinese/Mandarin", "100% Kreyòl"):
        key = PatternKey.of("no-heat", next(f for f in FACETS if f.name == "language"), language)
        assert PatternKey.parse(str(key)) == key and str(key).count("/") == 1
