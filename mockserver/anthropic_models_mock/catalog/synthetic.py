"""Synthetic catalogs: plausible Claude-style models from a seeded Faker, built straight into rows.

Each model's fields are slices of random words drawn a day's worth at a time, and it is
written as its served JSON at once (``storage.rows.Head``; no dict, no re-validation): a million
models take seconds.
"""

from __future__ import annotations

import datetime as dt
import mmap
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable
from functools import cache
from itertools import compress, repeat
from random import Random
from typing import Any, NamedTuple

from faker import Faker
from faker.providers.color.en_US import Provider as ColourNames

from ..model.limits import LIFECYCLES, MODEL_LINES
from ..storage.blocks import BLOCK, Block, Key, Row, Rows
from ..storage.rows import Builder, Built, Head, encode_heads, quiet_gc

__all__ = ["synthetic_rows"]


_START = dt.date(2023, 3, 14)
_END = dt.date(2026, 11, 25)
_SPAN = (_END - _START).days
_CONTEXT = (200_000, 200_000, 1_000_000)
_OUTPUT = (4_096, 8_192, 32_000, 64_000, 128_000)
_PROFILE_BITS = 10
#: The capabilities a synthetic model may have: 128 of the 1,024 flag sets, spread over every flag (an odd
#: multiplier permutes 10-bit numbers). Each is serialised once a build, so fewer build faster.
_PROFILE_CHOICES = tuple(k * 0x2F1 & 1023 for k in range(128))


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


#: How many models between two calls of the progress callback (a whole number of blocks).
_EVERY = 65_536
_FAMILIES = [(line, major, minor) for line in MODEL_LINES for major in range(1, 100) for minor in range(10)]


def _words(random: Random, count: int) -> array[int]:
    """``count`` random 64-bit words, from one draw of bits (the same words on any machine)."""
    words = array("Q", random.getrandbits(64 * count).to_bytes(8 * count, "little")) if count else array("Q")
    if sys.byteorder == "big":
        words.byteswap()
    return words


class _Tables(NamedTuple):
    """What every build looks its fields up in: the same for every ``n`` and seed, so made once a process."""

    stamps: tuple[str, ...]
    snapshots: tuple[str, ...]
    moments: tuple[float, ...]
    families: tuple[str, ...]
    names: tuple[str, ...]
    limits: tuple[tuple[int, int], ...]
    family_lines: tuple[str, ...]
    colours: tuple[str, ...]
    offsets: tuple[int, ...]


