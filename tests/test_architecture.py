"""docs/architecture.md lists every module of ``ledger/`` (issue #32).

Its "Layout" block names each package on a line of its own (``ledger/books/``) with its modules
below it, indented by two spaces (``  posting.py``), or a module in full (``ledger/money.py``).
An ``__init__.py`` is listed when it holds code, not only a docstring.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"

PACKAGE = re.compile(r"^(ledger/(?:[\w/]+/)?)(?:\s|$)")
FULL_MODULE = re.compile(r"^(ledger/[\w/]*\w+\.py)(?:\s|$)")
MODULE_IN_PACKAGE = re.compile(r"^  (\w+\.py)(?:\s|$)")


def layout_block(text: str) -> list[str]:
    """The lines of the code blocks of the "Layout" section."""
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.splitlines()]


def listed_modules(lines: list[str]) -> set[str]:
    listed: set[str] = set()
    package: str | None = None
    for line in lines:
        if match := FULL_MODULE.match(line):
            listed.add(match.group(1))
            package = None
        elif match := PACKAGE.match(line):
            package = match.group(1)
        elif match := MODULE_IN_PACKAGE.match(line):
            assert package is not None, f"{line.strip()!r} is listed under no package"
            listed.add(package + match.group(1))
        elif not line.startswith(" "):
            package = None
    return listed


def holds_code(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return bool(body)


def modules_on_disk() -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "ledger").rglob("*.py")
        if path.name != "__init__.py" or holds_code(path)
    }


def test_the_layout_lists_every_module_of_the_package() -> None:
    missing = modules_on_disk() - listed_modules(layout_block(DOC.read_text(encoding="utf-8")))
    assert not missing, f"add these to docs/architecture.md's Layout: {sorted(missing)}"


def test_the_layout_lists_no_module_that_is_gone() -> None:
    gone = listed_modules(layout_block(DOC.read_text(encoding="utf-8"))) - modules_on_disk()
    assert not gone, f"docs/architecture.md's Layout lists modules that do not exist: {sorted(gone)}"


def test_the_reader_finds_modules_under_their_package_and_in_full() -> None:
    lines = [
        "config.py                 settings",
        "ledger/money.py           Money",
        "ledger/books/             the core:",
        "  posting.py              post_entry()",
        "                          posting.py in a continuation is no module",
        "  kinds.py                StrEnums",
        "ledger/api/contract/      the document:",
        "  __init__.py             assembles it",
        "templates/                Jinja",
        "  base.html               not Python",
    ]
    assert listed_modules(lines) == {
        "ledger/money.py",
        "ledger/books/posting.py",
        "ledger/books/kinds.py",
        "ledger/api/contract/__init__.py",
    }


def test_the_core_names_what_the_areas_above_it_name_the_same() -> None:
    """books imports no other area, so it spells two of their names itself."""
    from ledger.access.roles import Role
    from ledger.books.accounts import FUND_PREFIX, GENERAL_FUND
    from ledger.books.posting import ADVANCE_ROLE
    from ledger.funds.kinds import GENERAL

    assert GENERAL_FUND == FUND_PREFIX + GENERAL
    assert ADVANCE_ROLE == Role.ADMIN
