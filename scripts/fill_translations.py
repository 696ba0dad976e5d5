"""Fill Russian msgstrs from a JSON dictionary {msgid: msgstr | [forms]} (a translator's helper).

Usage: python scripts/fill_translations.py ru.json   (only fills empty entries, clears fuzzy flags it fills)
"""

import json
import sys

from babel.messages.pofile import read_po, write_po

PATH = "ledger/translations/ru/LC_MESSAGES/messages.po"


def main(source: str) -> None:
    translations = json.load(open(source, encoding="utf-8"))
    with open(PATH, "rb") as handle:
        catalog = read_po(handle, locale="ru")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key not in translations:
            continue
        value = translations[key]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
        message.flags.discard("fuzzy")
        filled += 1
    with open(PATH, "wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False)
    missing = [
        m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    print(f"filled {filled}; still untranslated: {len(missing)}")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
