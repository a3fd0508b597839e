"""Form fields the areas share."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms.validators import ValidationError


class FiniteDecimalField(DecimalField):
    """A ``DecimalField`` that reads ``NaN``, ``sNaN`` and ``Infinity`` as not a number, and
    full-width digits as digits.

    ``Decimal`` parses them, and comparing a NaN (``NumberRange``, ``> 0``) raises instead of
    answering, which would make a typed "NaN" a server error rather than a message.
    """

    def process_formdata(self, valuelist):
        # full-width digits and point (１２３．４５), as a Chinese input method types them
        valuelist = [unicodedata.normalize("NFKC", v) if isinstance(v, str) else v for v in valuelist]
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("Enter a number, e.g. 1234.50."))


def two_places(form, field) -> None:
    """At most two decimal places: ``0.001`` is a typing mistake, not a value to round."""
    value = field.data
    if value is None or not value.is_finite():
        return
    if value.as_tuple().exponent < -2:
        raise ValidationError(_l("Use at most two decimal places."))
