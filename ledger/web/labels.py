"""Translated names of the ledger's codes (categories, statuses, methods, roles, report
sections) for pages and CSV headers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms.fields.choices import SelectChoice

from ledger.access.roles import Role
from ledger.books.kinds import SPENDING_CATEGORIES, AssetKind, Category
from ledger.commissary.kinds import Channel, RunStatus, SkipReason, TransferStatus
from ledger.funds.kinds import (
    DonationMethod,
    EventType,
    FacilityKind,
    FundPolicy,
    Gender,
    LifecyclePublication,
    PledgeFrequency,
    PledgeStatus,
    PrisonerStatus,
    Regime,
)
from ledger.spending.kinds import Exemption, ParcelKind, ParcelOutcomeKind, RuleConditions

# Labels keyed by a StrEnum's members (a member is its value, so a code read from the database
# finds its label too).
Labels = dict[str, Any]

CATEGORY_LABELS: Labels = {
    Category.DONATION: _l("Donation"),
    Category.FEE: _l("Processing fee"),
    Category.FOOD: _l("Food"),
    Category.CLOTHING: _l("Clothing"),
    Category.PARCELS: _l("Parcels and postage"),
    Category.COMMISSARY: _l("Commissary"),
    Category.LETTERS: _l("Letters"),
    Category.TRANSFER: _l("Transfer"),
    Category.CONVERSION: _l("Currency conversion"),
    Category.REFUND: _l("Refund"),
    Category.OTHER: _l("Other"),
}
SPENDING_CATEGORY_CHOICES = [SelectChoice(code, CATEGORY_LABELS[code]) for code in SPENDING_CATEGORIES]
ROLE_LABELS: Labels = {
    Role.ADMIN: _l("admin"),
    Role.COORDINATOR: _l("coordinator"),
    Role.AUDITOR: _l("auditor"),
}
STATUS_LABELS: Labels = {
    PrisonerStatus.AWAITING_TRIAL: _l("Awaiting trial"),
    PrisonerStatus.SENTENCED: _l("Sentenced"),
    PrisonerStatus.RELEASED: _l("Released"),
}
SECTION_LABELS = {
    "assets": _l("Assets"),
    "funds": _l("Funds held for prisoners"),
    "equity": _l("Equity"),
    "other": _l("Other"),
}
PLEDGE_STATUS_LABELS: Labels = {
    PledgeStatus.ACTIVE: _l("active"),
    PledgeStatus.OVERDUE: _l("overdue"),
    PledgeStatus.LAPSED: _l("lapsed"),
    PledgeStatus.FULFILLED: _l("fulfilled"),
    PledgeStatus.PAUSED: _l("paused"),
    PledgeStatus.CANCELLED: _l("cancelled"),
}
FREQUENCY_LABELS: Labels = {PledgeFrequency.MONTHLY: _l("Monthly"), PledgeFrequency.ONE_OFF: _l("One-off")}
ACCOUNT_KIND_LABELS: Labels = {
    AssetKind.BANK: _l("bank"),
    AssetKind.CASH: _l("cash"),
    AssetKind.STRIPE: _l("Stripe"),
    AssetKind.INTERMEDIARY: _l("intermediary"),
}
METHOD_LABELS: Labels = {
    DonationMethod.BANK: _l("bank transfer"),
    DonationMethod.CASH: _l("cash"),
    DonationMethod.CARD: _l("card"),
    DonationMethod.OTHER: _l("other"),
}
FACILITY_KIND_LABELS: Labels = {
    FacilityKind.PRE_TRIAL: _l("Pre-trial detention centre"),
    FacilityKind.COLONY: _l("Correctional colony"),
    FacilityKind.SETTLEMENT: _l("Colony-settlement"),
    FacilityKind.PRISON: _l("Prison"),
    FacilityKind.OTHER: _l("Other facility"),
}
REGIME_LABELS: Labels = {
    Regime.NONE: _l("no regime"),
    Regime.GENERAL: _l("general regime"),
    Regime.STRICT: _l("strict regime"),
    Regime.SPECIAL: _l("special regime"),
    Regime.EDUCATIONAL: _l("educational colony"),
}
CONDITIONS_LABELS: Labels = {
    RuleConditions.ANY: _l("any conditions"),
    RuleConditions.ORDINARY: _l("ordinary conditions"),
    RuleConditions.LIGHTENED: _l("lightened conditions"),
    RuleConditions.STRICT: _l("strict conditions"),
}
GENDER_LABELS: Labels = {Gender.MALE: _l("male"), Gender.FEMALE: _l("female")}
EVENT_LABELS: Labels = {
    EventType.TRANSFERRED: _l("Transferred"),
    EventType.WHEREABOUTS_UNKNOWN: _l("Whereabouts unknown"),
    EventType.FOUND: _l("Found (whereabouts known again)"),
    EventType.RELEASED: _l("Released"),
    EventType.DIED: _l("Died"),
}
FUND_POLICY_LABELS: Labels = {
    FundPolicy.KEEP: _l("fund kept for release support"),
    FundPolicy.GENERAL: _l("fund moved to the general fund"),
}
PUBLICATION_LABELS: Labels = {
    LifecyclePublication.NOTHING: _l("nothing"),
    LifecyclePublication.STATUS: _l("the status and what happened to the fund"),
    LifecyclePublication.HISTORY: _l("the status, the fund and the places of detention"),
}
PARCEL_KIND_LABELS: Labels = {ParcelKind.PARCEL: _l("parcel"), ParcelKind.SMALL_PARCEL: _l("small parcel")}
OUTCOME_LABELS: Labels = {
    ParcelOutcomeKind.DELIVERED: _l("delivered"),
    ParcelOutcomeKind.RETURNED: _l("returned"),
    ParcelOutcomeKind.CONFISCATED: _l("confiscated"),
}
EXEMPTION_LABELS: Labels = {
    Exemption.WOMEN: _l("women"),
    Exemption.JUVENILES: _l("juveniles"),
    Exemption.MEDICAL: _l("medical parcels"),
}


# Russian says what happened to a person in their grammatical gender ("Осуждён", "Осуждена"):
# the labels and sentences that describe a prisoner have a "female" form and a form for an
# unknown gender (message contexts), chosen from the prisoner's recorded gender.  The unknown
# form is neutral ("Приговор вынесен"), never the masculine; English reads the same in all three.


FEMALE_STATUS_LABELS: Labels = {
    PrisonerStatus.SENTENCED: lazy_pgettext("female", "Sentenced"),
    PrisonerStatus.RELEASED: lazy_pgettext("female", "Released"),
}
NEUTRAL_STATUS_LABELS: Labels = {
    PrisonerStatus.SENTENCED: lazy_pgettext("gender unknown", "Sentenced"),
    PrisonerStatus.RELEASED: lazy_pgettext("gender unknown", "Released"),
}
FEMALE_EVENT_LABELS: Labels = {
    EventType.TRANSFERRED: lazy_pgettext("female", "Transferred"),
    EventType.FOUND: lazy_pgettext("female", "Found (whereabouts known again)"),
    EventType.RELEASED: lazy_pgettext("female", "Released"),
    EventType.DIED: lazy_pgettext("female", "Died"),
}
NEUTRAL_EVENT_LABELS: Labels = {
    EventType.TRANSFERRED: lazy_pgettext("gender unknown", "Transferred"),
    EventType.RELEASED: lazy_pgettext("gender unknown", "Released"),
    EventType.DIED: lazy_pgettext("gender unknown", "Died"),
}
# Sentences about a prisoner, in the three forms: (male, female, gender unknown).
GENDERED_TEXTS = {
    "died": (_l("Died"), lazy_pgettext("female", "Died"), lazy_pgettext("gender unknown", "Died")),
    "died_on": (
        _l("Died on %(date)s"),
        lazy_pgettext("female", "Died on %(date)s"),
        lazy_pgettext("gender unknown", "Died on %(date)s"),
    ),
    "died_on.": (
        _l("Died on %(date)s."),
        lazy_pgettext("female", "Died on %(date)s."),
        lazy_pgettext("gender unknown", "Died on %(date)s."),
    ),
    "released.": (
        _l("Released."),
        lazy_pgettext("female", "Released."),
        lazy_pgettext("gender unknown", "Released."),
    ),
    "released_moved": (
        _l(
            "Released on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners."
        ),
        lazy_pgettext(
            "female",
            "Released on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners.",
        ),
        lazy_pgettext(
            "gender unknown",
            "Released on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners.",
        ),
    ),
    "died_moved": (
        _l(
            "Died on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners."
        ),
        lazy_pgettext(
            "female",
            "Died on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners.",
        ),
        lazy_pgettext(
            "gender unknown",
            "Died on %(date)s. The fund's balance (%(amounts)s) was moved to the general fund, "
            "which supports other prisoners.",
        ),
    ),
    "released_pending": (
        _l(
            "Released on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures."
        ),
        lazy_pgettext(
            "female",
            "Released on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures.",
        ),
        lazy_pgettext(
            "gender unknown",
            "Released on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures.",
        ),
    ),
    "died_pending": (
        _l(
            "Died on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures."
        ),
        lazy_pgettext(
            "female",
            "Died on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures.",
        ),
        lazy_pgettext(
            "gender unknown",
            "Died on %(date)s. The fund's balance goes to the general fund, which supports other "
            "prisoners; the amount is published with the fund's next figures.",
        ),
    ),
    "released_kept": (
        _l("Released on %(date)s. The fund is kept: it pays for support after release."),
        lazy_pgettext("female", "Released on %(date)s. The fund is kept: it pays for support after release."),
        lazy_pgettext(
            "gender unknown", "Released on %(date)s. The fund is kept: it pays for support after release."
        ),
    ),
    "died_kept": (
        _l("Died on %(date)s. The fund is kept for what the family and the lawyers still need."),
        lazy_pgettext(
            "female", "Died on %(date)s. The fund is kept for what the family and the lawyers still need."
        ),
        lazy_pgettext(
            "gender unknown",
            "Died on %(date)s. The fund is kept for what the family and the lawyers still need.",
        ),
    ),
}


def gendered(key: str, gender: str | None, **params: object) -> str:
    """The sentence ``key`` about a prisoner of ``gender`` (male, female, or unknown)."""
    male, female, neutral = GENDERED_TEXTS[key]
    text = str(female if gender == "female" else male if gender == "male" else neutral)
    return text % params if params else text


def _labeller(labels: dict, female: dict | None = None, neutral: dict | None = None):
    """``label(code)``; with ``female`` and ``neutral``, ``label(code, gender)`` uses the
    feminine form for women and the neutral one when the gender isn't recorded."""

    def label(code: str | None, gender: str | None = None) -> str:
        if not code:
            return ""
        if female is not None and gender == "female" and code in female:
            return str(female[code])
        if neutral is not None and gender != "male" and code in neutral:
            return str(neutral[code])
        return str(labels.get(code, code))

    return label


