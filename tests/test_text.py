import pytest

from ledger.platform.text import TextError, clean_text


@pytest.mark.parametrize("char", ["\n", "\t", "\r", "\x00", "\u202e", "\u2028", "\u2029", "\x7f", "\x85"])
def test_control_characters_are_refused(char):
    with pytest.raises(TextError) as error:
        clean_text(f"before{char}after")
    assert error.value.code == "control_character"


def test_ordinary_text_in_any_script_is_kept():
    assert clean_text("  Передача: чай, сахар — 2 кг <b>  ") == "Передача: чай, сахар — 2 кг <b>"


def test_length_and_required_are_enforced():
    with pytest.raises(TextError):
        clean_text("x" * 11, max_length=10)
    with pytest.raises(TextError):
        clean_text("   ", required=True)
