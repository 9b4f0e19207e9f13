"""Demo campaigns for `seed-demo`: four campaigns across the six steps, with real content.

- Heat is a right (Action): every step filled, actions with constituents and new leaders, a
  convening's harvest with follow-ups (some overdue), advisory decisions (one return, then approval).
- Benefits without the wait (Strategy): went all the way to Reflection, where a review sent it back
  to Strategy with a note — the loop shows in its history.
- Pay what's owed (won): closed from a reflection review.
- Keep the lights on (Awareness): just started, the power map half drawn.

Evidence is attached by INSERT … SELECT of the concerns matching each pattern key.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from caseflow.dates import now, today
from caseflow.extensions import db
from caseflow.models import (
    AdvisoryDecision,
    Campaign,
    CampaignAction,
    CampaignLearning,
    CampaignPattern,
    CampaignStrategy,
    CampaignVision,
    FollowUp,
    PatternState,
    PowerActor,
    ReflectionReview,
    StepMove,
    User,
)


def _ago(days: int) -> datetime:
    return now() - timedelta(days=days)


def _attach_evidence(campaign: Campaign) -> None:
    try:
        from caseflow.patterns.services import attach_matching_concerns
    except ModuleNotFoundError:  # pragma: no cover - the patterns package ships with campaigns
        return
    attach_matching_concerns(campaign)


def _campaign(title, issue, keys, lead, *, started_days_ago, step="learning", status="active") -> Campaign:
    campaign = Campaign(
        title=title,
        issue_statement=issue,
        lead=lead,
        created_by_id=lead.id,
        step=step,
        status=status,
        created_at=_ago(started_days_ago),
    )
    campaign.patterns = [CampaignPattern(pattern_key=k) for k in keys]
    db.session.add(campaign)
    db.session.flush()
    for key in keys:
        state = db.session.get(PatternState, key) or PatternState(key=key)
        state.state, state.campaign_id, state.decided_by_id = "promoted", campaign.id, lead.id
        state.decided_at = _ago(started_days_ago)
        db.session.add(state)
    _attach_evidence(campaign)
    return campaign


def _moves(campaign: Campaign, author: User, moves: list[tuple[str, str, int, str]]) -> None:
    for from_step, to_step, days, note in moves:
        db.session.add(
            StepMove(
                campaign_id=campaign.id,
                from_step=from_step,
                to_step=to_step,
                note=note,
                author_id=author.id,
                at=_ago(days),
            )
        )


def _actors(campaign: Campaign, rows) -> None:
    for name, kind, influence, position, notes in rows:
        db.session.add(
            PowerActor(
                campaign_id=campaign.id, name=name, kind=kind, influence=influence, position=position, notes=notes
            )
        )


# Who steps up at an action of each kind: speaking and testifying, or leading it.
SPEAKING = {"testimony", "public_comment", "media", "convening"}
DOOR_NAMES = ["Ana", "Beto", "Chantal", "Darnell", "Esperanza", "Femi", "Gloria", "Hector", "Ines", "Jamal"]


def _action(campaign: Campaign, author: User, days: int, kind: str, title: str, staff, constituents, leaders, **more):
    """An action, and the `leaders` constituents who stepped up there for the first time: people who
    agreed to be involved at the door that day and spoke (or led), recorded as attendance. The
    campaign's and the quarter's new leaders are counted from these rows, never typed."""
    action = CampaignAction(
        campaign_id=campaign.id,
        author_id=author.id,
        occurred_on=today() - timedelta(days=days),
        kind=kind,
        title=title,
        staff_participants=staff,
        constituent_participants=constituents,
        **more,
    )
    db.session.add(action)
    db.session.flush()
    if leaders:
        from caseflow.people import ladder, services

        role = "spoke" if kind in SPEAKING else "led"
        came = {}
        for i in range(leaders):
            n = len(DOOR_NAMES) * action.id + i
            person = services.add_person(
                author,
                services.PersonInput(
                    name=f"{DOOR_NAMES[n % len(DOOR_NAMES)]} {chr(65 + n % 26)}.",
                    phone=f"347-555-{n % 10000:04d}",
                    email=None,
                    address=None,
                    language="Spanish" if n % 3 == 0 else "English",
                    channel="phone",
                ),
                campaign,
            )
            person.consent_on = action.occurred_on  # they agreed at the door that day
            came[person.id] = role
        ladder.set_attendance(author, came, [author.id], action=action)
    return action


def _follow_up(campaign, description, owner, due_in_days, *, action=None, done_days_ago=None, done_by=None):
    db.session.add(
        FollowUp(
            campaign_id=campaign.id,
            action_id=action.id if action else None,
            description=description,
            owner_id=owner.id,
            due_on=today() + timedelta(days=due_in_days),
            done_at=_ago(done_days_ago) if done_days_ago is not None else None,
            done_by_id=done_by.id if done_by and done_days_ago is not None else None,
        )
    )


def _decision(campaign, recorder, for_step, days, decision, members, constituents, notes=""):
    db.session.add(
        AdvisoryDecision(
            campaign_id=campaign.id,
            for_step=for_step,
            decided_on=today() - timedelta(days=days),
            members_present=members,
            constituents_present=constituents,
            decision=decision,
            notes=notes,
            recorded_by_id=recorder.id,
            created_at=_ago(days),
        )
    )


def seed_campaigns(users: list[User], programs, tags) -> list[Campaign]:
    """Create the demo campaigns; returns them. Needs an organizer among `users`."""
    organizers = [u for u in users if u.has_role("organizer")]
    if not organizers:
        return []
    lead = organizers[0]
    caseworkers = [u for u in users if u.has_role("caseworker")] or organizers
    carmen, kwame = caseworkers[0], caseworkers[-1]
    campaigns = [
        _heat(lead, carmen, kwame),
        _benefits(lead, carmen, kwame),
        _wages(lead, carmen),
        _utilities(lead),
    ]
    db.session.flush()
    return campaigns


def _heat(lead: User, carmen: User, kwame: User) -> Campaign:
    c = _campaign(
        "Heat is a right: Flatbush winter repairs",
        "Every winter, tenants in a handful of Flatbush buildings go weeks without heat or hot water, and "
        "complaints to the city take weeks to reach an inspector.",
        ["tag:no-heat/zip:11226", "tag:no-heat/zip:11212"],
        lead,
        started_days_ago=150,
        step="action",
    )
    db.session.add(
        CampaignLearning(
            campaign_id=c.id,
            updated_by_id=lead.id,
            problem_statement="Tenants in older rent-stabilized buildings in 11226 and 11212 lose heat for days at a "
            "time each winter. Complaints to 311 take a median of three weeks to reach an inspection, and fines "
            "are rarely collected, so repairs are cheaper to delay than to do.",
            affected="Families with young children and older tenants in about 20 buildings owned by three "
            "landlords. Most are Black and Haitian Creole- or Spanish-speaking households; the evidence view "
            "shows the breakdown.",
            root_causes="Inspections are slow and understaffed; fines are low and uncollected; the same landlords "
            "own most affected buildings; tenants fear retaliation when they complain alone.",
            data_sources="Our concerns (Housing Assistance and Family Services); city 311 heat complaints by ZIP; "
            "HPD violation records; the tenant association's own log.",
            constituent_views="Clients say the landlord 'waits us out' until spring; that complaining alone gets "
            "you a harassment notice; and that the city only moves when a building complains together.",
        )
    )
    _actors(
        c,
        [
            ("HPD Commissioner", "target", 5, -1, "Sets inspection priorities; responds to council pressure."),
            ("Council Member, District 40", "target", 4, 1, "Chairs the housing committee hearing in March."),
            ("Largest landlord LLC", "opponent", 4, -2, "Owns 9 of the affected buildings."),
            ("Flatbush Tenants Association", "ally", 3, 2, "Co-leads the building committees."),
            ("Legal aid partner", "ally", 2, 2, "Can file HP actions for building committees."),
            ("Local newspaper", "neutral", 2, 0, "Ran one story last winter."),
        ],
    )
    db.session.add(
        CampaignVision(
            campaign_id=c.id,
            updated_by_id=lead.id,
            statement="Every home in Flatbush is warm all winter. When the heat fails, an inspector comes within "
            "48 hours, landlords pay for the harm, and tenants who speak up are protected, not punished.",
            co_authors="Twelve tenants at the winter convening, two caseworkers, the organizer",
            constituent_co_authors=12,
        )
    )
    db.session.add(
        CampaignStrategy(
            campaign_id=c.id,
            updated_by_id=lead.id,
            goal_long="Heat outages are rare and short in every building in the two ZIPs.",
            goal_intermediate="The city adopts a 48-hour inspection standard for heat complaints in winter.",
            goal_short="Building committees in the 9 worst buildings file together and testify in March.",
            demands="A 48-hour heat inspection standard; collection of unpaid heat fines; an anti-retaliation "
            "hotline staffed in Haitian Creole and Spanish.",
            primary_targets="HPD Commissioner",
            secondary_targets="Council Member, District 40; the housing committee",
            tactics="Building committees; group complaints; testimony; a petition; a lobby visit; press with "
            "tenants who consented to tell their story.",
            timeline="Nov–Dec: committees. Jan: convening and petition. March: hearing testimony. April: lobby visit.",
            q_involved="Tenants from the 9 buildings, caseworkers who see the complaints, the tenants association, "
            "legal aid.",
            q_data="Days from complaint to inspection by ZIP and building; outages by building; who is affected "
            "by race, language and age (suppressed where small).",
            q_community="Building committees meet monthly with interpretation; tenants choose who testifies.",
            q_disparities="Yes: the inspection-time measure is broken down by ZIP and by race and ethnicity, so "
            "we see whether the gap for Black and Haitian tenants closes.",
            q_levers="The council's budget hearing; HPD's winter staffing plan; press in the first cold snap.",
            q_challenges="Retaliation against tenants who speak up; a landlord selling buildings mid-campaign; "
            "turnover in the committees.",
        )
    )
    members = "Seven members: five tenants, one caseworker, the organizer"
    _decision(c, lead, "strategy", 110, "approve", members, 5)
    _decision(
        c,
        lead,
        "action",
        80,
        "return",
        members,
        5,
        "Add interpretation at every action and a plan against retaliation before we go public.",
    )
    _decision(c, lead, "action", 70, "approve", members, 6, "Approved with the retaliation plan.")
    _moves(
        c,
        lead,
        [
            ("learning", "awareness", 140, "The evidence is clear; time to map who can fix it."),
            ("awareness", "vision", 125, "Power map done with the tenants association."),
            ("vision", "strategy", 108, "Vision written at the convening; the committee approved planning."),
            ("strategy", "action", 68, "The committee approved action once the retaliation plan was in."),
        ],
    )
    convening = _action(
        c,
        lead,
        60,
        "convening",
        "Winter tenant convening at PS 139",
        4,
        41,
        6,
        target_reached="",
        outcome="Building committees formed in 6 buildings; tenants chose the 48-hour demand.",
        takeaways="Tenants want group complaints, not single calls. Interpretation in Haitian Creole made the "
        "difference. Three buildings need legal aid now.",
    )
    testimony = _action(
        c,
        lead,
        40,
        "testimony",
        "Testimony at the housing committee",
        2,
        12,
        3,
        target_reached="Council Member, District 40",
        outcome="The chair asked HPD to report on inspection times at the March hearing.",
    )
    _action(
        c,
        lead,
        30,
        "petition",
        "Petition for a 48-hour heat standard",
        1,
        230,
        2,
        target_reached="HPD Commissioner",
        outcome="230 signatures delivered.",
    )
    _action(
        c,
        lead,
        10,
        "lobby_visit",
        "Lobby visit to the HPD Commissioner's office",
        2,
        8,
        1,
        target_reached="HPD Commissioner",
        outcome="Deputy commissioner agreed to share inspection data by ZIP.",
    )
    _follow_up(
        c,
        "Send the harvest notes to all participants in English, Spanish and Haitian Creole",
        carmen,
        -50,
        action=convening,
        done_days_ago=52,
        done_by=carmen,
    )
    _follow_up(c, "Start building committees in the 3 remaining buildings", lead, -20, action=convening)
    _follow_up(
        c,
        "Connect the 3 buildings in crisis with legal aid",
        kwame,
        -35,
        action=convening,
        done_days_ago=36,
        done_by=kwame,
    )
    _follow_up(c, "Ask the chair's office for the hearing date", carmen, -3, action=testimony)
    _follow_up(c, "Request HPD inspection data by ZIP in writing", lead, 10)
    _follow_up(c, "Prepare tenants to testify at the budget hearing", kwame, 21)
    return c


def _benefits(lead: User, carmen: User, kwame: User) -> Campaign:
    c = _campaign(
        "Benefits without the wait",
        "Applications for SNAP and cash assistance stall for months at the local benefits center, across our "
        "Benefits Enrollment and Food Pantry programs.",
        ["tag:benefits-delay"],
        lead,
        started_days_ago=240,
        step="strategy",
    )
    db.session.add(
        CampaignLearning(
            campaign_id=c.id,
            updated_by_id=lead.id,
            problem_statement="Benefit applications take 60–120 days instead of the 30 the law allows.",
            affected="Families using the food pantry while they wait; seniors; clients with limited English.",
            root_causes="Staffing cuts at the benefits center; paper documents lost between offices; no "
            "interpreter at interviews.",
            data_sources="Our concerns; the state's published processing times; a pantry waiting-room survey.",
            constituent_views="Clients say documents 'disappear' and they are told to start over.",
        )
    )
    _actors(
        c,
        [
            ("State benefits commissioner", "target", 5, 0, "Controls center staffing and the budget."),
            ("Benefits center director", "target", 2, 1, "Sympathetic; little authority, as we learned."),
            ("Anti-hunger coalition", "ally", 3, 2, "Statewide partner with a budget campaign."),
            ("State budget office", "opponent", 4, -1, "Resists new hires."),
        ],
    )
    db.session.add(
        CampaignVision(
            campaign_id=c.id,
            updated_by_id=lead.id,
            statement="Nobody waits hungry for help they are owed: every application decided within 30 days, "
            "in the applicant's language.",
            co_authors="Pantry clients' committee (8), two caseworkers",
            constituent_co_authors=8,
        )
    )
    db.session.add(
        CampaignStrategy(
            campaign_id=c.id,
            updated_by_id=lead.id,
            goal_long="Applications decided within 30 days statewide.",
            goal_intermediate="The state budget funds 40 more caseworkers at the local center.",
            goal_short="The commissioner meets the clients' committee before the budget is set.",
            demands="Fund center staffing; electronic document upload; interpreters at every interview.",
            primary_targets="State benefits commissioner (revised: not the center director)",
            secondary_targets="Our state senator; the anti-hunger coalition's budget table",
            tactics="Public comment on the budget; testimony; joint action with the coalition.",
            timeline="Budget comment period next month; hearing in the spring.",
            q_involved="Pantry clients' committee; benefits caseworkers; the coalition.",
            q_data="Days to decision by language and program; share of applications with lost documents.",
            q_community="",
            q_disparities="Days to decision by language shows whether interpreters close the gap.",
            q_levers="The budget; the state's own 30-day rule.",
            q_challenges="A long budget process; clients who cannot take time off to testify.",
        )
    )
    members = "Six members: four pantry clients, one caseworker, the organizer"
    _decision(c, lead, "strategy", 170, "approve", members, 4)
    _decision(c, lead, "action", 140, "approve", members, 4)
    _decision(c, lead, "strategy", 12, "approve", members, 5, "Approved the retargeted strategy.")
    _moves(
        c,
        lead,
        [
            ("learning", "awareness", 220, "The delay is real across two programs."),
            ("awareness", "vision", 200, "Mapped the center and the coalition."),
            ("vision", "strategy", 168, "Vision agreed with the pantry clients' committee."),
            ("strategy", "action", 138, "Committee approved action."),
            ("action", "reflection", 45, "Three months of meetings: time to take stock."),
            (
                "reflection",
                "strategy",
                14,
                "The center director has no authority over staffing; the state office does. Retarget the "
                "strategy at the commissioner and the budget.",
            ),
        ],
    )
    meeting = _action(
        c,
        lead,
        120,
        "meeting",
        "Meeting with the benefits center director",
        2,
        6,
        2,
        target_reached="Benefits center director",
        outcome="Sympathy, but no staffing decisions are hers to make.",
    )
    _action(
        c,
        lead,
        75,
        "public_comment",
        "Public comment on processing times",
        1,
        14,
        1,
        outcome="Comments entered into the record.",
    )
    _follow_up(
        c,
        "Send the director's notes to the clients' committee",
        carmen,
        -110,
        action=meeting,
        done_days_ago=112,
        done_by=carmen,
    )
    _follow_up(c, "Book the commissioner meeting through the coalition", lead, -6)
    _follow_up(c, "Draft the budget testimony with the clients' committee", kwame, 18)
    db.session.add(
        ReflectionReview(
            campaign_id=c.id,
            author_id=lead.id,
            period_start=today() - timedelta(days=138),
            period_end=today() - timedelta(days=15),
            against_goals="The median wait fell only from 94 to 88 days; the short-term goal (the director's "
            "commitment) was met but changed nothing.",
            learned="We targeted someone who agreed with us but could not decide. Power sits with the state.",
            constituents_assessment="The clients' committee felt heard by the director, and frustrated that "
            "nothing changed. They want to go to the state.",
            service_quality_effect="Caseworkers now help clients keep copies of every document; fewer start over.",
            decision="revisit",
            revisit_step="strategy",
            decision_note="The center director has no authority over staffing; the state office does. Retarget "
            "the strategy at the commissioner and the budget.",
            created_at=_ago(14),
        )
    )
    return c


def _wages(lead: User, carmen: User) -> Campaign:
    c = _campaign(
        "Pay what's owed: Sunset Park warehouse wage theft",
        "Warehouse workers, mostly Hispanic/Latino, report unpaid overtime and last paychecks withheld.",
        ["tag:wage-theft"],
        lead,
        started_days_ago=330,
        step="reflection",
        status="won",
    )
    c.closing_summary = (
        "Won: the state labor department ordered $310,000 in back wages for 146 workers, and the warehouse "
        "agreed to electronic time records."
    )
    db.session.add(
        CampaignLearning(
            campaign_id=c.id,
            updated_by_id=lead.id,
            problem_statement="Two warehouses withhold overtime and final paychecks.",
            affected="Hispanic/Latino workers, many with limited English; temp-agency workers most.",
            root_causes="Temp agencies shield the warehouses; workers fear reporting.",
            data_sources="Our concerns; workers' own pay stubs; the labor department's complaint data.",
            constituent_views="Workers say 'they know we won't complain'.",
        )
    )
    _actors(
        c,
        [
            ("State labor department", "target", 5, 1, "Can order back wages."),
            ("Warehouse owner", "opponent", 4, -2, ""),
            ("Workers' center", "ally", 3, 2, "Co-led the campaign."),
        ],
    )
    db.session.add(
        CampaignVision(
            campaign_id=c.id,
            updated_by_id=lead.id,
            statement="Every hour worked is paid, and workers can speak up without losing their job.",
            co_authors="Workers' committee (10), the workers' center",
            constituent_co_authors=10,
        )
    )
    db.session.add(
        CampaignStrategy(
            campaign_id=c.id,
            updated_by_id=lead.id,
            goal_long="No wage theft at Sunset Park warehouses.",
            goal_intermediate="A labor department order for back wages.",
            goal_short="A group complaint with 100 workers' pay records.",
            demands="Back wages; electronic time records; no retaliation.",
            primary_targets="State labor department",
            secondary_targets="Warehouse owner; the temp agencies",
            tactics="Group complaint; rally; media; lobby visit.",
            timeline="Six months.",
            q_involved="Workers, the workers' center, legal aid.",
            q_data="Unpaid hours per worker; by agency and language.",
            q_community="Worker committee meetings after shifts, in Spanish.",
            q_disparities="Unpaid hours by language and agency.",
            q_levers="The department's enforcement unit; press.",
            q_challenges="Retaliation; workers moving on.",
        )
    )
    _moves(
        c,
        lead,
        [
            ("learning", "awareness", 310, "Clear pattern in the concerns."),
            ("awareness", "vision", 295, "Mapped with the workers' center."),
            ("vision", "strategy", 280, "Vision written with the workers' committee."),
            ("strategy", "action", 260, "Plan agreed."),
            ("action", "reflection", 40, "The order came in: time to reflect and close."),
        ],
    )
    _action(c, lead, 250, "meeting", "Workers' committee founding meeting", 2, 22, 5, outcome="Committee formed.")
    _action(c, lead, 200, "rally", "Rally at the warehouse gate", 4, 85, 4, target_reached="Warehouse owner")
    _action(c, lead, 160, "media", "Workers tell their story to the press", 1, 5, 2, outcome="Two stories ran.")
    _action(
        c,
        lead,
        120,
        "lobby_visit",
        "Delegation to the labor department",
        2,
        12,
        1,
        target_reached="State labor department",
        outcome="Investigation opened.",
    )
    _follow_up(c, "Share the order with every worker on the list", carmen, -30, done_days_ago=33, done_by=carmen)
    db.session.add(
        ReflectionReview(
            campaign_id=c.id,
            author_id=lead.id,
            period_start=today() - timedelta(days=260),
            period_end=today() - timedelta(days=38),
            against_goals="All three goals met; back wages above target.",
            learned="The group complaint, not the rally, moved the department. Worker leaders carried it.",
            constituents_assessment="Workers are proud and want to help the next warehouse.",
            service_quality_effect="Legal clinic now screens every employment concern for wage theft.",
            decision="close",
            close_as="won",
            decision_note=c.closing_summary,
            created_at=_ago(36),
        )
    )
    return c


def _utilities(lead: User) -> Campaign:
    c = _campaign(
        "Keep the lights on",
        "Utility shut-offs in summer heat for families behind on bills.",
        ["tag:utility-shutoff"],
        lead,
        started_days_ago=30,
        step="awareness",
    )
    db.session.add(
        CampaignLearning(
            campaign_id=c.id,
            updated_by_id=lead.id,
            problem_statement="Families behind on bills lose power during heat waves.",
            affected="Seniors and families with medical equipment.",
            root_causes="",
            data_sources="Our concerns; the utility's shut-off reports.",
            constituent_views="",
        )
    )
    _actors(
        c,
        [
            ("Public service commission", "target", 5, 0, ""),
            ("Utility company", "opponent", 4, -1, ""),
        ],
    )
    _moves(c, lead, [("learning", "awareness", 8, "Enough evidence to start mapping power.")])
    return c
