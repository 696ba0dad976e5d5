"""The disclosure rules every published figure that gifts move obeys (docs/privacy.md).

From statistical disclosure control (Hundepool et al., *Statistical Disclosure Control*,
2012, ch. 4 and 5: the threshold rule and the (n, k) dominance rule): a cell of gifts is
published only when it holds at least ``min_gifts`` gifts and its two largest gifts make
less than ``dominance_percent`` of it.  A cell of one gift is that gift; a cell of five in
which two make 90 % tells their donors' sum to within 10 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Waiting(StrEnum):
    """Why a fund's new gifts were not published."""

    TOO_FEW = "too_few"  # fewer gifts than min_gifts
    DOMINANT = "dominant"  # the two largest gifts make too much of the cell
    LINKED = "linked"  # a move to or from a fund that waits (its amount would tell)


@dataclass(frozen=True)
class DisclosureRules:
    min_gifts: int = 5
    dominance_percent: int = 85  # 100 turns the dominance rule off (tests only: below the floor)

    def verdict(self, gifts: Iterable[int]) -> Waiting | None:
        """None when a cell of these gifts (their amounts, signed) may be published; an
        empty cell always may (it publishes nothing)."""
        sizes = sorted((abs(amount) for amount in gifts), reverse=True)
        if not sizes:
            return None
        if len(sizes) < self.min_gifts:
            return Waiting.TOO_FEW
        if self.dominance_percent < 100 and sum(sizes[:2]) * 100 >= self.dominance_percent * sum(sizes):
            return Waiting.DOMINANT
        return None


# The loosest rules an organisation may choose: admins may only tighten them.
FLOOR = DisclosureRules()


class RulesTooLoose(ValueError):
    pass


def rules_from_config(config: Mapping[str, Any]) -> DisclosureRules:
    """``DISCLOSURE_MIN_GIFTS`` and ``DISCLOSURE_DOMINANCE_PERCENT`` (config.py); anything
    looser than the floor is refused, except in the test configuration."""
    rules = DisclosureRules(
        int(config.get("DISCLOSURE_MIN_GIFTS", FLOOR.min_gifts)),
        int(config.get("DISCLOSURE_DOMINANCE_PERCENT", FLOOR.dominance_percent)),
    )
    if not config.get("TESTING") and (
        rules.min_gifts < FLOOR.min_gifts or rules.dominance_percent > FLOOR.dominance_percent
    ):
        raise RulesTooLoose(
            f"DISCLOSURE_MIN_GIFTS must be at least {FLOOR.min_gifts} and DISCLOSURE_DOMINANCE_PERCENT "
            f"at most {FLOOR.dominance_percent} (docs/privacy.md)"
        )
    return rules
