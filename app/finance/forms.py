"""Forms of the finance area: vouchers with a variable number of lines, allocations, closes."""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ledger.base import MoneyError, money

MIN_LINES = 4


def _amount_check(allow_blank: bool):
    def check(form, field):
        text = (field.data or "").strip()
        if not text:
            if allow_blank:
                return
            raise ValidationError(_l("Enter an amount, e.g. 1234.50."))
        try:
            value = money(text)
        except MoneyError:
            raise ValidationError(_l("Not an amount: write digits with at most two decimals, e.g. 1234.50."))
        if value < 0:
            raise ValidationError(_l("Write the amount without a sign; use the other column instead."))
    return check


class LineForm(Form):
    """One line of a voucher (no CSRF of its own: it is part of the voucher form)."""

    account = SelectField(_l("Account"), validators=[Optional()], validate_choice=False)
    debit = StringField(_l("Debit"), validators=[Length(max=30), _amount_check(True)])
    credit = StringField(_l("Credit"), validators=[Length(max=30), _amount_check(True)])
    project = SelectField(_l("Project"), validators=[Optional()], validate_choice=False)
    purpose = SelectField(_l("Purpose"), validators=[Optional()], validate_choice=False)
    source = SelectField(_l("Funding source"), validators=[Optional()], validate_choice=False)
    memo = StringField(_l("Memo"), validators=[Length(max=200)])

    def is_blank(self) -> bool:
        return not any((self.account.data, (self.debit.data or "").strip(), (self.credit.data or "").strip(),
                        (self.memo.data or "").strip()))


def new_key() -> str:
    return uuid.uuid4().hex


class VoucherForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date of the voucher."))])
    description = StringField(_l("Description (摘要)"), validators=[
        DataRequired(_l("A voucher needs a description.")), Length(max=500)])
    lines = FieldList(FormField(LineForm), min_entries=MIN_LINES, max_entries=60)
    #: A random key made when the form is first shown: submitting twice makes one voucher.
    key = HiddenField(default=new_key)
    add_line = SubmitField(_l("Add a line"))
    save = SubmitField(_l("Save the voucher"))


class OpenBookForm(FlaskForm):
    organisation = SelectField(_l("Community or street"), coerce=int, validators=[DataRequired()])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[
        InputRequired(_l("Enter a year such as 2026.")), NumberRange(2000, 2999, _l("Enter a year such as 2026."))])


class AllocationForm(FlaskForm):
    source = SelectField(_l("Funding source"), validators=[DataRequired()])
    amount = StringField(_l("Amount (CNY)"), validators=[Length(max=30), _amount_check(False)])
    arrived_on = DateField(_l("Date the money arrived"), validators=[
        InputRequired(_l("Enter the date the money arrived."))])
    on = DateField(_l("Voucher date (if not the arrival date)"), validators=[Optional()])
    reference = StringField(_l("Treasury document number (文号)"), validators=[Length(max=100)])
    key = HiddenField(default=new_key)


class TargetForm(FlaskForm):
    """The planned budget (预算指标) of one community, year and funding source."""

    organisation = SelectField(_l("Community"), coerce=int, validators=[DataRequired(_l("Choose a community."))],
                               validate_choice=False)
    source = SelectField(_l("Funding source"), validators=[DataRequired(_l("Choose a funding source."))])
    fiscal_year = IntegerField(_l("Fiscal year"), validators=[
        InputRequired(_l("Enter a year such as 2026.")), NumberRange(2000, 2999, _l("Enter a year such as 2026."))])
    amount = StringField(_l("Planned budget (CNY)"), validators=[Length(max=30), _amount_check(False)])
    reference = StringField(_l("Budget document number (文号)"), validators=[Length(max=100)])
    reason = TextAreaField(_l("Why it changes (required when changing a budget already set)"),
                           validators=[Optional(), Length(max=1000)])


class ReviewForm(FlaskForm):
    """Only the CSRF token: review, return, discard, post."""


class OverrideRequestForm(FlaskForm):
    """A clerk asks the street committee to allow posting past a budget limit."""

    reason = TextAreaField(_l("Why this voucher must be posted past the limit"), validators=[
        DataRequired(_l("State the reason: the street committee decides on it.")), Length(max=2000)])


class ReverseForm(FlaskForm):
    reason = StringField(_l("Reason for the reversal"), validators=[
        DataRequired(_l("Say why the voucher is reversed.")), Length(max=300)])
    on = DateField(_l("Date of the reversal"), validators=[InputRequired(_l("Enter the date of the reversal."))])


class ClosePeriodForm(FlaskForm):
    month = HiddenField()


class YearEndForm(FlaskForm):
    disposition = SelectField(_l("Unspent money"), choices=[
        SelectChoice("carry_over", _l("Carry over to next year (结转)")),
        SelectChoice("return", _l("Return to the treasury (财政收回)")),
    ], validators=[DataRequired()])


class ImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=[
        SelectChoice("opening", _l("Opening balances (期初余额)")),
        SelectChoice("allocations", _l("Allocations (拨款)")),
        SelectChoice("vouchers", _l("Historical vouchers (历史凭证)")),
    ], validators=[DataRequired()])
    file = FileField(_l("File (CSV or .xlsx)"), validators=[
        FileRequired(_l("Choose a file.")), FileAllowed(["csv", "txt", "xlsx"], _l("Upload a .csv or .xlsx file."))])


class ExportJobForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    organisation = HiddenField(validators=[DataRequired()])
    fiscal_year = HiddenField(validators=[DataRequired()])
    by = HiddenField()
