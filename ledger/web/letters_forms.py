"""Forms of the letters pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ledger.letters.letters import MAX_IMAGES, MAX_PAGES
from ledger.web.fields import SelectField


class LetterForm(FlaskForm):
    prisoner = SelectField(_l("Prisoner"), validators=[DataRequired()])
    service = SelectField(_l("Service"), validators=[DataRequired()])
    sent_on = DateField(_l("Sent on"), validators=[InputRequired()])
    pages = IntegerField(
        _l("Pages"), default=1, validators=[InputRequired(), NumberRange(min=1, max=MAX_PAGES)]
    )
    images = IntegerField(
        _l("Images"), default=0, validators=[InputRequired(), NumberRange(min=0, max=MAX_IMAGES)]
    )
    reply_form = BooleanField(_l("With a reply form"))
    cost = StringField(_l("Cost (empty: the service's price)"), validators=[Optional(), Length(max=20)])
    currency = SelectField(_l("Currency of the cost"))
    paid_from = SelectField(_l("Paid from (for a paid letter)"), validators=[Optional()])


class ReplyForm(FlaskForm):
    on = DateField(_l("Reply received on"), validators=[InputRequired()])


class LetterServiceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    name_ru = StringField(_l("Name in Russian"), validators=[Optional(), Length(max=120)])
    url = StringField(_l("Link"), validators=[Optional(), Length(max=300)])
    letter_price = StringField(
        _l("Price of a letter, ₽ (empty: not known)"), validators=[Optional(), Length(max=20)]
    )
    reply_form_price = StringField(_l("Price of a reply form, ₽"), validators=[Optional(), Length(max=20)])
    image_price = StringField(_l("Price of an image, ₽"), validators=[Optional(), Length(max=20)])
    serves_all = BooleanField(_l("Reaches every facility"))
    regions = StringField(
        _l("Regions it reaches (separated by commas)"), validators=[Optional(), Length(max=2000)]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=1000)])
    active = BooleanField(_l("In use"))
