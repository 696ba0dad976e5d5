"""Every enum in the published document is read from the code (issue #31): each names the
StrEnum it lists (``x-enum``) and lists exactly its values (less those it says it leaves out)."""

from __future__ import annotations

from enum import StrEnum

from ledger.api.contract import build_document
from ledger.books.kinds import SPENDING_CATEGORIES, ApprovalStatus
from ledger.money import CURRENCIES


def _str_enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    pending = list(StrEnum.__subclasses__())
    while pending:
        kind = pending.pop()
        if kind.__module__.startswith("ledger."):
            found[kind.__name__] = kind
        pending += kind.__subclasses__()
    return found


def _enums(node: object, where: str = "") -> list[tuple[str, dict]]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            found.append((where, node))
        for key, value in node.items():
            found += _enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _enums(value, f"{where}/{index}")
    return found


# Lists the code keeps as a constant rather than a StrEnum, and values it spells as plain strings.
FROM_CONSTANTS = [
    sorted(CURRENCIES),
    [str(category) for category in SPENDING_CATEGORIES],
    [*map(str, ApprovalStatus), "all"],  # the approvals filter: a status, or all of them
    ["true", "false"],  # a query flag
    ["free", "posted", "pending", "refused"],  # a letter's status (ledger/letters/letters.py)
]


def test_every_enum_names_its_str_enum_and_lists_its_values():
    document = build_document()
    kinds = _str_enums()
    enums = _enums(document)
    named = [(where, node) for where, node in enums if "x-enum" in node]
    assert len(named) >= 40
    for where, node in named:
        kind = kinds[node["x-enum"]]
        without = node.get("x-enum-without", [])
        assert set(without) <= {str(value) for value in kind}, where
        assert node["enum"] == [str(value) for value in kind if str(value) not in without], where


def test_an_enum_that_names_no_str_enum_is_one_of_the_codes_constants():
    unnamed = [(where, node["enum"]) for where, node in _enums(build_document()) if "x-enum" not in node]
    for where, values in unnamed:
        if "/address/properties/state" in where:  # a letter address's state (ledger/letters/addresses.py)
            continue
        assert values in FROM_CONSTANTS, where
