"""Generated descriptions are a code and parameters: stored in English, read back exactly."""

import re

from hypothesis import given
from hypothesis import strategies as st

from ledger.books.descriptions import TEMPLATES, describe, parse

_currency = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
_PARAMS = {
    "source": _currency,
    "target": _currency,
    "rate": st.decimals(min_value="0.0001", max_value="100000", places=4).map(str),
    "entry": st.integers(1, 10**9).map(str),
    "category": st.sampled_from(["food", "clothing", "parcels", "commissary", "letters", "other"]),
    "channel": st.sampled_from(["zonatelecom", "fsin_transfer", "post", "other"]),
    "reason": st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
}


@given(data=st.data(), code=st.sampled_from(sorted(TEMPLATES)))
def test_every_generated_description_parses_back_to_its_code_and_parameters(data, code):
    names = re.findall(r"\{(\w+)\}", TEMPLATES[code])
    params = {name: data.draw(_PARAMS[name]) for name in names}
    assert parse(describe(code, **params)) == (code, params)


def test_the_stored_text_stays_the_english_the_journal_always_had():
    # These bytes are hashed into existing entries: the codes must keep producing them.
    assert describe("bank_donation") == "Bank transfer"
    assert describe("reversal", entry=842, reason="wrong prisoner") == "Reversal of #842: wrong prisoner"
    assert (
        describe("fund_conversion", source="EUR", target="RUB", rate="98.40") == "Conversion EUR→RUB at 98.40"
    )
    assert describe("spending", category="food") == "Spending: food"


def test_what_a_person_wrote_is_not_taken_for_a_code():
    for text in (
        "Bank transfer from Anna",
        "Передача в СИЗО-1",
        "Spending: Food!",
        "Reversal of #x: y",
        "",
        None,
    ):
        assert parse(text) is None
