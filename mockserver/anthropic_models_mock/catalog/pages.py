"""Cursor pagination over a catalog view: positions by index lookup, never a scan."""

from __future__ import annotations

from typing import NamedTuple

from ..model.errors import ApiError
from .views import View

__all__ = ["Page", "paginate", "render_page"]


class Page(NamedTuple):
    """A slice ``[start, stop)`` of a view, and whether items remain beyond it."""

    start: int
    stop: int
    has_more: bool


def _locate(view: View, name: str, cursor: str) -> int:
    position = view.locate(cursor)
    if position is None:
        raise ApiError(400, f"{name}: no model with id {cursor!r} in the listed models (check lifecycle)")
    return position


def paginate(view: View, limit: int, after_id: str | None = None, before_id: str | None = None) -> Page:
    """The page SPEC.md defines for these parameters (already validated but for cursors)."""
    size = len(view)
    if after_id is not None and before_id is not None:
        raise ApiError(400, "after_id, before_id: give at most one of the two cursors")
    if before_id is not None:
        stop = _locate(view, "before_id", before_id)
        start = max(0, stop - limit)
        return Page(start, stop, start > 0)
    start = 0 if after_id is None else _locate(view, "after_id", after_id) + 1
    stop = min(size, start + limit)
    return Page(start, stop, stop < size)


def render_page(view: View, page: Page) -> bytes:
    """The list envelope for ``page`` as JSON bytes, from the stored bodies (copied once)."""
    more = b"true" if page.has_more else b"false"
    if page.start >= page.stop:
        return b'{"data":[],"has_more":%s,"first_id":null,"last_id":null}' % more
    parts, first, last = view.page(page.start, page.stop)
    pieces: list[bytes | memoryview] = [b'{"data":[']
    for part in parts:
        pieces += (part, b",")
    # Ids are URL-safe (validated on load): they need no JSON escaping.
    pieces[-1] = b'],"has_more":%s,"first_id":"%s","last_id":"%s"}' % (more, first, last)
    return b"".join(pieces)
