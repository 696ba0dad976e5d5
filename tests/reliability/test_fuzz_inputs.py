"""Fuzzing every money-writing form and API endpoint with hypothesis: amounts written as
floats, exponents, commas, huge or negative numbers; unknown currencies and categories;
dates out of range; Unicode and HTML in text; malformed JSON.  Each is either accepted
exactly as the strict parser reads it or answered with a clear error — and an error
never leaves anything written."""

import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.access.models import AuditEvent
from ledger.books.accounts import get_or_create_account
from ledger.books.models import JournalEntry, Posting
from ledger.books.verify import verify_ledger
from ledger.funds.models import Donation, Pledge, Prisoner
from tests.helpers import bearer

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

amount_texts = st.one_of(
    st.sampled_from(
        [
            "1e3",
            "1E-2",
            "NaN",
            "nan",
            "snan",
            "inf",
            "-Infinity",
            "1,50",
            "1 500",
            "0x10",
            "١٢",
            "12.",
            ".5",
            "+5",
            "-5",
            "0",
            "0.00",
            "00012",
            "1.005",
            "9" * 40,
            "1_000",
            " 12.50 ",
            "12.50\n",
            "١.٥",
            "１２",
            "",
            " ",
        ]
    ),
    st.text(alphabet="0123456789.,-+eE _", max_size=14),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)
json_amounts = st.one_of(
    amount_texts,
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
currencies = st.one_of(
    st.sampled_from(["RUB", "EUR", "rub", "XXX", "EURO", "", "ЕВР", "BTC"]), st.text(max_size=4)
)
categories = st.one_of(
    st.sampled_from(["food", "parcels", "vodka", "FOOD", "", "donation", "fee"]), st.text(max_size=10)
)
dates = st.one_of(
    st.sampled_from(
        [
            "2026-03-01",
            "2026-02-30",
            "1999-12-31",
            "2101-01-01",
            "2999-01-01",
            "01.03.2026",
            "2026-3-1",
            "",
            "yesterday",
        ]
    ),
    st.text(max_size=12),
)
texts = st.one_of(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "Ӂ\u0301",
            "a\u202eb",
            "\x00",
            "line\nbreak",
            "'; DROP TABLE postings; --",
            "😀" * 3,
        ]
    ),
    st.text(max_size=40),
)


