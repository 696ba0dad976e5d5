"""The legal basis of a parcel rule in the reader's language.

The seeded rules cite Russian law in Russian (ledger/spending/parcel_law.py), and admins may
write their own.  English readers get a citation in English when the text is made only of the
parts the seeds use (code, article, part, point, the weight's article, the notes in brackets);
anything else is shown as written, marked as Russian."""

from __future__ import annotations

import re

from flask_babel import get_locale

_POINTS = {"а": "a", "б": "b", "в": "c", "г": "d", "д": "e"}
_RULES: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(r"Федеральный закон № (\d+)-ФЗ,? ст\. (\d+)"), r"Federal Law No. \1-FZ, Art. \2"),
    (re.compile(r"(\d+)-ФЗ ст\. (\d+)"), r"Federal Law No. \1-FZ, Art. \2"),
    (
        re.compile(r"УИК РФ ст\. (\d+) ч\. (\d+) п\. «([а-д])»"),
        lambda m: f"Penal Enforcement Code, Art. {m[1]}({m[2]})({_POINTS[m[3]]})",
    ),
    (re.compile(r"УИК РФ ст\. (\d+) ч\. (\d+)"), r"Penal Enforcement Code, Art. \1(\2)"),
    (re.compile(r"вес — ст\. (\d+) ч\. (\d+)"), r"weight: Art. \1(\2)"),
    (re.compile(r"\(число не ограничено\)"), "(no limit of number)"),
    (re.compile(r"\((\d+) кг в месяц\)"), r"(\1 kg a month)"),
)
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def legal_basis_in_english(text: str) -> str | None:
    """``text`` in English, or None when a part of it isn't one the seeds use."""
    english = text
    for pattern, replacement in _RULES:
        english = pattern.sub(replacement, english)  # type: ignore[call-overload]
    return None if _CYRILLIC.search(english) else english


def legal_basis(text: str | None) -> tuple[str, str | None]:
    """(the citation to show, its language when it isn't the reader's: "ru" or None)."""
    if not text:
        return "", None
    if str(get_locale() or "en") == "ru":
        return text, None
    english = legal_basis_in_english(text)
    return (english, None) if english is not None else (text, "ru")
