"""Request ids: ``req_`` and 24 random hex digits, unique per response."""

from __future__ import annotations

import os

__all__ = ["new_request_id"]


def new_request_id() -> str:
    return "req_" + os.urandom(12).hex()
