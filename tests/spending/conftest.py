import io

import pytest
from PIL import Image

from ledger.books.accounts import get_or_create_account
from tests.conftest import donate, make_prisoner


@pytest.fixture
def parcel_setup(session):
    """A prisoner with 500 EUR and 20,000 RUB, a rouble bank account, and a facility with limits."""
    from ledger.funds.models import Facility

    facility = Facility(name="ИК-1 (test)", max_parcel_grams=20000, max_parcels_per_month=1)
    session.add(facility)
    prisoner = make_prisoner(session, "vera")
    prisoner.facility = facility
    donate(session, prisoner, "500.00", "EUR")
    donate(session, prisoner, "20000.00", "RUB")
    get_or_create_account(session, "assets:bank:rub-main")
    session.commit()
    return prisoner


def jpeg_with_gps() -> bytes:
    """A photo carrying EXIF with a GPS position and a camera serial number."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    gps = {1: "N", 2: (55.0, 45.0, 21.0), 3: "E", 4: (37.0, 37.0, 4.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def minimal_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
