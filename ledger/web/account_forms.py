"""Forms of the admins' asset-accounts page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ledger.web.fields import SelectField


class OpenAccountForm(FlaskForm):
    name = StringField(_l("Account name"), validators=[DataRequired(), Length(max=200)])
    currency = SelectField(_l("Currency (bank and cash: required)"), validators=[Optional()])
    label = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=200)])
    label_ru = StringField(_l("Label in Russian"), validators=[Optional(), Length(max=200)])


class LabelsForm(FlaskForm):
    label = StringField(_l("Label in English"), validators=[DataRequired(), Length(max=200)])
    label_ru = StringField(_l("Label in Russian"), validators=[Optional(), Length(max=200)])
