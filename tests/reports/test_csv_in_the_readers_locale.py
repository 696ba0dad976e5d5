"""CSV downloads for people and for scripts: the plain file (``,`` and ``.``) keeps its URL and
bytes for whoever asks; Russian readers are offered the same rows with ``;`` between cells and
a decimal comma, which Excel in a Russian locale splits into columns and reads as numbers.  The
English open books name a prisoner's fund in Latin letters."""

import csv
import io

RU = {"Accept-Language": "ru"}


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_a_russian_reader_gets_semicolons_and_decimal_commas_as_well_as_the_plain_file(client, books):
    page = client.get("/prisoners/vera/report", headers=RU).get_data(as_text=True)
    assert "/prisoners/vera/report.csv" in page
    assert "/prisoners/vera/report.csv?sheet=ru" in page
    assert "CSV для Excel" in page
    assert "sheet=" not in client.get("/prisoners/vera/report").get_data(as_text=True)

    plain_en = client.get("/prisoners/vera/report.csv", buffered=True).get_data()
    plain = client.get("/prisoners/vera/report.csv", headers=RU, buffered=True)
    local = client.get("/prisoners/vera/report.csv?sheet=ru", headers=RU, buffered=True)
    assert plain.headers["Content-Disposition"].endswith('.csv"')
    assert local.headers["Content-Disposition"].endswith('-ru.csv"')
    plain_rows = _rows(plain.get_data(), ",")
    local_rows = _rows(local.get_data(), ";")
    assert len(plain_rows) == len(local_rows) > 1
    assert len(plain_rows[0]) == len(local_rows[0]) > 3
    assert plain_rows[0] == local_rows[0]  # the same translated headers
    decimals = 0
    for plain_row, local_row in zip(plain_rows[1:], local_rows[1:], strict=True):
        for plain_cell, local_cell in zip(plain_row, local_row, strict=True):
            if plain_cell.replace("-", "", 1).replace(".", "", 1).isdigit() and "." in plain_cell:
                assert local_cell == plain_cell.replace(".", ",")
                decimals += 1
            else:
                assert local_cell == plain_cell
    assert decimals > 0
    # The plain file is what scripts read: commas, decimal points, whoever asks in English.
    assert b";" not in plain_en.split(b"\r\n")[1]
    assert _rows(plain_en, ",")[1:] == plain_rows[1:]


def test_english_open_books_name_the_fund_in_latin_letters(client, books):
    english = client.get("/open-books.csv", headers={"Accept-Language": "en"}, buffered=True).get_data()
    text = english.decode("utf-8-sig")
    assert "Fund of Vera Knizhkina" in text
    assert "Вера Книжкина" not in text
    russian = client.get("/open-books.csv", headers=RU, buffered=True).get_data().decode("utf-8-sig")
    assert "Вера Книжкина" in russian
