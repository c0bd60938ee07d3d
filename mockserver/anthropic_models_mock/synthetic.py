"""Synthetic catalogs: plausible Claude-style models from a seeded Faker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from faker import Faker

from .rules import MODEL_LINES

__all__ = ["synthetic_document"]

_START = dt.date(2023, 3, 14)
_END = dt.date(2026, 11, 25)
_SPAN = (_END - _START).days
_CONTEXT = (200_000, 200_000, 1_000_000)
_OUTPUT = (4_096, 8_192, 32_000, 64_000, 128_000)
_PROFILE_BITS = 10


def _capabilities(bits: int) -> dict[str, Any]:
    """A full capabilities object whose flags are the low bits of ``bits``."""
    flag = [bool(bits >> n & 1) for n in range(_PROFILE_BITS)]
    thinking, effort, tools = flag[0], flag[1], flag[2]
    return {
        "batch": {"supported": True},
        "citations": {"supported": flag[3]},
        "code_execution": {"supported": tools and flag[4]},
        "context_management": {
            "supported": flag[5],
            "clear_thinking_20251015": {"supported": flag[5] and thinking},
            "clear_tool_uses_20250919": {"supported": flag[5]},
            "compact_20260112": None,
        },
        "effort": {
            "supported": effort,
            "low": {"supported": effort},
            "medium": {"supported": effort},
            "high": {"supported": effort},
            "max": {"supported": effort and flag[6]},
            "xhigh": None,
        },
        "image_input": {"supported": True},
        "pdf_input": {"supported": flag[7]},
        "server_tools": {
            "supported": tools,
            "code_execution": {"supported": tools and flag[8]},
            "web_search": {"supported": tools},
        },
        "structured_outputs": {"supported": flag[9]},
        "thinking": {
            "supported": thinking,
            "types": {
                "adaptive": {"supported": thinking and effort},
                "between_tools": {"supported": False},
                "disabled": {"supported": True},
                "enabled": {"supported": thinking},
            },
        },
    }


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def synthetic_document(n: int, seed: int) -> dict[str, Any]:
    """A catalog document of ``n`` models; the same ``(n, seed)``, the same bytes.

    Ids look like ``claude-<line>-<major>-<minor>`` with or without a
    ``-YYYYMMDD`` snapshot date; dated families get a ``claude-<line>-<major>-<minor>``
    alias (to their newest snapshot) unless that name is itself a model id.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    fake = Faker()
    fake.seed_instance(seed)
    rng = fake.random
    models: list[dict[str, Any]] = []
    ids: set[str] = set()
    newest: dict[str, tuple[dt.date, str]] = {}
    profiles: dict[int, dict[str, Any]] = {}
    while len(models) < n:
        line = MODEL_LINES[rng.randrange(len(MODEL_LINES))]
        major, minor = rng.randrange(1, 100), rng.randrange(0, 10)
        day = _START + dt.timedelta(days=rng.randrange(_SPAN + 1))
        family = f"claude-{line}-{major}-{minor}"
        dated = rng.random() < 0.7
        model_id = f"{family}-{day:%Y%m%d}" if dated else family
        if model_id in ids:
            continue
        ids.add(model_id)
        lifecycle, deprecated, retires = "active", None, None
        if rng.random() < 0.6:  # this one has a deprecation on record by _END
            deprecated_day = day + dt.timedelta(days=rng.randrange(90, 540))
            retire_day = deprecated_day + dt.timedelta(days=rng.randrange(60, 365))
            if deprecated_day <= _END:
                lifecycle = "retired" if retire_day <= _END else "deprecated"
                deprecated, retires = _stamp(deprecated_day), _stamp(retire_day)
        bits = rng.getrandbits(_PROFILE_BITS)
        if bits not in profiles:
            profiles[bits] = _capabilities(bits)
        models.append(
            {
                "id": model_id,
                "type": "model",
                "display_name": f"Claude {line.title()} {major}.{minor}"
                + (f" ({fake.color_name()})" if rng.random() < 0.1 else ""),
                "created_at": _stamp(day),
                "lifecycle": lifecycle,
                "deprecated_at": deprecated,
                "retires_at": retires,
                "line": line,
                "max_input_tokens": _CONTEXT[rng.randrange(len(_CONTEXT))],
                "max_tokens": _OUTPUT[rng.randrange(len(_OUTPUT))],
                "capabilities": profiles[bits],
            }
        )
        if dated and (family not in newest or newest[family] < (day, model_id)):
            newest[family] = (day, model_id)
    aliases = {family: target for family, (_, target) in sorted(newest.items()) if family not in ids}
    return {"as_of": _END.isoformat(), "aliases": aliases, "models": models}
