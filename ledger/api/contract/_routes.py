"""The route walk: every operation the API serves, with the view that enforces it.

The blueprint is registered on a bare Flask app (no config, no database), so the walk sees the
same url map and view functions as the running app without building one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from flask import Flask

PUBLIC = ("public",)
WRITE_METHODS = ("post", "put", "patch", "delete")


def contract_path(rule: str) -> str:
    """``/api/v1/entries/<int:entry_id>`` as the contract writes it: ``/entries/{entry_id}``."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.removeprefix("/api/v1"))


def api_operations() -> dict[tuple[str, str], Callable]:
    """``(contract path, method)`` → view function of every API route."""
    from ledger.api import load_views  # the views import this package's parent, so not at import

    app = Flask("ledger.api.contract")
    app.register_blueprint(load_views())
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found[(contract_path(rule.rule), method.lower())] = app.view_functions[rule.endpoint]
    return found


def _layers(view: Callable) -> Iterator[Callable]:
    """The view and every function it wraps (``functools.wraps`` sets ``__wrapped__``)."""
    current: Callable | None = view
    while current is not None:
        yield current
        current = getattr(current, "__wrapped__", None)


def enforced_roles(view: Callable) -> tuple[str, ...]:
    """The roles ``@api_role_required`` lets call ``view``; ``("public",)`` without it."""
    for layer in _layers(view):
        roles = getattr(layer, "api_roles", None)
        if roles is not None:
            return tuple(roles)
    return PUBLIC


def request_schema(view: Callable):
    """The ``Schema`` ``@json_request`` reads the body with, or None."""
    for layer in _layers(view):
        schema = getattr(layer, "json_schema", None)
        if schema is not None:
            return schema
    return None
