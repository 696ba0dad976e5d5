from tests.donors.conftest import eur_details, fake_stripe, smtp, webhooks  # noqa: F401