def reference_amount(text, currency) -> Decimal | None:
    """What the strict parser must accept: ASCII digits, one optional point, at most the
    currency's decimals, positive."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)  # a JSON integer is exact, unlike a float
    places = {"RUB": 2, "EUR": 2}.get(currency)
    if places is None or not isinstance(text, str) or not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return None
    if "." in text and len(text.split(".")[1]) > places:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if 0 < value < Decimal(10) ** 15 else None


def snapshot(session):
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (JournalEntry, Posting, Donation, Pledge, Prisoner)
    )


@pytest.fixture
def funded(session, create_prisoner, create_donation):
    prisoner = create_prisoner("vera")
    create_donation(prisoner, "100000.00", "RUB")
    create_donation(prisoner, "5000.00", "EUR")
    get_or_create_account(session, "assets:bank:rub-main")
    session.commit()
    return prisoner


@FUZZ
@given(amount=json_amounts, currency=currencies, category=categories, spent_on=dates, memo=texts)
@example(amount=12.5, currency="RUB", category="food", spent_on="2026-03-01", memo="")
@example(amount="10.00", currency="RUB", category="food", spent_on="2026-03-01", memo="<b>ok</b>")
@example(amount="9" * 40, currency="RUB", category="food", spent_on="2026-03-01", memo="")
@example(amount=1, currency="RUB", category="food", spent_on="2026-03-01", memo="")
def test_disbursement_api_accepts_exactly_the_valid_amounts(
    client, tokens, session, funded, amount, currency, category, spent_on, memo
):
    before = snapshot(session)
    response = client.post(
        "/api/v1/disbursements",
        headers=bearer(tokens["coordinator"]),
        json={
            "prisoner": "vera",
            "money": {"amount": amount, "currency": currency},
            "category": category,
            "paid_from": "assets:bank:rub-main",
            "spent_on": spent_on,
            "memo": memo,
        },
    )
    body = response.get_json()
    if response.status_code == 201:
        expected = reference_amount(amount, currency)
        assert expected is not None, (amount, currency)
        assert Decimal(body["entry"]["postings"][0]["money"]["amount"]) == expected
        assert category in ("food", "parcels")
    else:
        assert response.status_code in (409, 422), body
        assert body["error"]["code"]
        assert body["error"]["message"]
        assert snapshot(session) == before


@FUZZ
@given(amount=amount_texts, currency=currencies, category=categories, spent_on=dates, memo=texts)
def test_disbursement_form_answers_on_the_page(
    client, auth, session, funded, amount, currency, category, spent_on, memo
):
    auth.login("coordinator")
    before = snapshot(session)
    response = client.post(
        "/disbursements/new",
        data={
            "prisoner": "vera",
            "amount": amount,
            "currency": currency,
            "category": category,
            "paid_from": "assets:bank:rub-main",
            "spent_on": spent_on,
            "memo": memo,
        },
    )
    if response.status_code == 302:
        assert reference_amount(amount.strip(), currency) is not None
    else:
        assert response.status_code == 200
        assert 'class="field-error"' in response.text or 'class="flash flash-error"' in response.text
        assert "<script>alert(1)</script>" not in response.text
        assert snapshot(session) == before


@FUZZ
@given(
    amount=json_amounts,
    currency=currencies,
    method=st.sampled_from(["bank", "cash", "card", "gold", ""]),
    received_on=dates,
    name=texts,
    email=st.one_of(st.emails(), texts),
)
@example(amount="9" * 40, currency="RUB", method="bank", received_on="2026-03-01", name="", email="")
def test_donation_and_pledge_api_refuse_cleanly(
    client, tokens, session, funded, amount, currency, method, received_on, name, email
):
    before = snapshot(session)
    donation = client.post(
        "/api/v1/donations",
        headers=bearer(tokens["coordinator"]),
        json={
            "prisoner": "vera",
            "money": {"amount": amount, "currency": currency},
            "method": method,
            "asset": "assets:bank:rub-main",
            "received_on": received_on,
            "donor": {"public_name": name, "email": email},
        },
    )
    pledge = client.post(
        "/api/v1/pledges",
        headers=bearer(tokens["coordinator"]),
        json={
            "fund": "vera",
            "money": {"amount": amount, "currency": currency},
            "frequency": "monthly",
            "donor": {"public_name": name, "email": email},
        },
    )
    for response in (donation, pledge):
        if response.status_code != 201:
            assert response.status_code in (409, 422), response.get_json()
            assert response.get_json()["error"]["message"]
        else:
            assert reference_amount(amount, currency) is not None
    if donation.status_code != 201 and pledge.status_code != 201:
        assert snapshot(session) == before


@FUZZ
@given(
    body=st.one_of(
        st.binary(max_size=60),
        st.text(max_size=60).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    path=st.sampled_from(
        [
            "/api/v1/disbursements",
            "/api/v1/donations",
            "/api/v1/transfers",
            "/api/v1/conversions",
            "/api/v1/pledges",
            "/api/v1/prisoners",
        ]
    ),
)
def test_malformed_json_is_refused_and_writes_nothing(client, tokens, session, funded, body, path):
    before = snapshot(session)
    response = client.post(
        path, data=body, content_type="application/json", headers=bearer(tokens["coordinator"])
    )
    assert response.status_code in (400, 409, 415, 422), (path, body, response.status_code)
    assert response.get_json()["error"]["code"]
    assert snapshot(session) == before


@FUZZ
@given(name=texts, slug=st.one_of(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True), texts))
def test_names_with_html_or_unicode_are_stored_as_text_and_escaped(
    client, auth, tokens, session, funded, name, slug
):
    response = client.post(
        "/api/v1/prisoners", headers=bearer(tokens["coordinator"]), json={"slug": slug, "name": name}
    )
    if response.status_code != 201:
        assert response.status_code == 422
        assert response.get_json()["error"]["message"]
        return
    auth.login("coordinator")
    page = client.get("/manage/prisoners").text
    assert "<script>alert(1)</script>" not in page
    session.expire_all()
    stored = session.scalar(select(Prisoner).where(Prisoner.slug == slug)).name
    assert stored == unicodedata.normalize("NFC", name.strip())


def test_everything_accepted_by_fuzzing_still_verifies(client, tokens, session, funded):
    for amount in ("1", "0.01", "99999.99"):
        client.post(
            "/api/v1/disbursements",
            headers=bearer(tokens["coordinator"]),
            json={
                "prisoner": "vera",
                "money": {"amount": amount, "currency": "RUB"},
                "category": "food",
                "paid_from": "assets:bank:rub-main",
                "spent_on": "2026-03-01",
            },
        )
    assert verify_ledger(session).ok
    assert session.scalar(select(func.count()).select_from(AuditEvent)) >= 3
