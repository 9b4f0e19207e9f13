"""Languages (issue 18): the catalogs are complete and compiled, the locale is chosen in the right
order, and the pages marked so far carry no English outside a marked string (pseudo-locale)."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from caseflow.i18n import PSEUDO_CLOSE, PSEUDO_OPEN, SUPPORTED_LOCALES, TRANSLATIONS, pseudo_locale

REPO = Path(__file__).resolve().parents[1]
PYBABEL = Path(sys.executable).parent / "pybabel"
SPANISH_PO = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"


def _catalog(path: Path, locale: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """What the code and templates mark today, extracted the way `make translations` does."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.* __pycache__",
         "--no-location", "-o", str(out), "."],
        cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_every_marked_message_has_a_spanish_translation_that_is_not_fuzzy(extracted):
    marked = _ids(_catalog(extracted))
    spanish = _catalog(SPANISH_PO, "es")
    assert len(marked) > 50
    missing = sorted(map(str, marked - _ids(spanish)))
    assert missing == [], "marked but not in the Spanish catalog: run `make translations` and translate"
    problems = []
    for message in spanish:
        if not message.id:
            continue
        strings = message.string if isinstance(message.id, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(message.id)
    assert problems == [], f"missing or fuzzy Spanish entries: {problems}"
    print(f"\ni18n: {len(marked)} messages marked; Spanish {len(marked)}/{len(marked)} translated (100 %)")


def test_the_template_in_the_repository_matches_what_is_marked(extracted):
    assert _ids(_catalog(TRANSLATIONS / "messages.pot")) == _ids(_catalog(extracted))


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_compiled_spanish_catalog_is_current():
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog(SPANISH_PO, "es") if m.id}
    assert compiled == source, "run `make install` (pybabel compile) after editing the catalog"


def test_the_census_wording_for_race_and_ethnicity_in_spanish():
    spanish = {m.id: m.string for m in _catalog(SPANISH_PO, "es")}
    assert spanish["Hispanic, Latino, or Spanish origin"] == "Hispano, latino o de origen español"
    assert spanish["White"] == "Blanco"
    assert spanish["Native Hawaiian or Pacific Islander"] == "Nativo de Hawái u otra isla del Pacífico"
    assert spanish["Middle Eastern or North African"] == "Del Medio Oriente o del Norte de África"


def test_the_self_report_choices_are_the_concern_codes():
    from caseflow.models import RACE_CATEGORIES, RACE_CODES
    from caseflow.selfreport.forms import RACE_CHOICES

    codes = [code for code, _ in RACE_CHOICES]
    assert set(RACE_CATEGORIES) <= set(codes) <= set(RACE_CODES)


# --- Which language a page speaks ---------------------------------------------------------------


