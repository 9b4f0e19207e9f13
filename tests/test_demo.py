"""seed-demo: the planted patterns a real organizer would find appear with the right counts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from caseflow.demo import seed
from caseflow.models import Campaign, QuarterlySummary, Tag, concern_tags
from caseflow.models.concern import Concern
from caseflow.patterns.engine import PatternSettings, find_patterns
from caseflow.patterns.keys import PatternKey


def test_demo_holds_the_planted_patterns(app, db):
    seed(concern_count=1500)
    db.session.commit()
    # A year's window always holds a winter, whatever the date of the run.
    year = PatternSettings.from_config(window_days=365)
    found = {p.key: p for p in find_patterns(year)}

    heat = found["tag:no-heat/zip:11226"]
    # The engine's count equals a plain count of the same concerns.
    expected = db.session.scalar(
        select(func.count())
        .select_from(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
        .where(Tag.slug == "no-heat", Concern.zip == "11226", Concern.deleted_at.is_(None))
        .where(Concern.occurred_on >= year.start, Concern.occurred_on <= year.as_of)
    )
    assert heat.count == expected and heat.count >= 11
    heat_zips = sorted((p for p in found.values() if p.tag == "no-heat" and p.zip), key=lambda p: -p.count)
    assert [p.zip for p in heat_zips[:2]] == ["11226", "11212"]  # clustered in two ZIPs

    quarter = PatternSettings.from_config(window_days=90)
    delays = {p.key: p for p in find_patterns(quarter)}["tag:benefits-delay"]
    assert delays.trend is not None and delays.trend > 0.5  # rising over the last quarter
    assert {"Benefits Enrollment", "Food Pantry"} <= set(delays.programs) and delays.cross_program

    from caseflow.equity.disparity import disparity
    from caseflow.equity.policy import leaving

    gap = disparity(PatternKey.parse("tag:wage-theft").matching_concern_ids(), year.start, year.as_of, leaving())
    hispanic = next(r for r in gap.rows if r.code == "hispanic")
    assert hispanic.flagged and hispanic.ratio >= 1.5

    assert db.session.scalar(select(func.count()).select_from(Campaign)) >= 4
    states = db.session.execute(
        text("select count(*) from quarterly_summaries where signed_off_at is not null")
    ).scalar()
    assert states == 1 and db.session.scalar(select(func.count()).select_from(QuarterlySummary)) == 2


# Words that must appear in a summary for it to carry a tag: checked against every demo concern,
# independently of how the demo builds them.
TAG_WORDS = {
    "no-heat": ("heat", "radiator", "hot water"),
    "repairs-ignored": ("repair", "leak", "nothing done"),
    "eviction-threat": ("evict",),
    "rent-increase": ("rent",),
    "mold": ("mold", "mice", "roach"),
    "overcrowding": ("sharing one bedroom", "doubled up"),
    "benefits-delay": ("pending", "stalled", "waiting"),
    "benefits-cut": ("stopped", "cut"),
    "snap-recert": ("recertification",),
    "wage-theft": ("wage", "pay", "paid"),
    "unsafe-work": ("injured", "safety"),
    "job-loss": ("job",),
    "no-insurance": ("insurance",),
    "medical-debt": ("bill", "collections"),
    "mental-health-access": ("counselling", "mental"),
    "visa-backlog": ("asylum", "visa"),
    "ice-fear": ("enforcement",),
    "language-access": ("interpreter",),
    "school-discipline": ("suspended",),
    "iep-denied": ("special-education",),
    "court-fees": ("court fees", "fines"),
    "police-stop": ("police",),
    "record-barrier": ("background check", "record"),
    "utility-shutoff": ("shut off",),
    "high-utility-bill": ("bill",),
    "bus-cuts": ("bus",),
    "no-car-access": ("car", "reach"),
    "food-insecurity": ("food",),
    "pantry-hours": ("pantry",),
    "childcare-cost": ("childcare",),
    "childcare-waitlist": ("childcare", "waitlist"),
    "domestic-violence": ("violence",),
    "unsafe-street": ("streetlight", "afraid"),
}


def test_demo_concerns_are_tagged_with_what_their_words_say(app, db):
    """Issue 13: no "Injured at work" tagged "Bus route cut", no concern titled "Client concern", and
    a client's quote only under the patterns its concern belongs to."""
    from caseflow.concerns.demo import ROOT_CAUSES, SUMMARIES
    from caseflow.demo import TAGS

    assert set(SUMMARIES) == {slug for slug, _, _ in TAGS}  # every demo tag has its own words
    seed(concern_count=1500)
    db.session.commit()
    rows = db.session.execute(
        select(Concern.id, Concern.summary, Concern.client_root_cause, Tag.slug)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .join(Tag, Tag.id == concern_tags.c.tag_id)
    ).all()
    tags: dict[int, set[str]] = {}
    summaries: dict[int, str] = {}
    quotes: dict[int, str | None] = {}
    for concern_id, summary, quote, slug in rows:
        tags.setdefault(concern_id, set()).add(slug)
        summaries[concern_id], quotes[concern_id] = summary, quote
    assert len(summaries) >= 1500
    assert "Client concern" not in set(summaries.values())
    for concern_id, summary in summaries.items():
        for slug in tags[concern_id]:
            words = TAG_WORDS[slug]
            assert any(w in summary.lower() for w in words), f"{summary!r} is tagged {slug}"
    quote_tags = {quote: slug for slug, quotes_ in ROOT_CAUSES.items() for quote in quotes_}
    for concern_id, quote in quotes.items():
        if quote:
            assert quote_tags[quote] in tags[concern_id], (quote, tags[concern_id])


