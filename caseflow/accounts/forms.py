from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from caseflow.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from caseflow.models import ROLES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])


_password_rules = [
    DataRequired(),
    Length(min=PASSWORD_MIN, max=PASSWORD_MAX, message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters."),
]


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(
        "New password",
        validators=_password_rules,
        description=f"At least {PASSWORD_MIN} characters. A passphrase of a few words works well; pasting from a password manager is fine.",
    )
    confirm = PasswordField(
        "New password again", validators=[DataRequired(), EqualTo("new_password", "The two passwords differ.")]
    )


def _unless_service(form, field):
    """A service account has no password anyone types: skip the password rules for it."""
    if form.service.data:
        raise StopValidation()


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Length(max=120)])
    roles = MultiCheckboxField(
        "Roles", choices=[(r, r.title()) for r in ROLES], validators=[DataRequired("Choose at least one role.")]
    )
    service = BooleanField(
        "Service account (a system that uses the API: it holds tokens and cannot log in)",
    )
    password = PasswordField(
        "Initial password",
        validators=[_unless_service, *_password_rules],
        description=f"At least {PASSWORD_MIN} characters; share it safely. Not needed for a service account.",
    )


class UserEditForm(FlaskForm):
    roles = MultiCheckboxField(
        "Roles", choices=[(r, r.title()) for r in ROLES], validators=[DataRequired("Choose at least one role.")]
    )
    active = BooleanField("Active (can log in)")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_password_rules)


class TokenForm(FlaskForm):
    email = EmailField(
        "For (e-mail)",
        validators=[DataRequired(), Length(max=254)],
        description="Your own e-mail, or a service account's.",
    )
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=100)], description="What uses it, e.g. 'case management sync'."
    )
    scopes = MultiCheckboxField(
        "Scopes",
        validators=[DataRequired("Choose at least one scope.")],
        description="What the token may do; never more than its owner's roles allow.",
    )
    days = StringField(
        "Expires after (days)",
        default="90",
        validators=[DataRequired(), Length(max=4)],
        render_kw={"inputmode": "numeric"},
        description="1 to 365.",
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Type the code."), Length(max=20)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
