"""Forms of the community area; choices are filled by the controllers from the cores' lists."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ledger.base import MAX_AMOUNT

from ..fields import FiniteDecimalField

MAX_TEXT = 4000
PEOPLE = NumberRange(min=0, max=100000, message=_l("Enter a whole number from 0 to 100000."))


class MoneyField(FiniteDecimalField):
    """An amount typed as the user writes it: ``3,000.00`` or ``3000`` (a text box, not a spinner)."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].replace(",", "").replace("，", "").replace(" ", "").replace("¥", "")]
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"


def _positive_money(form, field):
    if field.data is not None and (field.data <= 0 or field.data > MAX_AMOUNT):
        raise ValidationError(_l("Enter an amount above 0.00."))
    if field.data is not None and field.data != field.data.quantize(Decimal("0.01")):
        raise ValidationError(_l("Use at most two decimal places."))


def _plausible_date(form, field):
    if field.data is not None and not 2000 <= field.data.year <= 2999:
        raise ValidationError(_l("Enter a date between 2000 and 2999."))


class NeedForm(FlaskForm):
    channel = SelectField(_l("Channel"), validators=[DataRequired()])
    received_on = DateField(_l("Received on"), validators=[InputRequired(), _plausible_date], default=dt.date.today)
    category = StringField(_l("Category"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(_l("What the residents need"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class NeedFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    channel = SelectField(_l("Channel"), validators=[Optional()])


class MergeForm(FlaskForm):
    keep = SelectField(_l("Keep this need"), coerce=int, validators=[InputRequired()])
    duplicates = SelectMultipleField(_l("Merge these duplicates into it"), coerce=int,
                                     validators=[DataRequired(message=_l("Choose at least one duplicate."))])


class LinkNeedForm(FlaskForm):
    project = SelectField(_l("Project"), coerce=int, validators=[InputRequired()])


CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", message=_l("Use letters, digits, - and _ only."))


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Project code"), validators=[Optional(), Length(max=32), CODE])
    project_type = SelectField(_l("Project type"), validators=[DataRequired()])
    purpose_code = SelectField(_l("Purpose (positive list)"), validators=[DataRequired()])
    plan_year = IntegerField(_l("Plan year"), validators=[InputRequired(), NumberRange(min=2000, max=2999)])
    in_plan = BooleanField(_l("Part of the annual plan of that year"))
    responsible_person = StringField(_l("Responsible person"), validators=[DataRequired(), Length(max=100)])
    expected_beneficiaries = IntegerField(_l("Expected beneficiaries (people)"), validators=[InputRequired(), PEOPLE],
                                          default=0)
    budget_city = MoneyField(_l("Estimate from city funds (CNY)"), places=2, validators=[Optional(), _positive_money])
    budget_district = MoneyField(_l("Estimate from district funds (CNY)"), places=2,
                                   validators=[Optional(), _positive_money])
    budget_other = MoneyField(_l("Estimate from other sources (CNY)"), places=2,
                                validators=[Optional(), _positive_money])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=MAX_TEXT)])
    needs = SelectMultipleField(_l("Residents' needs it answers"), coerce=int, validators=[Optional()])

    def budget(self) -> dict:
        return {code: getattr(self, f"budget_{code}").data for code in ("city", "district", "other")
                if getattr(self, f"budget_{code}").data is not None}


class TransitionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=MAX_TEXT)])
    amount = MoneyField(_l("Approved amount (CNY)"), places=2, validators=[Optional(), _positive_money])


class MeetingForm(FlaskForm):
    kind = SelectField(_l("Meeting"), validators=[DataRequired()])
    held_on = DateField(_l("Held on"), validators=[InputRequired(), _plausible_date], default=dt.date.today)
    motion_origin = StringField(_l("Origin of the motion"), validators=[DataRequired(), Length(max=500)])
    attendance_due = IntegerField(_l("Due to attend"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    present = IntegerField(_l("Present"), validators=[InputRequired(), PEOPLE])
    votes_for = IntegerField(_l("For"), validators=[InputRequired(), PEOPLE])
    votes_against = IntegerField(_l("Against"), validators=[InputRequired(), PEOPLE], default=0)
    abstentions = IntegerField(_l("Abstained"), validators=[InputRequired(), PEOPLE], default=0)
    minutes = TextAreaField(_l("Minutes"), validators=[DataRequired(), Length(max=20000)])
    merges_previous = BooleanField(_l("Also stands for the party organisation's proposal (一肩挑)"))
    attachment = FileField(_l("Attachment (sign-in sheet, minutes scan; optional)"))


class EvidenceForm(FlaskForm):
    kind = SelectField(_l("Kind of evidence"), validators=[DataRequired()])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file."))])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class RatingForm(FlaskForm):
    household_code = StringField(_l("Household code on the paper slip"), validators=[DataRequired(), Length(max=32)])
    rating = SelectField(_l("Rating"), coerce=int, choices=[SelectChoice(n, str(n)) for n in (5, 4, 3, 2, 1)],
                         validators=[InputRequired()])


class PaymentForm(FlaskForm):
    amount = MoneyField(_l("Amount (CNY)"), places=2, validators=[InputRequired(), _positive_money])
    source = SelectField(_l("Funding source"), validators=[DataRequired()])
    paid_on = DateField(_l("Date"), validators=[InputRequired(), _plausible_date], default=dt.date.today)
    description = StringField(_l("What is paid for"), validators=[DataRequired(), Length(max=500)])
    invoice = FileField(_l("Invoice"), validators=[FileRequired(_l("Attach the invoice."))])


class ConfirmForm(FlaskForm):
    """Empty but for its CSRF token: for buttons that change something."""


class EstimateForm(FlaskForm):
    """A new estimate by funding source, while the project is still being drafted."""

    budget_city = MoneyField(_l("Estimate from city funds (CNY)"), places=2, validators=[Optional(), _positive_money])
    budget_district = MoneyField(_l("Estimate from district funds (CNY)"), places=2,
                                 validators=[Optional(), _positive_money])
    budget_other = MoneyField(_l("Estimate from other sources (CNY)"), places=2,
                              validators=[Optional(), _positive_money])
    reason = StringField(_l("Why it changes"), validators=[Optional(), Length(max=500)])

    def budget(self) -> dict:
        return {code: getattr(self, f"budget_{code}").data for code in ("city", "district", "other")
                if getattr(self, f"budget_{code}").data is not None}


class HouseholdCodesForm(FlaskForm):
    """Which slips to print: the survey year and how many households (a GET form, no token)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2999)])
    count = IntegerField(_l("Households"), validators=[InputRequired(), NumberRange(min=1, max=2000)])
