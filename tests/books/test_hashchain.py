"""The hash format auditors' verifiers depend on, pinned by a known-answer vector.

The vector is also printed in docs/verifying.md so that anyone writing their own verifier can
check it against the same bytes.  If a change to the code alters these bytes, every hash
already published stops verifying: the test must fail, and the change must not ship.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.books.hashchain import (
    GENESIS_HASH,
    HASHED_ENTRY_COLUMNS,
    EntryFacts,
    canonical_document,
    canonical_entry,
    canonical_json,
    chain_hash,
    entry_facts,
    entry_hash,
)
from ledger.books.models import JournalEntry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "verifying.md"

VECTOR_ENTRY = EntryFacts(
    id=7,
    entry_date=date(2026, 3, 14),
    description="Посылка — Иван «Кит»",
    recorded_at=datetime(2026, 3, 14, 9, 26, 53, 589793),  # the fraction is not hashed
    recorded_by_id=2,
    source_type="manual",
    source_ref="ref-1",
    idempotency_key="api:2:abc",
    reverses_id=None,
    is_advance=True,
    conversion_rate="1.0825",
)
# Given out of order: the canonical form sorts them by line number.
VECTOR_POSTINGS = [
    (2, "assets:bank:rub-main", "RUB", -125050, "parcels", None),
    (1, "liabilities:funds:prisoner:ivan", "RUB", 125050, "parcels", "Передача"),
]
VECTOR_CANONICAL = (
    '{"advance":true,"date":"2026-03-14","description":"Посылка — Иван «Кит»","id":7,'
    '"idempotency_key":"api:2:abc","postings":[[1,"liabilities:funds:prisoner:ivan","RUB",'
    '"125050","parcels","Передача"],[2,"assets:bank:rub-main","RUB","-125050","parcels",null]],'
    '"rate":"1.0825","recorded_at":"2026-03-14T09:26:53","recorded_by":2,"reverses":null,'
    '"source":"manual","source_ref":"ref-1"}'
)
VECTOR_PREV = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
VECTOR_HASH = "9f1b4b786f489fab20f1ae5d9a60f726919e0a8ea68e7eb1bfedbac5cb5555f5"
VECTOR_HASH_AFTER_GENESIS = "a523a8e1040286baa2879ffb68cf5bcbdae84bf87b036e64a0cf8862214dffa0"


def test_the_known_answer_vector_bytes():
    assert canonical_entry(VECTOR_ENTRY, VECTOR_POSTINGS) == VECTOR_CANONICAL.encode("utf-8")


@pytest.mark.parametrize(
    ("prev_hash", "expected"),
    [(VECTOR_PREV, VECTOR_HASH), (GENESIS_HASH, VECTOR_HASH_AFTER_GENESIS)],
    ids=["after-an-entry", "first-entry"],
)
def test_the_known_answer_vector_hash(prev_hash, expected):
    # The expected values are plain SHA-256 of the ASCII previous hash and the UTF-8 bytes.
    assert (
        hashlib.sha256(prev_hash.encode("ascii") + VECTOR_CANONICAL.encode("utf-8")).hexdigest() == expected
    )
    assert entry_hash(prev_hash, VECTOR_ENTRY, VECTOR_POSTINGS) == expected
    assert chain_hash(prev_hash, VECTOR_CANONICAL.encode("utf-8")) == expected


def test_the_genesis_hash_is_64_zeros():
    assert GENESIS_HASH == "0" * 64


def test_docs_print_the_same_vector():
    text = DOCS.read_text()
    assert VECTOR_CANONICAL in text.replace("\n", "")
    assert VECTOR_PREV in text
    assert VECTOR_HASH in text


def test_non_ascii_is_written_as_utf8_not_escaped():
    document = {"description": "Вера", "b": 1, "a": [1, None]}
    assert canonical_json(document) == '{"a":[1,null],"b":1,"description":"Вера"}'
    assert "\\u" not in canonical_entry(VECTOR_ENTRY, VECTOR_POSTINGS).decode("utf-8")


def test_the_document_holds_exactly_the_documented_keys():
    document = canonical_document(VECTOR_ENTRY, VECTOR_POSTINGS)
    documented = set(re.findall(r"^\| `([a-z_]+)`", DOCS.read_text(), flags=re.MULTILINE))
    documented |= {"source", "source_ref", "idempotency_key"}  # documented on one row
    # approved_by is there only when a second person signed the entry off.
    assert set(document) == documented - {"approved_by"}
    assert json.loads(VECTOR_CANONICAL) == document
    signed = canonical_document(VECTOR_ENTRY._replace(approved_by_id=5), VECTOR_POSTINGS)
    assert set(signed) == documented


def test_a_false_advance_and_no_links_are_written_as_false_and_null():
    facts = VECTOR_ENTRY._replace(is_advance=0, recorded_by_id=None, source_ref=None, conversion_rate=None)
    document = canonical_document(facts, [])
    assert document["advance"] is False
    assert (document["recorded_by"], document["source_ref"], document["rate"]) == (None, None, None)
    assert document["postings"] == []


def test_every_hashed_fact_changes_the_hash():
    base = entry_hash(VECTOR_PREV, VECTOR_ENTRY, VECTOR_POSTINGS)
    changed = {
        "id": 8,
        "entry_date": date(2026, 3, 15),
        "description": "Посылка",
        "recorded_at": datetime(2026, 3, 14, 9, 26, 54),
        "recorded_by_id": 3,
        "source_type": "import",
        "source_ref": "ref-2",
        "idempotency_key": "api:2:abd",
        "reverses_id": 6,
        "is_advance": False,
        "conversion_rate": "1.0826",
        "approved_by_id": 5,
    }
    assert set(changed) == set(HASHED_ENTRY_COLUMNS)
    for name, value in changed.items():
        assert entry_hash(VECTOR_PREV, VECTOR_ENTRY._replace(**{name: value}), VECTOR_POSTINGS) != base, name
    for index in range(6):
        posting = list(VECTOR_POSTINGS[1])
        posting[index] = {0: 3, 1: "liabilities:funds:general", 2: "EUR", 3: 125051, 4: "food", 5: "x"}[index]
        edited = [VECTOR_POSTINGS[0], tuple(posting)]
        assert entry_hash(VECTOR_PREV, VECTOR_ENTRY, edited) != base, index
    assert entry_hash(GENESIS_HASH, VECTOR_ENTRY, VECTOR_POSTINGS) != base


def test_the_hashed_columns_are_journal_entry_columns_and_facts_read_from_a_row():
    assert set(HASHED_ENTRY_COLUMNS) <= set(JournalEntry.__table__.columns.keys())
    entry = JournalEntry(**VECTOR_ENTRY._asdict(), prev_hash=VECTOR_PREV, hash=VECTOR_HASH)
    assert entry_facts(entry) == VECTOR_ENTRY


def test_a_sign_off_is_hashed_between_advance_and_date_and_only_when_there_is_one():
    """Entries recorded before two-person sign-off existed keep their bytes (the vector)."""
    signed = VECTOR_ENTRY._replace(approved_by_id=5)
    expected = VECTOR_CANONICAL.replace('"advance":true,', '"advance":true,"approved_by":5,', 1)
    assert canonical_entry(signed, VECTOR_POSTINGS) == expected.encode("utf-8")
    assert canonical_entry(VECTOR_ENTRY._replace(approved_by_id=None), VECTOR_POSTINGS) == (
        VECTOR_CANONICAL.encode("utf-8")
    )
    document = json.loads(expected)
    assert _auditors_script().canonical(document) == expected.encode("utf-8")


def _auditors_script():
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_export.py"
    spec = importlib.util.spec_from_file_location("verify_export_for_vector", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_auditors_standalone_script_agrees_with_the_vector():
    """scripts/verify_export.py is a second implementation, for auditors: same bytes."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_export.py"
    spec = importlib.util.spec_from_file_location("verify_export_for_vector", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    document = json.loads(VECTOR_CANONICAL)
    assert module.canonical(document) == VECTOR_CANONICAL.encode("utf-8")


# The fast builder against the definition: every stored entry was chained with these bytes.
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_optional = st.none() | _text
_posting = st.tuples(
    st.integers(1, 50),
    _text,
    st.sampled_from(["RUB", "EUR", "USD", "JPY"]),
    st.integers(-(10**15), 10**15),
    _optional,
    _optional,
)


@settings(max_examples=300, deadline=None)
@given(
    facts=st.builds(
        EntryFacts,
        id=st.integers(1, 10**9),
        entry_date=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
        description=_text,
        recorded_at=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)),
        recorded_by_id=st.none() | st.integers(1, 10**6),
        source_type=_text,
        source_ref=_optional,
        idempotency_key=_optional,
        reverses_id=st.none() | st.integers(1, 10**9),
        is_advance=st.booleans(),
        conversion_rate=st.none() | st.sampled_from(["98.40", "0.0001", "1"]),
        approved_by_id=st.none() | st.integers(1, 10**6),
    ),
    postings=st.lists(_posting, min_size=0, max_size=6, unique_by=lambda row: row[0]),
)
def test_the_fast_builder_gives_the_bytes_of_the_definition(facts, postings):
    expected = canonical_json(canonical_document(facts, postings)).encode("utf-8")
    assert canonical_entry(facts, postings) == expected


def test_quotes_backslashes_control_characters_and_cyrillic_are_escaped_as_json_does():
    facts = VECTOR_ENTRY._replace(
        description='Передача "посылки" \\ \n\t\x01 ✓',
        recorded_by_id=None,
        source_ref=None,
        idempotency_key="api:1:ключ",
        reverses_id=3,
    )
    postings = [
        (2, "assets:bank:rub-main", "RUB", -500, None, 'm"emo'),
        (1, "liabilities:x", "RUB", 500, "food", None),
    ]
    expected = canonical_json(canonical_document(facts, postings)).encode("utf-8")
    assert canonical_entry(facts, postings) == expected
