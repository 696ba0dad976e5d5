"""Forms of the coordinators' spending pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, FieldList, FormField, IntegerField, StringField
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ledger.web.fields import SelectField
from ledger.web.labels import PARCEL_KIND_LABELS, SPENDING_CATEGORY_CHOICES, choices_of


class ParcelItemForm(PlainForm):
    name = StringField(_l("Item"), validators=[Optional(), Length(max=200)])
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10000)])
    grams = IntegerField(_l("Weight, g"), validators=[Optional(), NumberRange(min=0, max=100000)])
    cost = StringField(_l("Cost"), validators=[Optional(), Length(max=20)])


class DisbursementForm(FlaskForm):
    prisoner = SelectField(_l("Prisoner"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    category = SelectField(_l("Category"), choices=SPENDING_CATEGORY_CHOICES, validators=[DataRequired()])
    paid_from = SelectField(_l("Paid from"), validators=[DataRequired()])
    spent_on = DateField(_l("Date"), validators=[InputRequired()])
    memo = StringField(_l("What was bought"), validators=[Optional(), Length(max=500)])
    parcel_sent_on = DateField(_l("Parcel sent on"), validators=[Optional()])
    parcel_tracking = StringField(_l("Tracking number"), validators=[Optional(), Length(max=64)])
    parcel_total_grams = IntegerField(
        _l("Total weight, g"), validators=[Optional(), NumberRange(min=1, max=1000000)]
    )
    items = FieldList(FormField(ParcelItemForm), min_entries=6, max_entries=30)
    parcel_kind = SelectField(_l("Kind of parcel"), choices=choices_of(PARCEL_KIND_LABELS), default="parcel")
    parcel_medical = BooleanField(_l("Medicines on a medical conclusion (not counted, УИК ст. 90 ч. 3)"))
    parcel_override_reason = StringField(
        _l("Allowed beyond the parcel rules because (only if it is)"),
        validators=[Optional(), Length(max=500)],
    )


class ReceiptForm(FlaskForm):
    file = FileField(_l("Receipt (photo or PDF)"), validators=[FileRequired()])


class ReversalForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class _ConversionForm(FlaskForm):
    """What every conversion states: from and to which currency, the amount received or the rate."""

    currency = SelectField(_l("From currency"), validators=[DataRequired()])
    to_currency = SelectField(_l("To currency"), validators=[DataRequired()])
    to_amount = StringField(_l("Amount received"), validators=[Optional(), Length(max=20)])
    rate = StringField(_l("or rate"), validators=[Optional(), Length(max=30)])
    on = DateField(_l("Date"), validators=[InputRequired()])
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])


class FundConversionForm(_ConversionForm):
    fund = SelectField(_l("Fund"), validators=[DataRequired()])
    amount = StringField(_l("Amount to convert"), validators=[DataRequired(), Length(max=20)])


class AssetConversionForm(_ConversionForm):
    from_account = SelectField(_l("From account"), validators=[DataRequired()])
    to_account = SelectField(_l("To account"), validators=[DataRequired()])
    amount = StringField(_l("Amount exchanged"), validators=[DataRequired(), Length(max=20)])


class CashMovementForm(FlaskForm):
    direction = SelectField(
        _l("Movement"),
        choices=[
            SelectChoice("advance", _l("Advance: bank → my cash")),
            SelectChoice("return", _l("Return: my cash → bank")),
        ],
    )
    bank = SelectField(_l("Bank account"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    on = DateField(_l("Date"), validators=[InputRequired()])
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])