def test_browser_language_then_default(app, client):
    spanish = client.get("/tell-us", headers={"Accept-Language": "es"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    assert "Accept-Language" in spanish.headers["Vary"]  # a shared cache keeps the languages apart
    assert '<html lang="en">' in client.get("/tell-us", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    app.config["CASEFLOW_DEFAULT_LOCALE"] = "es"
    try:
        page = client.get("/tell-us", headers={"Accept-Language": "fr"}).get_data(as_text=True)
        assert '<html lang="es">' in page and "¿Qué está pasando?" in page
        assert '<html lang="en">' in client.get("/tell-us?lang=en").get_data(as_text=True)
    finally:
        app.config["CASEFLOW_DEFAULT_LOCALE"] = "en"


def test_dates_are_written_for_the_locale(client, db, login_as, clock):
    from caseflow.models import SelfReport

    clock.set("2026-11-20T15:00:00+00:00")
    client.post("/tell-us", data={"what_happened": "No heat."})
    report_id = db.session.scalars(select(SelfReport.id)).one()
    me = login_as("caseworker")
    assert "Nov 20, 2026" in client.get(f"/self-reports/{report_id}").get_data(as_text=True)
    me.locale = "es"
    db.session.commit()
    assert "20 nov 2026" in client.get(f"/self-reports/{report_id}").get_data(as_text=True)


# --- Pseudo-locale: nothing unmarked on the marked pages ---------------------------------------

# Words that are not English to translate: the product's name, the languages named in themselves,
# and the day periods Babel writes into a time for the locale.
NOT_ENGLISH = {"Caseflow", *SUPPORTED_LOCALES.values(), "AM", "PM"}
ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"]*)"')


def unmarked_english(page: str, *, data: tuple[str, ...] = (), main_only: bool = False) -> list[str]:
    """The words a reader meets that were not marked for translation."""
    if main_only:
        page = page.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>(.*?)</title>", r"\1", page, flags=re.S)
    text = " ".join(ATTRIBUTES.findall(page)) + " " + re.sub(r"<[^>]+>", " ", page)
    text = html_lib.unescape(text)
    innermost = re.compile(re.escape(PSEUDO_OPEN) + f"[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*" + re.escape(PSEUDO_CLOSE))
    while innermost.search(text):  # a marked message may carry marked words: "⟦Lead: ⟦nobody yet⟧⟧"
        text = innermost.sub(" ", text)
    for value in (*data, *NOT_ENGLISH):
        text = text.replace(value, " ")
    return re.findall(r"[A-Za-z][A-Za-z']+", text)


@pytest.fixture
def a_report(client, db):
    from caseflow.models import SelfReport

    client.post("/tell-us", data={"what_happened": "Landlord ignores the boiler", "zip": "10027"})
    return db.session.scalars(select(SelfReport)).one()


def test_pseudo_locale_finds_no_unmarked_english_on_the_public_pages(app, client, a_report):
    org = app.config["ORG_NAME"]
    with pseudo_locale():
        pages = {
            "form": client.get("/tell-us").get_data(as_text=True),
            "form with errors": client.post("/tell-us", data={"what_happened": "", "zip": "abc"}).get_data(
                as_text=True
            ),
            "thanks": client.get("/tell-us/thanks").get_data(as_text=True),
            "poster": client.get("/tell-us/poster").get_data(as_text=True),
        }
    assert PSEUDO_OPEN + "What is happening?" + PSEUDO_CLOSE in pages["form"]  # the helper transforms
    for name, page in pages.items():
        assert unmarked_english(page, data=(org, "http://localhost/tell-us", "abc")) == [], name


def test_pseudo_locale_finds_no_unmarked_english_in_the_triage_pages(app, client, db, taxonomy, login_as, a_report):
    from flask_babel import format_datetime

    login_as("caseworker")
    names = [p.name for p in taxonomy["programs"].values()] + [t.name for t in taxonomy["tags"].values()]
    with app.test_request_context():
        received = format_datetime(a_report.created_at, "medium")  # written by Babel for the locale
    data = ("Landlord ignores the boiler", received, *names)
    with pseudo_locale():
        queue = client.get("/self-reports").get_data(as_text=True)
        detail = client.get(f"/self-reports/{a_report.id}").get_data(as_text=True)
        refused = client.post(f"/self-reports/{a_report.id}/decline", data={"decline-reason": ""})
        language = client.get("/account/language").get_data(as_text=True)
    assert unmarked_english(queue, data=data, main_only=True) == []
    assert unmarked_english(detail, data=data, main_only=True) == []
    assert unmarked_english(refused.get_data(as_text=True), data=data, main_only=True) == []
    assert unmarked_english(language, main_only=True) == []


def test_the_helper_finds_english_that_was_not_marked():
    assert unmarked_english("<main><p>⟦Marked⟧ Forgotten words</p></main>", main_only=True) == ["Forgotten", "words"]
    nested = "<main><p>⟦Now in ⟦Vision⟧, kept in the history⟧ left out</p></main>"
    assert unmarked_english(nested, main_only=True) == ["left", "out"]