category_label = _labeller(CATEGORY_LABELS)
role_label = _labeller(ROLE_LABELS)

FLOW_LABELS = {
    "received": _l("received"),
    "spent": _l("spent"),
    "converted_in": _l("converted in"),
    "converted_out": _l("converted out"),
}

CHANNEL_LABELS: Labels = {
    Channel.ZONATELECOM: _l("Zonatelecom"),
    Channel.FSIN_TRANSFER: _l("FSIN transfer"),
    Channel.POST: _l("Post office order"),
    Channel.OTHER: _l("Other"),
}
TRANSFER_STATUS_LABELS: Labels = {
    TransferStatus.IN_TRANSIT: _l("in transit"),
    TransferStatus.CREDITED: _l("credited"),
    TransferStatus.RETURNED: _l("came back"),
}
SKIP_REASON_LABELS: Labels = {
    SkipReason.FUND_SHORT: _l("fund short"),
    SkipReason.LIMIT_REACHED: _l("monthly limit reached"),
    SkipReason.WHEREABOUTS_UNKNOWN: _l("whereabouts unknown"),
    SkipReason.RELEASED: _l("released"),
}
RUN_STATUS_LABELS: Labels = {
    RunStatus.PREPARED: _l("prepared, waiting for approval"),
    RunStatus.APPROVED: _l("approved"),
}
RUN_EVENT_LABELS = {
    "prepared": _l("prepared"),
    "sent": _l("sent"),
    "skipped": _l("skipped"),
    "already_sent": _l("already sent this month"),
    "approved": _l("approved"),
}

