"""Every page in the pseudo-locale (issue 18): no English a reader meets was left unmarked.

The walker fetches every GET route of the app (app.url_map) with the objects of the access
matrix's `world` (tests/test_access_matrix.py: its ids, its QUERY strings), as a role allowed to see
it, while caseflow.i18n.pseudo_locale() wraps every translated message in ⟦…⟧. What remains outside
the brackets, minus the names of the seeded data, is English nobody marked.

The routes are split in two halves, each owned by one change: AREA_A_PREFIXES (accounts, admin,
audit, concerns, notifications, taxonomy, self-report, suggestions, base layout) and AREA_B_PREFIXES
(campaigns, committee, convenings, people, teams, measures, patterns, reflection). A half is
asserted once it is listed in ASSERTED; every HTML route must belong to one half, so a new page
cannot slip past. Non-HTML answers (JSON, CSV, PDF, SVG, CSS) and redirects are not pages.

Then the states of the main forms with errors, and the shared formatting filters.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from caseflow.extensions import db as _db
from caseflow.i18n import PSEUDO_CLOSE, PSEUDO_OPEN, pseudo_locale
from tests.conftest import PASSWORD, login
from tests.test_access_matrix import (
    LANGUAGE,
    OTHER_SUMMARY,
    QUERY,
    SECRET_NARRATIVE,
    SECRET_ROOT_CAUSE,
    _concrete,
    _expectation,
)
from tests.test_access_matrix import world as world  # noqa: F401, PLC0414  (the fixture, by name)
from tests.test_i18n import unmarked_english

AREA_A_PREFIXES = (
    "/",
    "/account",
    "/admin",
    "/concerns",
    "/emerging",
    "/inbox",
    "/log",
    "/login",
    "/self-reports",
    "/suggestions",
    "/taxonomy",
    "/tell-us",
)
AREA_B_PREFIXES = (
    "/campaigns",
    "/committee",
    "/convenings",
    "/follow-ups",
    "/measures",
    "/patterns",
    "/people",
    "/self-assessment",
    "/summaries",
)
# Each half joins once its pages are marked: "A" for AREA_A_PREFIXES, "B" for AREA_B_PREFIXES.
ASSERTED: dict[str, tuple[str, ...]] = {"A": AREA_A_PREFIXES, "B": AREA_B_PREFIXES}
NOT_PAGES = {"static", "health.healthz"}  # a stylesheet and a JSON probe
# Who asks for each page: the first role allowed to see it, or the owner for one's own objects.
ROLE_ORDER = ("organizer", "director", "caseworker", "admin")
OWNER = {"following.follow_up": "lead", "concerns.retract": "other"}
# Words a time carries that are not English to translate (the organisation's zone abbreviation).
ZONES = ("EST", "EDT", "UTC")


def babel_written_words() -> tuple[str, ...]:
    """Month and weekday names Babel writes into a date for the English locale (the same page in
    Spanish has Spanish ones): words of the data, not of the product."""
    from babel import Locale

    english = Locale.parse("en")
    return tuple(
        name
        for names in (english.months["format"], english.days["format"])
        for width in ("wide", "abbreviated")
        for name in names[width].values()
    )


def machine_text_removed(page: str) -> str:
    """Identifiers shown as code (an audit action, a job id, a slug, JSON details) are not words to
    translate: <code> and <pre> elements are left out."""
    return re.sub(r"<(code|pre)\b[^>]*>.*?</\1>", " ", page, flags=re.S)


def area_of(path: str) -> str | None:
    for name, prefixes in (("A", AREA_A_PREFIXES), ("B", AREA_B_PREFIXES)):
        if any(path == p or (p != "/" and path.startswith(p + "/")) for p in prefixes):
            return name
    return None


def seeded_names() -> tuple[str, ...]:
    """The names of what the world holds (data typed by people, not words of the product)."""
    from caseflow import models as m

    columns = [
        m.Tag.name, m.Tag.slug, m.Tag.description, m.Program.name, m.Program.slug, m.TagName.name,
        m.ProgramName.name, m.User.name, m.User.email, m.Campaign.title,
        m.Campaign.issue_statement, m.Person.name, m.Measure.name, m.PowerActor.name, m.CampaignAction.title,
        m.Convening.title, m.HarvestItem.takeaway, m.CommitteeDecision.title, m.FollowUp.description,
        m.Notification.message, m.SelfReport.what_happened, m.Concern.summary,
        m.ApiToken.name, m.ApiToken.prefix, m.AuditEvent.actor_label,
    ]  # fmt: skip
    values = set()
    for column in columns:
        values.update(v for v in _db.session.scalars(select(column)) if v)
    values.update(w for theme in _db.session.scalars(select(m.EmergingTheme)) for w in theme.keywords)
    extra = (OTHER_SUMMARY, SECRET_NARRATIVE, SECRET_ROOT_CAUSE, LANGUAGE, *ZONES, *babel_written_words())
    return tuple(sorted({*values, *extra}, key=len, reverse=True))  # longest first: no half-removed names


def _pages(app, client, world, *, spanish: bool = False) -> dict[str, tuple[str, str, int, str, str]]:
    """{rule: (endpoint, area, status, content type, page)} for every GET route, each fetched once."""
    users = {"other": world["other"], "lead": world["lead"]}
    by_role: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith("api.") or rule.endpoint in NOT_PAGES:
            continue
        if rule.endpoint in OWNER:
            by_role.setdefault(OWNER[rule.endpoint], []).append(rule)
            continue
        kinds = {role: _expectation(app, rule, role)[0] for role in ROLE_ORDER}
        if "public" in kinds.values():
            by_role.setdefault("anonymous", []).append(rule)
            continue
        role = next(r for r in ROLE_ORDER if kinds[r] == "allowed")
        by_role.setdefault(role, []).append(rule)

    out = {}
    for who, rules in sorted(by_role.items(), key=lambda item: item[0] != "anonymous"):
        client.post("/logout")
        if who in users:
            assert login(client, users[who].email).status_code == 302
        elif who != "anonymous":
            from tests.conftest import enrol_two_step

            user = _make(who)
            if who in ("admin", "director"):
                enrol_two_step(user)
            assert login(client, user.email).status_code == 302
        for rule in rules:
            url = _concrete(rule, world["values"]) + QUERY.get(rule.endpoint, "")
            if spanish:
                response = client.get(url, headers={"Accept-Language": "es"})
            else:
                with pseudo_locale():
                    response = client.get(url)
            out[rule.rule] = (
                rule.endpoint,
                area_of(rule.rule),
                response.status_code,
                response.mimetype,
                response.get_data(as_text=True) if response.mimetype == "text/html" else "",
            )
    return out


def _make(role: str):
    from caseflow.accounts.services import create_user

    user = create_user(None, f"i18n-{role}@example.org", [role], PASSWORD, f"I18n {role.title()}")
    _db.session.commit()
    return user


def test_every_page_in_the_pseudo_locale_has_no_unmarked_english(app, client, world):
    pages = _pages(app, client, world)
    data = seeded_names() + (app.config["ORG_NAME"], "http://localhost/tell-us")
    failures, unowned, checked = [], [], 0
    for rule, (endpoint, area, status, mimetype, page) in sorted(pages.items()):
        if status in (301, 302, 303) or mimetype != "text/html":
            continue
        if status != 200:
            failures.append(f"{rule} ({endpoint}) answered {status}")
            continue
        if area is None:
            unowned.append(rule)
        if area not in ASSERTED:
            continue
        checked += 1
        words = unmarked_english(machine_text_removed(page), data=data)
        if words:
            failures.append(f"{rule} ({endpoint}): {' '.join(dict.fromkeys(words))}")
    assert unowned == [], "HTML pages in neither AREA_A_PREFIXES nor AREA_B_PREFIXES"
    assert checked >= 20 or not ASSERTED
    print(f"\ni18n pages: {checked} HTML pages asserted in the pseudo-locale")
    assert failures == [], "\n".join(failures)


def test_the_walker_sees_what_it_should(app, client, world):
    """The pseudo-locale reaches the pages (the nav is marked) and unmarked words would be found."""
    pages = _pages(app, client, world)
    quick_log = pages["/log"][4]
    assert PSEUDO_OPEN in quick_log and PSEUDO_CLOSE in quick_log
    assert unmarked_english(quick_log + "<p>Forgotten words</p>", data=seeded_names())[-2:] == ["Forgotten", "words"]


def test_every_page_answers_in_spanish(app, client, world):
    """The real catalog, not the pseudo-locale: every page renders in Spanish (a placeholder the
    translation lost would be a server error here), and the pages of area A read Spanish."""
    pages = _pages(app, client, world, spanish=True)
    failures = []
    for rule, (endpoint, _area, status, mimetype, page) in sorted(pages.items()):
        if status >= 500:
            failures.append(f"{rule} ({endpoint}) answered {status}")
        elif mimetype == "text/html" and status == 200 and '<html lang="es">' not in page:
            failures.append(f"{rule} ({endpoint}) is not in Spanish")
    assert failures == []
    assert "Registrar una inquietud" in pages["/log"][4] and "Etiquetas" in pages["/log"][4]
    assert "Registro de auditoría" in pages["/admin/audit/"][4]


# --- Forms with errors ---------------------------------------------------------------------------


def _assert_marked(page: str, data=()) -> None:
    from flask import current_app

    words = unmarked_english(machine_text_removed(page), data=(*data, *seeded_names(), current_app.config["ORG_NAME"]))
    assert words == [], words


def test_login_with_errors_in_the_pseudo_locale(client, make_user):
    make_user("caseworker", email="cw@example.org")
    with pseudo_locale():
        wrong = client.post("/login", data={"email": "cw@example.org", "password": "wrong"})
        empty = client.post("/login", data={"email": "", "password": ""})
    _assert_marked(wrong.get_data(as_text=True), data=("cw@example.org",))
    _assert_marked(empty.get_data(as_text=True))


def test_quick_log_and_concern_edit_with_errors_in_the_pseudo_locale(client, login_as, make_concern, taxonomy):
    me = login_as("caseworker")
    concern = make_concern(author=me, summary="Boiler out")
    bad = {"program": "", "summary": "", "zip": "12", "client_importance": "9", "incident_date": "soon"}
    with pseudo_locale():
        logged = client.post("/log", data=bad)
        edited = client.post(f"/concerns/{concern.id}/edit", data=bad | {"version": str(concern.version)})
    assert logged.status_code in (200, 422) and edited.status_code in (200, 422)
    assert "⟦Choose at least one tag.⟧" in logged.get_data(as_text=True)
    _assert_marked(logged.get_data(as_text=True), data=("soon",))
    _assert_marked(edited.get_data(as_text=True), data=("soon",))


def test_taxonomy_and_admin_user_forms_with_errors_in_the_pseudo_locale(client, login_as, make_user, taxonomy):
    login_as("admin")
    someone = make_user("caseworker", email="someone@example.org")
    with pseudo_locale():
        tag = client.post("/taxonomy/", data={"tag-name": "", "tag-slug": "Bad Slug!", "tag-category": "Nowhere"})
        program = client.post("/taxonomy/", data={"program-name": "", "program-slug": "housing"})
        rename = client.post(f"/taxonomy/tags/{taxonomy['tags']['mold'].id}", data={"name": "", "name_es": "x" * 200})
        user = client.post("/admin/users", data={"email": "not an address", "password": "short"})
        edit = client.post(f"/admin/users/{someone.id}", data={"roles": ["wizard"]})
    for response in (tag, program, rename, user, edit):
        assert response.status_code in (200, 400, 422)
        _assert_marked(response.get_data(as_text=True), data=("Nowhere", "Bad Slug!", "not an address", "x" * 200))
    assert "⟦Give the tag a name.⟧" in tag.get_data(as_text=True)


# --- Taxonomy names per locale, messages in the recipient's language -----------------------------


def test_an_admin_names_a_tag_in_spanish_and_spanish_readers_see_it(
    client, db, login_as, make_user, make_concern, taxonomy, token_for
):
    from caseflow.models import AuditEvent, TagName

    mold = taxonomy["tags"]["mold"]
    login_as("admin")
    page = client.get(f"/taxonomy/tags/{mold.id}").get_data(as_text=True)
    assert "Name in Spanish" in page
    saved = client.post(
        f"/taxonomy/tags/{mold.id}", data={"name": "Mold", "name_es": "Moho", "category": "Housing", "active": "y"}
    )
    assert saved.status_code == 302
    assert db.session.scalars(select(TagName.name).where(TagName.tag_id == mold.id)).all() == ["Moho"]
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "tag.translate")).one()
    assert audit.details["name"] == "Moho" and audit.details["locale"] == "es"
    assert "Moho" in client.get(f"/taxonomy/tags/{mold.id}").get_data(as_text=True)  # shown back to edit
    client.post("/logout")

    spanish = make_user("caseworker", email="es@example.org")
    spanish.locale = "es"
    db.session.commit()
    concern = make_concern(author=spanish, tags=["mold", "no-heat"], summary="Humedad en el baño")
    from tests.conftest import login

    login(client, "es@example.org")
    detail = client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    assert "Moho" in detail and ">Mold<" not in detail
    assert "No heat" in detail  # no Spanish name set: the default name
    assert "Moho" in client.get("/log").get_data(as_text=True)
    # Exports and the API keep the default (English) names and the slugs.
    export = client.get("/concerns/export.csv").get_data(as_text=True)
    assert "Moho" not in export and "mold;no-heat" in export
    tags = client.get("/api/v1/tags", headers=token_for(user=spanish)).get_json()
    assert {"slug": "mold", "name": "Mold"}.items() <= next(t for t in tags["items"] if t["slug"] == "mold").items()
    client.post("/logout")
    login_as("caseworker")
    assert ">Mold<" in client.get("/concerns").get_data(as_text=True) or "Mold" in client.get("/log").get_data(
        as_text=True
    )


def test_clearing_the_spanish_name_brings_back_the_default(app, client, db, login_as, taxonomy):
    food = taxonomy["programs"]["food"]
    login_as("admin")
    client.post(
        f"/taxonomy/programs/{food.id}", data={"name": "Food Pantry", "name_es": "Banco de alimentos", "active": "y"}
    )
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert db.session.get(type(food), food.id).display_name == "Banco de alimentos"
    client.post(f"/taxonomy/programs/{food.id}", data={"name": "Food Pantry", "name_es": "", "active": "y"})
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert db.session.get(type(food), food.id).display_name == "Food Pantry"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert db.session.get(type(food), food.id).display_name == "Food Pantry"


def test_a_notification_is_stored_in_each_recipients_language(app, db, make_user):
    from flask_babel import lazy_gettext

    from caseflow.models import Notification
    from caseflow.notifications.services import notify

    spanish, english, browser = make_user("caseworker"), make_user("caseworker"), make_user("caseworker")
    spanish.locale, english.locale = "es", "en"
    db.session.commit()
    message = lazy_gettext("Your request to delete concern #%(id)s was declined: the concern stays.", id=7)
    notify([spanish.id, english.id, browser.id], "deletion_request", message, "/concerns/7", "k1")
    db.session.commit()
    stored = dict(db.session.execute(select(Notification.user_id, Notification.message)).all())
    assert stored[spanish.id] == "Se rechazó su pedido de borrar la inquietud n.º 7: la inquietud se conserva."
    assert (
        stored[english.id]
        == stored[browser.id]
        == ("Your request to delete concern #7 was declined: the concern stays.")
    )  # no setting of their own: the organisation's default (English here)


def test_the_weekly_digest_mail_goes_out_in_each_language(app, db, make_user, monkeypatch):
    from caseflow import jobs

    sent = []

    class FakeSMTP:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append((message["To"], message["Subject"], message.get_content()))

    monkeypatch.setattr(jobs.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "mail.example.org")
    spanish, english = make_user("organizer", email="es@example.org"), make_user("organizer", email="en@example.org")
    spanish.locale = "es"
    db.session.commit()
    jobs._email([spanish.id, english.id], jobs._l("Caseflow: new and rising patterns"), lambda: jobs.gettext("Inbox"))
    assert sorted(sent) == [
        ("en@example.org", "Caseflow: new and rising patterns", "Inbox\n"),
        ("es@example.org", "Caseflow: patrones nuevos y en aumento", "Bandeja de entrada\n"),
    ]


# --- Shared formatting ------------------------------------------------------------------------


def test_dates_numbers_and_percentages_follow_the_locale(app):
    from caseflow.i18n import day, local, number, percent

    moment = datetime(2026, 11, 28, 2, 5, tzinfo=UTC)  # 21:05 the evening before in New York
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert local(moment) == "2026-11-27 21:05 EST"
        assert (day(moment), number(1234567), percent(0.456)) == ("2026-11-27", "1,234,567", "46%")
    with app.test_request_context(headers={"Accept-Language": "es"}):
        assert local(moment) == "27 nov 2026, 21:05 EST"
        assert local(moment, "date") == day(moment) == "27 nov 2026"
        assert (number(1234567), number(3.14159, 2)) == ("1.234.567", "3,14")
        assert percent(0.456) == "46\xa0%" and percent(0.456, 1) == "45,6\xa0%"
        assert local(None) == "—"


def test_the_templates_filters_are_the_locale_aware_ones(app):
    with app.test_request_context(headers={"Accept-Language": "es"}):
        from flask import render_template_string

        moment = datetime(2026, 11, 28, 2, 5, tzinfo=UTC)
        text = render_template_string(
            "{{ m|local }}|{{ m|local('date') }}|{{ m|campaign_day }}|{{ n|number }}|{{ s|percent }}",
            m=moment,
            n=12345,
            s=0.5,
        )
    assert text == "27 nov 2026, 21:05 EST|27 nov 2026|27 nov 2026|12.345|50\xa0%"