@cache
def _tables() -> _Tables:
    last = _SPAN + 540 + 365
    days = [_START + dt.timedelta(days=k) for k in range(last + 1)]
    # Families in the order of their ids, so that a day's dated ids, in family order, are in id order too
    # (no family's id is a prefix of another's: each ends in its one-digit minor version).
    chosen = sorted(_FAMILIES, key=lambda family: f"claude-{family[0]}-{family[1]}-{family[2]}")
    return _Tables(
        stamps=tuple(f"{day.isoformat()}T00:00:00Z" for day in days),
        snapshots=tuple(f"-{day:%Y%m%d}" for day in days),
        moments=tuple(-dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() for day in days),
        families=tuple(f"claude-{line}-{major}-{minor}" for line, major, minor in chosen),
        names=tuple(f"Claude {line.title()} {major}.{minor}" for line, major, minor in chosen),  # JSON-safe as is
        limits=tuple((context, output) for context in _CONTEXT for output in _OUTPUT),
        family_lines=tuple(line for line, _, _ in chosen),
        colours=tuple(ColourNames.all_colors),  # Faker's names
        # A model's deprecation, if on record by _END (6 in 10), is 90 to 539 days after it is made: by r % 4500.
        offsets=tuple(90 + k // 10 if k % 10 < 6 else last for k in range(4500)),
    )


def synthetic_rows(n: int, seed: int, *, progress: Callable[[int], None] | None = None) -> Built:
    """The rows of a catalog of ``n`` models; the same ``(n, seed)``, the same bytes, in any process.

    Ids look like ``claude-<line>-<major>-<minor>`` with or without a ``-YYYYMMDD``
    snapshot date; dated families get a ``claude-<line>-<major>-<minor>`` alias (to
    their newest snapshot) unless that name is itself a model id. Each model's fields
    are slices of one random word, looked up in tables made once.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    fake = Faker()
    fake.seed_instance(seed)
    random: Random = fake.random
    stamps, snapshots, moments, families, names, limits, family_lines, colours, offsets = _tables()
    tints = 10 * len(colours)  # one model in 10 has a colour after its name
    size, span = len(families), _SPAN + 1
    slots = size * span

    # Pass 1: which ids there are, in a byte per family and day (dated ids) and a list by day (the rest).
    # Nothing is made per model here: the rows are made in list order in pass 2, straight into blocks.
    # Family f's id dated day d is taken[d * size + f]: an anonymous map, so that its pages go back to the
    # system when it is closed (a bytearray this big would be malloc's, and could stay in the process's heap).
    taken = mmap.mmap(-1, slots)
    extras: dict[int, list[tuple[str, int]]] = {}  # day -> undated and numbered ids made that day, with their family
    aims = (3 * n + random.randrange(10)) // 10  # about 3 draws in 10 aim at an undated id: those free get it
    undated = dict.fromkeys([word % size for word in _words(random, aims)])
    for family, word in zip(undated, _words(random, len(undated)), strict=True):
        extras.setdefault(word % span, []).append((families[family], family))
    wanted, dated = n - len(undated), 0
    # Day -> the families with an id dated that day, while every dated id is set one by one (each is noted
    # as it is set); None once rounds set them, when the whole map is read day by day instead.
    sparse: dict[int, list[int]] | None = {}
    while wanted - dated > 65_536:  # in rounds of as many draws as ids wanted, while many are
        sparse = None
        batch = wanted - dated
        for word in _words(random, batch):
            taken[word % slots] = 1
        now = sum(taken[at : at + 65_536].count(1) for at in range(0, slots, 65_536))
        gained, dated = now - dated, now
        if gained * 64 < batch:  # the 6.7M family-and-day ids are all but used up: numbered ones for the rest
            break
    else:  # then one by one (as many rounds would each count the whole bytearray)
        misses = 0
        while dated < wanted and misses < 64 * (wanted - dated):
            for word in _words(random, wanted - dated):
                slot = word % slots
                if taken[slot]:
                    misses += 1
                else:
                    taken[slot] = 1
                    dated += 1
                    if sparse is not None:
                        sparse.setdefault(slot // size, []).append(slot % size)
    numbered = len(undated) + dated
    for word in _words(random, n - numbered):
        family, day = word % size, word // size % span
        extras.setdefault(day, []).append((f"{families[family]}{snapshots[day]}-{numbered}", family))
        numbered += 1
    aliases: dict[str, str] = {}
    if sparse is None:
        for family in range(size):  # in id order
            if family not in undated:
                newest = taken[family::size].rfind(1)
                if newest >= 0:
                    aliases[families[family]] = families[family] + snapshots[newest]
    else:  # the same, from the few ids noted
        newest_of: dict[int, int] = {}
        for day, day_families in sparse.items():
            for family in day_families:
                newest_of[family] = max(day, newest_of.get(family, day))
        for family in sorted(newest_of):  # in id order
            if family not in undated:
                aliases[families[family]] = families[family] + snapshots[newest_of[family]]

    # Pass 2: day by day, newest first, each model's id and other fields, written block by block: what is
    # made for one day is freed before the next, so the memory it took is reused, not left in holes.
    builder = Builder()
    tails = builder.profiles.tails
    profiles = [-1] * len(_PROFILE_CHOICES)  # a choice of capabilities -> its profile, made on first use
    index: dict[str, Key] = {}
    blocks: list[Block] = []
    chunk: list[Row] = []
    everyone = list(range(size))  # made once: compress() hands out these ints, not new ones
    # Every day, newest first; or, from the few ids noted, the days that have one.
    days = reversed(range(span)) if sparse is None else sorted({*sparse, *extras}, reverse=True)
    with quiet_gc():
        for day in days:
            if sparse is None:
                day_families = list(compress(everyone, taken[day * size : (day + 1) * size]))
            else:
                day_families = sorted(sparse.get(day, ()))
            snapshot = snapshots[day]
            ids = [families[family] + snapshot for family in day_families]
            more = extras.pop(day, None)
            if more:
                for model_id, family in more:
                    at = bisect_left(ids, model_id)
                    ids.insert(at, model_id)
                    day_families.insert(at, family)
            if not ids:
                continue
            keys = list(zip(repeat(moments[day]), ids))
            index.update(zip(ids, keys, strict=True))
            heads: list[Any] = []
            codes: list[int] = []
            kinds: list[int] = []
            head, code_, kind = heads.append, codes.append, kinds.append
            when = stamps[day]
            for model_id, family, r in zip(ids, day_families, _words(random, len(ids)), strict=True):
                deprecated = day + offsets[r % 4500]
                if deprecated > _SPAN:
                    code_(0)
                    lifecycle, deprecated_at, retires_at = "active", None, None
                else:
                    retired = deprecated + 60 + r // 4500 % 305
                    code = 1 if retired > _SPAN else 2
                    code_(code)
                    lifecycle, deprecated_at, retires_at = LIFECYCLES[code], stamps[deprecated], stamps[retired]
                r //= 1_372_500
                tint = r % tints
                r //= tints
                choice = r & 127
                profile = profiles[choice]
                if profile < 0:
                    profile = profiles[choice] = builder.capabilities(_capabilities(_PROFILE_CHOICES[choice]))
                kind(profile)
                name = names[family] if tint >= len(colours) else f"{names[family]} ({colours[tint]})"
                context, output = limits[(r >> 10) % 15]
                head(
                    Head(
                        type="model",
                        id=model_id,
                        display_name=name,
                        created_at=when,
                        lifecycle=lifecycle,
                        deprecated_at=deprecated_at,
                        retires_at=retires_at,
                        line=family_lines[family],
                        max_input_tokens=context,
                        max_tokens=output,
                        allowed_fallback_models=None,
                    )
                )
            chunk += zip(keys, encode_heads(heads), kinds, codes, strict=True)
            while len(chunk) >= BLOCK:
                blocks.append(Block(chunk[:BLOCK], tails))
                del chunk[:BLOCK]
                if progress is not None and len(blocks) * BLOCK % _EVERY == 0:
                    progress(len(blocks) * BLOCK)
        taken.close()
        if chunk:
            blocks.append(Block(chunk, tails))
        if progress is not None:
            progress(n)
    return Built(Rows(blocks, tails), builder.profiles, aliases, _END.isoformat(), index)