# Every vocabulary shown by its labels, with them: a test checks that each member has a label
# and its Russian, so that a member added to the enum cannot be forgotten here.
LABELLED_VOCABULARIES: dict[type[StrEnum], Labels] = {
    Category: CATEGORY_LABELS,
    Role: ROLE_LABELS,
    PrisonerStatus: STATUS_LABELS,
    PledgeStatus: PLEDGE_STATUS_LABELS,
    PledgeFrequency: FREQUENCY_LABELS,
    AssetKind: ACCOUNT_KIND_LABELS,
    DonationMethod: METHOD_LABELS,
    FacilityKind: FACILITY_KIND_LABELS,
    Regime: REGIME_LABELS,
    RuleConditions: CONDITIONS_LABELS,
    Gender: GENDER_LABELS,
    EventType: EVENT_LABELS,
    FundPolicy: FUND_POLICY_LABELS,
    LifecyclePublication: PUBLICATION_LABELS,
    ParcelKind: PARCEL_KIND_LABELS,
    ParcelOutcomeKind: OUTCOME_LABELS,
    Exemption: EXEMPTION_LABELS,
    Channel: CHANNEL_LABELS,
    TransferStatus: TRANSFER_STATUS_LABELS,
    SkipReason: SKIP_REASON_LABELS,
    RunStatus: RUN_STATUS_LABELS,
}

