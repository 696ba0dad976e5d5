"""Free text from users (descriptions, memos, names): one validator for all.

Control characters are refused because a newline in a memo would inject a fake
line into the hledger or Beancount export, and invisible characters hide things
from auditors.
"""

from __future__ import annotations

import unicodedata


class TextError(ValueError):
    """Bad free text.  ``code`` is stable and translated at the edge."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def clean_text(value: object, *, max_length: int = 500, required: bool = False) -> str:
    """Return ``value`` stripped, or raise TextError.

    Refuses non-strings, control and format characters (Unicode categories
    ``Cc``, ``Cf`` except zero-width joiners in names, ``Zl``, ``Zp``), and text
    longer than ``max_length``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TextError("invalid_text")
    value = value.strip()
    if value.isascii() and value.isprintable():  # the common case: nothing to normalise or refuse
        if required and not value:
            raise TextError("required")
        if len(value) > max_length:
            raise TextError("too_long", max=max_length)
        return value
    value = unicodedata.normalize("NFC", value)
    if required and not value:
        raise TextError("required")
    if len(value) > max_length:
        raise TextError("too_long", max=max_length)
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp", "Cs", "Co") or (category == "Cf" and char != "\u200d"):
            raise TextError("control_character")
    return value


def fold_for_search(text: str | None) -> str | None:
    """Case-folded, with ё read as е, as Russian readers write it: "ик-7" finds "ИК-7" and
    "Чечеткин" finds "Чечёткин".  The database applies the same folding (ledger/platform/database.py)."""
    if text is None:
        return None
    return text.casefold().replace("ё", "е")
