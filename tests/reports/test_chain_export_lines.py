"""A JSON line of the chain export is the canonical document plus prev_hash and hash,
keys sorted, exactly as json.dumps writes it, whatever the entry's text holds."""

import json
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.books.hashchain import EntryFacts, canonical_entry
from ledger.reports.chain_export import _with_hashes

_tricky = st.sampled_from(['x,"id":1', 'a,"rate":"2"', '"', "\\", "Передача", ',"hash":"', "\n"])
_text = st.lists(_tricky | st.text(max_size=8), max_size=4).map("".join)


@settings(max_examples=200, deadline=None)
@given(description=_text, memo=st.none() | _text, key=st.none() | _text, rate=st.none() | _text)
def test_the_line_is_what_json_dumps_gives(description, memo, key, rate):
    facts = EntryFacts(
        id=5,
        entry_date=date(2026, 1, 2),
        description=description,
        recorded_at=datetime(2026, 1, 2, 3, 4, 5),
        recorded_by_id=None,
        source_type="manual",
        source_ref=None,
        idempotency_key=key,
        reverses_id=None,
        is_advance=False,
        conversion_rate=rate,
    )
    postings = [(1, "assets:bank:rub-main", "RUB", 100, None, memo), (2, "x:y", "RUB", -100, "food", None)]
    canonical = canonical_entry(facts, postings).decode()
    expected = {**json.loads(canonical), "prev_hash": "a" * 64, "hash": "b" * 64}
    line = _with_hashes(canonical, "a" * 64, "b" * 64)
    assert line == json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
