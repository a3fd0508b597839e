"""Forms of the auth area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .password_rules import MAX_LENGTH


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class LogoutForm(FlaskForm):
    """Empty but for its CSRF token: logging out is a POST."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    # Length(max) is a little above the rule so that the rule's own message is the one shown.
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=4 * MAX_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", _l("The two new passwords differ.")),
    ])
