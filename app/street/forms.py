"""Forms of the street area: the committee's decisions and the dashboard's settings."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ledger.base import MoneyError, money

from ..fields import FiniteDecimalField

REASON_MAX = 2000


def _money(form, field):
    """An amount of CNY: more than zero, at most two decimals, not absurdly large."""
    if field.data is None:
        return
    try:
        value = money(str(field.raw_data[0]) if field.raw_data else field.data)
    except MoneyError:
        raise ValidationError(_l("Enter an amount in yuan with at most two decimals, e.g. 12,000.50.")) from None
    if value <= 0:
        raise ValidationError(_l("The amount must be more than 0."))
    field.data = value


class AmountField(DecimalField):
    """A money input that accepts thousands separators (12,000.50) as people type them."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(v).replace(",", "").replace("，", "").strip() for v in valuelist]
        super().process_formdata(valuelist)


def _amount(label, required=True):
    first = InputRequired(message=_l("Enter the amount.")) if required else Optional()
    return AmountField(label, places=2, validators=[first, _money],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})


def decision_form(kind: str, sources: list[tuple[str, str]], blank: bool = False):
    """The approval (``approve``) or emergency approval (``fast``) form, with a share per source.

    ``sources`` are ``(code, title)`` of the project's estimate; the shares are optional
    (leave them empty to approve without a split by source).
    """

    class Form(FlaskForm):
        amount = _amount(_l("Approved amount (CNY)"))

    for code, title in sources:
        setattr(Form, f"share_{code}", _amount(_l("of which from %(source)s", source=title), required=False))
    if kind == "fast":
        Form.reason = TextAreaField(_l("Why it cannot wait"), validators=[
            DataRequired(message=_l("Say why the project cannot wait for the deliberations.")),
            Length(max=REASON_MAX)])
    else:
        Form.note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=REASON_MAX)])
    form = Form(formdata=None) if blank else Form()
    form.share_fields = [(code, getattr(form, f"share_{code}")) for code, _title in sources]
    return form


class ReturnForm(FlaskForm):
    return_reason = TextAreaField(_l("What must be revised"), validators=[
        DataRequired(message=_l("Say what the community must revise.")), Length(max=REASON_MAX)])


class RejectForm(FlaskForm):
    reject_reason = TextAreaField(_l("Why the project is rejected"), validators=[
        DataRequired(message=_l("Say why the project is rejected.")), Length(max=REASON_MAX)])


class PlanReviewForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve the plan")),
                                                   SelectChoice("return", _l("Return it for revision"))],
                          validators=[InputRequired(message=_l("Choose approve or return."))])
    note = TextAreaField(_l("Note (required when returning)"), validators=[Optional(), Length(max=REASON_MAX)])


class BoardForm(FlaskForm):
    """The dashboard's year and concentration threshold (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    year = IntegerField(_l("Fiscal year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    share = FiniteDecimalField(_l("Flag a purpose above (% of spending)"), places=0, validators=[
        Optional(), NumberRange(min=Decimal("1"), max=Decimal("99"),
                                message=_l("Give a share between 1 and 99 per cent."))],
        render_kw={"inputmode": "numeric"})


class PlanYearForm(FlaskForm):
    class Meta:
        csrf = False

    year = IntegerField(_l("Plan year"), validators=[Optional(), NumberRange(min=2000, max=2100)])



class OverrideAnswerForm(FlaskForm):
    """The committee's answer to a request to post past a budget limit: grant or refuse, and why."""

    decision = RadioField(_l("Decision"), choices=[("grant", _l("Grant: the voucher may be posted past the limit")),
                                                   ("refuse", _l("Refuse: the voucher stays unposted"))],
                          validators=[InputRequired(_l("Choose to grant or to refuse."))])
    note = TextAreaField(_l("Why (recorded with your name, shown to the clerks and on the boards)"),
                         validators=[DataRequired(_l("State why: it is recorded with your name.")),
                                     Length(max=REASON_MAX)])
