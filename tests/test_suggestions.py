"""Tag suggestions (issue 19): a model learned from the organisation's own tagged concerns, the
API that never keeps the text, and emerging themes that an organizer turns into tags."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from caseflow.concerns.services import log_concern, parse_concern
from caseflow.extensions import db as _db
from caseflow.models import AuditEvent, Concern, EmergingTheme, Tag, TagModelVersion
from caseflow.patterns import rollup
from caseflow.suggestions import RedactSuggestionText, services
from caseflow.suggestions import model as ml

# A fixed dataset: four tags, eight wordings each, some in Spanish (as caseworkers write them).
TRAIN = {
    "no-heat": [
        "No heat in the apartment for 3 days",
        "Radiators cold all week",
        "No hot water since Monday",
        "Boiler broken, apartment freezing",
        "No hay calefacción en el apartamento",
        "Sin agua caliente desde el lunes",
        "Heat off again in the whole building",
        "Los radiadores están fríos",
    ],
    "mold": [
        "Mold in the bathroom",
        "Black mold on bedroom walls",
        "Mice and roaches in the kitchen",
        "Moho en el baño",
        "Hongos en las paredes del cuarto",
        "Pests everywhere, exterminator never came",
        "Mold making the child's asthma worse",
        "Cucarachas y ratones en la cocina",
    ],
    "benefits-delay": [
        "SNAP application pending for weeks",
        "Cash assistance application stalled",
        "Waiting months for the benefits interview",
        "La solicitud de cupones sigue pendiente",
        "Benefits renewal lost, still waiting",
        "Medicaid application delayed",
        "Espera la entrevista de beneficios hace meses",
        "Food stamps application not processed",
    ],
    "wage-theft": [
        "Employer did not pay last two weeks of wages",
        "Paid less than minimum wage at the warehouse",
        "No overtime paid for long shifts",
        "El patrón no le pagó el sueldo",
        "Le deben tres semanas de salario",
        "Boss keeps the tips",
        "Paycheck bounced again",
        "No le pagan las horas extras",
    ],
}
HELD_OUT = [
    ("Apartment has had no heat since Friday", "no-heat"),
    ("the radiators are cold and the kids are freezing", "no-heat"),
    ("Mold growing on the bathroom ceiling", "mold"),
    ("Roaches all over the kitchen", "mold"),
    ("Still waiting on the SNAP application", "benefits-delay"),
    ("Employer never paid the wages he owes", "wage-theft"),
]
SPANISH = [
    ("No tenemos calefacción y los radiadores no calientan", "no-heat"),
    ("El patrón no me pagó el salario de dos semanas", "wage-theft"),
]


@pytest.fixture
def trained(db, taxonomy, make_user):
    author = make_user("caseworker")
    for slug, texts in TRAIN.items():
        for summary in texts:
            log_concern(author, parse_concern({"program": "housing", "tags": [slug], "summary": summary}))
    _db.session.commit()
    result = services.train_and_store()
    _db.session.commit()
    assert result.trained
    return result


def _top(text: str, k: int = 3) -> list[str]:
    return [s["tag"] for s in services.suggest(text, k).items]


def test_a_model_trained_on_a_fixed_dataset_suggests_the_right_tag_for_held_out_texts(trained):
    for text, expected in HELD_OUT:
        assert _top(text)[0] == expected, text
    assert len(_top("Mold growing on the bathroom ceiling")) == 3


def test_a_spanish_text_gets_a_sensible_tag(trained):
    for text, expected in SPANISH:
        assert _top(text)[0] == expected, text


def test_scores_are_probabilities_best_first_and_the_model_is_described(trained):
    answer = services.suggest("No heat since Friday", 3).as_json()
    scores = [s["score"] for s in answer["suggestions"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert answer["suggestions"][0] == {"tag": "no-heat", "name": "No heat", "score": scores[0]}
    assert answer["model"]["examples"] == 32 and answer["model"]["trained_at"]
    stored = _db.session.scalar(select(TagModelVersion))
    assert stored.version == 1 and stored.examples == 32 and stored.size_bytes == len(stored.data)


def test_too_few_examples_fall_back_to_the_closest_tag_names(db, taxonomy, make_concern):
    make_concern(summary="Mold in the bathroom", tags=["mold"])
    result = services.train_and_store()
    assert not result.trained and "at least" in result.reason
    answer = services.suggest("no heat since monday", 3).as_json()
    assert answer["suggestions"][0]["tag"] == "no-heat"
    assert answer["model"] == {"trained_at": None, "examples": 0}
    assert services.suggest("wage theft at work", 1).items[0]["tag"] == "wage-theft"


def test_a_newer_model_is_loaded_and_a_tampered_one_refused(trained, make_user, caplog):
    first = services.current_model()
    assert services.current_model() is first  # loaded once per process
    author = make_user("caseworker")
    _db.session.add(Tag(slug="eviction-threat", name="Eviction threat", category="Housing"))
    _db.session.flush()
    for summary in ["Landlord threatening eviction", "Eviction notice on the door", "Amenaza de desalojo"] * 3:
        log_concern(author, parse_concern({"program": "housing", "tags": ["eviction-threat"], "summary": summary}))
    assert services.train_and_store().version == 2
    _db.session.commit()
    assert services.current_model() is not first
    assert _top("They got an eviction notice")[0] == "eviction-threat"
    # A row whose bytes were changed behind our back is never loaded: the names answer instead.
    row = _db.session.scalar(select(TagModelVersion).where(TagModelVersion.version == 2))
    row.signature = "0" * 64
    _db.session.commit()
    with caplog.at_level(logging.ERROR):
        assert services.current_model() is None
        assert services.suggest("eviction", 3).trained_at is None
    assert caplog.text.count("fails its signature check") == 1  # said once, not at every suggestion


def test_a_stored_model_is_plain_arrays_that_load_without_pickle(trained):
    blob = _db.session.scalar(select(TagModelVersion.data))
    assert blob[:2] == b"PK"  # a zip of .npy arrays
    loaded = ml.TagModel.from_bytes(blob)
    assert loaded.top("no heat at all")[0][0] == "no-heat"


def test_merged_and_inactive_tags_are_never_suggested(trained, taxonomy, make_user):
    from caseflow.taxonomy.services import merge_tags

    merge_tags(make_user("director"), taxonomy["tags"]["mold"], taxonomy["tags"]["no-heat"])
    _db.session.commit()
    tags = _top("Mold in the bathroom", 4)
    assert "mold" not in tags and tags[0] == "no-heat"


# --- The API and the quick log's endpoint -------------------------------------------------------

SECRET_TEXT = "Zyxwv-unique-words-Qwerty radiators cold"


def _all_rows_text() -> str:
    _db.session.commit()
    out = []
    for table in _db.metadata.sorted_tables:
        out.extend(repr(tuple(r)) for r in _db.session.execute(select(table)).all())
    return "\n".join(out)


def test_the_api_answers_with_suggestions_and_never_keeps_the_text(client, trained, token_for, caplog):
    headers = token_for("caseworker")
    caplog.set_level(logging.DEBUG)
    before = _db.session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get("/api/v1/tags/suggest", query_string={"text": SECRET_TEXT, "limit": 2}, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [s["tag"] for s in body["suggestions"]][:1] == ["no-heat"] and len(body["suggestions"]) == 2
    assert body["model"]["examples"] == 32
    assert "Zyxwv" not in _all_rows_text()
    assert "Zyxwv" not in caplog.text
    assert _db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_api_refuses_bad_requests_with_field_errors(client, trained, token_for):
    headers = token_for("organizer")
    assert client.get("/api/v1/tags/suggest", headers=headers).get_json()["errors"]["text"]
    for limit in ("0", "11", "three"):
        response = client.get("/api/v1/tags/suggest", query_string={"text": "heat", "limit": limit}, headers=headers)
        assert response.status_code == 422 and "limit" in response.get_json()["errors"]
    response = client.get("/api/v1/tags/suggest", query_string={"text": "x" * 2001}, headers=headers)
    assert response.status_code == 422
    assert (
        client.get("/api/v1/tags/suggest", query_string={"text": ""}, headers=headers).get_json()["suggestions"] == []
    )


@pytest.mark.parametrize(
    ("role", "status"), [("caseworker", 200), ("organizer", 200), ("director", 403), ("admin", 403)]
)
def test_only_roles_that_log_concerns_get_suggestions(client, trained, token_for, role, status):
    response = client.get("/api/v1/tags/suggest", query_string={"text": "no heat"}, headers=token_for(role))
    assert response.status_code == status
    assert client.get("/api/v1/tags/suggest", query_string={"text": "no heat"}).status_code == 401


def test_access_logs_never_carry_the_text():
    werkzeug_line = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - [%s] "%s" %s %s',
        (
            "127.0.0.1",
            "now",
            f"GET /api/v1/tags/suggest?limit=3&text={SECRET_TEXT.replace(' ', '+')} HTTP/1.1",
            "200",
            "-",
        ),
        None,
    )
    RedactSuggestionText().filter(werkzeug_line)
    assert "Zyxwv" not in werkzeug_line.getMessage() and "text=[redacted]" in werkzeug_line.getMessage()
    assert "limit=3" in werkzeug_line.getMessage()
    page = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, "GET /suggestions/tags?text=Zyxwv HTTP/1.1", (), None
    )
    RedactSuggestionText().filter(page)
    assert "Zyxwv" not in page.getMessage()
    assert any(isinstance(f, RedactSuggestionText) for f in logging.getLogger("werkzeug").filters)


def test_the_quick_log_offers_suggestions_as_the_summary_is_typed(client, trained, login_as):
    login_as("caseworker")
    page = client.get("/log").get_data(as_text=True)
    assert 'data-tag-suggest data-url="/suggestions/tags"' in page and "suggest.js" in page
    answer = client.get("/suggestions/tags", query_string={"text": "radiators cold", "chosen": "mold"}).get_json()
    assert answer["suggestions"][0]["tag"] == "no-heat"
    assert "mold" not in [s["tag"] for s in answer["suggestions"]]
    assert client.get("/suggestions/tags", query_string={"limit": "x"}).status_code == 422


def test_the_train_command_and_the_nightly_job(app, db, trained):
    from caseflow import jobs

    result = app.test_cli_runner().invoke(args=["tags", "train"])
    assert result.exit_code == 0 and "Trained version 2 on 32 examples" in result.output
    run = jobs.run_job(app, "tag-model", "2026-01-01", jobs.tag_model_work)
    assert run.status == "success" and run.details["version"] == 3
    assert _db.session.scalar(select(func.count()).select_from(TagModelVersion)) == services.KEEP_VERSIONS


# --- Emerging themes ----------------------------------------------------------------------------

ELEVATOR = [
    "Elevator broken again, grandmother stuck upstairs",
    "The elevator has been out of service for weeks",
    "Elevator broken, cannot carry groceries up six floors",
    "El elevador no funciona hace un mes",
    "Elevator out, wheelchair user trapped in apartment",
]


@pytest.fixture
def theme(trained, taxonomy, make_user):
    other = Tag(slug="other", name="Other", category="Housing")
    _db.session.add(other)
    _db.session.commit()
    author = make_user("caseworker")
    for i, summary in enumerate(ELEVATOR):
        body = {"program": "housing", "tags": ["other"], "summary": summary}
        if i < 2:
            body |= {"client_root_cause": f"QUOTE-{i} the landlord will not pay for the repair"}
            body |= {"story_consent": i == 0}  # only the first client agreed to be quoted
        log_concern(author, parse_concern(body))
    log_concern(author, parse_concern({"program": "housing", "tags": ["no-heat"], "summary": "No heat at all"}))
    _db.session.commit()
    themes = services.refresh_themes()
    _db.session.commit()
    assert len(themes) == 1
    return themes[0]


def test_concerns_that_fit_no_tag_are_grouped_by_their_words(theme):
    assert "elevator" in theme.keywords
    members = _db.session.scalars(
        select(Concern.summary).join(
            services.emerging_theme_concerns, services.emerging_theme_concerns.c.concern_id == Concern.id
        )
    ).all()
    assert sorted(members) == sorted(ELEVATOR)


def test_an_organizer_sees_the_theme_with_its_count_and_only_consented_quotes(client, theme, login_as):
    login_as("organizer")
    page = client.get("/emerging").get_data(as_text=True)
    assert "elevator" in page and "5 concerns" in page and "Internal" in page
    assert "QUOTE-0" in page and "QUOTE-1" not in page
    assert "Other (5)" in page


def test_an_organizer_turns_a_theme_into_a_tag_and_the_concerns_are_retagged(client, theme, login_as):
    organizer = login_as("organizer")
    response = client.post(
        f"/emerging/{theme.id}/tag",
        data={
            f"theme{theme.id}-name": "Broken elevator",
            f"theme{theme.id}-slug": "",
            f"theme{theme.id}-category": "Housing",
            f"theme{theme.id}-version": theme.version,
        },
    )
    assert response.status_code == 302
    tag = _db.session.scalar(select(Tag).where(Tag.slug == "broken-elevator"))
    assert tag is not None and tag.name == "Broken elevator"
    retagged = _db.session.scalars(select(Concern).where(Concern.summary.in_(ELEVATOR))).all()
    assert all([t.slug for t in c.tags] == ["broken-elevator"] for c in retagged)
    assert all(c.version == 2 for c in retagged)
    assert rollup.check(_db.session) == []
    actions = _db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == organizer.id)).all()
    assert actions.count("concern.retag") == 5 and "theme.tag" in actions and "tag.create" in actions
    assert _db.session.get(EmergingTheme, theme.id).status == "tagged"
    assert "No emerging themes" in client.get("/emerging").get_data(as_text=True)
    # The new tag is a pattern now (5 concerns), counted from the rollups.
    from caseflow.concerns.services import today
    from caseflow.patterns.engine import PatternSettings, find_patterns

    keys = [p.key for p in find_patterns(PatternSettings(as_of=today(), min_clients=0), with_examples=0)]
    assert "tag:broken-elevator" in keys


def test_a_stale_or_invalid_theme_form_changes_nothing(client, theme, login_as):
    login_as("organizer")
    stale = client.post(
        f"/emerging/{theme.id}/tag",
        data={
            f"theme{theme.id}-name": "Elevator",
            f"theme{theme.id}-category": "Housing",
            f"theme{theme.id}-version": 99,
        },
    )
    assert stale.status_code == 409
    taken = client.post(
        f"/emerging/{theme.id}/tag",
        data={
            f"theme{theme.id}-name": "No heat",
            f"theme{theme.id}-slug": "no-heat",
            f"theme{theme.id}-category": "Housing",
            f"theme{theme.id}-version": theme.version,
        },
    )
    assert taken.status_code == 422 and "already in use" in taken.get_data(as_text=True)
    assert 'value="No heat"' in taken.get_data(as_text=True)  # what was typed stays
    assert _db.session.get(EmergingTheme, theme.id).status == "open"
    assert _db.session.scalar(select(func.count()).select_from(Tag).where(Tag.slug == "elevator")) == 0


def test_a_dismissed_theme_does_not_come_back(client, theme, login_as):
    login_as("organizer")
    response = client.post(f"/emerging/{theme.id}/dismiss", data={"version": theme.version})
    assert response.status_code == 302
    assert services.refresh_themes() == []


def test_the_weekly_job_finds_themes(app, theme):
    from caseflow import jobs

    run = jobs.run_job(app, "emerging-themes", "2026-W01", jobs.emerging_themes_work)
    assert run.status == "success" and run.details == {"themes": 1}


def test_concerns_the_model_cannot_place_are_grouped_even_under_an_existing_tag(trained, make_user):
    author = make_user("caseworker")
    bus = [
        "Bus route to the clinic was cut",
        "The bus route no longer runs at night",
        "Bus route eliminated, two hour walk",
        "Cortaron la ruta del bus a la clinica",
        "Bus route cut, misses appointments",
    ]
    for summary in bus:  # tagged with the nearest tag there was, logged after the model was trained
        log_concern(author, parse_concern({"program": "housing", "tags": ["benefits-delay"], "summary": summary}))
    _db.session.commit()
    fit = services.current_model().model.fit(bus + [t for t, _ in HELD_OUT])
    assert sum(fit[: len(bus)] < services.LOW_FIT) >= services.MIN_THEME
    assert sum(fit[len(bus) :] < services.LOW_FIT) <= 1
    themes = services.refresh_themes()
    assert len(themes) == 1 and {"bus", "route"} <= set(themes[0].keywords)


@pytest.mark.parametrize("tags", [1, 2])
def test_a_model_with_one_or_two_tags_still_ranks_them(tags):
    slugs = ["no-heat", "mold"][:tags]
    texts = [t for s in slugs for t in TRAIN[s]]
    labels = [s for s in slugs for _ in TRAIN[s]]
    trained = ml.train(texts, labels)
    assert trained.top("Radiators cold and no heat", 2)[0][0] == "no-heat"
    if tags == 2:
        assert trained.top("Black mold in the bathroom", 2)[0][0] == "mold"


def test_without_javascript_a_form_sent_back_for_want_of_a_tag_offers_the_likeliest(client, trained, login_as):
    login_as("caseworker")
    response = client.post("/log", data={"program": "housing", "summary": "Radiators cold since Friday"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<input type="checkbox" name="tags" value="no-heat">' in page
    saved = client.post(
        "/log", data={"program": "housing", "summary": "Radiators cold since Friday", "tags": "no-heat"}
    )
    assert saved.status_code == 302
    concern = _db.session.scalar(select(Concern).where(Concern.summary == "Radiators cold since Friday"))
    assert [t.slug for t in concern.tags] == ["no-heat"]
