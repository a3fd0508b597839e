"""Forms of the evaluation area."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..fields import FiniteDecimalField, two_places


class NewEvaluationForm(FlaskForm):
    template = SelectField(_l("Indicator template"), coerce=int, validators=[InputRequired()])
    organisation = SelectField(_l("Street office or district evaluated"), coerce=int, validators=[InputRequired()])
    project = SelectField(_l("Project (for a project template)"), coerce=int, validators=[Optional()])
    year = IntegerField(_l("Fiscal year"), validators=[InputRequired(), NumberRange(2000, 2100)])


class ItemForm(FlaskForm):
    actual = StringField(_l("Actual value"), validators=[Optional(), Length(max=100)])
    evaluator_score = FiniteDecimalField(_l("Evaluator's score"), places=2,
                                         validators=[Optional(), NumberRange(0, 100), two_places])
    shortfall_reason = TextAreaField(_l("Reason for the shortfall"), validators=[Optional(), Length(max=2000)])
    evidence_note = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=2000)])


class IndicatorRow(FlaskForm):
    class Meta:
        csrf = False  # the enclosing form carries the token

    level1 = StringField(_l("Level 1"), validators=[Optional(), Length(max=50)])
    level2 = StringField(_l("Level 2"), validators=[Optional(), Length(max=50)])
    level3 = StringField(_l("Level 3"), validators=[Optional(), Length(max=100)])
    target = StringField(_l("Target"), validators=[Optional(), Length(max=100)])
    weight = FiniteDecimalField(_l("Weight"), places=2,
                                validators=[Optional(), NumberRange(0, 100), two_places])
    source = SelectField(_l("Filled from"), validators=[DataRequired()])


class TemplateForm(FlaskForm):
    rows = FieldList(FormField(IndicatorRow), min_entries=1, max_entries=60)
    rounding = SelectField(_l("Rounding of scores"), choices=[SelectChoice("truncate", _l("truncate")), SelectChoice("half_up", _l("half up"))])
    middle_band = SelectField(_l("Name of the 60–80 band"), choices=[SelectChoice("中"), SelectChoice("可")])


class ConfirmForm(FlaskForm):
    """Empty but for its CSRF token."""
