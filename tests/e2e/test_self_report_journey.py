"""A client tells us what is happening, in Spanish, on a phone and without an account; a caseworker
finds it in the triage queue and confirms it as a concern (issue 18)."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_client_self_reports_in_spanish_on_a_phone_and_a_caseworker_triages_it(
    phone_page, page, login, api, check_a11y, screenshot, assert_no_horizontal_scroll, unique
):
    tag_slug, program = unique("sin-calefaccion"), unique("vivienda")
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": f"Vivienda {program[-6:]}"})
    assert status == 201, body
    status, body = api(
        "POST", "/api/v1/tags", {"slug": tag_slug, "name": f"No heat {tag_slug[-6:]}", "category": "Housing"}
    )
    assert status == 201, body
    words = f"El dueño no arregla la calefacción y hace mucho frío {unique('w')}"

    # The client's phone asks for Spanish; nobody logs in.
    phone = phone_page
    phone.set_extra_http_headers({"Accept-Language": "es-US,es;q=0.9"})
    phone.goto("/tell-us")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cuéntenos qué está pasando")
    assert_no_horizontal_scroll(phone)
    check_a11y(phone, "self-report-es-phone")

    # A mistake first: a ZIP code in words. The page keeps what was typed and says what is wrong.
    phone.get_by_label("¿Qué está pasando?").fill(words)
    phone.get_by_label("Código postal (opcional)").fill("diez")
    phone.get_by_role("button", name="Enviar").click()
    expect(phone.get_by_text("El código postal tiene cinco números, por ejemplo 10027.")).to_be_visible()
    expect(phone.get_by_label("¿Qué está pasando?")).to_have_value(words)
    check_a11y(phone, "self-report-es-errors")
    screenshot(phone, "self-report-es-errors")

    phone.get_by_label("Código postal (opcional)").fill("10027")
    phone.get_by_label("5 – muchísimo").check()
    phone.get_by_label("Hispano, latino o de origen español").check()
    phone.get_by_label("Quiero participar para hacer algo al respecto").check()
    phone.get_by_label(re.compile("Pueden citar mis palabras")).check()
    # Touch targets are big enough for a thumb.
    box = phone.get_by_role("button", name="Enviar").bounding_box()
    assert box["height"] >= 44, box
    phone.get_by_role("button", name="Enviar").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Gracias")
    expect(phone.get_by_role("status")).to_contain_text("Un trabajador social lo va a leer")
    check_a11y(phone, "self-report-es-thanks")
    assert_no_horizontal_scroll(phone)

    # The English form and the poster pass too.
    phone.set_extra_http_headers({"Accept-Language": "en"})
    phone.goto("/tell-us")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    check_a11y(phone, "self-report-en-phone")
    phone.goto("/tell-us/poster?lang=es")
    expect(phone.locator("svg")).to_be_visible()
    check_a11y(phone, "self-report-poster-es")

    # A caseworker triages it.
    login(page, "caseworker")
    page.get_by_role("link", name="Self-reports").click()
    page.get_by_role("link", name=re.compile(r"^Report #\d+")).last.click()
    expect(page.locator("blockquote")).to_have_text(words)
    check_a11y(page, "self-report-triage")
    page.get_by_label("Program").select_option(program)
    page.get_by_label(f"No heat {tag_slug[-6:]}").check()
    page.get_by_role("button", name="Confirm", exact=True).click()
    flash = page.get_by_role("status")
    expect(flash).to_contain_text("counts in patterns")
    concern_id = re.search(r"#(\d+)", flash.inner_text()).group(1)

    status, concern = api("GET", f"/api/v1/concerns/{concern_id}", role="organizer")
    assert status == 200, concern
    assert concern["source"] == "self" and concern["client_root_cause"] == words
    assert concern["zip"] == "10027" and concern["client_importance"] == 5 and concern["story_consent"] is True
