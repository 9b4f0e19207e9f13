from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from caseflow.accounts import services
from caseflow.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    ResetPasswordForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from caseflow.accounts.permissions import public, require
from caseflow.errors import DomainError, ValidationFailed
from caseflow.extensions import db
from caseflow.models import ApiToken, User
from caseflow.models.base import utcnow
from caseflow.web import EmptyForm, add_missing_errors, form_errors_from, home_for, safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        result = services.attempt_login(form.email.data, form.password.data, request.remote_addr or "")
        db.session.commit()
        if result.throttled:
            form.email.errors.append(
                "Too many failed attempts for this account from here. Wait 15 minutes and try again, or ask an administrator to reset your password."
            )
            return render_template("accounts/login.html", form=form), 429
        if result.user is None:
            form.password.errors.append("That e-mail and password do not match an active account.")
            return render_template("accounts/login.html", form=form), 401
        session.clear()  # no data from before the login survives into the new session
        login_user(result.user, remember=False)
        now = utcnow().timestamp()
        session["login_at"] = now
        session["seen_at"] = now
        session.permanent = True
        return redirect(safe_next(request.args.get("next")) or home_for(result.user))
    return render_template("accounts/login.html", form=form)


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
        flash("You are logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require("account.self")
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.verify_password(current_user, form.current_password.data):
            form.current_password.errors.append("That is not your current password.")
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
                flash("Your password is changed. Other sessions have been logged out.", "success")
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
        form, lambda: services.new_user_problems(form.email.data or "", form.roles.data, form.password.data or "")
    ):
        try:
            user = services.create_user(
                current_user, form.email.data, form.roles.data, form.password.data, form.name.data or ""
            )
        except ValidationFailed as e:
            form_errors_from(form, e.errors)
        else:
            db.session.commit()
            flash(f"User {user.email} created.", "success")
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
            flash(f"{user.email} updated.", "success")
            return redirect(url_for("accounts.users"))
    return render_template("admin/user_edit.html", form=form, reset=reset, user=user)


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@require("admin.users")
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset = ResetPasswordForm(prefix="reset")
    if reset.validate_on_submit():
        services.change_password(current_user, user, reset.password.data)
        db.session.commit()
        flash(f"Password for {user.email} reset; their sessions have ended.", "success")
        return redirect(url_for("accounts.users"))
    form = UserEditForm(data={"roles": sorted(user.roles), "active": user.active})
    return render_template("admin/user_edit.html", form=form, reset=reset, user=user), 422


@bp.route("/admin/tokens", methods=["GET", "POST"])
@require("admin.tokens")
def tokens():
    form = TokenForm()
    secret = None
    user = None

    def owner_problems() -> dict[str, list[str]]:
        nonlocal user
        user = services.find_user(form.email.data) if form.email.data else None
        return {"email": ["No user with this e-mail address."]} if form.email.data and user is None else {}

    if request.method == "POST" and _all_errors(form, owner_problems):
        _, secret = services.create_token(current_user, user, form.name.data)
        db.session.commit()
        form = TokenForm(formdata=None)
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", form=form, tokens=rows, secret=secret, revoke=EmptyForm())


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@require("admin.tokens")
def token_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token)
        db.session.commit()
        flash(f"Token {token.prefix}… revoked.", "success")
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
