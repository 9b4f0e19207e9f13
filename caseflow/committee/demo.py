"""Demo organizing: people who opted in (from concerns and at the door), who came to the heat
campaign's actions, an organisation-wide benefits summit with its harvest, and a standing advisory
committee with governance on and one decided vote (a pattern voted into a campaign)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from caseflow.committee import services as committee
from caseflow.convenings import services as convenings
from caseflow.dates import today
from caseflow.extensions import db
from caseflow.models import Campaign, CampaignAction, Concern, Tag, User, concern_tags
from caseflow.people import ladder, services

FIRST_NAMES = ["Rosa", "Marcus", "Yolanda", "Tomás", "Aisha", "Dmitri", "Grace", "Wei", "Fatou", "Luis", "Nadia"]
LANGUAGES = ["Spanish", "English", "Haitian Creole", "Spanish", "English", "Russian", "English", "Mandarin"]


def _contact(i: int, channel: str = "phone") -> services.PersonInput:
    return services.PersonInput(
        name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {chr(65 + i)}.",
        phone=f"718-555-01{i:02d}",
        email=f"demo.person{i}@example.org" if channel == "email" else None,
        address=None,
        language=LANGUAGES[i % len(LANGUAGES)],
        channel=channel,
    )


def seed_organizing(users: list[User]) -> None:
    organizer = next((u for u in users if u.has_role("organizer")), None)
    director = next((u for u in users if u.has_role("director")), None)
    caseworkers = [u for u in users if u.has_role("caseworker")]
    if organizer is None or director is None or not caseworkers:
        return
    no_heat = db.session.scalar(select(Tag).where(Tag.slug == "no-heat"))
    concerns = db.session.scalars(
        select(Concern)
        .join(concern_tags, concern_tags.c.concern_id == Concern.id)
        .where(concern_tags.c.tag_id == (no_heat.id if no_heat else -1), Concern.wants_involvement.is_(True))
        .order_by(Concern.occurred_on.desc())
        .limit(6)
    ).all()
    people = []
    for i, concern in enumerate(concerns):
        author = db.session.get(User, concern.author_id)
        people.append(services.record_consent(author, concern, _contact(i)))
    heat = db.session.scalar(select(Campaign).where(Campaign.title.ilike("%heat%")).order_by(Campaign.id))
    for i in range(len(people), len(people) + 3):
        people.append(services.add_person(organizer, _contact(i, "email" if i % 2 else "sms"), heat))
    if not people:
        return

    # Who came to the heat campaign's actions: the ladder (and its new leaders) read these rows.
    if heat is not None:
        actions = db.session.scalars(
            select(CampaignAction).where(CampaignAction.campaign_id == heat.id).order_by(CampaignAction.occurred_on)
        ).all()
        for n, action in enumerate(actions):
            came = dict(ladder.roll(action=action).people)  # the leaders the campaign demo recorded
            came |= {p.id: "attended" for p in people[: 4 + n]}
            if n < len(people):
                came[people[n].id] = "spoke" if n % 2 == 0 else "led"
            ladder.set_attendance(organizer, came, [organizer.id, caseworkers[0].id], action=action)

    _summit(organizer, director, caseworkers, people)
    _committee(organizer, director, caseworkers, people, heat)


def _summit(organizer: User, director: User, caseworkers: list[User], people) -> None:
    held = today() - timedelta(days=40)
    summit = convenings.create_convening(
        organizer,
        {
            "title": "Benefits access summit with DSS",
            "held_on": held.isoformat(),
            "place": "Brooklyn Public Library, Central",
            "agenda": "1. Families' stories of waiting for benefits\n2. DSS caseworkers on their workload\n"
            "3. Breakouts: applications, recertification, language access\n4. Harvest",
            "breakout_notes": "Applications: missing documents restart the clock.\n"
            "Recertification: notices arrive after the deadline.\n"
            "Language access: no interpreter at the front desk.",
        },
    )
    ladder.set_attendance(
        organizer,
        {p.id: ("spoke" if i == 1 else "attended") for i, p in enumerate(people[:-1])} | {people[-1].id: "signed_up"},
        [organizer.id, director.id, *(u.id for u in caseworkers)],
        convening=summit,
    )
    harvest = [
        ("policy_change", "DSS to accept documents by phone photo", caseworkers[0], 10, False),
        ("staff_training", "Train front-desk staff on interpreter lines", caseworkers[-1], -5, False),
        ("community_engagement", "Monthly benefits clinic at the library", organizer, -15, True),
        ("internal_practice", "Log every recertification notice that arrives late", None, None, None),
    ]
    for kind, text, owner, due, done in harvest:
        item = convenings.add_harvest(organizer, summit, {"kind": kind, "takeaway": text, "breakout": ""})
        if owner is not None:
            convenings.to_follow_up(organizer, item, {"owner_id": owner.id, "due_on": held + timedelta(days=40 + due)})
            if done:
                convenings.complete(organizer, item)
        else:
            convenings.to_tag(organizer, item, {"name": "Late recertification notice", "category": "Income & Benefits"})


def _committee(organizer: User, director: User, caseworkers: list[User], people, heat) -> None:
    start = (today() - timedelta(days=200)).isoformat()
    members = [committee.add_member(organizer, {"person_id": p.id, "term_start": start}) for p in people[:3]]
    members += [
        committee.add_member(organizer, {"user_id": u.id, "term_start": start}) for u in (organizer, caseworkers[0])
    ]
    committee.set_governance(director, True)
    meeting = committee.create_meeting(
        organizer,
        {
            "held_on": (today() - timedelta(days=12)).isoformat(),
            "minutes": "Rosa chaired. Members heard the language-access concerns from three programs and voted "
            "to organize on them. Next meeting: the heat campaign's action plan.",
        },
    )
    committee.update_meeting(organizer, meeting, meeting.minutes, {m.id for m in members[:4]}, meeting.version)
    proposal = committee.propose(
        organizer,
        {
            "kind": "promote",
            "pattern_keys": ["tag:language-access"],
            "title": "Interpreters at every front desk",
            "details": "Clients in three programs were not offered an interpreter.",
        },
    )
    votes = {members[0].id: "for", members[1].id: "for", members[2].id: "abstain", members[3].id: "for"}
    committee.decide(organizer, proposal, meeting, votes)
    # One question still waits for the committee, so the gate shows what it waits for.
    early = db.session.scalar(
        select(Campaign).where(Campaign.step.in_(("learning", "awareness", "vision"))).order_by(Campaign.id)
    )
    if early is not None:
        committee.propose(organizer, {"kind": "enter_step", "campaign_id": early.id, "for_step": "strategy"})
