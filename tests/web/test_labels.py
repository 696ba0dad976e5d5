"""Labels are keyed by the StrEnums (ledger/web/labels.py, LABELLED_VOCABULARIES): every member
of a vocabulary shown by its labels has one, in English and in Russian, so a member added to
an enum fails here until it is labelled and translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from ledger.funds.kinds import EventType, PrisonerStatus
from ledger.web.labels import (
    FEMALE_EVENT_LABELS,
    FEMALE_STATUS_LABELS,
    LABELLED_VOCABULARIES,
    NEUTRAL_EVENT_LABELS,
    NEUTRAL_STATUS_LABELS,
)

CATALOG = (
    Path(__file__).resolve().parents[2] / "ledger" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
)


@pytest.fixture(scope="module")
def russian():
    with open(CATALOG, "rb") as handle:
        return read_po(handle, locale="ru")


@pytest.mark.parametrize("vocabulary", list(LABELLED_VOCABULARIES), ids=lambda enum: enum.__name__)
def test_every_member_has_a_label_keyed_by_the_member(vocabulary):
    labels = LABELLED_VOCABULARIES[vocabulary]
    assert sorted(labels) == sorted(vocabulary)
    assert all(isinstance(code, vocabulary) for code in labels), "keyed by a literal string"


@pytest.mark.parametrize(
    ("forms", "vocabulary"),
    [
        (FEMALE_STATUS_LABELS, PrisonerStatus),
        (NEUTRAL_STATUS_LABELS, PrisonerStatus),
        (FEMALE_EVENT_LABELS, EventType),
        (NEUTRAL_EVENT_LABELS, EventType),
    ],
)
def test_gendered_forms_are_members_of_their_vocabulary(forms, vocabulary):
    assert forms
    assert all(isinstance(code, vocabulary) for code in forms)


@pytest.mark.parametrize("vocabulary", list(LABELLED_VOCABULARIES), ids=lambda enum: enum.__name__)
def test_every_label_reads_in_russian(app, russian, vocabulary):
    with app.test_request_context():
        for code, label in LABELLED_VOCABULARIES[vocabulary].items():
            with force_locale("en"):
                english = str(label)
            entry = russian.get(english)
            assert entry is not None, f"{vocabulary.__name__}.{code.name}: {english!r} is not in the catalog"
            assert entry.string, f"{vocabulary.__name__}.{code.name}: {english!r} has no Russian"
            with force_locale("ru"):
                assert str(label) == entry.string
