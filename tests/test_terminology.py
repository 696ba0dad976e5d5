"""Russian that reads as an accountant's: the books are «бухгалтерия» or «учёт», never
«книги» (library books).  «Главная книга» (the general ledger) is the accounting term and stays."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = (
    Path(__file__).resolve().parents[1] / "ledger" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
)
BOOKS = re.compile(r"\bкниг(?:и|ах|ам)\b", re.IGNORECASE)


def test_the_books_are_never_library_books():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="ru")
    wrong = [
        (message.id, text)
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if text and BOOKS.search(text)
    ]
    assert wrong == []
    assert catalog["The books"].string == "Бухгалтерия"
    assert catalog["Open books"].string == "Открытая бухгалтерия"
