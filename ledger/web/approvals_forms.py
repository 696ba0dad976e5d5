"""Forms of the sign-off pages: decisions on a pending item and the admins' thresholds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ledger.web.fields import SelectField


class ApproveForm(FlaskForm):
    """Signing off needs nothing but the click (and the CSRF token)."""


class RejectForm(FlaskForm):
    reason = StringField(_l("Reason for refusing"), validators=[DataRequired(), Length(max=300)])


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=300)])


class ThresholdForm(FlaskForm):
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    amount = StringField(_l("Needs a second person from"), validators=[DataRequired(), Length(max=20)])


class RemoveThresholdForm(FlaskForm):
    currency = HiddenField(validators=[DataRequired(), Length(max=3)])
