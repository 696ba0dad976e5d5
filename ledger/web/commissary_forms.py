"""Forms of the commissary pages: a transfer, its outcome, a monthly top-up and the run."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ledger.web.fields import SelectField
from ledger.web.labels import CHANNEL_LABELS, choices_of


class TransferForm(FlaskForm):
    prisoner = SelectField(_l("Prisoner"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    fee = StringField(_l("Service fee"), validators=[Optional(), Length(max=20)])
    channel = SelectField(_l("Sent through"), choices=choices_of(CHANNEL_LABELS), validators=[DataRequired()])
    paid_from = SelectField(_l("Paid from"), validators=[DataRequired()])
    sent_on = DateField(_l("Date sent"), validators=[InputRequired()])
    memo = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    allow_over_limit = BooleanField(_l("Allow over the monthly limit"))
    over_limit_reason = StringField(
        _l("Allowed over the limit because (only if it is)"), validators=[Optional(), Length(max=500)]
    )


class CreditedForm(FlaskForm):
    on = DateField(_l("Credited on"), validators=[InputRequired()])


class ReturnedForm(FlaskForm):
    on = DateField(_l("Came back on"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=500)])


class TopUpForm(FlaskForm):
    amount = StringField(_l("Every month"), validators=[Optional(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    fee = StringField(_l("Service fee"), validators=[Optional(), Length(max=20)])
    channel = SelectField(_l("Sent through"), choices=choices_of(CHANNEL_LABELS), validators=[DataRequired()])
    paid_from = SelectField(_l("Paid from"), validators=[DataRequired()])


class RunForm(FlaskForm):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])


class ApproveRunForm(FlaskForm):
    """Approving needs nothing but the click (and the CSRF token)."""


class LimitForm(FlaskForm):
    amount = StringField(_l("A month, in roubles (empty: no limit)"), validators=[Optional(), Length(max=20)])
    legal_basis = StringField(_l("Legal basis"), validators=[Optional(), Length(max=500)])
