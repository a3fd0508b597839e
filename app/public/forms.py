"""Forms residents fill in without an account: a need, an objection, a rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from .models import CONTACT_MAX

TEXT_MAX = 2000
#: The last choice of a need's category, for what fits none of the city's uses.
OTHER_CATEGORY = "其他"


def no_nul(value):
    """Drop NUL characters: never meant, and PostgreSQL cannot store them in text."""
    return value.replace("\x00", "") if isinstance(value, str) else value


TEXT = {"filters": [no_nul]}


def not_blank(form, field):
    if field.data is not None and not str(field.data).strip():
        raise ValidationError(_l("This field cannot be only spaces."))


class NeedForm(FlaskForm):
    """A need (居民需求) submitted online; the contact is for the community's staff only."""

    category = SelectField(_l("Category"), **TEXT, validate_choice=False,
                           validators=[DataRequired(_l("Choose the category that fits best."))])
    description = TextAreaField(_l("What is needed, and where?"), **TEXT, validators=[
        DataRequired(_l("Describe the need.")), not_blank,
        Length(max=TEXT_MAX, message=_l("Write at most %(max)d characters.")),
    ])
    contact = StringField(_l("Contact (optional)"), **TEXT, validators=[
        Optional(), Length(max=CONTACT_MAX, message=_l("Write at most %(max)d characters.")),
    ])

    def set_categories(self, names: list[str]) -> None:
        choices = [*names, OTHER_CATEGORY]
        self.category.choices = [SelectChoice("", _l("— choose —"))] + [SelectChoice(n, n) for n in choices]
        self.category.validators = [
            DataRequired(_l("Choose the category that fits best.")),
            AnyOf(choices, message=_l("Choose one of the listed categories.")),
        ]


class ObjectionForm(FlaskForm):
    """An objection (异议) to a notice during its publicity period."""

    text = TextAreaField(_l("Your objection"), **TEXT, validators=[
        DataRequired(_l("Write the objection.")), not_blank,
        Length(max=TEXT_MAX, message=_l("Write at most %(max)d characters.")),
    ])
    contact = StringField(_l("Contact (optional)"), **TEXT, validators=[
        Optional(), Length(max=CONTACT_MAX, message=_l("Write at most %(max)d characters.")),
    ])


RATINGS = [SelectChoice("5", _l("5 · very satisfied")), SelectChoice("4", _l("4 · satisfied")),
           SelectChoice("3", _l("3 · neutral")), SelectChoice("2", _l("2 · dissatisfied")),
           SelectChoice("1", _l("1 · very dissatisfied"))]


class RatingForm(FlaskForm):
    """A household's satisfaction rating (满意度测评) of a finished project."""

    household_code = StringField(_l("Household code"), **TEXT, validators=[
        DataRequired(_l("Enter the household code the community gave you.")), not_blank,
        Length(max=32, message=_l("A household code has at most %(max)d characters.")),
    ])
    rating = RadioField(_l("How satisfied is your household with the result?"), **TEXT, choices=RATINGS,
                        validate_choice=False, validators=[
                            InputRequired(_l("Choose a rating from 1 to 5.")),
                            AnyOf([c.value for c in RATINGS], message=_l("Choose a rating from 1 to 5.")),
                        ])
