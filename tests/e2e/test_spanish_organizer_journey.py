"""An organizer whose language is Spanish (issue 18): chooses Español on their language page, finds
a pattern, promotes it to a campaign, is refused an empty issue analysis at its field, saves it, and
moves the campaign to the next step — every page in Spanish, and every page state passes axe."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, Account

PREFIX = "spanish-organizer"


def test_a_spanish_speaking_organizer_promotes_a_pattern_and_moves_the_campaign(
    page, login, api, flask_cli, check_a11y, screenshot, unique, app_today
):
    # Data through the API: a program, a tag and eight concerns from five clients in one ZIP.
    run = unique("es")[-6:]
    program, tag, tag_name, zip_code = f"vivienda-{run}", f"sin-calefaccion-{run}", f"No heat {run}", "10453"
    assert api("POST", "/api/v1/programs", {"slug": program, "name": f"Housing {run}"})[0] == 201
    assert api("POST", "/api/v1/tags", {"slug": tag, "name": tag_name, "category": "Housing"})[0] == 201
    for i in range(8):
        concern = {
            "program": program,
            "tags": [tag],
            "summary": f"Sin calefacción desde el lunes ({i + 1})",
            "occurred_on": (app_today - timedelta(days=1 + 2 * i)).isoformat(),
            "zip": zip_code,
            "client_ref": f"es-{run}-{i % 5}",
        }
        status, body = api("POST", "/api/v1/concerns", concern, role="caseworker")
        assert status == 201, body

    # Their own account (the shared users keep their settings), and their language: Español.
    me = Account(f"organizadora-{run}@e2e.caseflow.test", PASSWORD, "organizer")
    flask_cli("users", "create", "--email", me.email, "--role", "organizer", "--name", "Rosa", "--password", PASSWORD)
    login(page, account=me)
    page.goto("/account/language")
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("status")).to_contain_text("idioma")
    check_a11y(page, f"{PREFIX}-language")

    # Patterns, in Spanish.
    page.get_by_role("navigation").get_by_role("link", name="Patrones").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patrones")
    card = page.locator("li.pattern").filter(has=page.get_by_role("link", name=tag_name, exact=True))
    expect(card).to_contain_text("8 inquietudes")
    expect(card).to_contain_text("de 5 clientes")
    check_a11y(page, f"{PREFIX}-patterns")
    card.get_by_role("link", name=tag_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tag_name)
    expect(page.get_by_role("heading", name="Semana a semana")).to_be_visible()
    check_a11y(page, f"{PREFIX}-pattern-detail")

    # Promote it: the confirm step, then the campaign's workspace.
    act = page.get_by_role("region", name="Actuar sobre este patrón")
    title = f"Calefacción para cada inquilino {run}"
    act.get_by_label("Título de la campaña").fill(title)
    act.get_by_role("button", name="Crear campaña").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Crear una campaña?")
    check_a11y(page, f"{PREFIX}-promote-confirm")
    page.get_by_role("button", name="Crear campaña").click()
    expect(page).to_have_url(re.compile(r"/campaigns/\d+$"))
    cid = int(re.search(r"/campaigns/(\d+)$", page.url).group(1))
    expect(page.get_by_role("status")).to_contain_text(f"Campaña «{title}» creada a partir de 1 patrón.")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Aprendizaje — análisis del problema").first).to_be_visible()
    check_a11y(page, f"{PREFIX}-overview")
    screenshot(page, f"{PREFIX}-overview")

    # Learning: an empty problem statement is refused at its field, in Spanish; then saved.
    page.get_by_role("navigation", name="Pasos de la campaña").get_by_role(
        "link", name=re.compile("Aprendizaje")
    ).click()
    page.get_by_label("Causas de fondo", exact=True).fill("Los dueños no arreglan las calderas")
    page.get_by_role("button", name="Guardar el análisis del problema").click()
    problem = page.get_by_label("Planteamiento del problema")
    expect(page.locator("#learning-problem_statement-error")).to_have_text("Este dato es obligatorio.")
    expect(problem).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Causas de fondo", exact=True)).to_have_value("Los dueños no arreglan las calderas")
    check_a11y(page, f"{PREFIX}-learning-error")
    problem.fill("Muchos inquilinos pasan el invierno sin calefacción")
    page.get_by_role("button", name="Guardar el análisis del problema").click()
    expect(page.get_by_role("status")).to_contain_text("Aprendizaje: guardado.")
    check_a11y(page, f"{PREFIX}-learning")

    # Move to the next step with a note; the history keeps it, in Spanish.
    page.get_by_label("Pasar al paso").select_option("awareness")
    page.get_by_label("¿Por qué pasar ahora?").fill("Ya sabemos quién sufre el problema")
    page.get_by_role("button", name="Cambiar de paso", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Paso cambiado; el cambio queda en el historial.")
    page.goto(f"/campaigns/{cid}")
    expect(page.locator(".campaign-meta")).to_contain_text("Ahora en Conciencia — análisis del poder")
    history = page.get_by_role("region", name="Historial de pasos")
    expect(history).to_contain_text("Ya sabemos quién sufre el problema")
    check_a11y(page, f"{PREFIX}-after-move")
    screenshot(page, f"{PREFIX}-after-move")
