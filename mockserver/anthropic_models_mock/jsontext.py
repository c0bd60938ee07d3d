"""JSON in, strictly: what catalog files and the admin API's bodies are parsed with."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """``json.loads``, but ``NaN`` and ``Infinity`` are errors, as in JSON itself.

    Raises ``json.JSONDecodeError`` on bad syntax, ``ValueError`` on those constants
    and on numbers past Python's digit limit, ``RecursionError`` on absurd nesting.
    """
    return json.loads(text, parse_constant=_refuse)
