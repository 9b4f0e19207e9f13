from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from caseflow.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from caseflow.i18n import ROLE_LABELS
from caseflow.models import ROLES


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])


_password_rules = [
    DataRequired(),
    Length(
        min=PASSWORD_MIN,
        max=PASSWORD_MAX,
        message=_l("Use %(low)d to %(high)d characters.", low=PASSWORD_MIN, high=PASSWORD_MAX),
    ),
]


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=_password_rules,
        description=_l(
            "At least %(num)d characters. A passphrase of a few words works well; pasting from a password manager is fine.",
            num=PASSWORD_MIN,
        ),
    )
    confirm = PasswordField(
        _l("New password again"), validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))]
    )


def _unless_service(form, field):
    """A service account has no password anyone types: skip the password rules for it."""
    if form.service.data:
        raise StopValidation()


class UserCreateForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired(_l("Choose at least one role."))],
    )
    service = BooleanField(
        _l("Service account (a system that uses the API: it holds tokens and cannot log in)"),
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[_unless_service, *_password_rules],
        description=_l(
            "At least %(num)d characters; share it safely. Not needed for a service account.", num=PASSWORD_MIN
        ),
    )


class UserEditForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[(r, ROLE_LABELS[r]) for r in ROLES],
        validators=[DataRequired(_l("Choose at least one role."))],
    )
    active = BooleanField(_l("Active (can log in)"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=_password_rules)


class TokenForm(FlaskForm):
    email = EmailField(
        _l("For (e-mail)"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Your own e-mail, or a service account's."),
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("What uses it, e.g. 'case management sync'."),
    )
    scopes = MultiCheckboxField(
        _l("Scopes"),
        validators=[DataRequired(_l("Choose at least one scope."))],
        description=_l("What the token may do; never more than its owner's roles allow."),
    )
    days = StringField(
        _l("Expires after (days)"),
        default="90",
        validators=[DataRequired(), Length(max=4)],
        render_kw={"inputmode": "numeric"},
        description=_l("1 to 365."),
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Type the code.")), Length(max=20)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
