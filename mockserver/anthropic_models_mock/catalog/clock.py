"""A catalog as it stood at a moment, by its own dates: the clock (``mockserver serve --clock``).

At a moment ``t``, a model made after ``t`` does not exist yet; otherwise it is ``retired`` from its
``retires_at``, ``deprecated`` from its ``deprecated_at``, else ``active`` (its two dates then ``null``, as
the SDK's rules want of an active model). The catalog's own ``lifecycle`` is what is served with no clock:
the real API's is authoritative, and a past ``retires_at`` alone does not retire a model there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from ..model.modelinfo import parse_rfc3339
from ..storage.blocks import LIFECYCLE_CODES, Block, Row, Rows, lifecycle_code
from ..storage.rows import Head, encode_head

__all__ = ["NEVER", "Clock", "clock_text", "lifecycle_at", "parse_clock", "rows_at"]

#: A clock: a moment (POSIX seconds), ``"now"`` (the wall clock), or ``None`` (the catalog's own lifecycles).
Clock = float | Literal["now"] | None

#: The next change of a catalog whose models never change again.
NEVER = math.inf
#: The moments a clock may be set to: years 1 to 9999, UTC (what RFC 3339 can write).
_FIRST = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc).timestamp()
_AFTER_LAST = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc).timestamp()

_ACTIVE = lifecycle_code("active")
_DECODE = msgspec.json.Decoder(Head).decode
#: A block at a moment (``None``: none of it made yet), and the span ``[since, until)`` of moments it holds for.
_At = tuple[Block | None, float, float]


def parse_clock(value: Any, what: str = "clock") -> Clock:
    """A clock from an RFC 3339 date-time (text, or an aware ``datetime``), POSIX seconds (a number), ``"now"``,
    or ``None``; a ``ValueError`` (or ``TypeError``) says what was wrong. Years 1 to 9999 (UTC)."""
    if value is None or value == "now":
        return value  # type: ignore[no-any-return]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"{what}: a datetime with a time zone (such as datetime.timezone.utc), not a naive one")
        moment = value.timestamp()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = float(value)
    elif isinstance(value, str):
        try:
            moment = parse_rfc3339(value).timestamp()
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise ValueError(
                f"{what}: expected an RFC 3339 date-time such as 2026-06-01T00:00:00Z, or now; got {shown!r}"
            ) from None
    else:
        raise TypeError(f"{what}: expected an RFC 3339 date-time string or 'now', got a {type(value).__name__}")
    if not _FIRST <= moment < _AFTER_LAST:
        raise ValueError(f"{what}: a moment from year 1 to year 9999 (UTC)")
    return moment


def clock_text(clock: Clock) -> str | None:
    """A clock as the admin API shows it: RFC 3339 (UTC), ``"now"``, or ``None``."""
    if clock is None or clock == "now":
        return clock
    return dt.datetime.fromtimestamp(clock, dt.timezone.utc).isoformat().replace("+00:00", "Z")


def lifecycle_at(moment: float, deprecated: float | None, retires: float | None) -> str:
    """The lifecycle, at ``moment``, of a model with these dates (POSIX seconds) made by then."""
    if retires is not None and retires <= moment:
        return "retired"
    if deprecated is not None and deprecated <= moment:
        return "deprecated"
    return "active"


class _Seconds(dict[str, float]):
    """RFC 3339 text -> POSIX seconds, parsed once each (a catalog has few distinct dates)."""

    def __missing__(self, text: str) -> float:
        seconds = self[text] = parse_rfc3339(text).timestamp()
        return seconds


def _row_at(row: Row, moment: float, seconds: _Seconds) -> tuple[Row | None, float, float]:
    """``row`` at ``moment`` (``None``: not made yet), and the span of moments ``[since, until)`` around it
    over which that holds."""
    key, head, profile, code = row
    made = -key[0]
    if made > moment:
        return None, -NEVER, made
    if code == _ACTIVE:  # an active model has no dates: it stays as it is
        return row, made, NEVER
    fields: Any = _DECODE(head + b"}")
    dates = [made]
    deprecated = None if fields.deprecated_at is None else seconds[fields.deprecated_at]
    retires = None if fields.retires_at is None else seconds[fields.retires_at]
    dates += [when for when in (deprecated, retires) if when is not None]
    since = max(when for when in dates if when <= moment)
    until = min((when for when in dates if when > moment), default=NEVER)
    lifecycle = lifecycle_at(moment, deprecated, retires)
    if lifecycle == LIFECYCLE_CODES[code]:
        return row, since, until
    if lifecycle == "active":
        fields = msgspec.structs.replace(fields, lifecycle="active", deprecated_at=None, retires_at=None)
    else:
        fields = msgspec.structs.replace(fields, lifecycle=lifecycle)
    return (key, encode_head(fields), profile, lifecycle_code(lifecycle)), since, until


def _block_at(block: Block, moment: float, tails: Sequence[bytes], seconds: _Seconds) -> _At:
    """``block`` at ``moment`` (itself when nothing in it differs; ``None`` when none of it is made yet), and the
    span of moments around it over which that holds."""
    keys = block.keys
    if -keys[-1][0] > moment:  # its oldest model is not made yet: none is
        return None, -NEVER, -keys[-1][0]
    if -keys[0][0] <= moment and block.counts[_ACTIVE] == len(keys):
        return block, -keys[0][0], NEVER  # all made, all active: as it is, for good
    rows: list[Row] = []
    changed, since, until = False, -NEVER, NEVER
    for n in range(len(keys)):
        row = block.row(n)
        now, row_since, row_until = _row_at(row, moment, seconds)
        since, until = max(since, row_since), min(until, row_until)
        if now is not row:
            changed = True
        if now is not None:
            rows.append(now)
    if not changed:
        return block, since, until
    return (Block(rows, tails) if rows else None), since, until


def rows_at(rows: Rows, moment: float) -> tuple[Rows, float]:
    """``rows`` as they stood at ``moment`` (sharing every block that is the same then), and the next moment
    they change (``NEVER``: they never will). A block's answer is kept for the span of moments it holds, so
    asking again (after a change elsewhere, or as a wall clock moves on) recomputes only what differs."""
    seconds = _Seconds()
    blocks: list[Block] = []
    next_change = NEVER
    for block in rows.blocks():
        kept = block.at
        if kept is None or not kept[1] <= moment < kept[2]:
            kept = block.at = _block_at(block, moment, rows.tails, seconds)
        now, _, until = kept
        next_change = min(next_change, until)
        if now is not None:
            blocks.append(now)
    return Rows(blocks, rows.tails), next_change
