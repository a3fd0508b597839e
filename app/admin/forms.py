"""Forms of the admin area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange


class OrganisationForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class RenameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class ImportTreeForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(), FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
    ])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired()], coerce=int)


class UserForm(RoleForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)])


class ConfirmForm(FlaskForm):
    """Empty but for its CSRF token: for buttons that change something."""


class PurposeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    listed = SelectField(_l("List"), choices=[
        SelectChoice("positive", _l("Positive list (allowed uses)")),
        SelectChoice("negative", _l("Negative list (forbidden uses)")),
    ], validators=[DataRequired()])
    keywords = StringField(_l("Keywords"), validators=[Length(max=2000)])


class PurposeEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    keywords = StringField(_l("Keywords"), validators=[Length(max=2000)])


class AccountForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])


class DefinitionForm(FlaskForm):
    body = TextAreaField(_l("Definition (JSON)"), validators=[DataRequired(), Length(max=200_000)])


class CommunitySettingsForm(FlaskForm):
    one_shoulder = BooleanField(_l("The party secretary is also the committee director (一肩挑)"))
    process_name = SelectField(_l("Process"), validators=[DataRequired()])
    plan_due_month = IntegerField(_l("Plan due: month"), validators=[InputRequired(), NumberRange(1, 12)])
    plan_due_day = IntegerField(_l("Plan due: day"), validators=[InputRequired(), NumberRange(1, 31)])
