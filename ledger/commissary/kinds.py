"""The closed vocabularies of commissary support (the tables' CHECKs are built from them)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How money reaches a prisoner's personal account (лицевой счёт)."""

    ZONATELECOM = "zonatelecom"
    FSIN_TRANSFER = "fsin_transfer"
    POST = "post"
    OTHER = "other"


class TransferStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    CREDITED = "credited"
    RETURNED = "returned"


class RunStatus(StrEnum):
    PREPARED = "prepared"
    APPROVED = "approved"


class SkipReason(StrEnum):
    """Why a run's line sends nothing."""

    FUND_SHORT = "fund_short"
    LIMIT_REACHED = "limit_reached"
    WHEREABOUTS_UNKNOWN = "whereabouts_unknown"
    RELEASED = "released"


CHANNELS: tuple[Channel, ...] = tuple(Channel)
TRANSFER_STATUSES: tuple[TransferStatus, ...] = tuple(TransferStatus)
RUN_STATUSES: tuple[RunStatus, ...] = tuple(RunStatus)
SKIP_REASONS: tuple[SkipReason, ...] = tuple(SkipReason)
LIMIT_CONDITIONS = ("ordinary", "lightened", "strict", "any")
