from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import select

from caseflow.accounts import mfa, services
from caseflow.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    LoginForm,
    ResetPasswordForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from caseflow.accounts.permissions import api_scopes, public, require
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import ApiToken, User
from caseflow.models.base import utcnow
from caseflow.validation import ascii_int
from caseflow.web import EmptyForm, add_missing_errors, form_errors_from, home_for, safe_next

bp = Blueprint("accounts", __name__)


DEVICE_COOKIE = "caseflow_device"
PENDING_SECONDS = 300  # between the password and the second step


def _address() -> str:
    """The client's address as Werkzeug's ProxyFix left it (only CASEFLOW_TRUSTED_PROXIES hops)."""
    return request.remote_addr or ""


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="caseflow-device")


def _device_user_id() -> int | None:
    """The account this browser has logged in to before (a signed cookie), which login throttling
    does not slow down: guessing from elsewhere never keeps the owner out."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = _devices().loads(raw, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def _too_many(form_field, wait: int, template: str, form):
    minutes = -(-wait // 60)
    when = (
        ngettext("%(num)d second", "%(num)d seconds", wait)
        if wait < 120
        else ngettext("%(num)d minute", "%(num)d minutes", minutes)
    )
    form_field.errors.append(
        gettext(
            "Too many failed attempts. Wait %(when)s and try again; each failure makes the wait longer. "
            "From a browser you have logged in with before, you are not slowed down.",
            when=when,
        )
    )
    return render_template(template, form=form), 429


def _finish_login(user: User, next_path: str | None):
    session.clear()  # no data from before the login survives into the new session
    login_user(user, remember=False)
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen_at"] = now
    session.permanent = True
    if mfa.needs_enrolment(user):
        flash(gettext("Your role requires two-step login. Set it up now to continue."), "info")
        response = redirect(url_for("accounts.two_step"))
    else:
        response = redirect(next_path or home_for(user))
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(user.id),
        max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.attempt_login(
            form.email.data, form.password.data, _address(), device_user_id=_device_user_id()
        )
        if result.throttled:
            db.session.commit()
            return _too_many(form.email, result.wait_seconds, "accounts/login.html", form)
        if result.user is None:
            db.session.commit()
            form.password.errors.append(gettext("That e-mail and password do not match an active account."))
            return render_template("accounts/login.html", form=form), 401
        user = result.user
        next_path = safe_next(request.args.get("next"))
        if user.mfa_enabled:
            db.session.commit()
            session.clear()
            session["mfa_user"] = user.get_id()
            session["mfa_at"] = utcnow().timestamp()
            session["mfa_next"] = next_path or ""
            return redirect(url_for("accounts.login_code"))
        services.login_succeeded(user, _address())
        db.session.commit()
        return _finish_login(user, next_path)
    return render_template("accounts/login.html", form=form)


def _pending_user() -> User | None:
    """The user who gave the right password in this browser in the last five minutes."""
    from caseflow.security import load_user

    key = session.get("mfa_user")
    at = session.get("mfa_at", 0)
    if not isinstance(key, str) or utcnow().timestamp() - at > PENDING_SECONDS:
        return None
    user = load_user(key)
    return user if user is not None and user.mfa_enabled else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        session.pop("mfa_user", None)
        flash(gettext("Log in again: the second step waits five minutes at most."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        wait = services.login_wait(user.email, _address(), known_device=_device_user_id() == user.id)
        if wait:
            services.record("login.throttled", actor_label=user.email, wait_seconds=wait, step="code")
            db.session.commit()
            return _too_many(form.code, wait, "accounts/login_code.html", form)
        if mfa.second_factor_ok(user, form.code.data):
            next_path = session.get("mfa_next") or None
            services.login_succeeded(user, _address())
            db.session.commit()
            return _finish_login(user, safe_next(next_path))
        services.note_failure(user.email, _address(), user, utcnow())
        db.session.commit()
        form.code.errors.append(
            gettext("That code does not match. Type the 6 digits your app shows now, or a recovery code.")
        )
        return render_template("accounts/login_code.html", form=form), 401
    return render_template("accounts/login_code.html", form=form)


@bp.before_app_request
def _two_step_first():
    """A user whose role requires two-step login reaches nothing but its set-up until it is done."""
    if request.blueprint == "api" or request.endpoint in (None, "static", "health.healthz"):
        return None
    if request.endpoint in ("accounts.two_step", "accounts.logout", "accounts.login", "accounts.login_code"):
        return None
    if current_user.is_authenticated and mfa.needs_enrolment(current_user):
        return redirect(url_for("accounts.two_step"))
    return None


@bp.route("/account/two-step", methods=["GET", "POST"])
@require("account.self")
def two_step():
    user = current_user._get_current_object()
    form = CodeForm()
    codes = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action", "confirm")
        try:
            if action == "confirm":
                codes = mfa.confirm_enrolment(user, user, form.code.data)
            elif action == "codes":
                codes = mfa.new_recovery_codes(user, user, form.code.data)
            elif action == "off":
                mfa.turn_off(user, user, form.code.data)
            else:
                abort(400)
        except DomainError as e:
            db.session.rollback()
            user = current_user._get_current_object()
            form.code.errors.append(e.message)
            status = 422
        else:
            db.session.commit()
            login_user(user)  # this session goes on with the new session version; others end
            if action == "off":
                flash(gettext("Two-step login is off."), "success")
                return redirect(url_for("accounts.two_step"))
            form = CodeForm(formdata=None)
    if request.method == "GET" and not user.mfa_enabled and not user.totp_secret:
        mfa.start_enrolment(user)  # a new key to scan (a refused POST writes nothing)
        db.session.commit()
    return render_template(
        "accounts/two_step.html",
        form=form,
        user=user,
        codes=codes,
        required=mfa.required_for(user),
        qr=Markup(mfa.qr_svg(user)) if user.totp_secret and not user.mfa_enabled else None,  # noqa: S704 (segno's own SVG: no user text)
        secret=user.totp_secret if not user.mfa_enabled else None,
        remaining=mfa.remaining_recovery_codes(user) if user.mfa_enabled else 0,
    ), status


@bp.route("/logout", methods=["POST"])
@require("account.self")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        services.end_sessions(current_user)
        services.record("logout", current_user, current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash(gettext("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require("account.self")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.verify_password(current_user, form.current_password.data):
            form.current_password.errors.append(gettext("That is not your current password."))
        else:
            try:
                services.change_password(current_user, current_user, form.new_password.data)
            except DomainError as e:
                form.new_password.errors.append(e.message)
            else:
                db.session.commit()
                # Stay logged in here with the new session version; other sessions end.
                user = current_user._get_current_object()
                login_user(user)
                flash(gettext("Your password is changed. Other sessions have been logged out."), "success")
                return redirect(home_for(user))
    return render_template("accounts/change_password.html", form=form)


# --- Administration ---------------------------------------------------------------------------


def _all_errors(form, service_problems) -> bool:
    """Validate a submitted form and the service's own rules together, so the page shows every
    problem at once rather than one after another. True when there is none."""
    form.validate()
    if "csrf_token" not in form.errors:
        add_missing_errors(form, service_problems())
    return not form.errors


@bp.route("/admin/users", methods=["GET", "POST"])
@require("admin.users")
def users():
    form = UserCreateForm()
    if request.method == "POST" and _all_errors(
        form,
        lambda: services.new_user_problems(
            form.email.data or "", form.roles.data, form.password.data or "", service=form.service.data
        ),
    ):
        try:
            user = services.create_user(
                current_user,
                form.email.data,
                form.roles.data,
                form.password.data or "",
                form.name.data or "",
                service=form.service.data,
            )
        except ValidationFailed as e:
            form_errors_from(form, e.errors)
        else:
            db.session.commit()
            flash(gettext("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    all_users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", form=form, users=all_users)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require("admin.users")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user, data=None)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.active.data = user.active
    reset = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        try:
            if set(form.roles.data) != user.roles:
                services.set_roles(current_user, user, form.roles.data)
            if form.active.data != user.active:
                services.set_active(current_user, user, form.active.data)
        except DomainError as e:
            db.session.rollback()
            form_errors_from(form, {e.field or "active": [e.message]})
        else:
            db.session.commit()
            flash(gettext("%(email)s updated.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "admin/user_edit.html", form=form, reset=reset, user=user, two_step=EmptyForm(prefix="twostep")
    )


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@require("admin.users")
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset = ResetPasswordForm(prefix="reset")
    if reset.validate_on_submit():
        try:
            services.change_password(current_user, user, reset.password.data)
        except DomainError as e:
            reset.password.errors.append(e.message)
        else:
            db.session.commit()
            flash(gettext("Password for %(email)s reset; their sessions have ended.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    form = UserEditForm(data={"roles": sorted(user.roles), "active": user.active})
    return render_template(
        "admin/user_edit.html", form=form, reset=reset, user=user, two_step=EmptyForm(prefix="twostep")
    ), 422


@bp.route("/admin/users/<int:user_id>/two-step", methods=["POST"])
@require("admin.users")
def user_reset_two_step(user_id: int):
    user = db.get_or_404(User, user_id)
    if EmptyForm(prefix="twostep").validate_on_submit():
        mfa.reset(current_user, user)
        db.session.commit()
        flash(
            gettext("Two-step login for %(email)s reset; they set it up again at their next login.", email=user.email),
            "success",
        )
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/admin/tokens", methods=["GET", "POST"])
@require("admin.tokens")
def tokens():
    form = TokenForm()
    form.scopes.choices = [(scope, Markup("<code>%s</code>") % scope) for scope in sorted(api_scopes())]
    secret = None
    user = None

    def problems() -> dict[str, list[str]]:
        nonlocal user
        user = services.find_user(form.email.data) if form.email.data else None
        if not form.email.data:
            return {}
        days = ascii_int(form.days.data)
        found = services.token_problems(current_user, user, form.scopes.data or None, days)
        if days is None:
            found["days"] = [gettext("Use a whole number of days from 1 to 365.")]
        return found

    if request.method == "POST" and _all_errors(form, problems):
        _, secret = services.create_token(
            current_user, user, form.name.data, scopes=form.scopes.data, days=ascii_int(form.days.data)
        )
        db.session.commit()
        form = TokenForm(formdata=None)
        form.scopes.choices = [(scope, Markup("<code>%s</code>") % scope) for scope in sorted(api_scopes())]
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", form=form, tokens=rows, secret=secret, revoke=EmptyForm(), now=utcnow())


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@require("admin.tokens")
def token_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token)
        db.session.commit()
        flash(gettext("Token %(prefix)s… revoked.", prefix=token.prefix), "success")
    return redirect(url_for("accounts.tokens"))


@bp.app_context_processor
def _password_policy():
    return {"org_name": current_app.config["ORG_NAME"]}


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("accounts.login"))
