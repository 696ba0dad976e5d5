"""Public pages show the state of the latest signed checkpoint: tests that read the shared
``books`` (tests/factories.py) see them sealed."""

import pytest

from tests.helpers import seal


@pytest.fixture(autouse=True)
def _books_sealed_by_a_checkpoint(request):
    """Once the books are written, the daily checkpoint has run (tests/checkpoints test the
    state before it)."""
    if "books" in request.fixturenames:
        request.getfixturevalue("books")
        seal(request.getfixturevalue("session"))