def test_demo_organizes_with_people_a_summit_and_a_committee(app, db):
    from caseflow.governance import governance_on
    from caseflow.models import CommitteeDecision, Convening, HarvestItem, Person
    from caseflow.people.ladder import ladders

    seed(concern_count=600)
    db.session.commit()
    people = db.session.scalars(select(Person)).all()
    assert len(people) >= 3 and all(p.phone and p.consent_on for p in people)
    stored = db.session.execute(text("SELECT phone FROM people")).scalars().all()
    assert not {p.phone for p in people} & set(stored)  # encrypted at rest
    summit = db.session.scalar(select(Convening))
    assert summit.campaign_id is None
    kinds = db.session.scalars(select(HarvestItem.becomes).where(HarvestItem.convening_id == summit.id)).all()
    assert kinds.count("follow_up") == 3 and "tag" in kinds
    decided = db.session.scalar(select(CommitteeDecision).where(CommitteeDecision.status == "approved"))
    assert decided.kind == "promote" and db.session.get(Campaign, decided.campaign_id) is not None
    assert governance_on()
    assert any(r.spoke for r in ladders().values()) and any(r.committee for r in ladders().values())
    # New leaders come from who came (the ladder), never typed: the heat campaign's actions hold its
    # leaders, and each stored summary shows the ladder's count for its quarter, published by the policy.
    from caseflow.campaigns.services import participation
    from caseflow.equity.policy import leaving
    from caseflow.people.ladder import new_leaders_by_campaign, new_leaders_tally

    heat = db.session.scalar(select(Campaign).where(Campaign.title.ilike("%heat%")).order_by(Campaign.id))
    assert participation(heat)["new_leaders"] == new_leaders_by_campaign([heat.id])[heat.id] >= 11
    assert sum(new_leaders_by_campaign([c.id for c in db.session.scalars(select(Campaign))]).values()) >= 25
    for stored in db.session.scalars(select(QuarterlySummary)):
        d = stored.data
        span = (date.fromisoformat(d["start"]), date.fromisoformat(d["counted_to"]))
        assert d["actions"]["new_leaders_display"] == leaving().cell(new_leaders_tally(*span)).display()
