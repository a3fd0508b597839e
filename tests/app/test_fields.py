"""The shared form fields read what people type."""

from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.fields import FiniteDecimalField


class AmountForm(Form):
    amount = FiniteDecimalField(places=2)


@pytest.mark.parametrize("typed, read", [("１２３．４５", Decimal("123.45")), ("１２３", Decimal("123")),
                                         ("－５", Decimal("-5"))])
def test_full_width_digits_are_read_as_digits(app, typed, read):
    with app.test_request_context():
        form = AmountForm(MultiDict({"amount": typed}))
        assert form.validate() and form.amount.data == read


@pytest.mark.parametrize("typed", ["NaN", "ｓＮａＮ", "Infinity", "一百"])
def test_what_is_not_a_finite_number_is_refused_with_a_message(app, typed):
    with app.test_request_context():
        form = AmountForm(MultiDict({"amount": typed}))
        assert not form.validate() and form.amount.errors and form.amount.data is None
