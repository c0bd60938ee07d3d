"""Models made into rows, the form ``blocks`` stores: each model's served JSON, written in the one field order.

A row's *head* is the JSON of the served fields before ``capabilities`` (``HEAD_FIELDS``, in
``FIELDS`` order), without its closing brace; ``Head`` writes it. Every way a catalog
is made (checked entries, a catalog file, the synthetic builder) writes its heads with ``Head`` and
its capabilities with ``Builder``, so the served shape is declared once, in ``model.modelinfo``.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, NamedTuple

import msgspec

from ..model.modelinfo import (
    CAPABILITIES_SHAPE,
    HEAD_FIELDS,
    ModelInfo,
    complete,
    parse_rfc3339,
)
from .blocks import Key, Profiles, Row, Rows, lifecycle_code

__all__ = ["Builder", "Built", "Head", "dumps", "encode_head", "encode_heads", "quiet_gc"]

#: The served fields before ``capabilities``, in the order served.
Head = msgspec.defstruct("Head", [(name, Any) for name in HEAD_FIELDS], gc=False)
_ENCODE = msgspec.json.Encoder().encode
_CUT = itemgetter(slice(None, -1))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> bytes:
    """Compact JSON, as served."""
    return _ENCODER.encode(value).encode()


def encode_head(head: Any) -> bytes:
    """A model's head: the JSON of a ``Head`` without its closing brace."""
    return _ENCODE(head)[:-1]


def encode_heads(heads: Iterable[Any]) -> list[bytes]:
    """The heads of many models, from their ``Head`` objects (a loop in C)."""
    return list(map(_CUT, map(_ENCODE, heads)))


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of acyclic objects are made (it would scan them again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Built(NamedTuple):
    """What a catalog is made from: its rows and their profiles, as a loader or builder made them.

    ``rows``: a tree already in list order, or a list of rows in any order; ``ids``: id -> key, given
    with a tree (``None``: made from the rows); ``aliases`` are not yet checked against the models.
    """

    rows: Rows | list[Row]
    profiles: Profiles
    aliases: Mapping[str, str]
    as_of: str | None = None
    ids: dict[str, Key] | None = None


class Builder:
    """Turns checked models into rows, sharing one table of distinct ``capabilities``."""

    def __init__(self, profiles: Profiles | None = None) -> None:
        self.profiles = profiles or Profiles()
        self._known: dict[object, tuple[object, int]] = {}  # a capabilities object (or its raw JSON) -> profile
        self._moments: dict[str, float] = {}

    def capabilities(self, value: Any, token: object = None) -> int:
        """The profile of a checked capabilities object (``token``: a cheaper identity for it, such as its raw text)."""
        if value is None:
            return 0
        token = id(value) if token is None else token
        found = self._known.get(token)
        if found is not None and (found[0] is value or not isinstance(token, int)):
            return found[1]
        profile = self.profiles.add(dumps(complete(value, CAPABILITIES_SHAPE)))
        self._known[token] = (value, profile)
        return profile

    def moment(self, text: str) -> float:
        """``-timestamp`` of an already checked RFC 3339 string (the sort key's first part), memoised."""
        found = self._moments.get(text)
        if found is None:
            found = self._moments[text] = -parse_rfc3339(text).timestamp()
        return found

    def row(self, payload: ModelInfo) -> Row:
        """A row from a checked payload (``validate_model``'s)."""
        return (
            (self.moment(payload["created_at"]), payload["id"]),
            encode_head(Head(*[payload[field] for field in HEAD_FIELDS])),  # type: ignore[literal-required]
            self.capabilities(payload["capabilities"]),
            lifecycle_code(payload["lifecycle"]),
        )
