"""Role checks for API views: JSON 401/403 instead of a redirect to the sign-in page."""
from __future__ import annotations

from functools import wraps

from flask_login import current_user

from ledger.api.errors import ApiError


def api_role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise ApiError(401, "unauthorized")
            if current_user.role not in roles:
                raise ApiError(403, "forbidden")
            return view(*args, **kwargs)

        return wrapped

    return decorator
