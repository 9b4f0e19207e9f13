"""The administrator's journey in a real browser: log in by keyboard, users, tokens, taxonomy, audit."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_admin_journey(page, users, check_a11y, screenshot, unique, second_step):
    admin = users["admin"]

    # Log in with the keyboard only: the e-mail field has focus, Tab to the password, Enter.
    page.goto("/login")
    expect(page).to_have_title(re.compile("Log in"))
    check_a11y(page, "login")
    screenshot(page, "login")
    email_field = page.get_by_label("E-mail")
    expect(email_field).to_be_focused()
    page.keyboard.type(admin.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(admin.password)
    page.keyboard.press("Enter")

    # Admins log in with a second step: the code from their authenticator app.
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.get_by_label("Code")).to_be_focused()
    check_a11y(page, "login-code")
    second_step(page, admin)

    # The admin's start page is Users.
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("table")).to_contain_text(admin.email)
    check_a11y(page, "users")
    screenshot(page, "users")

    # Add a user: first with a too-short password.
    new_email = f"{unique('worker')}@e2e.caseflow.test"
    form = page.locator("form", has=page.get_by_role("button", name="Add user"))
    form.get_by_label("E-mail").fill(new_email)
    form.get_by_label("Name").fill("Nia Newcomer")
    form.get_by_role("checkbox", name="Caseworker").check()
    form.get_by_label("Initial password").fill("short")
    form.get_by_role("button", name="Add user").click()

    password = page.get_by_label("Initial password")
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator("#password-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("12")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    expect(page.get_by_label("E-mail")).to_have_value(new_email)  # what was typed is kept
    expect(page.get_by_role("checkbox", name="Caseworker")).to_be_checked()
    check_a11y(page, "users-invalid")
    screenshot(page, "users-invalid")

    password.fill("a long enough passphrase for e2e")
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_contain_text(f"User {new_email} created.")
    row = page.get_by_role("row", name=re.compile(re.escape(new_email)))
    expect(row).to_contain_text("caseworker")

    # Open the new user's edit page.
    row.get_by_role("link", name=re.compile("Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(new_email)
    expect(page.get_by_role("checkbox", name="Caseworker")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Active (can log in)")).to_be_checked()
    check_a11y(page, "user-edit")
    screenshot(page, "user-edit")

    # An API token: never for another person (it would act as them), for oneself or a service account.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    check_a11y(page, "tokens")
    page.get_by_label("For (e-mail)").fill(new_email)
    page.get_by_label("Name").fill("case management sync")
    page.get_by_role("checkbox", name="taxonomy:read").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#email-error")).to_contain_text("only for yourself or for a service account")
    check_a11y(page, "tokens-refused")
    page.get_by_label("For (e-mail)").fill(admin.email)
    page.get_by_role("checkbox", name="taxonomy:read").check()
    page.get_by_role("button", name="Create token").click()
    callout = page.get_by_role("status")
    expect(callout).to_contain_text("Copy this token now")
    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"cf_[A-Za-z0-9_-]{20,}", secret), secret
    expect(page.get_by_role("row", name=re.compile("case management sync"))).to_contain_text(secret[:10])
    check_a11y(page, "tokens-created")
    screenshot(page, "tokens-created")
    page.goto("/admin/tokens")  # come back later (a GET: reloading would re-send the form)
    expect(page.get_by_role("row", name=re.compile("case management sync"))).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(secret)  # never again
    expect(page.get_by_text("Copy this token now")).to_have_count(0)

    # A program and a tag.
    page.get_by_role("link", name="Programs & tags").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programs and tags")
    check_a11y(page, "taxonomy")
    program_slug = unique("housing")
    programs = page.get_by_role("region", name="Programs")
    programs.get_by_label("Name").fill(f"Housing help {program_slug}")
    programs.get_by_label("Slug").fill(program_slug)
    programs.get_by_role("button", name="Add program").click()
    expect(page.get_by_role("status")).to_contain_text(f"Program Housing help {program_slug} created.")
    expect(page.get_by_role("region", name="Programs")).to_contain_text(program_slug)

    tag_slug = unique("no-heat")
    tags = page.get_by_role("region", name="Tags")
    tags.get_by_label("Name").fill(f"No heat {tag_slug}")
    tags.get_by_label("Slug").fill(tag_slug)
    tags.get_by_label("Category").select_option("Housing")
    tags.get_by_label("Description").fill("The landlord has not restored heat.")
    tags.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status")).to_contain_text(f"Tag No heat {tag_slug} created.")
    expect(page.get_by_role("region", name="Tags")).to_contain_text(tag_slug)
    check_a11y(page, "taxonomy-after-adding")
    screenshot(page, "taxonomy")

    # The audit log shows the admin's login, and what they just did.
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    events = page.get_by_role("table")
    expect(
        events.get_by_role("row").filter(has_text="login.success").filter(has_text=admin.email).first
    ).to_be_visible()
    expect(events).to_contain_text("user.create")
    expect(events).to_contain_text("token.create")
    assert secret not in events.inner_text()
    check_a11y(page, "audit-log")
    screenshot(page, "audit-log")

    # Change password: a wrong current password is reported at its field (nothing changes).
    page.get_by_role("link", name="Password", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_a11y(page, "change-password")
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill("another long passphrase")
    page.get_by_label("New password again").fill("another long passphrase")
    page.get_by_role("button", name="Change password").click()
    current = page.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#current_password-error")).to_have_text("That is not your current password.")
    check_a11y(page, "change-password-invalid")
    screenshot(page, "change-password-invalid")


def test_wrong_password_shows_the_generic_error(page, users, check_a11y, screenshot):
    page.goto("/login")
    page.get_by_label("E-mail").fill(users["director"].email)
    page.get_by_label("Password").fill("wrong password, certainly")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login"))
    message = "That e-mail and password do not match an active account."
    expect(page.locator("#password-error")).to_have_text(message)
    expect(page.get_by_label("E-mail")).to_have_value(users["director"].email)
    expect(page.get_by_label("Password")).to_have_value("")

    # An unknown account gets exactly the same answer: nothing tells the two apart.
    page.get_by_label("E-mail").fill("nobody@e2e.caseflow.test")
    page.get_by_label("Password").fill("wrong password, certainly")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text(message)
    check_a11y(page, "login-error")
    screenshot(page, "login-error")


def test_login_and_users_fit_a_phone(phone_page, login, assert_no_horizontal_scroll, check_a11y, screenshot):
    page = phone_page
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "phone-login")

    login(page, "admin")
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    assert_no_horizontal_scroll(page)
    check_a11y(page, "phone-users")
    screenshot(page, "phone-users")

    # The other admin pages, with their wide tables, fit too.
    for path, name in (
        ("/admin/tokens", "phone-tokens"),
        ("/taxonomy/", "phone-taxonomy"),
        ("/admin/audit/", "phone-audit-log"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_horizontal_scroll(page)
        screenshot(page, name)


def test_programs_and_tags_made_through_the_api_show_in_the_browser(page, login, api, unique):
    program, tag = unique("legal-aid"), unique("eviction")
    status, body = api("POST", "/api/v1/programs", {"slug": program, "name": "Legal aid"})
    assert status == 201, body
    status, body = api("POST", "/api/v1/tags", {"slug": tag, "name": "Eviction notice", "category": "Housing"})
    assert status == 201, body
    status, body = api("GET", "/api/v1/programs", role="caseworker")
    assert status == 200 and program in {p["slug"] for p in body["items"]}, body

    login(page, "admin")
    page.goto("/taxonomy/")
    expect(page.get_by_role("region", name="Programs")).to_contain_text(program)
    expect(page.get_by_role("region", name="Tags")).to_contain_text(tag)


def test_admin_slugs_all_errors_audit_in_words_and_run_now(
    page, login, users, check_a11y, screenshot, assert_no_horizontal_scroll, unique
):
    """Issue 13, admin: slugs made from names as they are typed, every form error at once, the audit
    log in words and the organisation's time, and "Run now" on the jobs page."""
    login(page, "admin")
    page.goto("/taxonomy/")
    programs = page.get_by_role("region", name="Programs")
    run = unique("p")[-6:]
    programs.get_by_label("Name").fill(f"Tenant Rights Clinic {run}")
    expect(programs.get_by_label("Slug")).to_have_value(f"tenant-rights-clinic-{run}")  # filled live (app.js)
    programs.get_by_role("button", name="Add program").click()
    expect(page.get_by_role("status")).to_contain_text(f"Program Tenant Rights Clinic {run} created.")
    expect(page.get_by_role("region", name="Programs")).to_contain_text(f"tenant-rights-clinic-{run}")

    # A taken slug and no name: both errors in one answer, at their fields.
    programs = page.get_by_role("region", name="Programs")
    programs.get_by_label("Slug").fill(f"tenant-rights-clinic-{run}")
    programs.get_by_role("button", name="Add program").click()
    expect(page.locator("#program-name-error")).to_be_visible()
    expect(page.locator("#program-slug-error")).to_contain_text("already in use")
    expect(page.get_by_label("Name").first).to_have_attribute("aria-invalid", "true")
    check_a11y(page, "issue13-taxonomy-errors")
    screenshot(page, "issue13-taxonomy-errors")

    # A new user with a taken e-mail, no role and a short password: three errors at once.
    page.goto("/admin/users")
    form = page.locator("form", has=page.get_by_role("button", name="Add user"))
    form.get_by_label("E-mail").fill(users["caseworker"].email)
    form.get_by_label("Initial password").fill("short")
    form.get_by_role("button", name="Add user").click()
    for field in ("email", "roles", "password"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator("#email-error")).to_contain_text("already exists")
    expect(page.get_by_role("alert")).to_contain_text("Please correct the 3 fields")
    check_a11y(page, "issue13-users-errors")

    # The audit log in words, times in the organisation's zone.
    page.goto("/admin/audit/")
    events = page.get_by_role("table", name=re.compile("Audit events"))
    expect(events).to_contain_text(f"E2E Admin created program Tenant Rights Clinic {run}")
    expect(events.get_by_role("row").filter(has_text="E2E Admin logged in").first).to_be_visible()
    expect(page.get_by_text("times in America/New_York")).to_be_visible()
    expect(events.locator("time").first).to_contain_text(re.compile(r"E[SD]T$"))
    check_a11y(page, "issue13-audit-words")
    screenshot(page, "issue13-audit-words")

    # Run now: the job runs, the run is listed, the audit log says who ran it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scheduled jobs")
    check_a11y(page, "issue13-jobs")
    page.get_by_role("button", name="Run now retention-purge").click()
    expect(page.locator(".flashes")).to_contain_text("retention-purge ran")
    runs = page.get_by_role("table", name="The last 50 job runs")
    expect(runs.get_by_role("row").nth(1)).to_contain_text("retention-purge")
    expect(runs.get_by_role("row").nth(1)).to_contain_text("manual")
    expect(runs.get_by_role("row").nth(1)).to_contain_text("success")
    check_a11y(page, "issue13-jobs-ran")
    screenshot(page, "issue13-jobs-ran")
    page.goto("/admin/audit/?action=job.")
    expect(page.get_by_role("table", name=re.compile("Audit events"))).to_contain_text(
        "E2E Admin ran the job retention-purge now (success)"
    )
    assert_no_horizontal_scroll(page)
