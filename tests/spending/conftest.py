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
    """A one-page PDF and nothing else."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_metadata() -> bytes:
    """A one-page PDF as a scanner app writes it: document information with the author,
    producer and dates, an XMP metadata stream, and a comment signed by its author."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    writer.add_metadata(
        {
            "/Author": "Secret Coordinator",
            "/Producer": "ScanMaster 9",
            "/Creator": "PhoneScanner",
            "/CreationDate": "D:20260301120000+03'00'",
            "/ModDate": "D:20260301120500+03'00'",
        }
    )
    xmp = StreamObject()
    xmp.set_data(
        b"<x:xmpmeta><dc:creator>Secret Coordinator</dc:creator><xmp:CreatorTool>ScanMaster 9"
        b"</xmp:CreatorTool></x:xmpmeta>"
    )
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/T"): TextStringObject("Secret Coordinator"),
            NameObject("/Contents"): TextStringObject("paid in cash"),
            NameObject("/Rect"): ArrayObject([]),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
