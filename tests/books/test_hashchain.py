"""The canonical bytes are exactly ``json.dumps(document, sort_keys=True, ...)``: the fast
builder must never change a hash (every stored entry was chained with these bytes)."""

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.books.hashchain import canonical_entry, canonical_entry_reference

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
    entry_id=st.integers(1, 10**9),
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
    postings=st.lists(_posting, min_size=0, max_size=6, unique_by=lambda row: row[0]),
    approved_by_id=st.none() | st.integers(1, 10**6),
)
def test_the_fast_builder_gives_the_bytes_of_json_dumps(**fields):
    assert canonical_entry(**fields) == canonical_entry_reference(**fields)


def test_quotes_backslashes_control_characters_and_cyrillic_are_escaped_as_json_does():
    fields = dict(
        entry_id=7,
        entry_date=date(2026, 3, 1),
        description='Передача "посылки" \\ \n\t\x01 ✓',
        recorded_at=datetime(2026, 3, 1, 12, 30, 45, 123456),
        recorded_by_id=None,
        source_type="manual",
        source_ref=None,
        idempotency_key="api:1:ключ",
        reverses_id=3,
        is_advance=True,
        conversion_rate="98.40",
        postings=[
            (2, "assets:bank:rub-main", "RUB", -500, None, 'm"emo'),
            (1, "liabilities:x", "RUB", 500, "food", None),
        ],
    )
    assert canonical_entry(**fields) == canonical_entry_reference(**fields)
