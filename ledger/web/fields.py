"""Select fields whose options render in one format call each.

WTForms renders every ``<option>`` through ``html_params`` (a sorted dict, a
``Markup.format`` per attribute), which made the options of a thousand-prisoner
select most of a form's time under the profiler (#17).  The widget below writes
the same bytes for the plain case (a value, a label, perhaps ``selected``) and
leaves anything else to WTForms.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from wtforms import fields, widgets


class Select(widgets.Select):
    @classmethod
    def render_option(cls, choice, **kwargs):
        value = choice.value
        if kwargs or choice.render_kw or isinstance(value, bool) or hasattr(value, "__html__"):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or value)
        # Both values are escaped above; ``selected`` is one of two constants.
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')  # noqa: S704


class SelectField(fields.SelectField):
    widget = Select()


class SelectMultipleField(fields.SelectMultipleField):
    widget = Select(multiple=True)
