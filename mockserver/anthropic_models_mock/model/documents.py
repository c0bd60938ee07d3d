"""JSON in, strictly: what catalog files and the admin API's bodies are parsed with."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

__all__ = ["loads"]


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _number(text: str) -> float | int:
    """A number written with a fraction or an exponent: an ``int`` if its value is whole (``588.0``, ``1e3``).

    Exactly whole, not merely whole once rounded to a float: ``1.0000000000000000001`` stays a float.
    A finite float is below 2**1024, so the ``int`` has at most 309 digits.
    """
    value = float(text)
    if not (math.isfinite(value) and value.is_integer()):
        return value
    try:
        exact = Decimal(text)
        whole = exact == exact.to_integral_value()
    except ArithmeticError:  # an exponent past even the decimal module's range (1e-99999999999999999999)
        return value
    return int(exact) if whole else value


def loads(text: str | bytes, *, whole_numbers: bool = False) -> Any:
    """``json.loads``, but ``NaN`` and ``Infinity`` are errors, as in JSON itself.

    ``whole_numbers``: read a whole number written with a fraction or an exponent (``588.0``)
    as an ``int``, as JSON Schema counts it an integer (the admin API's bodies).

    Raises ``json.JSONDecodeError`` on bad syntax, ``ValueError`` on those constants
    and on numbers past Python's digit limit, ``RecursionError`` on absurd nesting.
    """
    return json.loads(text, parse_constant=_refuse, parse_float=_number if whole_numbers else None)