LABEL_FILTERS = {
    "category": category_label,
    "role": role_label,
    "prisoner_status": _labeller(STATUS_LABELS, FEMALE_STATUS_LABELS, NEUTRAL_STATUS_LABELS),
    "pledge_status": _labeller(PLEDGE_STATUS_LABELS),
    "pledge_frequency": _labeller(FREQUENCY_LABELS),
    "donation_method": _labeller(METHOD_LABELS),
    "facility_kind": _labeller(FACILITY_KIND_LABELS),
    "regime": _labeller(REGIME_LABELS),
    "conditions": _labeller(CONDITIONS_LABELS),
    "gender": _labeller(GENDER_LABELS),
    "event_type": _labeller(EVENT_LABELS, FEMALE_EVENT_LABELS, NEUTRAL_EVENT_LABELS),
    "fund_policy": _labeller(FUND_POLICY_LABELS),
    "publication": _labeller(PUBLICATION_LABELS),
    "parcel_kind": _labeller(PARCEL_KIND_LABELS),
    "parcel_outcome": _labeller(OUTCOME_LABELS),
    "exemption": _labeller(EXEMPTION_LABELS),
    "account_kind": _labeller(ACCOUNT_KIND_LABELS),
    "channel": _labeller(CHANNEL_LABELS),
    "transfer_status": _labeller(TRANSFER_STATUS_LABELS),
    "skip_reason": _labeller(SKIP_REASON_LABELS),
    "run_status": _labeller(RUN_STATUS_LABELS),
    "run_event": _labeller(RUN_EVENT_LABELS),
}


def choices_of(labels: dict[str, Any], *, blank: bool = False) -> list[SelectChoice]:
    """Select-field choices in the labels' order (with an empty first choice if ``blank``)."""
    return ([SelectChoice("", "—")] if blank else []) + [
        SelectChoice(v, label) for v, label in labels.items()
    ]


def register_labels(app) -> None:
    """The same labels as template filters (``x|category``) and globals (``category_label(x)``)."""
    app.jinja_env.filters.update(LABEL_FILTERS)
    app.jinja_env.globals.update(
        category_label=category_label,
        flow_label=_labeller(FLOW_LABELS),
        status_label=LABEL_FILTERS["prisoner_status"],
        section_label=_labeller(SECTION_LABELS),
        frequency_label=LABEL_FILTERS["pledge_frequency"],
        gendered=gendered,
    )
