"""The small organisation's books of tests/reports, for the checkpoint tests."""

from tests.reports.conftest import books  # noqa: F401  (a fixture)
