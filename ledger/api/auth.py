"""Role checks for API views: JSON 401/403 instead of a redirect to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request
from flask_login import current_user

from ledger.api.errors import ApiError

P = ParamSpec("P")
R = TypeVar("R")


def api_role_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let only a signed-in user of one of ``roles`` call the view. The roles stay on the view
    as ``api_roles``: the published contract's ``x-roles`` are read from there."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                raise ApiError(401, "unauthorized")
            # Writes need a bearer token: the API is exempt from CSRF, so a session cookie
            # that a browser attaches on its own must not be enough to change anything.
            if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("token_auth"):
                raise ApiError(401, "unauthorized")
            if current_user.role not in roles:
                raise ApiError(403, "forbidden")
            return view(*args, **kwargs)

        wrapped.__dict__["api_roles"] = tuple(str(role) for role in roles)  # read by contract/_routes.py
        return wrapped

    return decorator
