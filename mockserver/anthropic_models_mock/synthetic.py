"""Synthetic catalogs: plausible Claude-style models from a seeded Faker, built straight into rows.

Each model takes one draw of random bits, sliced into its fields, and is written as its
served JSON at once (no dict, no re-validation): a million models take seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from faker import Faker
from faker.providers.color.en_US import Provider as ColourNames

from .rules import MODEL_LINES
from .store import BLOCK, Block, Row, Rows

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["synthetic_catalog"]

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


#: How many models between two calls of the progress callback.
_EVERY = 65_536
_FAMILIES = [(line, major, minor) for line in MODEL_LINES for major in range(1, 100) for minor in range(10)]


def synthetic_catalog(
    cls: type[Catalog], n: int, seed: int, *, progress: Callable[[int], None] | None = None
) -> Catalog:
    """A catalog of ``n`` models; the same ``(n, seed)``, the same bytes, in any process.

    Ids look like ``claude-<line>-<major>-<minor>`` with or without a ``-YYYYMMDD``
    snapshot date; dated families get a ``claude-<line>-<major>-<minor>`` alias (to
    their newest snapshot) unless that name is itself a model id. Each model is two
    draws of random bits, sliced into its fields, looked up in tables made once.
    """
    from .catalog import Builder, quiet_gc

    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    fake = Faker()
    fake.seed_instance(seed)
    draw = fake.random.getrandbits
    last = _SPAN + 540 + 365
    days = [_START + dt.timedelta(days=k) for k in range(last + 1)]
    stamps = [f"{day.isoformat()}T00:00:00Z" for day in days]
    quoted = [f'"{stamp}"' for stamp in stamps]
    snapshots = [f"-{day:%Y%m%d}" for day in days]
    moments = [-dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() for day in days]
    families = [f"claude-{line}-{major}-{minor}" for line, major, minor in _FAMILIES]
    names = [f"Claude {line.title()} {major}.{minor}" for line, major, minor in _FAMILIES]  # JSON-safe as they are
    lines = [MODEL_LINES.index(line) for line, _, _ in _FAMILIES]  # each family's line
    limits = [
        [
            f',"line":"{line}","max_input_tokens":{context},"max_tokens":{output}'
            for context in _CONTEXT
            for output in _OUTPUT
        ]
        for line in MODEL_LINES
    ]
    colours = [json.dumps(name, ensure_ascii=False)[1:-1] for name in ColourNames.all_colors]  # Faker's, as JSON
    builder = Builder()
    profiles: dict[int, int] = {}  # capabilities bits -> profile, made on first use
    index: dict[str, tuple[float, str]] = {}
    newest: dict[int, tuple[int, str]] = {}
    counts = [0, 0, 0]
    size, span = len(_FAMILIES), _SPAN + 1
    created = [f'"created_at":"{stamp}",' for stamp in stamps]
    active = '"lifecycle":"active","deprecated_at":null,"retires_at":null'
    family_numbers = list(range(size))  # shared int objects: a bucket holds references, not new ints
    by_day: list[list[tuple[float, str]]] = [[] for _ in range(span)]
    families_by_day: list[list[int]] = [[] for _ in range(span)]
    with quiet_gc():
        # Pass 1: the ids, in random order, by day. Nothing is made per model but what is kept (its id and key).
        for _ in range(n):
            tries = 0
            while True:
                tries += 1
                r = draw(30)  # family, day, dated: 4,950 x 1,355 x 10 < 2**30
                family = r % size
                r //= size
                day = r % span
                dated = r // span % 10 < 7 or families[family] in index  # undated while that id is free
                model_id = families[family] + snapshots[day] if dated else families[family]
                if model_id not in index:
                    break
                if tries >= 64:  # the 6.7M family-and-day ids are all but used up: a numbered one
                    model_id = f"{families[family]}{snapshots[day]}-{len(index)}"
                    dated = False
                    break
            key = index[model_id] = (moments[day], model_id)
            by_day[day].append(key)
            families_by_day[day].append(family_numbers[family])
            if dated:
                best = newest.get(family)
                if best is None or best < (day, model_id):
                    newest[family] = (day, model_id)
        # Pass 2: in list order, each model's other fields, written block by block: what is made for one
        # block is freed before the next, so the memory it took is reused, not left in holes.
        blocks: list[Block] = []
        chunk: list[Row] = []
        tails = builder.profiles.plain
        made = 0
        for day in reversed(range(span)):  # newest day first; ids ascending within a day
            keys, day_families = by_day[day], families_by_day[day]
            for k in sorted(range(len(keys)), key=keys.__getitem__):
                key, family = keys[k], day_families[k]
                r = draw(52)  # deprecation, its two delays, capabilities, limits, colour
                code, dates = 0, active
                if r % 10 < 6:  # this one has a deprecation on record by _END
                    deprecated = day + 90 + r // 10 % 450
                    retired = deprecated + 60 + r // 4500 % 305
                    if deprecated <= _SPAN:
                        code = 2 if retired <= _SPAN else 1
                        dates = (
                            f'"lifecycle":"{"retired" if code == 2 else "deprecated"}",'
                            f'"deprecated_at":{quoted[deprecated]},"retires_at":{quoted[retired]}'
                        )
                r //= 1_372_500
                name = names[family]
                if (r >> 10) // 15 % 10 == 0:
                    name = f"{name} ({colours[(r >> 10) // 150 % len(colours)]})"
                limit = limits[lines[family]][(r >> 10) % 15]
                head = f'{{"type":"model","id":"{key[1]}","display_name":"{name}",{created[day]}{dates}{limit}'
                profile = profiles.get(r & 1023)
                if profile is None:
                    profile = profiles[r & 1023] = builder.capabilities(_capabilities(r & 1023))
                chunk.append((key, head.encode(), profile, code, None))
                if len(chunk) == BLOCK:
                    blocks.append(Block(chunk, tails))
                    chunk = []
                made += 1
                if progress is not None and made % _EVERY == 0:
                    progress(made)
            by_day[day] = []
        if chunk:
            blocks.append(Block(chunk, tails))
        if progress is not None:
            progress(made)
        counts = [sum(block.lifecycles.count(code) for block in blocks) for code in range(len(counts))]
    aliases = {
        families[family]: target
        for family, (_, target) in sorted(newest.items(), key=lambda item: families[item[0]])
        if families[family] not in index
    }
    source = f"<synthetic n={n} seed={seed}>"
    return cls.from_rows(
        Rows(blocks, tails),
        builder.profiles,
        aliases,
        source=source,
        as_of=_END.isoformat(),
        index=index,
        counts=counts,
    )
