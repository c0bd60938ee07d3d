"""Every bound and fixed list of the API and the fake, in one place: what an input may be, and how much of it."""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_LIFECYCLES",
    "EPOCH",
    "KNOWN_VERSIONS",
    "LIFECYCLES",
    "LIMIT_DEFAULT",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "MAX_ADMIN_BODY_BYTES",
    "MAX_BODY_BYTES",
    "MAX_CATALOG_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_KEYS",
    "MAX_KEYS_BYTES",
    "MAX_LABEL_CHARS",
    "MAX_LIFECYCLE_VALUES",
    "MAX_PATTERNS",
    "MAX_PATTERN_CHARS",
    "MAX_PATTERN_SETS",
    "MAX_SECONDS",
    "MAX_SYNTHETIC",
    "MAX_SYNTHETIC_ADMIN",
    "MAX_URL_BYTES",
    "MAX_WORKSPACES",
    "MODEL_LINES",
    "REQUEST_TIMEOUT",
]

#: ``limit`` on ``GET /v1/models``: default and inclusive bounds.
LIMIT_DEFAULT: Final = 20
LIMIT_MIN: Final = 1
LIMIT_MAX: Final = 1000

#: Lifecycle stages, and the ones listed when the request names none.
LIFECYCLES: Final = ("active", "deprecated", "retired")
DEFAULT_LIFECYCLES: Final = frozenset({"active", "deprecated"})
MAX_LIFECYCLE_VALUES: Final = 3

#: Model lines the current SDK's strict validation accepts (``ModelLine``).
MODEL_LINES: Final = ("haiku", "sonnet", "opus", "fable", "mythos")

#: ``anthropic-version`` values known to the real API. Any other well-formed
#: ``YYYY-MM-DD`` calendar date is accepted too (decided).
KNOWN_VERSIONS: Final = frozenset({"2023-01-01", "2023-06-01", "2026-10-21"})

#: The longest latency or ``retry-after`` a fault may ask for, in seconds.
MAX_SECONDS: Final = 3600

#: The largest synthetic catalog the CLI and the admin API build (about 0.6 GB a million models).
MAX_SYNTHETIC: Final = 10_000_000

#: The largest catalog file the fake reads, in bytes (32 GiB); a larger one is refused before a byte is read. A
#: file of ``MAX_SYNTHETIC`` models as this package writes them is about 20.5 GB (about 2,050 bytes a model):
#: this holds it, with room for longer capabilities, and bounds what a file growing while it is read can cost.
MAX_CATALOG_BYTES: Final = 32 << 30

#: The most synthetic models ``PUT /_mock/catalog`` builds by default (about 2.4 GB while built; a setting
#: raises it up to ``MAX_SYNTHETIC``): a 2-core, 24 GB machine builds it and serves on.
MAX_SYNTHETIC_ADMIN: Final = 2_000_000

#: The largest request head (request line and headers), in bytes, by default; larger is a 431 (decided).
MAX_HEADER_BYTES: Final = 64 * 1024

#: The largest request body, in bytes, by default; larger is a 413 before it is read (decided). Only the
#: admin API reads bodies: this holds a catalog document of about 120,000 models as the package writes
#: them (2 KB a model; larger catalogs are files, or ``{"synthetic": N}``).
MAX_BODY_BYTES: Final = 256 * 1024 * 1024

#: The largest body of an admin request other than ``PUT /_mock/catalog`` (a fault, a model, an alias: a
#: few hundred bytes each); larger is a 413 before it is parsed (decided).
MAX_ADMIN_BODY_BYTES: Final = 64 * 1024

#: The longest request target (path and query string, in bytes) the fake reads; longer is a 414 (decided).
MAX_URL_BYTES: Final = 8192

#: Seconds a client has to send a whole request (headers and body), from connecting or from the
#: request's first byte (decided): a slow or silent client then gets a 408 and its connection closes.
REQUEST_TIMEOUT: Final = 10.0

#: ``created_at`` of a model whose release date is unknown.
EPOCH: Final = "1970-01-01T00:00:00Z"

#: A keys file (``mockserver serve --keys``): the most keys; the most ``models`` patterns and ``workspaces`` a
#: key lists; the longest pattern and label (decided). A key's distinct patterns make views of their own.
MAX_KEYS: Final = 10_000
MAX_KEYS_BYTES: Final = 16 * 1024 * 1024
MAX_PATTERNS: Final = 256
MAX_PATTERN_CHARS: Final = 256
MAX_WORKSPACES: Final = 256
MAX_LABEL_CHARS: Final = 64
#: The most distinct ``models`` lists in a keys file (keys with the same list share it): each makes lists of
#: its own, a pass over the catalog when made (about 0.2 s a million models), and up to 4 bytes a model kept
#: for it and 4 more for each lifecycle filter asked with it.
MAX_PATTERN_SETS: Final = 100
