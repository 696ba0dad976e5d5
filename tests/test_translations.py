"""The Russian catalog is complete, current with the code, and its plurals and
placeholders are right — `make test` fails otherwise."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "ledger" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
TEMPLATE = ROOT / "ledger" / "translations" / "messages.pot"


def _ids(catalog) -> set:
    return {message.id for message in catalog if message.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Extract the messages from the code now, exactly as `make translations-update` does."""
    out = tmp_path_factory.mktemp("babel") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            str(pybabel),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with open(out, "rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def russian():
    with open(CATALOG, "rb") as handle:
        return read_po(handle, locale="ru")


def test_catalogs_are_current_with_the_code(extracted, russian):
    with open(TEMPLATE, "rb") as handle:
        template = read_po(handle)
    missing = sorted(map(str, _ids(extracted) - _ids(template)))
    assert not missing, f"messages.pot is out of date (run make translations-update): {missing[:10]}"
    stale = sorted(map(str, _ids(extracted) - _ids(russian)))
    assert not stale, f"the Russian catalog lacks messages (run make translations-update): {stale[:10]}"


def test_every_message_is_translated_and_not_fuzzy(extracted, russian):
    wanted = _ids(extracted)
    problems = []
    for message in russian:
        if not message.id or message.id not in wanted:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
        if message.pluralizable and len(strings) != 3:
            problems.append(("needs 3 Russian plural forms", message.id))
    assert not problems, f"untranslated or fuzzy: {problems[:10]}"


def test_placeholders_match(russian):
    errors = [(message.id, [str(e) for e in errs]) for message, errs in russian.check() if errs]
    assert not errors, errors[:5]


def test_russian_plurals_follow_the_number(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("ru"):
        forms = [
            ngettext("%(num)s donation recorded.", "%(num)s donations recorded.", n) for n in (1, 2, 5, 21)
        ]
    assert forms == [
        "Записано 1 пожертвование.",
        "Записано 2 пожертвования.",
        "Записано 5 пожертвований.",
        "Записано 21 пожертвование.",
    ]


def test_names_and_bios_follow_the_reader(app):
    from types import SimpleNamespace

    from flask_babel import force_locale

    from ledger.web.formatting import display_bio, display_name

    both = SimpleNamespace(name="Вера Б.", name_latin="Vera B.", bio_en="Teacher.", bio_ru="Учительница.")
    russian_only = SimpleNamespace(name="Пётр", name_latin=None, bio_en=None, bio_ru="Инженер.")
    with app.test_request_context():
        with force_locale("en"):
            assert (display_name(both), display_bio(both)) == ("Vera B.", "Teacher.")
            assert (display_name(russian_only), display_bio(russian_only)) == ("Пётр", "Инженер.")
        with force_locale("ru"):
            assert (display_name(both), display_bio(both)) == ("Вера Б.", "Учительница.")


def test_money_and_dates_are_formatted_by_babel(app):
    from datetime import date

    from flask_babel import force_locale, format_date

    from ledger.money import parse_amount
    from ledger.web.formatting import money

    with app.test_request_context():
        with force_locale("en"):
            assert money(parse_amount("1234.50", "EUR")) == "€1,234.50"
        with force_locale("ru"):
            assert money(parse_amount("1234.50", "RUB")).replace("\xa0", " ") == "1 234,50 ₽"
            assert "марта" in format_date(date(2026, 3, 5), "long")
