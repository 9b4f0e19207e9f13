"""A year of realistic demo concerns with patterns a real organizer would find.

Planted: no-heat complaints clustered in ZIPs 11226 and 11212 each winter; benefits delays rising
over the last quarter across Benefits Enrollment and the Food Pantry; wage theft concentrated
among Hispanic/Latina/e/o clients.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert

from caseflow.concerns.services import client_key
from caseflow.dates import today
from caseflow.extensions import db
from caseflow.models import Concern, ConcernRace, concern_tags
from caseflow.models.base import utcnow

ZIPS = [
    "11226",
    "11212",
    "11207",
    "11208",
    "11233",
    "11221",
    "11216",
    "11213",
    "11225",
    "11203",
    "11210",
    "11236",
    "11239",
    "11234",
    "11229",
    "11223",
    "11224",
    "11214",
    "11204",
    "11219",
    "11218",
    "11230",
]
LANGUAGES = ["English"] * 10 + ["Spanish"] * 6 + ["Haitian Creole"] * 3 + ["Russian", "Bengali", "Chinese", "Arabic"]
RACE_MIX = (
    [["black"]] * 30
    + [["hispanic"]] * 22
    + [["white"]] * 12
    + [["asian"]] * 8
    + [["mena"]] * 2
    + [["black", "hispanic"]] * 3
    + [["aian"]] * 1
    + [["nhpi"]] * 1
    + [["white", "hispanic"]] * 2
    + [["refused"]] * 4
    + [["unknown"]] * 2
    + [["not_collected"]] * 10
    + [[]] * 8
)
# Every summary is written together with the tags its words are about: its primary tag (the key)
# and any others it plainly mentions. A concern gets exactly those tags, so no "Injured at work"
# is ever tagged "Bus route cut" and a client's quote appears only under patterns it speaks to.
SUMMARIES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "no-heat": [
        ("No heat in the apartment for {n} days", ()),
        ("Radiators cold, landlord not answering repair requests", ("repairs-ignored",)),
        ("No hot water since last week, kids sleeping in coats", ()),
    ],
    "repairs-ignored": [
        ("Landlord ignores repair requests for months", ()),
        ("Leaking ceiling reported three times, nothing done", ()),
    ],
    "eviction-threat": [
        ("Landlord threatening eviction after a repair complaint", ("repairs-ignored",)),
        ("Received eviction notice without court papers", ()),
    ],
    "rent-increase": [
        ("Rent raised beyond what the lease allows", ()),
        ("Rent increase notice with two weeks warning", ()),
    ],
    "mold": [
        ("Mold in bathroom making child's asthma worse", ()),
        ("Mice and roaches, exterminator never came", ()),
    ],
    "overcrowding": [
        ("Family of six sharing one bedroom", ()),
        ("Two families doubled up in a one-bedroom apartment", ()),
    ],
    "benefits-delay": [
        ("SNAP application pending for {n} weeks", ()),
        ("Cash assistance application stalled, no caseworker assigned", ()),
        ("Benefits renewal lost, waiting for interview", ()),
    ],
    "benefits-cut": [
        ("Benefits stopped without notice", ()),
        ("SNAP cut after missed phone interview", ()),
    ],
    "snap-recert": [("SNAP recertification paperwork lost by the office", ())],
    "wage-theft": [
        ("Employer did not pay last {n} weeks of wages", ()),
        ("Paid less than minimum wage at the warehouse", ()),
        ("No overtime paid for 60-hour weeks", ()),
    ],
    "unsafe-work": [("Injured at work, no safety equipment provided", ())],
    "job-loss": [("Lost job after asking for sick leave", ())],
    "no-insurance": [("No health insurance since losing job", ("job-loss",))],
    "medical-debt": [("Hospital bill sent to collections", ())],
    "mental-health-access": [("Waiting list for counselling is six months", ())],
    "visa-backlog": [("Asylum case pending for years", ())],
    "ice-fear": [("Afraid to go to the clinic because of immigration enforcement", ())],
    "language-access": [("No interpreter at the benefits office", ())],
    "school-discipline": [("Child suspended repeatedly for minor issues", ())],
    "iep-denied": [("School refuses special-education evaluation", ())],
    "court-fees": [("Cannot pay court fees, license suspended", ())],
    "police-stop": [("Stopped by police on the way to work again", ())],
    "record-barrier": [("Job offer withdrawn after background check on an old record", ())],
    "utility-shutoff": [("Electricity shut off with children at home", ())],
    "high-utility-bill": [("Gas bill doubled this winter", ())],
    "bus-cuts": [("Bus route to the clinic was cut", ())],
    "no-car-access": [("Cannot reach the food pantry without a car", ())],
    "food-insecurity": [("Running out of food before the end of the month", ())],
    "pantry-hours": [("Pantry closes before the client's shift ends", ())],
    "childcare-cost": [("Childcare costs more than half of income", ())],
    "childcare-waitlist": [("On the childcare voucher waitlist for a year", ())],
    "domestic-violence": [("Client disclosed violence at home", ())],
    "unsafe-street": [("Broken streetlights on the block, client afraid at night", ())],
}
ROOT_CAUSES = {
    "no-heat": [
        "The landlord wants us out so he can raise the rent",
        "Nobody enforces the heat law",
        "The boiler is 40 years old and the owner won't replace it",
    ],
    "benefits-delay": [
        "The office lost staff and nobody answers the phone",
        "The new online system loses documents",
        "They make it hard on purpose",
    ],
    "wage-theft": [
        "They know we are afraid to complain",
        "The agency that hires us changes its name every year",
        "Nobody checks the warehouses",
    ],
}
WEIGHTS = {  # background frequency of each tag
    "repairs-ignored": 8,
    "eviction-threat": 6,
    "rent-increase": 6,
    "mold": 4,
    "overcrowding": 2,
    "benefits-cut": 4,
    "snap-recert": 3,
    "unsafe-work": 2,
    "job-loss": 4,
    "no-insurance": 4,
    "medical-debt": 3,
    "mental-health-access": 3,
    "visa-backlog": 3,
    "ice-fear": 2,
    "language-access": 3,
    "school-discipline": 2,
    "iep-denied": 2,
    "court-fees": 2,
    "police-stop": 2,
    "record-barrier": 2,
    "utility-shutoff": 3,
    "high-utility-bill": 4,
    "bus-cuts": 2,
    "no-car-access": 2,
    "food-insecurity": 7,
    "pantry-hours": 3,
    "childcare-cost": 4,
    "childcare-waitlist": 3,
    "domestic-violence": 2,
    "unsafe-street": 2,
    "no-heat": 1,
    "benefits-delay": 3,
    "wage-theft": 2,
}
PROGRAM_FOR = {
    "Housing": ["housing", "housing", "family-services"],
    "Income & Benefits": ["benefits", "food-pantry"],
    "Employment": ["workforce", "immigration-legal"],
    "Immigration": ["immigration-legal"],
    "Food": ["food-pantry"],
    "Childcare": ["family-services"],
}


def _is_winter(d: date) -> bool:
    return d.month in (11, 12, 1, 2, 3)


def seed_concerns(users, programs, tags, count: int = 3000, *, rng: random.Random | None = None) -> int:
    rng = rng or random.Random(2026)  # noqa: S311 (demo data, not secrets)
    end = today()
    start = end - timedelta(days=365)
    authors = [u for u in users if u.has_role("caseworker") or u.has_role("organizer")]
    tag_by_slug = {t.slug: t for t in tags}
    program_by_slug = {p.slug: p for p in programs}
    slugs = [s for s in WEIGHTS if s in tag_by_slug]
    weights = [WEIGHTS[s] for s in slugs]
    clients = [f"C-{i:05d}" for i in range(int(count * 0.7))]
    client_keys = {ref: client_key(ref) for ref in rng.sample(clients, min(len(clients), count))}
    key_pool = list(client_keys.values())

    concerns, tag_rows, race_rows = [], [], []
    now = utcnow()
    for _ in range(count):
        day = start + timedelta(days=rng.randrange(366))
        slug = rng.choices(slugs, weights)[0]
        zip_code = rng.choice(ZIPS)
        race = list(rng.choice(RACE_MIX))
        # Planted patterns.
        if _is_winter(day) and rng.random() < 0.16:
            slug, zip_code = "no-heat", rng.choice(["11226", "11226", "11212"])
        elif (end - day).days < 91 and rng.random() < 0.12:
            slug = "benefits-delay"
        elif rng.random() < 0.04:
            slug = "wage-theft"
        if slug == "wage-theft" and rng.random() < 0.75:
            race = ["hispanic"]
        tag = tag_by_slug[slug]
        template, also = rng.choice(SUMMARIES[slug])
        program_slug = rng.choice(
            PROGRAM_FOR.get(tag.category, ["housing", "benefits", "family-services", "workforce"])
        )
        if slug == "benefits-delay":
            program_slug = rng.choice(["benefits", "food-pantry"])
        program = program_by_slug.get(program_slug, programs[0])
        summary = template.format(n=rng.randint(2, 9))
        voice = rng.random() < 0.55
        concerns.append(
            {
                "program_id": program.id,
                "summary": summary,
                "narrative": f"Client described the situation in detail during intake ({summary.lower()})."
                if rng.random() < 0.4
                else None,
                "occurred_on": day,
                "source": "staff" if rng.random() < 0.08 else "client",
                "client_key": rng.choice(key_pool) if rng.random() < 0.85 else None,
                "language": rng.choice(LANGUAGES) if rng.random() < 0.8 else None,
                "age_band": rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65-plus"])
                if rng.random() < 0.75
                else None,
                "zip": zip_code if rng.random() < 0.92 else None,
                "client_importance": rng.choice([3, 4, 4, 5, 5]) if voice else None,
                "client_root_cause": rng.choice(ROOT_CAUSES[slug]) if voice and slug in ROOT_CAUSES else None,
                "wants_involvement": voice and rng.random() < 0.45,
                "story_consent_on": day if voice and rng.random() < 0.5 else None,
                "author_id": rng.choice(authors).id,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        tag_rows.append([tag.id] + [tag_by_slug[t].id for t in also if t in tag_by_slug])
        race_rows.append(race)
    ids = db.session.scalars(insert(Concern).returning(Concern.id, sort_by_parameter_order=True), concerns).all()
    db.session.execute(
        insert(concern_tags),
        [{"concern_id": cid, "tag_id": t} for cid, ts in zip(ids, tag_rows, strict=True) for t in ts],
    )
    races = [{"concern_id": cid, "code": c} for cid, codes in zip(ids, race_rows, strict=True) for c in codes]
    if races:
        db.session.execute(insert(ConcernRace), races)
    from caseflow.patterns.rollup import rebuild  # bulk inserts bypass the ORM's rollup hooks

    rebuild(db.session)
    return len(ids)
