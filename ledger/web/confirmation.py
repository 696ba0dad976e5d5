"""A confirmation step before an action that can't be undone (no script: a second POST)."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf import FlaskForm


def confirmed() -> bool:
    """True when the request comes from the confirmation page's button."""
    return request.form.get("confirm") == "yes"


def confirmation_page(
    *,
    title: str,
    explanation: list[str],
    button: str,
    back: str,
    carried: dict[str, str] | None = None,
    back_label: str | None = None,
):
    """The page that asks once more; its button posts the same request with ``confirm=yes``."""
    return render_template(
        "confirm.html",
        title=title,
        explanation=explanation,
        button=button,
        back=back,
        action=request.path,
        carried=carried or {},
        back_label=back_label,
        form=FlaskForm(),
    )
