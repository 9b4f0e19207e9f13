"""A hypothesis fuzz of every form and every JSON API endpoint.

Random text (any unicode but surrogates, right-to-left and bidi controls, emoji), huge values (up
to 100,000 characters), NUL bytes, numbers as strings, dates that do not exist, nested JSON and
wrong types go to every POST form (as a user holding the needed role; CSRF is off in the test
config), every API endpoint and the query strings and path parts that pages read. Whatever comes:

- never a server error;
- rejected input is never stored: a form that answers with anything but its success redirect,
  and an API call that answers 4xx, leave every row of every table as it was;
- echoed values are escaped: a `<script>` or an `"><img onerror>` typed anywhere never comes
  back unescaped in an HTML page.

The walk is checked against the url_map, so a new form or API endpoint must be added here.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.concerns.fields import NAMES as CONCERN_FIELDS
from caseflow.extensions import db as _db
from tests.conftest import PASSWORD
from tests.test_access_matrix import _diff, snapshot

PAYLOADS = ("<script>x</script>", '"><img src=x onerror=1>')
UNESCAPED = re.compile(r"<script>x</script>|<img src=x onerror=1>", re.I)
RTL_AND_EMOJI = [
    "مشكلة في التدفئة",
    "שלום עולם",
    "\u202egnp.exe\u202c",
    "\u200f\u200e\u2066x\u2069",
    "🏠🔥",
    "👩🏽\u200d⚕️",
    "🇭🇹",
    "Z̸̢̛a̷l̶g̵o̴",
]
ODD = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "2026-Q9",
    "null",
    "true",
    "[]",
    "{}",
    "%s%n",
    "{{7*7}}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "tag:no-heat",
    "tag:no-heat/zip:11226",
    "\r\n\x1b[31mred",
]

# Issue 16: what an outside probe sent that answered 500 or was stored. Lone surrogates (only a JSON
# escape carries one; forms and query strings send their invalid UTF-8 bytes), Unicode digits where a
# number or code is meant, and nesting deeper than any parser's stack.
SURROGATES = ["\ud800", "a\udfffb", "\ud83d", "x\udc00\ud800y"]
UNICODE_DIGITS = ["²³", "٣", "３", "１１２２６", "١١٢٢٦", "߉", "৪৫", "𝟗𝟎"]
DEEP = 50_000

EXAMPLES = {"total": 0}

FORM_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
QUERY_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
API_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz_text() -> st.SearchStrategy[str]:
    short = st.text(max_size=12)
    return st.one_of(
        st.text(max_size=60),  # any unicode; hypothesis leaves out surrogates
        st.sampled_from(RTL_AND_EMOJI),
        st.sampled_from(ODD),
        st.sampled_from(PAYLOADS),
        st.sampled_from(SURROGATES),
        st.sampled_from(UNICODE_DIGITS),
        st.builds(lambda a, p, b: a + p + b, short, st.sampled_from(SURROGATES + UNICODE_DIGITS), short),
        st.just("[" * DEEP + "]" * DEEP),
        st.builds(lambda a, p, b: a + p + b, short, st.sampled_from(PAYLOADS), short),
        st.builds(lambda a, b: a + "\x00" + b, short, short),
        st.integers(min_value=1_000, max_value=100_000).map(lambda n: "x" * n),
        st.integers(min_value=500, max_value=50_000).map(lambda n: ("é🔥" + PAYLOADS[1]) * (n // 26)),
        st.integers().map(str),
        st.floats().map(str),
    )


def on_the_wire(value: str) -> bytes:
    """A value as a hostile client puts it in a form or query string: a lone surrogate as its
    (invalid) UTF-8 bytes, which no browser sends but any script can."""
    return value.encode("utf-8", "surrogatepass")


def urlencoded(pairs: dict) -> str:
    return "&".join(
        f"{quote(on_the_wire(str(k)))}={quote(on_the_wire(str(v)))}"
        for k, values in pairs.items()
        for v in (values if isinstance(values, list) else [values])
    )


def has_surrogate(value) -> bool:
    if isinstance(value, list):
        return any(map(has_surrogate, value))
    return isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def as_decoded(value):
    if isinstance(value, list):
        return [as_decoded(v) for v in value]
    return on_the_wire(value).decode("utf-8", "replace") if isinstance(value, str) else value


def form_values() -> st.SearchStrategy:
    return st.one_of(fuzz_text(), st.lists(fuzz_text(), min_size=0, max_size=3))


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    fuzz_text(),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def body_of(fields: list[str], base: dict, values: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """Start from a valid body (or nothing) and replace or add a random subset of fields."""
    changes = st.fixed_dictionaries({}, optional={name: values for name in fields})
    return st.builds(lambda keep, extra: (dict(base) if keep else {}) | extra, st.booleans(), changes)


def assert_escaped(response) -> None:
    if response.mimetype == "text/html":
        match = UNESCAPED.search(response.get_data(as_text=True))
        assert match is None, f"unescaped echo: {match.group(0)!r}"


# --- The world the forms act on ----------------------------------------------------------------


@pytest.fixture
def fuzz_world(db, taxonomy, make_user, make_concern):
    from caseflow.accounts.services import create_token
    from caseflow.dates import today
    from caseflow.models import (
        Campaign,
        CampaignAction,
        CampaignMeasure,
        FollowUp,
        Measure,
        Notification,
        PowerActor,
    )
    from caseflow.reflection.services import ensure_summary
    from caseflow.reflection.summary import today_quarter

    other = make_user("caseworker", email="other@example.org")
    lead = make_user("organizer", email="lead@example.org")
    concern = make_concern(author=other, narrative="n", client_ref="c-1", zip="11226")
    campaign = Campaign(title="Heat is a right", lead=lead)
    _db.session.add(campaign)
    _db.session.flush()
    actor = PowerActor(campaign_id=campaign.id, name="Commissioner", kind="target", influence=5, position=-1)
    measure = Measure(name="Open heat complaints", breakdowns="race_ethnicity,zip")
    _db.session.add(measure)
    _db.session.flush()
    pick = CampaignMeasure(campaign_id=campaign.id, measure_id=measure.id)
    action = CampaignAction(campaign_id=campaign.id, kind="meeting", occurred_on=today(), title="Meeting")
    _db.session.add_all([actor, pick, action])
    _db.session.flush()
    follow_up = FollowUp(campaign_id=campaign.id, description="Call", owner_id=lead.id)
    _db.session.add(follow_up)
    notification = Notification(user_id=other.id, kind="digest", message="Rising", link="/patterns/", dedupe_key="d")
    _db.session.add(notification)
    summary, _ = ensure_summary(today_quarter(today()).previous())
    token, _ = create_token(None, other, "sync")
    from caseflow.models import CommitteeDecision, CommitteeMeeting, CommitteeMember, Convening, HarvestItem, Person

    person = Person(name="Ms Q", phone="718-555-0100", channel="phone", source="organizer", consent_on=today())
    convening = Convening(title="Summit", held_on=today())
    _db.session.add_all([person, convening])
    _db.session.flush()
    item = HarvestItem(convening_id=convening.id, kind="policy_change", takeaway="Overtime authority")
    member = CommitteeMember(person_id=person.id, term_start=today())
    meeting = CommitteeMeeting(held_on=today())
    decision = CommitteeDecision(kind="general", title="Meet monthly")
    _db.session.add_all([item, member, meeting, decision])
    from caseflow.models import EmergingTheme

    theme = EmergingTheme(window_start=today(), window_end=today(), keywords=["elevator", "broken"])
    _db.session.add(theme)
    from caseflow.accounts.services import create_user

    service = create_user(None, "sync@example.org", ["caseworker"], "", service=True)
    from caseflow.models import SelfReport

    self_report = SelfReport(what_happened="No heat since October", locale="es")
    _db.session.add(self_report)
    _db.session.commit()
    return {
        "report_id": self_report.id,
        "service_email": service.email,
        "theme_id": theme.id,
        "person_id": person.id,
        "convening_id": convening.id,
        "item_id": item.id,
        "member_id": member.id,
        "meeting_id": meeting.id,
        "decision_id": decision.id,
        "action_id": action.id,
        "concern_id": concern.id,
        "campaign_id": campaign.id,
        "actor_id": actor.id,
        "measure_id": measure.id,
        "follow_up_id": follow_up.id,
        "notification_id": notification.id,
        "user_id": other.id,
        "token_id": token.id,
        "program_id": taxonomy["programs"]["housing"].id,
        "tag_id": taxonomy["tags"]["mold"].id,
        "quarter": summary.quarter,
        "other_email": other.email,
        "today": today().isoformat(),
        "job_id": "retention-purge",
    }


@pytest.fixture
def as_role(client, login_as, token_for):
    """Log in once per test as the role a case needs; returns the API headers for the same user."""
    state: dict = {}

    def do(role: str | None) -> dict:
        if role is None:
            return {}
        if "headers" not in state:
            user = login_as(role)
            state["headers"] = token_for(user=user)
            client.get("/api/v1/programs", headers=state["headers"])  # stamps the token's last use now
        return state["headers"]

    return do


class Ledger:
    """The database's state after the last example, when it was read: the next example's 'before'
    comes for free unless something succeeded (and wrote) in between."""

    def __init__(self):
        self.known = None

    def before(self) -> dict:
        state, self.known = self.known, None
        return state if state is not None else snapshot()

    def changes(self, before: dict, ignore=()) -> list[str]:
        self.known = snapshot()
        return [t for t in _diff(before, self.known) if t not in ignore]


@pytest.fixture
def ledger():
    return Ledger()


# --- Form cases --------------------------------------------------------------------------------


@dataclass
class FormCase:
    endpoint: str
    role: str | None
    url: str
    form: str  # "module:Class" or "module:Class:prefix" or a special name
    base: dict = field(default_factory=dict)
    extra_fields: tuple[str, ...] = ()
    # How a success looks when it is not the usual redirect (then writes are expected).
    success: str = "redirect"

    @property
    def id(self) -> str:
        return self.endpoint


CONCERN_BASE = {"program": "housing", "tags": "no-heat", "summary": "No heat", "source": "client"}
C = "caseflow.campaigns.forms"
FORM_CASES = [
    FormCase("accounts.login", None, "/login", "caseflow.accounts.forms:LoginForm", success="login"),
    FormCase(
        "accounts.change_password",
        "caseworker",
        "/account/password",
        "caseflow.accounts.forms:ChangePasswordForm",
        {"current_password": PASSWORD},
    ),
    FormCase(
        "accounts.users",
        "admin",
        "/admin/users",
        "caseflow.accounts.forms:UserCreateForm",
        {"email": "new@example.org", "roles": "caseworker", "password": PASSWORD},
    ),
    FormCase(
        "accounts.user_edit",
        "admin",
        "/admin/users/{user_id}",
        "caseflow.accounts.forms:UserEditForm",
        {"roles": "caseworker"},
    ),
    FormCase(
        "accounts.user_reset_password",
        "admin",
        "/admin/users/{user_id}/password",
        "caseflow.accounts.forms:ResetPasswordForm:reset",
    ),
    FormCase(
        "accounts.tokens",
        "admin",
        "/admin/tokens",
        "caseflow.accounts.forms:TokenForm",
        {"email": "{service_email}", "name": "sync", "scopes": "concerns:write", "days": "90"},
        success="token",
    ),
    FormCase("accounts.token_revoke", "admin", "/admin/tokens/{token_id}/revoke", "caseflow.web:EmptyForm"),
    FormCase(
        "suggestions.tag_theme",
        "organizer",
        "/emerging/{theme_id}/tag",
        "caseflow.suggestions.forms:ThemeTagForm:theme{theme_id}",
        {"name": "Broken elevators", "version": "1"},
    ),
    FormCase(
        "suggestions.dismiss_theme",
        "organizer",
        "/emerging/{theme_id}/dismiss",
        "caseflow.suggestions.forms:ThemeDismissForm",
        {"version": "1"},
    ),
    FormCase("accounts.login_code", None, "/login/code", "caseflow.accounts.forms:CodeForm", success="always-redirect"),
    FormCase(
        "accounts.two_step",
        "caseworker",
        "/account/two-step",
        "caseflow.accounts.forms:CodeForm",
        {"action": "confirm"},
        extra_fields=("action",),
        success="codes",
    ),
    FormCase(
        "accounts.user_reset_two_step",
        "admin",
        "/admin/users/{user_id}/two-step",
        "caseflow.web:EmptyForm:twostep",
        success="always-redirect",
    ),
    FormCase(
        "concerns.quick_log",
        "caseworker",
        "/log",
        "caseflow.concerns.forms:ConcernForm",
        CONCERN_BASE,
        ("tags",),
    ),
    FormCase(
        "concerns.edit",
        "organizer",
        "/concerns/{concern_id}/edit",
        "caseflow.concerns.forms:ConcernForm",
        CONCERN_BASE | {"version": "1"},
        ("tags",),
    ),
    FormCase("concerns.delete", "director", "/concerns/{concern_id}/delete", "caseflow.concerns.forms:DeleteForm"),
    FormCase("concerns.import_page", "organizer", "/concerns/import", "upload", success="import"),
    FormCase(
        "taxonomy.index",
        "director",
        "/taxonomy/",
        "taxonomy",
        {"program-slug": "shelter", "program-name": "Shelter"},
    ),
    FormCase(
        "taxonomy.program_edit", "director", "/taxonomy/programs/{program_id}", "caseflow.taxonomy.forms:RenameForm"
    ),
    FormCase("taxonomy.tag_edit", "director", "/taxonomy/tags/{tag_id}", "caseflow.taxonomy.forms:RenameForm"),
    FormCase(
        "taxonomy.tag_merge",
        "director",
        "/taxonomy/tags/merge",
        "caseflow.taxonomy.forms:MergeForm",
        success="always-redirect",
    ),
    FormCase(
        "patterns.promote",
        "organizer",
        "/patterns/promote",
        "caseflow.patterns.forms:PromoteConfirmForm",
        {"keys": "tag:no-heat", "title": "Heat", "confirmed": "1"},
        success="always-redirect",
    ),
    FormCase(
        "patterns.snooze",
        "organizer",
        "/patterns/snooze",
        "caseflow.patterns.forms:SnoozeForm",
        {"key": "tag:no-heat", "until": "2099-01-01"},
        success="always-redirect",
    ),
    FormCase(
        "patterns.dismiss",
        "organizer",
        "/patterns/dismiss",
        "caseflow.patterns.forms:DismissForm",
        {"key": "tag:no-heat", "reason": "seasonal"},
        success="always-redirect",
    ),
    FormCase(
        "patterns.reopen",
        "organizer",
        "/patterns/reopen",
        "caseflow.patterns.forms:SnoozeForm",
        {"key": "tag:no-heat"},
        success="always-redirect",
    ),
    FormCase(
        "campaigns.move", "organizer", "/campaigns/{campaign_id}/move", f"{C}:MoveForm:move", {"move-version": "1"}
    ),
    FormCase(
        "campaigns.status",
        "organizer",
        "/campaigns/{campaign_id}/status",
        f"{C}:StatusForm:status",
        {"status-version": "1"},
    ),
    FormCase(
        "campaigns.save_learning",
        "organizer",
        "/campaigns/{campaign_id}/learning",
        f"{C}:LearningForm:learning",
        {"learning-version": "1"},
    ),
    FormCase(
        "campaigns.save_vision",
        "organizer",
        "/campaigns/{campaign_id}/vision",
        f"{C}:VisionForm:vision",
        {"vision-version": "1"},
    ),
    FormCase(
        "campaigns.save_strategy",
        "organizer",
        "/campaigns/{campaign_id}/strategy",
        f"{C}:StrategyForm:strategy",
        {"strategy-version": "1"},
    ),
    FormCase(
        "campaigns.add_actor",
        "organizer",
        "/campaigns/{campaign_id}/actors",
        f"{C}:ActorForm:actor",
        {
            "actor-version": "1",
            "actor-name": "Mayor",
            "actor-kind": "target",
            "actor-influence": "5",
            "actor-position": "0",
        },
    ),
    FormCase(
        "campaigns.remove_actor",
        "organizer",
        "/campaigns/{campaign_id}/actors/{actor_id}/delete",
        f"{C}:VersionForm",
        success="always-redirect",
    ),
    FormCase(
        "campaigns.add_measure",
        "organizer",
        "/campaigns/{campaign_id}/measures",
        f"{C}:MeasureForm:measure",
        {"measure-version": "1", "measure-measure_id": "{measure_id}"},
    ),
    FormCase(
        "measures.new",
        "director",
        "/measures/new",
        "caseflow.measures.forms:MeasureForm",
        {"name": "Days to repair", "direction": "lower", "frequency": "quarterly"},
    ),
    FormCase(
        "measures.add_value",
        "organizer",
        "/measures/{measure_id}/values",
        "caseflow.measures.forms:ValueForm",
        {"observed_on": "{today}", "value": "12"},
    ),
    FormCase("measures.import_page", "organizer", "/measures/import", "upload", success="import"),
    FormCase(
        "campaigns.log_action",
        "organizer",
        "/campaigns/{campaign_id}/actions",
        f"{C}:ActionForm:action",
        {"action-version": "1", "action-kind": "rally", "action-occurred_on": "{today}", "action-title": "Rally"},
    ),
    FormCase(
        "campaigns.add_follow_up",
        "organizer",
        "/campaigns/{campaign_id}/follow-ups",
        f"{C}:FollowUpForm:follow_up",
        {"follow_up-version": "1", "follow_up-description": "Call"},
    ),
    FormCase(
        "campaigns.complete_follow_up",
        "organizer",
        "/campaigns/{campaign_id}/follow-ups/{follow_up_id}/done",
        f"{C}:VersionForm",
        success="always-redirect",
    ),
    FormCase(
        "campaigns.add_review",
        "organizer",
        "/campaigns/{campaign_id}/reviews",
        f"{C}:ReviewForm:review",
        {"review-version": "1"},
    ),
    FormCase(
        "campaigns.discard",
        "organizer",
        "/campaigns/{campaign_id}/discard",
        f"{C}:VersionForm",
        success="always-redirect",
    ),
    FormCase(
        "admin.run_job_now",
        "admin",
        "/admin/jobs/{job_id}/run",
        "caseflow.web:EmptyForm",
        success="always-redirect",
    ),
    FormCase("reflection.summaries", "director", "/summaries", "caseflow.reflection.forms:BuildForm"),
    FormCase(
        "reflection.commentary",
        "director",
        "/summaries/{quarter}/commentary",
        "caseflow.reflection.forms:CommentaryForm",
        {"version": "1"},
    ),
    FormCase(
        "reflection.sign_off",
        "director",
        "/summaries/{quarter}/sign-off",
        "caseflow.reflection.forms:SignOffForm",
        success="always-redirect",
    ),
    FormCase("reflection.self_assessment_page", "director", "/self-assessment", "self_assessment"),
    # Someone else's notification, follow-up and concern: always 404, never a write.
    FormCase(
        "notifications.open_notification",
        "caseworker",
        "/inbox/{notification_id}/open",
        "caseflow.web:EmptyForm",
        success="always-redirect",
    ),
    FormCase(
        "following.complete_follow_up",
        "caseworker",
        "/follow-ups/{follow_up_id}/done",
        "caseflow.web:EmptyForm",
        success="always-redirect",
    ),
    FormCase(
        "concerns.retract",
        "caseworker",
        "/concerns/{concern_id}/retract",
        "caseflow.concerns.forms:RetractForm",
        success="always-redirect",
    ),
    FormCase(
        "concerns.request_deletion",
        "caseworker",
        "/concerns/{concern_id}/request-deletion",
        "caseflow.concerns.forms:DeletionRequestForm",
        success="always-redirect",
    ),
    FormCase(
        "concerns.decline_deletion",
        "director",
        "/concerns/{concern_id}/deletion-request/decline",
        "caseflow.web:EmptyForm",
        success="always-redirect",
    ),
    # A search: never redirects, never writes.
    FormCase("concerns.by_client", "caseworker", "/concerns/by-client", "caseflow.concerns.forms:ClientSearchForm"),
    FormCase(
        "notifications.mark_read",
        "caseworker",
        "/inbox/read",
        "caseflow.web:EmptyForm",
        success="always-redirect",
    ),
    FormCase("people.new", "organizer", "/people/new", "caseflow.people.forms:PersonForm"),
    FormCase(
        "people.from_concern", "organizer", "/people/from-concern/{concern_id}", "caseflow.people.forms:PersonForm"
    ),
    FormCase(
        "people.edit", "organizer", "/people/{person_id}/edit", "caseflow.people.forms:PersonForm", {"version": "1"}
    ),
    FormCase("people.withdraw", "organizer", "/people/{person_id}/withdraw", "caseflow.people.forms:WithdrawForm"),
    FormCase("people.add_interest", "organizer", "/people/{person_id}/interests", "caseflow.people.forms:InterestForm"),
    FormCase(
        "people.log_call", "organizer", "/people/{person_id}/calls", "caseflow.people.forms:CallForm:p{person_id}"
    ),
    FormCase(
        "people.action_attendance",
        "organizer",
        "/people/attendance/action/{action_id}",
        "caseflow.people.forms:WithdrawForm",
        extra_fields=("person-{person_id}", "staff"),
    ),
    FormCase("convenings.new", "organizer", "/convenings/new", "caseflow.convenings.forms:ConveningForm"),
    FormCase(
        "convenings.edit", "organizer", "/convenings/{convening_id}/edit", "caseflow.convenings.forms:ConveningForm"
    ),
    FormCase(
        "convenings.attendance",
        "organizer",
        "/convenings/{convening_id}/attendance",
        "caseflow.convenings.forms:PlainForm",
        extra_fields=("person-{person_id}", "staff"),
    ),
    FormCase(
        "convenings.add_harvest",
        "organizer",
        "/convenings/{convening_id}/harvest",
        "caseflow.convenings.forms:HarvestForm",
    ),
    FormCase(
        "convenings.turn_into",
        "organizer",
        "/convenings/{convening_id}/harvest/{item_id}/tag",
        "caseflow.convenings.forms:TagForm:t{item_id}",
    ),
    FormCase(
        "convenings.done",
        "organizer",
        "/convenings/{convening_id}/harvest/{item_id}/done",
        "caseflow.convenings.forms:PlainForm",
    ),
    FormCase("teams.add_member", "organizer", "/campaigns/{campaign_id}/team", "caseflow.teams.routes:MemberForm"),
    FormCase(
        "teams.remove_member",
        "organizer",
        "/campaigns/{campaign_id}/team/{user_id}/remove",
        "caseflow.teams.routes:ButtonForm",
    ),
    FormCase("committee.add_member", "organizer", "/committee/members", "caseflow.committee.routes:MemberForm"),
    FormCase(
        "committee.end_term", "organizer", "/committee/members/{member_id}/end", "caseflow.committee.routes:ButtonForm"
    ),
    FormCase("committee.add_meeting", "organizer", "/committee/meetings", "caseflow.committee.routes:MeetingForm"),
    FormCase(
        "committee.update_meeting",
        "organizer",
        "/committee/meetings/{meeting_id}",
        "caseflow.committee.routes:MeetingForm",
        extra_fields=("present",),
    ),
    FormCase(
        "committee.propose",
        "organizer",
        "/committee/proposals",
        "caseflow.committee.routes:ProposalForm",
        extra_fields=("keys",),
    ),
    FormCase(
        "committee.vote",
        "organizer",
        "/committee/meetings/{meeting_id}/proposals/{decision_id}/vote",
        "caseflow.committee.routes:ButtonForm",
        extra_fields=("vote-{member_id}",),
    ),
    FormCase(
        "committee.set_governance",
        "director",
        "/committee/governance",
        "caseflow.committee.routes:ButtonForm",
        extra_fields=("on",),
    ),
    # Issue 18: the public self-report form (no login), its triage, and a user's language.
    FormCase(
        "selfreport.tell_us", None, "/tell-us", "caseflow.selfreport.forms:SelfReportForm", {"what_happened": "No heat"}
    ),
    FormCase(
        "selfreport.confirm",
        "caseworker",
        "/self-reports/{report_id}/confirm",
        "caseflow.selfreport.forms:ConfirmForm:confirm",
        {"confirm-program": "housing", "confirm-tags": "no-heat"},
    ),
    FormCase(
        "selfreport.decline",
        "organizer",
        "/self-reports/{report_id}/decline",
        "caseflow.selfreport.forms:DeclineForm:decline",
        {"decline-reason": "A test entry"},
    ),
    FormCase("i18n.language", "caseworker", "/account/language", "caseflow.i18n:LanguageForm", {"locale": "es"}),
]
NOT_FUZZED = {"accounts.logout"}  # no fields; ending the session is its success (the matrix covers it)


def field_names(app, case: FormCase, values: dict) -> list[str]:
    """The names a browser would post, read from the form class itself."""
    import importlib

    with app.test_request_context():
        if case.form == "upload":
            return ["dry_run"]
        if case.form == "taxonomy":
            from caseflow.taxonomy.forms import ProgramForm, TagForm

            forms = [ProgramForm(prefix="program"), TagForm(prefix="tag")]
        elif case.form == "self_assessment":
            from caseflow.reflection.forms import self_assessment_form

            forms = [self_assessment_form()]
        else:
            module, cls, *prefix = case.form.split(":")
            form_cls = getattr(importlib.import_module(module), cls)
            forms = [form_cls(prefix=prefix[0].format(**values)) if prefix else form_cls()]
        names = [f.name for form in forms for f in form if f.name != "csrf_token"]
    return names + [f.format(**values) for f in case.extra_fields]


def test_every_post_form_is_fuzzed(app):
    fuzzed = {c.endpoint for c in FORM_CASES} | NOT_FUZZED | {c.endpoint for c in API_CASES}
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert posts - fuzzed == set(), "add these POST endpoints to the fuzz"


def _fill(template, values: dict):
    if isinstance(template, str):
        return template.format(**values) if "{" in template and "}" in template else template
    return template


def _is_success(case: FormCase, response) -> bool:
    if case.success == "token":
        return "Copy this token now" in response.get_data(as_text=True)
    if case.success == "import":
        return response.status_code == 200
    if case.success == "login":
        return response.status_code == 302
    if case.success == "codes":
        return response.status_code == 302 or "Your recovery codes" in response.get_data(as_text=True)
    return response.status_code == 302


CSV_HEADER = (
    "external_id,occurred_on,program,tags,summary,source,client_ref,race_ethnicity,language,age_band,zip,"
    "client_importance,client_root_cause,wants_involvement,story_consent"
)


@pytest.mark.parametrize("case", FORM_CASES, ids=lambda c: c.id)
@FORM_SETTINGS
@given(data=st.data())
def test_form_fuzz(app, client, fuzz_world, as_role, ledger, case, data):
    as_role(case.role)
    values = fuzz_world
    url = case.url.format(**values)
    names = field_names(app, case, values)
    base = {k: _fill(v, values) for k, v in case.base.items()}
    body = data.draw(body_of(names, base, form_values()), label="form")
    if case.form == "upload":
        rows = data.draw(st.lists(st.lists(fuzz_text(), min_size=15, max_size=16), max_size=4), label="rows")
        text = CSV_HEADER + "\n" + "\n".join(",".join(json.dumps(v) for v in row) for row in rows)
        raw = data.draw(
            st.one_of(st.just(text.encode("utf-8", "surrogatepass")), st.binary(max_size=300)), label="file"
        )
        # The other fields of the upload form as the server decodes invalid UTF-8 (replacement characters).
        body = {k: as_decoded(v) for k, v in body.items()}
        body["file"] = (io.BytesIO(raw), "concerns.csv")
    EXAMPLES["total"] += 1

    before = ledger.before()
    if case.form != "upload" and any(map(has_surrogate, body.values())):
        response = client.post(url, data=urlencoded(body), content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(url, data=body, content_type="multipart/form-data")
    assert response.status_code < 500, (case.endpoint, response.status_code)
    assert_escaped(response)
    if case.success == "always-redirect":
        assert response.status_code in (302, 400, 404, 409, 413, 422), response.status_code
        if response.status_code != 302:
            assert ledger.changes(before) == []
    elif not _is_success(case, response):
        # A failed login is recorded (the attempt and the audit event), and nothing else.
        ignore = ("login_attempts", "audit_events") if case.success == "login" else ()
        changed = ledger.changes(before, ignore)
        assert changed == [], f"{case.endpoint} answered {response.status_code} but wrote to {changed}"


# --- JSON API ----------------------------------------------------------------------------------


@dataclass
class ApiCase:
    endpoint: str
    role: str
    method: str
    url: str
    base: dict = field(default_factory=dict)
    fields: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.method} {self.url}"


API_CASES = [
    ApiCase(
        "api.concern_create",
        "caseworker",
        "POST",
        "/api/v1/concerns",
        {"program": "housing", "tags": ["no-heat"], "summary": "No heat"},
        CONCERN_FIELDS,
    ),
    ApiCase(
        "api.program_create",
        "admin",
        "POST",
        "/api/v1/programs",
        {"slug": "shelter", "name": "Shelter"},
        ("slug", "name"),
    ),
    ApiCase(
        "api.tag_create",
        "director",
        "POST",
        "/api/v1/tags",
        {"slug": "rats", "name": "Rats", "category": "Housing"},
        ("slug", "name", "category", "description"),
    ),
    ApiCase(
        "api.campaign_create",
        "organizer",
        "POST",
        "/api/v1/campaigns",
        {"title": "Heat", "pattern_keys": ["tag:no-heat"]},
        ("title", "pattern_keys", "issue_statement"),
    ),
    ApiCase(
        "api.campaign_move",
        "organizer",
        "POST",
        "/api/v1/campaigns/{campaign_id}/step",
        {"step": "awareness", "note": "map it", "version": 1},
        ("step", "note", "version"),
    ),
    ApiCase(
        "api.campaign_action",
        "organizer",
        "POST",
        "/api/v1/campaigns/{campaign_id}/actions",
        {"kind": "rally", "occurred_on": "2026-01-10", "title": "Rally"},
        (
            "kind",
            "occurred_on",
            "title",
            "staff_participants",
            "constituent_participants",
            "target_reached",
            "outcome",
            "takeaways",
            "version",
        ),
    ),
    ApiCase(
        "api.concern_list",
        "organizer",
        "GET",
        "/api/v1/concerns",
        {},
        ("tag", "program", "since", "until", "page", "q"),
    ),
    ApiCase("api.concern_get", "organizer", "GET", "/api/v1/concerns/{concern_id}", {}, ("x",)),
    ApiCase("api.patterns", "caseworker", "GET", "/api/v1/patterns", {}, ("window_days",)),
    ApiCase("api.programs", "caseworker", "GET", "/api/v1/programs", {}, ("x",)),
    ApiCase("api.tags", "caseworker", "GET", "/api/v1/tags", {}, ("x",)),
    ApiCase("api.campaign_get", "director", "GET", "/api/v1/campaigns/{campaign_id}", {}, ("x",)),
    ApiCase("api.summary_get", "director", "GET", "/api/v1/summaries/{fuzz}", {}, ()),
    ApiCase(
        "api.measures_create",
        "director",
        "POST",
        "/api/v1/measures",
        {"name": "Days to repair", "direction": "lower", "frequency": "quarterly"},
        ("name", "definition", "unit", "direction", "data_source", "frequency", "breakdowns", "counts_people"),
    ),
    ApiCase("api.measures_list", "caseworker", "GET", "/api/v1/measures", {}, ("x",)),
    ApiCase("api.suggest_tags", "caseworker", "GET", "/api/v1/tags/suggest", {"text": "no heat"}, ("text", "limit")),
    ApiCase(
        "api.measure_values_create",
        "organizer",
        "POST",
        "/api/v1/measures/{measure_id}/values",
        {"observed_on": "2026-01-10", "value": 12},
        ("observed_on", "campaign", "dimension", "group", "value", "numerator", "denominator", "corrects"),
    ),
    ApiCase("api.measure_values", "caseworker", "GET", "/api/v1/measures/{measure_id}/values", {}, ("campaign",)),
    ApiCase("api.people_list", "organizer", "GET", "/api/v1/people", {}, ("x",)),
    ApiCase("api.people_get", "organizer", "GET", "/api/v1/people/{person_id}", {}, ("x",)),
    ApiCase(
        "api.people_create",
        "organizer",
        "POST",
        "/api/v1/people",
        {"consent": True, "name": "Ana", "phone": "718 555 0100"},
        ("consent", "name", "phone", "email", "address", "language", "channel", "campaign_id"),
    ),
    ApiCase("api.people_withdraw", "organizer", "POST", "/api/v1/people/{person_id}/withdraw", {}, ("version",)),
    ApiCase("api.convening_attendance", "director", "GET", "/api/v1/convenings/{convening_id}/attendance", {}, ("x",)),
    ApiCase(
        "api.convening_attendance_set",
        "organizer",
        "POST",
        "/api/v1/convenings/{convening_id}/attendance",
        {},
        ("people", "staff"),
    ),
    ApiCase("api.action_attendance", "organizer", "GET", "/api/v1/actions/{action_id}/attendance", {}, ("x",)),
    ApiCase(
        "api.action_attendance_set",
        "organizer",
        "POST",
        "/api/v1/actions/{action_id}/attendance",
        {},
        ("people", "staff"),
    ),
    ApiCase("api.committee_decisions", "director", "GET", "/api/v1/committee/decisions", {}, ("x",)),
    ApiCase(
        "api.committee_propose",
        "organizer",
        "POST",
        "/api/v1/committee/proposals",
        {"kind": "general", "title": "Meet monthly"},
        ("kind", "title", "details", "pattern_keys", "campaign_id", "for_step"),
    ),
    ApiCase("api.committee_decision", "director", "GET", "/api/v1/committee/decisions/{decision_id}", {}, ("x",)),
    ApiCase(
        "api.committee_vote",
        "organizer",
        "POST",
        "/api/v1/committee/decisions/{decision_id}/votes",
        {"meeting_id": 1, "votes": []},
        ("meeting_id", "votes"),
    ),
    ApiCase("api.committee_members", "director", "GET", "/api/v1/committee/members", {}, ("x",)),
    ApiCase("api.committee_meetings", "director", "GET", "/api/v1/committee/meetings", {}, ("x",)),
    ApiCase(
        "api.committee_meeting_create",
        "organizer",
        "POST",
        "/api/v1/committee/meetings",
        {"held_on": "2026-10-14"},
        ("held_on", "minutes", "present"),
    ),
]


def test_every_api_endpoint_is_fuzzed(app):
    api = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert api - {c.endpoint for c in API_CASES} == {"api.openapi_json"}


def _raw_bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"", b"{", b'{"a":', b"\x00", b"[1,2]", b'"text"', b"null", b"1e999", b"9" * 5000]),
        st.sampled_from([b"[" * DEEP + b"]" * DEEP, b'{"a":' * DEEP + b"1" + b"}" * DEEP, b"[" * DEEP]),
        st.sampled_from(SURROGATES).map(lambda t: json.dumps({"summary": t, "title": t, "note": t}).encode()),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    )


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.id)
@API_SETTINGS
@given(data=st.data())
def test_api_fuzz(client, fuzz_world, as_role, ledger, case, data):
    headers = as_role(case.role)
    fuzz = data.draw(fuzz_text(), label="path part")
    url = case.url.format(**fuzz_world, fuzz=quote(on_the_wire(fuzz), safe="")[:2000] or "x")
    EXAMPLES["total"] += 1
    before = ledger.before() if case.method == "POST" else None
    if case.method == "GET":
        params = data.draw(body_of(list(case.fields), case.base, fuzz_text()), label="query")
        query = urlencoded(params) if has_surrogate(list(params.values())) else params
        response = client.get(url, query_string=query, headers=headers)
    elif data.draw(st.integers(0, 4), label="raw?") == 0:
        raw = data.draw(_raw_bodies(), label="raw body")
        response = client.post(url, data=raw, content_type="application/json", headers=headers)
    else:
        body = data.draw(body_of(list(case.fields), case.base, JSON_VALUES), label="json")
        response = client.post(url, json=body, headers=headers)
    status = response.status_code
    assert status < 500, (case.id, status, response.get_data(as_text=True)[:300])
    payload = response.get_json(silent=True)
    assert isinstance(payload, dict), (case.id, status)
    if status >= 400:
        assert "errors" in payload
        if before is not None:
            assert ledger.changes(before) == [], f"{case.id} answered {status} but wrote"


# --- Query strings and path parts that pages read --------------------------------------------


PAGE_QUERIES = [
    ("caseworker", "/concerns", ("tag", "category", "program", "since", "until", "source", "zip", "q", "sort", "page")),
    ("organizer", "/concerns/export.csv", ("tag", "program", "since", "until", "q", "zip", "sort")),
    ("caseworker", "/log", ("saved",)),
    ("caseworker", "/patterns/", ("sort", "category", "program", "zip", "state", "grouping", "window_days")),
    ("caseworker", "/patterns/detail", ("key", "window_days")),
    ("caseworker", "/patterns/equity", ("since", "until", "count")),
    ("admin", "/admin/audit/", ("action", "actor", "object_type", "object_id", "since", "until", "page")),
    ("admin", "/admin/users", ("x",)),
    ("director", "/summaries/{fuzz}", ()),
    ("director", "/summaries/{fuzz}/print", ()),
    ("director", "/summaries/{quarter}/{fuzz}.csv", ()),
    ("organizer", "/campaigns/{campaign_id}/{fuzz}", ()),
    ("organizer", "/campaigns", ("x",)),
    ("caseworker", "/inbox", ("x",)),
    ("caseworker", "/campaigns/{campaign_id}/about", ("x",)),
    ("caseworker", "/follow-ups/{fuzz}", ()),
    ("caseworker", "/concerns/by-client", ("client_ref",)),
]


@pytest.mark.parametrize(("role", "path", "params"), PAGE_QUERIES, ids=[p for _, p, _ in PAGE_QUERIES])
@QUERY_SETTINGS
@given(data=st.data())
def test_page_query_fuzz(client, fuzz_world, as_role, role, path, params, data):
    as_role(role)
    fuzz = data.draw(fuzz_text(), label="path part")
    url = path.format(**fuzz_world, fuzz=quote(on_the_wire(fuzz), safe="")[:2000] or "x")
    query = data.draw(body_of(list(params), {}, fuzz_text()), label="query")
    EXAMPLES["total"] += 1
    response = client.get(url, query_string=urlencoded(query) if has_surrogate(list(query.values())) else query)
    assert response.status_code in (200, 308, 400, 404), (url, response.status_code)  # 308: merged slashes
    assert_escaped(response)


@QUERY_SETTINGS
@given(
    target=st.one_of(
        fuzz_text(),
        st.sampled_from(
            [
                "//evil.example",
                "/\\evil.example",
                "/\t/evil.example",
                "https://evil.example",
                "/%2F/evil.example",
                "\\\\evil.example",
                "/ok",
            ]
        ),
    )
)
def test_login_next_never_leaves_the_site(client, make_user, target):
    """Whatever `next` holds, the redirect after login stays on this site (no open redirect)."""
    user = make_user("caseworker", email=f"n{EXAMPLES['total']}@example.org")  # one step; the second keeps `next` alike
    EXAMPLES["total"] += 1
    query = urlencoded({"next": target}) if has_surrogate(target) else {"next": target}
    response = client.post("/login", query_string=query, data={"email": user.email, "password": PASSWORD})
    if "\x00" in target:
        assert response.status_code == 400  # refused before any view
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    path = location if not parts.netloc else location.split(parts.netloc, 1)[1]
    assert path.startswith("/") and not path.startswith("//") and "\\" not in path, location
    client.post("/logout")


def test_reopen_works_with_csrf_off_and_refuses_without_token_when_on(app, client, login_as, taxonomy, db):
    """Regression: /patterns/reopen read `form.csrf_token`, which does not exist when CSRF is off (500)."""
    from caseflow.dates import today
    from caseflow.models import PatternState
    from caseflow.patterns.services import snooze

    organizer = login_as("organizer")
    later = today() + timedelta(days=30)
    snooze(organizer, "tag:no-heat", later, today())
    db.session.commit()
    response = client.post("/patterns/reopen", data={"key": "tag:no-heat"})
    assert response.status_code == 302
    assert db.session.get(PatternState, "tag:no-heat") is None  # reopened
    snooze(organizer, "tag:no-heat", later, today())
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/patterns/reopen", data={"key": "tag:no-heat"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.get(PatternState, "tag:no-heat").state == "snoozed"


def test_regressions_found_by_the_fuzz(app, client, login_as, token_for, taxonomy, db):
    """Each of these answered 500 before the fix."""
    from sqlalchemy import func, select

    from caseflow.models import Concern, LoginAttempt

    def concerns() -> int:
        value = db.session.scalar(select(func.count()).select_from(Concern))
        db.session.commit()
        return value

    # A list (or object) as the API's `source`: `source not in SOURCES` raised TypeError (unhashable).
    headers = token_for("caseworker")
    for source in ([None], {"a": 1}, ["client"]):
        body = {"program": "housing", "tags": ["no-heat"], "summary": "x", "source": source}
        response = client.post("/api/v1/concerns", json=body, headers=headers)
        assert response.status_code == 422 and "source" in response.get_json()["errors"]
    assert concerns() == 0

    # NUL bytes in any query or form value: PostgreSQL cannot store or compare them (login, tokens,
    # audit filters, tag merge…). Refused with 400 before any view, and nothing is written.
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    login_as("caseworker")
    quick = client.post("/log", data={"program": "housing", "tags": "no-heat", "summary": "no\x00heat"})
    assert quick.status_code == 400 and concerns() == 0
    assert client.get("/concerns?q=%00").status_code == 400
    api = client.get("/api/v1/concerns?tag=%00", headers=headers)  # documented as 400 in the OpenAPI document
    assert api.status_code == 400 and "errors" in api.get_json()
    ok = client.post("/log", data={"program": "housing", "tags": "no-heat", "summary": "no heat"})
    assert ok.status_code == 302 and concerns() == 1

    # The equity page's default `since` is a year before `until`: year 1 has none (date(0, …)).
    assert client.get("/patterns/equity?until=0001-01-01").status_code == 200
    assert client.get("/patterns/equity?since=0001-01-01&until=9999-12-31").status_code == 200


def test_zz_fuzz_examples_run():
    """Printed last in this module: how many generated requests the fuzz sent in this run."""
    print(f"\nfuzz: {EXAMPLES['total']} generated requests in this module")
