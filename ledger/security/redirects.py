"""The one rule for redirects to a path the visitor gave (``?next=``, the language switch).

Only a local path may come back: it starts with one ``/``, and nothing in it lets a browser
read another host. Browsers drop tabs and line breaks from URLs and read ``\\`` as ``/``, so
``/\\t/evil.example`` arrives as ``//evil.example``, another site; a line break in a
``Location`` header is a server error. Refused, so the fallback is used: any control or
format character, any whitespace, any backslash, ``//`` at the start, a scheme or a host,
and the same once percent-decoded.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2000


def _is_local(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    for char in path:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Cs", "Co", "Cn"):
            return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc


def is_local_path(target: object) -> bool:
    """True when a browser sent to ``target`` stays on this site."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return False
    return _is_local(target) and _is_local(unquote(target))


def local_redirect_target(target: object, fallback: str) -> str:
    """``target`` when it is a safe local path, otherwise ``fallback``."""
    return target if is_local_path(target) else fallback  # type: ignore[return-value]
