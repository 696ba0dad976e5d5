"""Translated names of the ledger's codes (categories, statuses, methods, roles, report
sections) for pages and CSV headers."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms.fields.choices import SelectChoice

from ledger.access.roles import Role
from ledger.spending.disbursements import SPENDING_CATEGORIES

CATEGORY_LABELS = {
    "donation": _l("Donation"),
    "fee": _l("Processing fee"),
    "food": _l("Food"),
    "clothing": _l("Clothing"),
    "parcels": _l("Parcels and postage"),
    "commissary": _l("Commissary"),
    "letters": _l("Letters"),
    "transfer": _l("Transfer"),
    "conversion": _l("Currency conversion"),
    "refund": _l("Refund"),
    "other": _l("Other"),
}
SPENDING_CATEGORY_CHOICES = [SelectChoice(code, CATEGORY_LABELS[code]) for code in SPENDING_CATEGORIES]
ROLE_LABELS = {Role.ADMIN: _l("admin"), Role.COORDINATOR: _l("coordinator"), Role.AUDITOR: _l("auditor")}
STATUS_LABELS = {
    "awaiting_trial": _l("Awaiting trial"),
    "sentenced": _l("Sentenced"),
    "released": _l("Released"),
}
SECTION_LABELS = {
    "assets": _l("Assets"),
    "funds": _l("Funds held for prisoners"),
    "equity": _l("Equity"),
    "other": _l("Other"),
}
PLEDGE_STATUS_LABELS = {
    "active": _l("active"),
    "overdue": _l("overdue"),
    "lapsed": _l("lapsed"),
    "fulfilled": _l("fulfilled"),
    "paused": _l("paused"),
    "cancelled": _l("cancelled"),
}
FREQUENCY_LABELS = {"monthly": _l("Monthly"), "one_off": _l("One-off")}
ACCOUNT_KIND_LABELS = {
    "bank": _l("bank"),
    "cash": _l("cash"),
    "stripe": _l("Stripe"),
    "intermediary": _l("intermediary"),
}
METHOD_LABELS = {"bank": _l("bank transfer"), "cash": _l("cash"), "card": _l("card"), "other": _l("other")}
FACILITY_KIND_LABELS = {
    "pre_trial": _l("Pre-trial detention centre"),
    "colony": _l("Correctional colony"),
    "settlement": _l("Colony-settlement"),
    "prison": _l("Prison"),
    "other": _l("Other facility"),
}
REGIME_LABELS = {
    "none": _l("no regime"),
    "general": _l("general regime"),
    "strict": _l("strict regime"),
    "special": _l("special regime"),
    "educational": _l("educational colony"),
}
CONDITIONS_LABELS = {
    "any": _l("any conditions"),
    "ordinary": _l("ordinary conditions"),
    "lightened": _l("lightened conditions"),
    "strict": _l("strict conditions"),
}
GENDER_LABELS = {"male": _l("male"), "female": _l("female")}
EVENT_LABELS = {
    "transferred": _l("Transferred"),
    "whereabouts_unknown": _l("Whereabouts unknown"),
    "found": _l("Found (whereabouts known again)"),
    "released": _l("Released"),
    "died": _l("Died"),
}
FUND_POLICY_LABELS = {
    "keep": _l("fund kept for release support"),
    "general": _l("fund moved to the general fund"),
}
PUBLICATION_LABELS = {
    "nothing": _l("nothing"),
    "status": _l("the status and what happened to the fund"),
    "history": _l("the status, the fund and the places of detention"),
}
PARCEL_KIND_LABELS = {"parcel": _l("parcel"), "small_parcel": _l("small parcel")}
OUTCOME_LABELS = {"delivered": _l("delivered"), "returned": _l("returned"), "confiscated": _l("confiscated")}
EXEMPTION_LABELS = {"women": _l("women"), "juveniles": _l("juveniles"), "medical": _l("medical parcels")}


# Russian says what happened to a person in their grammatical gender ("Осуждён", "Осуждена"):
# the labels and sentences that describe a prisoner have a "female" form and a form for an
# unknown gender (message contexts), chosen from the prisoner's recorded gender.  The unknown
# form is neutral ("Приговор вынесен"), never the masculine; English reads the same in all three.


FEMALE_STATUS_LABELS = {
    "sentenced": lazy_pgettext("female", "Sentenced"),
    "released": lazy_pgettext("female", "Released"),
}
NEUTRAL_STATUS_LABELS = {
    "sentenced": lazy_pgettext("gender unknown", "Sentenced"),
    "released": lazy_pgettext("gender unknown", "Released"),
}
FEMALE_EVENT_LABELS = {
    "transferred": lazy_pgettext("female", "Transferred"),
    "found": lazy_pgettext("female", "Found (whereabouts known again)"),
    "released": lazy_pgettext("female", "Released"),
    "died": lazy_pgettext("female", "Died"),
}
NEUTRAL_EVENT_LABELS = {
    "transferred": lazy_pgettext("gender unknown", "Transferred"),
    "released": lazy_pgettext("gender unknown", "Released"),
    "died": lazy_pgettext("gender unknown", "Died"),
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

CHANNEL_LABELS = {
    "zonatelecom": _l("Zonatelecom"),
    "fsin_transfer": _l("FSIN transfer"),
    "post": _l("Post office order"),
    "other": _l("Other"),
}
TRANSFER_STATUS_LABELS = {
    "in_transit": _l("in transit"),
    "credited": _l("credited"),
    "returned": _l("came back"),
}
SKIP_REASON_LABELS = {
    "fund_short": _l("fund short"),
    "limit_reached": _l("monthly limit reached"),
    "whereabouts_unknown": _l("whereabouts unknown"),
    "released": _l("released"),
}
RUN_STATUS_LABELS = {"prepared": _l("prepared, waiting for approval"), "approved": _l("approved")}
RUN_EVENT_LABELS = {
    "prepared": _l("prepared"),
    "sent": _l("sent"),
    "skipped": _l("skipped"),
    "already_sent": _l("already sent this month"),
    "approved": _l("approved"),
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
