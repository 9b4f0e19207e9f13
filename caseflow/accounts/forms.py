from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length
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


class UserCreateForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[Length(max=120)])
    roles = MultiCheckboxField(
        "Roles", choices=[(r, r.title()) for r in ROLES], validators=[DataRequired("Choose at least one role.")]
    )
    password = PasswordField(
        "Initial password",
        validators=_password_rules,
        description=f"At least {PASSWORD_MIN} characters; share it safely.",
    )


class UserEditForm(FlaskForm):
    roles = MultiCheckboxField(
        "Roles", choices=[(r, r.title()) for r in ROLES], validators=[DataRequired("Choose at least one role.")]
    )
    active = BooleanField("Active (can log in)")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=_password_rules)


class TokenForm(FlaskForm):
    email = EmailField("For user (e-mail)", validators=[DataRequired(), Length(max=254)])
    name = StringField(
        "Name", validators=[DataRequired(), Length(max=100)], description="What uses it, e.g. 'case management sync'."
    )


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        validators=[DataRequired("Type the code."), Length(max=20)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
