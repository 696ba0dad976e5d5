"""Passwords are stored as Argon2id hashes at RFC 9106's low-memory cost.

The suite hashes at the lowest cost (tests/conftest.py, ``_fast_password_hashing``, with tests/helpers.py's hasher); these
tests check the hasher the app itself ships with, and that the hashes the app stores carry
their parameters, so a hash made at either cost verifies."""

from __future__ import annotations

from argon2 import Type, extract_parameters

from ledger.access import passwords
from tests.helpers import FAST_PASSWORD_HASHER, PASSWORD, SHIPPED_PASSWORD_HASHER


def test_the_app_hashes_with_argon2id_at_the_rfc_9106_low_memory_cost():
    assert passwords._hasher is FAST_PASSWORD_HASHER  # the suite's, for the other tests
    stored = SHIPPED_PASSWORD_HASHER.hash(PASSWORD)
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (65536, 3, 4)
    assert passwords.check_password(stored, PASSWORD)


def test_a_stored_hash_names_its_own_cost_and_verifies_whatever_the_hasher(users, session):
    from ledger.access.users import find_user

    user = find_user(session, users["coordinator"])
    assert user is not None
    assert extract_parameters(user.password_hash).type is Type.ID
    assert passwords.check_password(user.password_hash, PASSWORD)
    assert not passwords.check_password(user.password_hash, PASSWORD + "!")
