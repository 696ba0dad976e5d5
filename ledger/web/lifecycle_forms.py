"""Forms of the lifecycle and parcel pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ledger.web.fields import SelectField, SelectMultipleField
from ledger.web.labels import (
    EVENT_LABELS,
    EXEMPTION_LABELS,
    FUND_POLICY_LABELS,
    OUTCOME_LABELS,
    choices_of,
)


class EventForm(FlaskForm):
    type = SelectField(_l("What happened"), choices=choices_of(EVENT_LABELS), validators=[DataRequired()])
    on = DateField(_l("On"), validators=[InputRequired()])
    facility = SelectField(
        _l("Facility (for a transfer; for a found, where they turned up if not the last one)"),
        validators=[Optional()],
        default="",
    )
    fund_policy = SelectField(
        _l("The fund, on release or death"),
        choices=choices_of(FUND_POLICY_LABELS, blank=True),
        validators=[Optional()],
        default="",
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class AssignForm(FlaskForm):
    coordinator = SelectField(_l("Sends the next parcel"), validators=[Optional()], default="")


class OutcomeForm(FlaskForm):
    outcome = SelectField(
        _l("What became of it"), choices=choices_of(OUTCOME_LABELS), validators=[DataRequired()]
    )
    on = DateField(_l("On"), validators=[InputRequired()])
    tracking_number = StringField(_l("Tracking number"), validators=[Optional(), Length(max=64)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=2000)])


class RefundForm(FlaskForm):
    amount = StringField(_l("Amount refunded"), validators=[DataRequired(), Length(max=20)])
    asset = SelectField(_l("Received into"), validators=[DataRequired()])
    on = DateField(_l("Refunded on"), validators=[InputRequired()])


class InventoryForm(FlaskForm):
    file = FileField(_l("Scan of the inventory form (photo or PDF)"), validators=[FileRequired()])


def _limit(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=1000000)])


class ParcelRuleForm(FlaskForm):
    parcels_per_year = _limit(_l("Parcels a year (empty: no limit)"))
    small_parcels_per_year = _limit(_l("Small parcels a year (empty: no limit)"))
    max_parcel_grams = _limit(_l("Heaviest parcel, g"))
    max_small_parcel_grams = _limit(_l("Heaviest small parcel, g"))
    max_grams_per_month = _limit(_l("Grams a month in all"))
    exemptions = SelectMultipleField(_l("Exempt from the numbers"), choices=choices_of(EXEMPTION_LABELS))
    legal_basis = StringField(_l("Legal basis"), validators=[Optional(), Length(max=500)])
