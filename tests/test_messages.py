"""Refusals that name the values to choose from list them from the StrEnums (ledger/edge/messages.py,
CHOICES): a new member shows up in the message without a new message or translation."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from ledger.edge.messages import CHOICES, message_for


def test_the_category_refusal_lists_the_spending_categories(app):
    with app.test_request_context(), force_locale("en"):
        assert message_for("unknown_category") == (
            "Choose a category: food, clothing, parcels, commissary, letters, or other."
        )


@pytest.mark.parametrize("code", sorted(CHOICES))
@pytest.mark.parametrize(("locale", "last_joined_by"), [("en", ", or "), ("ru", " или ")])
def test_a_refusal_lists_every_member_of_its_vocabulary(app, code, locale, last_joined_by):
    with app.test_request_context(), force_locale(locale):
        text = message_for(code)
    choices = [str(value) for value in CHOICES[code]]
    assert all(choice in text for choice in choices), text
    assert f"{last_joined_by}{choices[-1]}." in text
    assert "%(" not in text
