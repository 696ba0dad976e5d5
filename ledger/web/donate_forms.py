"""The public donate form and the bank-transfer pledge form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ledger.funds.kinds import PledgeFrequency
from ledger.web.fields import SelectField


class DonateForm(FlaskForm):
    amount = StringField(_l("Amount"), validators=[InputRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    prisoner = SelectField(_l("Who it is for"), validators=[InputRequired()])
    frequency = RadioField(
        _l("How often"),
        choices=[
            SelectChoice(PledgeFrequency.ONE_OFF, _l("Once")),
            SelectChoice(PledgeFrequency.MONTHLY, _l("Every month")),
        ],
        default=PledgeFrequency.ONE_OFF,
        validators=[InputRequired()],
    )
    public_name = StringField(
        _l("Public name (optional)"),
        description=_l("Shown on public pages instead of “anonymous”. Leave empty to stay anonymous."),
        validators=[Optional(), Length(max=120)],
    )
    email = StringField(
        _l("Email for a receipt (optional, never shown or shared)"),
        validators=[Optional(), Length(max=254)],
    )
    may_name_prisoner = BooleanField(
        _l("You may name the prisoner in mails to me"),
        description=_l("Off: our mails say only “the person you chose”, in case someone else reads them."),
    )


class PledgeTransferForm(FlaskForm):
    """A donor's own bank-transfer pledge: no card, no Stripe, no account."""

    amount = StringField(_l("Amount"), validators=[InputRequired(), Length(max=20)])
    currency = SelectField(_l("Currency"), validators=[InputRequired()])
    prisoner = SelectField(_l("Who it is for"), validators=[InputRequired()])
    frequency = RadioField(
        _l("How often"),
        # Once first and chosen, as on the card form: a monthly commitment is asked for, never assumed.
        choices=[
            SelectChoice(PledgeFrequency.ONE_OFF, _l("Once")),
            SelectChoice(PledgeFrequency.MONTHLY, _l("Every month")),
        ],
        default=PledgeFrequency.ONE_OFF,
        validators=[InputRequired()],
    )
    email = StringField(
        _l("Email (optional): for the code, receipts and reminders; never shown or shared"),
        validators=[Optional(), Length(max=254)],
    )
    may_name_prisoner = BooleanField(
        _l("You may name the prisoner in mails to me"),
        description=_l("Off: our mails say only “the person you chose”, in case someone else reads them."),
    )
