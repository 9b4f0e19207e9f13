"""Request-wide security: user loading, session timeouts, API tokens, headers, error pages."""

from __future__ import annotations

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from caseflow.accounts.permissions import can
from caseflow.extensions import csrf, db, login_manager
from caseflow.models import User
from caseflow.models.base import utcnow

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


@login_manager.user_loader
def load_user(user_key: str) -> User | None:
    try:
        user_id, version = (int(part) for part in user_key.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def _api_error(status: int, field: str, message: str):
    return jsonify(errors={field: [message]}), status


def init_app(app: Flask) -> None:
    """Each concern of request-wide security in its own part, in the order the hooks must run."""
    api_tokens(app)
    request_limits(app)
    session_timeouts(app)
    headers(app)
    template_helpers(app)
    error_pages(app)


def api_tokens(app: Flask) -> None:
    """/api is token-authenticated: no CSRF (cookies are never read there), the bearer token's user in g."""
    from caseflow.api import bp as api_bp

    csrf.exempt(api_bp)

    @app.before_request
    def _authenticate_api():
        if request.blueprint != "api":
            return None
        g.api_user = g.api_token = None
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            from caseflow.accounts.services import token_for_secret

            g.api_token = token_for_secret(header[7:].strip())
            g.api_user = g.api_token.user if g.api_token else None
            if g.api_token is not None and g.api_token in db.session.dirty:
                db.session.commit()  # the last-use stamp is kept even when the call only reads
        return None


def request_limits(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes():
        """No field takes a NUL character: no person types one, and PostgreSQL cannot store or even
        compare it (a NUL in a login e-mail, a filter or a form answered 500 there). 400 before any view."""
        values = list(request.args.items(multi=True))
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += request.form.items(multi=True)
        if any("\x00" in key or "\x00" in value for key, value in values):
            abort(400)
        return None


def session_timeouts(app: Flask) -> None:
    """A web session ends after IDLE_TIMEOUT without a request or ABSOLUTE_TIMEOUT after login."""

    @app.before_request
    def _session_timeouts():
        if request.blueprint == "api" or request.endpoint in (None, "static"):
            return None
        if not current_user.is_authenticated:
            return None
        now = utcnow().timestamp()
        cfg = current_app.config
        login_at = session.get("login_at", 0)
        seen_at = session.get("seen_at", 0)
        if (
            now - login_at > cfg["ABSOLUTE_TIMEOUT"].total_seconds()
            or now - seen_at > cfg["IDLE_TIMEOUT"].total_seconds()
        ):
            logout_user()
            session.clear()
            flash(gettext("Your session timed out. Please log in again."), "info")
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        # Refresh at most once a minute to avoid re-signing the cookie on every request.
        if now - seen_at > 60:
            session["seen_at"] = now
        return None


def headers(app: Flask) -> None:
    """The strict CSP and the other response headers; nothing but static files is cached."""

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if current_app.config.get("HSTS"):
            h["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Pages and API answers may carry client data: never keep them in a cache.
            h["Cache-Control"] = "no-store"
        return response


def template_helpers(app: Flask) -> None:
    """Templates ask the same permission table the views enforce (`can`), and build the navigation."""

    @app.context_processor
    def _template_helpers():
        from caseflow.navigation import nav_items

        return {"can": can, "nav_items": nav_items, "view_functions": current_app.view_functions}


def _wants_json() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


def _simple(code: int, title: str, message: str, field: str = "request"):
    """An error answer: JSON field errors under /api, the error page elsewhere."""

    def handler(e):
        if _wants_json():
            return _api_error(code, field, message)
        return render_template("errors/error.html", code=code, title=title, message=message), code

    return handler


ERROR_PAGES = (
    (400, "Bad request", "The request could not be understood."),
    (403, "Not allowed", "Your role does not allow this. Ask an administrator if you need it."),
    (404, "Not found", "There is nothing here, or it is not yours to see."),
    (405, "Method not allowed", "This address does not accept that method."),
    (413, "Too large", "The upload is larger than the limit. Split the file and try again."),
    (429, "Too many requests", "Slow down and try again in a little while."),
)


def error_pages(app: Flask) -> None:
    """Every error in words (a page, or JSON under /api); a database that does not answer is a 503
    that saved nothing, and any other failure a 500 that rolled back."""

    @app.errorhandler(CSRFError)
    def _csrf_error(e):
        return render_template(
            "errors/error.html",
            code=400,
            title="The form expired",
            message=gettext(
                "The form was open too long or came from elsewhere. Go back, reload it and try again; what you typed is still in your browser's back history."
            ),
        ), 400

    for code, title, message in ERROR_PAGES:
        app.register_error_handler(code, _simple(code, title, message))

    unavailable = _simple(
        503,
        "Temporarily unavailable",
        "The database is not answering. Nothing you sent was saved; try again in a minute.",
        field="database",
    )

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_down(e):
        db.session.rollback()
        current_app.logger.error("database unavailable: %s", e.__class__.__name__)
        # The error page must not ask the unreachable database who is logged in.
        g._login_user = login_manager.anonymous_user()
        return unavailable(e)

    @app.errorhandler(500)
    def _server_error(e):
        db.session.rollback()
        return _simple(500, "Something went wrong", "The error is logged. Nothing was saved.")(e)
