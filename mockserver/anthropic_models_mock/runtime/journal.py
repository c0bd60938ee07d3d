"""The request journal: a record of what the fake received, keys redacted, bounded in requests and in bytes."""

from __future__ import annotations

import difflib
import marshal
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from urllib.parse import parse_qsl

from ..model.access import Keys, fingerprint

__all__ = ["JOURNAL_BYTES", "REDACTED", "VALUE_BYTES", "Journal", "RecordedRequest"]

REDACTED = "[redacted]"
#: The bytes a journal keeps by default, in all (its requests as stored): past them, the oldest go.
JOURNAL_BYTES = 16 * 1024 * 1024
#: The longest header value, query string or path a journal keeps whole; a longer one is kept cut to this
#: length and marked: ``...[truncated: N bytes]``.
VALUE_BYTES = 4096
_SECRET = frozenset({b"x-api-key", b"authorization", b"proxy-authorization"})  # ASGI names are lower-case
#: Authorization schemes kept in the journal (IANA's registry), lower-cased; anything else in
#: the value could be the key itself ("Authorization: sk-...", "Token=sk-..."), so none of it is kept.
_SCHEMES = frozenset(
    {b"basic", b"bearer", b"concealed", b"digest", b"dpop", b"gnap", b"hoba", b"mutual", b"negotiate", b"oauth"}
    | {b"privatetoken", b"scram-sha-1", b"scram-sha-256", b"vapid"}
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake saw it, and the status it answered with.

    ``seq``: its number in the journal (1, 2, ...; never reused, not even after a clear);
    ``time``: when it was answered (seconds since the epoch); ``key``: which key sent it, by its label in the
    keys file or a fingerprint (``key:`` and 8 hex digits of a hash), never the key (``""``: none sent).
    """

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    status: int
    request_id: str = ""
    params: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    seq: int = 0
    time: float = 0.0
    key: str = ""

    @property
    def line(self) -> str:
        """``GET /v1/models?limit=5 -> 200``."""
        target = f"{self.path}?{self.query}" if self.query else self.path
        return f"{self.method} {target} -> {self.status}"

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "params": {key: list(values) for key, values in self.params.items()},
            "headers": dict(self.headers),
            "status": self.status,
            "request_id": self.request_id,
            "seq": self.seq,
            "time": _rfc3339(self.time),
            "key": self.key,
        }


def _rfc3339(seconds: float) -> str:
    """``2025-01-02T03:04:05.678Z``: UTC, to the millisecond."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_REDACTED = REDACTED.encode()


def _redact(name: bytes, value: bytes, sent: list[tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """A credential header with nothing of its value kept but a well-formed, registered scheme (the header as
    sent is added to ``sent``, for naming its key, never kept).

    ``Bearer sk-...`` becomes ``Bearer [redacted]``; ``sk-...``, ``Bearer<TAB>sk-...``,
    ``Token=sk-...`` or ``Bearer,sk-...`` become ``[redacted]``.
    """
    sent.append((name, value))
    if name != b"x-api-key":
        scheme, space, _ = value.lstrip(b" \t").partition(b" ")
        if space and scheme.lower() in _SCHEMES:
            return name, scheme + b" " + _REDACTED
    return name, _REDACTED


def _headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _cut_value(value: bytes) -> bytes:
    if len(value) <= VALUE_BYTES:
        return value
    return value[:VALUE_BYTES] + f"...[truncated: {len(value):,} bytes]".encode()


def _cut(
    method: str, path: str, query: bytes, headers: tuple[tuple[bytes, bytes], ...]
) -> tuple[str, str, bytes, tuple[tuple[bytes, bytes], ...]]:
    """A request's values with each longer than ``VALUE_BYTES`` cut to it and marked."""
    if len(path) > VALUE_BYTES:
        path = _cut_value(path.encode()).decode(errors="replace")
    return method, path, _cut_value(query), tuple((_cut_value(name), _cut_value(value)) for name, value in headers)


def _build(raw: bytes) -> RecordedRequest:
    seq, when, method, path, query, headers, status, request_id, who = marshal.loads(raw)  # (this journal's own)
    text = query.decode("latin-1")
    return RecordedRequest(method, path, text, _headers(headers), status, request_id, _params(text), seq, when, who)


def _name(key: str | None, keys: Keys | None) -> str:
    if key is None:
        return ""
    access = None if keys is None else keys.get(key)
    return access.label if access is not None and access.label else fingerprint(key)


def _sent_key(secrets: list[tuple[bytes, bytes]]) -> str | None:
    """The key a request sent, as the API reads it (``x-api-key`` first, else ``Authorization: Bearer``; a
    header given twice counts as its first value)."""
    api_key = next((value for name, value in secrets if name == b"x-api-key"), None)
    authorization = next((value for name, value in secrets if name == b"authorization"), None)
    if api_key is not None:
        return api_key.decode("latin-1").strip(" \t") or None
    if authorization is not None:
        scheme, _, key = authorization.decode("latin-1").strip(" \t").partition(" ")
        if scheme.lower() == "bearer":
            return key.strip(" \t") or None
    return None


def _params(query: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        found.setdefault(key, []).append(value)
    return {key: tuple(values) for key, values in found.items()}


class Journal:
    """The last ``maxlen`` requests, oldest first, at most ``max_bytes`` of them as stored (a ring buffer: it
    never grows past either). A value longer than ``VALUE_BYTES`` is kept cut, and marked.

    Recording is on every request's path, so it only redacts keys and keeps the raw values, as one
    ``marshal``-ed bytes object a request (held for ``maxlen`` requests, a request's dozen small objects
    would spread over the heap, costing every served request far more than the one ``marshal`` call); the
    ``RecordedRequest`` objects are built when the journal is read.
    """

    def __init__(self, maxlen: int = 1000, max_bytes: int = JOURNAL_BYTES) -> None:
        if maxlen < 1:
            raise ValueError(f"maxlen must be >= 1, got {maxlen}")
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be >= 1, got {max_bytes}")
        self._raw: deque[bytes] = deque(maxlen=maxlen)
        self.max_bytes = max_bytes
        self._bytes = 0  # of the requests kept
        self.total = 0
        #: Bumped by ``clear()``: a request that arrived before a clear is not recorded after it.
        self.epoch = 0
        #: The ``seq`` of the last request recorded (0: none yet); it never goes back, not even on ``clear()``.
        self.seq = 0
        self._statuses: dict[int, int] = {}
        self._keys: Keys | None = None
        self._names: dict[int, str] = {}  # the hash of credential headers -> their key's name (bounded)

    @property
    def keys(self) -> Keys | None:
        """The keys file's keys, whose labels name the keys that sent requests (``MockState`` keeps it current)."""
        return self._keys

    @keys.setter
    def keys(self, keys: Keys | None) -> None:
        self._keys = keys
        self._names = {}

    def _who(self, secrets: list[tuple[bytes, bytes]]) -> str:
        """How the journal names the key of a request with these credential headers: its label in the keys
        file, else its fingerprint (``""``: none). Kept for the requests to come by the headers' hash (never the
        headers: they hold the key), with the keys it was named under."""
        keys, names = self._keys, self._names  # (one snapshot: keys set meanwhile start a new table)
        token = hash(tuple(secrets))
        found = names.get(token)
        if found is None:
            found = _name(_sent_key(secrets), keys)
            if len(names) >= 256:
                names.clear()
            names[token] = found
        return found

    @property
    def maxlen(self) -> int:
        return self._raw.maxlen or 0

    def record(
        self,
        method: str,
        path: str,
        query: bytes,
        raw_headers: Iterable[tuple[bytes, bytes]],
        status: int,
        request_id: str,
        epoch: int | None = None,
    ) -> None:
        """Add one request; API keys never reach the journal.

        ``epoch``: the journal's ``epoch`` when the request arrived; if it has been
        cleared since (a test ended while the request was delayed), it is dropped.
        """
        if epoch is not None and epoch != self.epoch:
            return
        secrets: list[tuple[bytes, bytes]] = []  # the credential headers, as sent (usually one): for ``_who``
        headers = tuple(
            (name, value) if name not in _SECRET else _redact(name, value, secrets) for name, value in raw_headers
        )
        who = self._who(secrets) if secrets else ""
        self.seq += 1
        raw = marshal.dumps((self.seq, time.time(), method, path, query, headers, status, request_id, who))
        if len(raw) > VALUE_BYTES:  # (a usual request's entry is far shorter: no value is looked at)
            cut = _cut(method, path, query, headers)
            raw = marshal.dumps((self.seq, time.time(), *cut, status, request_id, who))
        entries = self._raw
        if len(entries) == entries.maxlen:
            self._bytes -= len(entries[0])
        entries.append(raw)
        self._bytes += len(raw)
        while self._bytes > self.max_bytes and len(entries) > 1:
            self._bytes -= len(entries.popleft())
        self.total += 1
        self._statuses[status] = self._statuses.get(status, 0) + 1

    @property
    def _entries(self) -> list[RecordedRequest]:
        return [_build(raw) for raw in self._raw]

    @property
    def statuses(self) -> dict[int, int]:
        """How many requests got each status since the last ``clear()`` (they add up to ``total``)."""
        return dict(sorted(self._statuses.items()))

    def since(self, after: int = 0, limit: int | None = None) -> list[RecordedRequest]:
        """The requests kept whose ``seq`` is greater than ``after``, oldest first; ``limit``: the newest that many.

        Costs what it returns, not the journal's size: the kept requests are numbered without gaps.
        """
        raw = self._raw.copy()  # one C call: a snapshot even while another thread records
        if not raw:
            return []
        last: int = marshal.loads(raw[-1])[0]
        count = min(len(raw), max(last - after, 0), len(raw) if limit is None else limit)
        return [_build(entry) for entry in reversed(list(islice(reversed(raw), count)))]

    def clear(self) -> None:
        self._raw.clear()
        self._bytes = 0
        self.total = 0
        self._statuses.clear()
        self.epoch += 1

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, index: int) -> RecordedRequest:
        return _build(self._raw[index])

    @property
    def last(self) -> RecordedRequest | None:
        return _build(self._raw[-1]) if self._raw else None

    def matching(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        params: Mapping[str, object] | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> list[RecordedRequest]:
        """The recorded requests that match every criterion given."""
        return [entry for entry in self._entries if _matches(entry, method, path, params, status, headers)]

    def assert_called(
        self,
        *,
        method: str | None = "GET",
        path: str | None = None,
        params: Mapping[str, object] | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> list[RecordedRequest]:
        """Assert such a request arrived (``times`` times, if given); the message shows the closest."""
        found = self.matching(method=method, path=path, params=params, status=status, headers=headers)
        if found and (times is None or len(found) == times):
            return found
        wanted = _describe(method, path, params, status, headers)
        if found:
            raise AssertionError(f"expected {times} request(s) {wanted}, got {len(found)}")
        raise AssertionError(f"no request {wanted}; {self._closest(method, path, params)}")

    def assert_not_called(self, *, method: str | None = None, path: str | None = None) -> None:
        found = self.matching(method=method, path=path)
        if found:
            raise AssertionError(f"expected no request {_describe(method, path)}, got: {found[0].line}")

    def _closest(self, method: str | None, path: str | None, params: Mapping[str, object] | None) -> str:
        if not self._raw:
            return "no request arrived at all"
        want = _describe(method, path, params)
        lines = [entry.line for entry in self._entries]
        best = max(lines, key=lambda line: difflib.SequenceMatcher(None, want, line).ratio())
        return f"closest that arrived: {best} (of {len(lines)})"


def _text(value: object) -> str:
    """A query value as it goes on the wire (``True`` is ``true``, as httpx sends it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _wanted_values(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return (_text(value),)
    return tuple(_text(item) for item in value)


def _matches(
    entry: RecordedRequest,
    method: str | None,
    path: str | None,
    params: Mapping[str, object] | None,
    status: int | None,
    headers: Mapping[str, str] | None,
) -> bool:
    if method is not None and entry.method != method.upper():
        return False
    if path is not None and entry.path != path:
        return False
    if status is not None and entry.status != status:
        return False
    if params and any(entry.params.get(k) != _wanted_values(v) for k, v in params.items()):
        return False
    return not headers or all(entry.headers.get(k.lower()) == v for k, v in headers.items())


def _describe(
    method: str | None,
    path: str | None,
    params: Mapping[str, object] | None = None,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> str:
    text = f"{method or '*'} {path or '*'}"
    if params:
        text += "?" + "&".join(f"{k}={v}" for k, values in params.items() for v in _wanted_values(values))
    if status is not None:
        text += f" -> {status}"
    if headers:
        text += f" with headers {dict(headers)}"
    return text
