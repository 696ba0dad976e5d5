"""Reading untrusted JSON with a depth limit, for the API and the Stripe webhook.

Python's parser recurses once per ``[`` or ``{``: 100,000 of them raise RecursionError, a
server error. The nesting is counted first, in one pass that never recurses, and anything
deeper than ``MAX_DEPTH`` is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

# No request this app takes nests deeper than a few levels (a parcel's items' costs: 4).
MAX_DEPTH = 32
# Strings first (their brackets don't count), then every bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonInputError(ValueError):
    """``code`` is ``bad_json`` (not JSON) or ``json_too_deep``."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar)."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        symbol = match.group()
        if symbol in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif symbol in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads_limited(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> object:
    """``json.loads`` for untrusted input: JsonInputError instead of any other exception."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise JsonInputError("bad_json") from None
    if nesting_depth(text) > max_depth:
        raise JsonInputError("json_too_deep", max=max_depth)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # not reachable after the count above; kept as a last guard
        raise JsonInputError("json_too_deep", max=max_depth) from None
    except ValueError:
        raise JsonInputError("bad_json") from None


def canonical_json(value: object) -> str:
    """One spelling per JSON value (keys sorted, no spaces): equal documents, equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
