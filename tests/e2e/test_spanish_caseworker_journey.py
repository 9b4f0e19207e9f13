"""A caseworker who works in Spanish logs a concern in a Spanish interface (issue 18): an admin names
a program and a tag in Spanish on the taxonomy pages; the caseworker chooses Español for their
account, meets the quick log and its errors in Spanish, picks the tag by its Spanish name and saves.
axe finds no serious or critical violation on any of these page states."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import Account


def test_a_spanish_speaking_caseworker_logs_a_concern_in_spanish(
    page, login, api, flask_cli, check_a11y, screenshot, unique
):
    program, tag = unique("legal"), unique("wage-theft")
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": f"Legal clinic {program[-6:]}"})
    assert status == 201, body
    status, body = api(
        "POST", "/api/v1/tags", {"slug": tag, "name": f"Wages unpaid {tag[-6:]}", "category": "Employment"}
    )
    assert status == 201, body
    program_es, tag_es = f"Clínica legal {program[-6:]}", f"Salario sin pagar {tag[-6:]}"

    # The admin gives both a Spanish name on the taxonomy pages (their own pages stay in English).
    login(page, "admin")
    page.goto("/taxonomy/")
    page.get_by_role("link", name=f"Wages unpaid {tag[-6:]}").click()
    page.get_by_label("Name in Spanish").fill(tag_es)
    check_a11y(page, "spanish-taxonomy-tag-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.get_by_role("link", name=f"Legal clinic {program[-6:]}").click()
    page.get_by_label("Name in Spanish").fill(program_es)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.get_by_role("button", name="Log out").click()

    # A caseworker of their own (the shared one keeps English for the other journeys).
    email, password = f"{unique('lucia')}@example.org", "e2e lucía trabaja en español"
    flask_cli("users", "create", "--email", email, "--role", "caseworker", "--name", "Lucía", "--password", password)
    login(page, account=Account(email, password, "caseworker"))
    page.get_by_role("link", name="Language").click()
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("status")).to_have_text("Su idioma quedó guardado.")
    check_a11y(page, "spanish-language-saved")

    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Registrar una inquietud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar una inquietud")
    check_a11y(page, "spanish-quick-log")

    # Saved with nothing filled in: every problem at its field, in Spanish.
    page.get_by_role("button", name="Guardar inquietud").click()
    expect(page.get_by_role("alert").first).to_contain_text("Corrija")
    expect(page.get_by_text("Elija al menos una etiqueta.")).to_be_visible()
    check_a11y(page, "spanish-quick-log-errors")
    screenshot(page, "spanish-quick-log-errors")

    # The program and the tag by their Spanish names; the tag picker speaks Spanish too.
    page.get_by_label("Programa").select_option(label=program_es)
    tag_field = page.get_by_role("combobox", name="Etiquetas")
    tag_field.press_sequentially(tag_es[:8])
    suggestions = page.get_by_role("listbox", name="Etiquetas que coinciden")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator('[role="option"][aria-selected="true"]')).to_contain_text(tag_es)
    check_a11y(page, "spanish-quick-log-tag-picker")
    tag_field.press("Enter")
    chips = page.get_by_role("list", name="Etiquetas elegidas")
    expect(chips).to_contain_text(tag_es)
    expect(chips.get_by_role("button", name=f"Quitar {tag_es}")).to_be_visible()
    summary = f"El patrón no paga las horas extra {unique('s')}"
    page.get_by_label("Resumen").fill(summary)
    page.get_by_role("button", name="Guardar inquietud").click()

    saved = page.get_by_role("status")
    expect(saved).to_contain_text("Guardada.")
    link = saved.get_by_role("link", name=re.compile(r"^Inquietud n\.º \d+"))
    concern_id = re.search(r"/concerns/(\d+)", link.get_attribute("href")).group(1)
    check_a11y(page, "spanish-quick-log-saved")
    screenshot(page, "spanish-quick-log-saved")

    link.click()
    expect(page.get_by_text(program_es)).to_be_visible()
    expect(page.get_by_role("link", name=tag_es)).to_be_visible()
    check_a11y(page, "spanish-concern-detail")

    # Stored with the codes, not the Spanish words: the API reads the same concern in English terms.
    status, concern = api("GET", f"/api/v1/concerns/{concern_id}", role="organizer")
    assert status == 200, concern
    assert concern["program"] == program and concern["tags"] == [tag] and concern["summary"] == summary
