"""Our select fields write what WTForms' own widget writes, option for option, only faster
(a thousand-prisoner select was most of a form's time at a million postings, #17)."""

import enum

import pytest
from flask_babel import lazy_gettext
from wtforms import Form, widgets
from wtforms.fields.choices import SelectChoice

from ledger.web.fields import SelectField, SelectMultipleField


class Colour(enum.StrEnum):
    RED = "red"


CHOICES = [
    SelectChoice("", "—"),
    SelectChoice("vera-a", "Вера А."),
    SelectChoice("a&b", 'Tom "T" <Tomsk>'),
    SelectChoice(Colour.RED, "Red"),
    SelectChoice(7, "seven"),
    SelectChoice("same", ""),  # no label: the value is shown
    SelectChoice("kw", "with attributes", render_kw={"disabled": True, "data_x": "1"}),
]


class PlainForm(Form):
    pick = SelectField(choices=CHOICES)
    many = SelectMultipleField(
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B <b>"), SelectChoice("c", "C")]
    )
    grouped = SelectField(
        choices=[
            SelectChoice("RUB", "RUB", optgroup="In use"),
            SelectChoice("EUR", "EUR", optgroup="Other currencies"),
        ]
    )
    flag = SelectField(
        choices=[SelectChoice(True, "yes"), SelectChoice(False, "no")], coerce=lambda v: v in (True, "True")
    )


def _as_wtforms(field) -> str:
    return widgets.Select(multiple=field.widget.multiple)(field)


@pytest.mark.parametrize("data", [{}, {"pick": "a&b"}, {"pick": "red"}, {"pick": "7"}, {"pick": "kw"}])
def test_a_select_renders_as_wtforms_renders_it(app, data):
    with app.test_request_context():
        form = PlainForm(data=data)
        for field in (form.pick, form.grouped, form.flag):
            assert str(field()) == str(_as_wtforms(field))
        assert 'value="a&amp;b">Tom &#34;T&#34; &lt;Tomsk&gt;</option>' in str(form.pick())


def test_the_selected_options_of_a_multiple_select_are_marked(app):
    with app.test_request_context():
        form = PlainForm(data={"many": ["a", "c"]})
        html = str(form.many())
        assert html == str(_as_wtforms(form.many))
        assert '<option selected value="a">A</option>' in html
        assert '<option value="b">B &lt;b&gt;</option>' in html


def test_lazy_labels_are_translated_and_escaped(app):
    class LazyForm(Form):
        pick = SelectField(choices=[SelectChoice("x", lazy_gettext("Other"))])

    with app.test_request_context():
        field = LazyForm().pick
        assert str(field()) == str(_as_wtforms(field))
        assert ">Other</option>" in str(field())
