"""Forms of the coordinators' fundraising pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ledger.funds.kinds import DonationMethod, PledgeFrequency, PrisonerStatus
from ledger.web.fields import SelectField
from ledger.web.labels import (
    CONDITIONS_LABELS,
    FACILITY_KIND_LABELS,
    GENDER_LABELS,
    PUBLICATION_LABELS,
    REGIME_LABELS,
    choices_of,
)

STATUS_CHOICES = [
    SelectChoice(PrisonerStatus.AWAITING_TRIAL, _l("Awaiting trial")),
    SelectChoice(PrisonerStatus.SENTENCED, _l("Sentenced")),
    SelectChoice(PrisonerStatus.RELEASED, _l("Released")),
]
FREQUENCY_CHOICES = [
    SelectChoice(PledgeFrequency.MONTHLY, _l("Monthly")),
    SelectChoice(PledgeFrequency.ONE_OFF, _l("One-off")),
]
# Card gifts come from Stripe only, never typed in.
METHOD_CHOICES = [
    SelectChoice(DonationMethod.BANK, _l("Bank transfer")),
    SelectChoice(DonationMethod.CASH, _l("Cash")),
    SelectChoice(DonationMethod.OTHER, _l("Other")),
]


class PrisonerForm(FlaskForm):
    slug = StringField(
        _l("Address name (in the page's link)"),
        validators=[Optional(), Length(max=80)],
        description=_l("Lowercase Latin letters, digits and hyphens; cannot be changed later."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_latin = StringField(_l("Name in Latin letters"), validators=[Optional(), Length(max=200)])
    facility = SelectField(_l("Facility"), validators=[Optional()])
    address = TextAreaField(
        _l("Address for letters (only while the facility has none)"),
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "Letters go to the postal address of the facility the prisoner is in now; this typed "
            "address is shown only while that facility has none and no transfer has been recorded."
        ),
    )
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    letter_birth_date_consent = BooleanField(
        _l("Show the date of birth with the address for letters (the prisoner or the family agreed)")
    )
    channel_url = StringField(
        _l("Support group's channel or page (link)"), validators=[Optional(), Length(max=300)]
    )
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    charges = StringField(_l("Charges (articles)"), validators=[Optional(), Length(max=500)])
    sentence = StringField(_l("Sentence"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)
    bio_en = TextAreaField(_l("Short bio in English"), validators=[Optional(), Length(max=5000)])
    bio_ru = TextAreaField(_l("Short bio in Russian"), validators=[Optional(), Length(max=5000)])
    need_amount = StringField(_l("Monthly need"), validators=[Optional(), Length(max=20)])
    need_currency = SelectField(_l("Currency of the need"))
    public = BooleanField(_l("Show on public pages"))
    gender = SelectField(
        _l("Gender (parcel rules)"),
        choices=choices_of(GENDER_LABELS, blank=True),
        default="",
    )
    juvenile = BooleanField(_l("Juvenile (parcel rules)"))
    conditions = SelectField(
        _l("Conditions of detention (parcel rules)"),
        choices=choices_of({k: v for k, v in CONDITIONS_LABELS.items() if k != "any"}, blank=True),
        default="",
    )
    lifecycle_public = SelectField(
        _l("The public page shows of transfers, release and death (admins choose)"),
        choices=choices_of(PUBLICATION_LABELS),
        default="status",
    )


class FacilityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    region = StringField(_l("Region"), validators=[Optional(), Length(max=120)])
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=1000)])
    max_parcel_grams = IntegerField(
        _l("Heaviest parcel accepted, g"), validators=[Optional(), NumberRange(min=1, max=1000000)]
    )
    max_parcels_per_month = IntegerField(
        _l("Parcels accepted per month"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    kind = SelectField(_l("Kind of facility"), choices=choices_of(FACILITY_KIND_LABELS), default="other")
    regime = SelectField(_l("Regime"), choices=choices_of(REGIME_LABELS), default="none")
    postal_address_ru = StringField(
        _l("Postal address for letters, in Russian"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "Index, region, town, street and house, then the official name: «…, ФКУ СИЗО-1 ФСИН России»."
        ),
    )
    postal_address_latin = StringField(
        _l("Postal address for letters, in Latin letters"),
        validators=[Optional(), Length(max=500)],
        description=_l("For writers abroad: “…, FKU SIZO-1 FSIN of Russia”."),
    )


class PledgeForm(FlaskForm):
    fund = SelectField(_l("For"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    frequency = SelectField(_l("How often"), choices=FREQUENCY_CHOICES)
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    public_name = StringField(_l("Public name (empty: anonymous)"), validators=[Optional(), Length(max=120)])
    email = StringField(_l("Email (private, optional)"), validators=[Optional(), Length(max=254)])


class DonationForm(FlaskForm):
    fund = SelectField(_l("For"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    method = SelectField(_l("How it came"), choices=METHOD_CHOICES)
    asset = SelectField(_l("Received into"), validators=[DataRequired()])
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    pledge = StringField(_l("Pledge reference (optional)"), validators=[Optional(), Length(max=40)])
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])


class TransferForm(FlaskForm):
    from_fund = SelectField(_l("From fund"), validators=[DataRequired()])
    to_fund = SelectField(_l("To fund"), validators=[DataRequired()])
    amount = StringField(_l("Amount"), validators=[DataRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    on = DateField(_l("Date"), validators=[InputRequired()])
    memo = StringField(_l("Memo"), validators=[Optional(), Length(max=500)])


class StatementUploadForm(FlaskForm):
    file = FileField(_l("Bank statement (CSV)"), validators=[FileRequired()])
    asset = SelectField(_l("Bank account"), validators=[DataRequired()])
    date_column = StringField(_l("Date column"), default="date", validators=[DataRequired(), Length(max=80)])
    amount_column = StringField(
        _l("Amount column"), default="amount", validators=[DataRequired(), Length(max=80)]
    )
    reference_column = StringField(
        _l("Payment purpose column"), default="reference", validators=[DataRequired(), Length(max=80)]
    )
    currency_column = StringField(
        _l("Currency column (empty: one currency)"),
        default="currency",
        validators=[Optional(), Length(max=80)],
    )
    default_currency = SelectField(_l("Statement currency"), validators=[Optional()])
    payer_column = StringField(
        _l("Payer column (shown, never stored)"), default="payer", validators=[Optional(), Length(max=80)]
    )
    decimal_comma = BooleanField(_l("Amounts use a decimal comma (1 234,50)"))
