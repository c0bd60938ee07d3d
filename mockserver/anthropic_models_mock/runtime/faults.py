"""Faults on purpose: scripted statuses, rate limits, latency, transport faults, random failure."""

from __future__ import annotations

import copy
import json
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model.errors import error_type
from ..model.headers import TOKEN
from ..model.limits import MAX_SECONDS

__all__ = [
    "DETAILS_BYTES",
    "HEADER_VALUE",
    "OWN_HEADERS",
    "ROUTES",
    "TRANSPORT_HEADERS",
    "Fault",
    "FaultKind",
    "Faults",
    "Route",
]

Route = Literal["list", "retrieve"]
ROUTES: tuple[Route, ...] = ("list", "retrieve")
FaultKind = Literal["status", "disconnect", "truncate", "malformed"]
_KINDS = ("status", "disconnect", "truncate", "malformed")
OWN_HEADERS = frozenset({"content-length", "content-type", "request-id"})
#: Headers about the connection or the message's framing, which the server sets: a fault's copy of one
#: would make the answer invalid HTTP (``transfer-encoding`` beside ``content-length``) or doubled (``date``).
TRANSPORT_HEADERS = frozenset(
    {"connection", "content-encoding", "date", "keep-alive", "proxy-connection", "server", "te", "trailer"}
    | {"transfer-encoding", "upgrade"}
)


@dataclass(frozen=True, slots=True)
class Fault:
    """What one request gets instead of its answer.

    ``kind``: ``status`` (an error envelope with ``status``), ``disconnect``
    (the connection closes before any response), ``truncate`` (headers, then
    half the body, then the connection closes), ``malformed`` (a 200 whose body
    is not JSON).
    """

    status: int = 500
    kind: FaultKind = "status"
    message: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        _integer("status", self.status, 400, 599)
        if self.kind not in _KINDS:
            raise ValueError(f"kind: must be one of {', '.join(_KINDS)}, got {self.kind!r}")
        if self.message is not None and not isinstance(self.message, str):
            raise ValueError(f"message: expected a string or null, got {self.message!r}")
        if self.retry_after is not None:
            _number("retry_after", self.retry_after)
        if self.retry_after_ms is not None:
            _integer("retry_after_ms", self.retry_after_ms, 0, MAX_SECONDS * 1000)
        if self.should_retry is not None and not isinstance(self.should_retry, bool):
            raise ValueError(f"should_retry: expected true, false or null, got {self.should_retry!r}")
        object.__setattr__(self, "headers", _headers(self.headers))
        object.__setattr__(self, "details", _details(self.details))

    def response_headers(self) -> dict[str, str]:
        """The extra headers this fault's error response carries."""
        headers = dict(self.headers)
        if self.retry_after is not None:
            seconds = self.retry_after
            headers["retry-after"] = str(int(seconds)) if seconds == int(seconds) else str(seconds)
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        if self.status == 429:
            if "retry-after" not in headers:  # the real API always says when to come back (decided: 1 s)
                ms = self.retry_after_ms
                headers["retry-after"] = "1" if ms is None else str(math.ceil(ms / 1000))
            headers.setdefault("anthropic-ratelimit-requests-limit", "50")
            headers.setdefault("anthropic-ratelimit-requests-remaining", "0")
        return headers

    def error_message(self) -> str:
        if self.message is not None:
            return self.message
        kind = error_type(self.status).replace("_", " ")
        return f"{kind} (injected by anthropic-models-mock)"

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "kind": self.kind,
            "message": self.message,
            "retry_after": self.retry_after,
            "retry_after_ms": self.retry_after_ms,
            "should_retry": self.should_retry,
            "headers": dict(self.headers),
            "details": None if self.details is None else dict(self.details),
        }


@dataclass(slots=True)
class _Rule:
    fault: Fault
    remaining: int | None  # None: every matching request, until cleared
    route: Route | None
    model_id: str | None

    def matches(self, route: Route | None, model_id: str | None) -> bool:
        if self.route is not None and self.route != route:
            return False
        return self.model_id is None or self.model_id == model_id


@dataclass(slots=True)
class _Latency:
    seconds: float
    jitter: float


def _check_route(route: object) -> Route | None:
    if route is not None and route not in ROUTES:
        raise ValueError(f"route: must be one of {', '.join(ROUTES)} or null, got {route!r}")
    return route  # one of ROUTES or None, checked above


def _integer(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name}: expected a whole number {span}, got {value!r}")
    return value


def _number(name: str, value: object, high: float = MAX_SECONDS) -> float:
    """``value`` if it is a finite number from 0 to ``high`` (seconds, by default)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
        raise ValueError(f"{name}: expected a number from 0 to {high:g}, got {value!r}")
    return value  # NaN fails the range check too


def _seed(value: object) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"seed: expected a whole number, got {value!r}")
    return value


#: The most bytes a fault's ``details`` may take, as JSON.
DETAILS_BYTES = 4096


def _details(details: object) -> dict[str, Any] | None:
    """``error.details`` of a fault's answer: a JSON object with a non-empty string ``error_code`` (the SDKs
    raise the exception class of that code), and the fields that code has; or ``None``."""
    if details is None:
        return None
    if not isinstance(details, Mapping) or not all(isinstance(key, str) for key in details):
        raise ValueError(f"details: expected a JSON object with an error_code, got {details!r}")
    code = details.get("error_code")
    if not isinstance(code, str) or not code:
        raise ValueError(f"details: error_code: expected a non-empty string, got {code!r}")
    try:
        size = len(json.dumps(details, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"details: not JSON ({exc})") from None
    if size > DETAILS_BYTES:
        raise ValueError(f"details: {size:,} bytes as JSON; at most {DETAILS_BYTES:,}")
    return copy.deepcopy(dict(details))


#: A fault header value: printable ASCII, which every client reads the same.
HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


def _headers(headers: object) -> dict[str, str]:
    if not isinstance(headers, Mapping):
        raise ValueError(f"headers: expected an object of name to value, got {headers!r}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not TOKEN.fullmatch(name):
            raise ValueError(f"headers: {name!r} is not a header name")
        if not isinstance(value, str) or not HEADER_VALUE.fullmatch(value):
            raise ValueError(f"headers: {name}: expected printable ASCII text, got {value!r}")
        checked[name.lower()] = value
    owned = sorted(OWN_HEADERS & set(checked))
    if owned:
        raise ValueError(f"headers: {', '.join(owned)} are set by the fake itself on every response")
    transport = sorted(TRANSPORT_HEADERS & set(checked))
    if transport:
        raise ValueError(f"headers: {', '.join(transport)}: the connection's own, not a fault's to set")
    return checked


class Faults:
    """The faults of one app. Scripted rules fire first, in the order added; then
    the random failure rate; latency applies to every matching request.

    Randomness comes from one ``random.Random(seed)``: the same seed and the
    same requests give the same faults and delays.
    """

    def __init__(self, seed: int = 0) -> None:
        self._initial_seed = self._seed = _integer("seed", seed, -(2**63))
        self._rules: list[_Rule] = []
        self._rate = 0.0
        self._rate_fault = Fault(500)
        self._rate_route: Route | None = None
        self._latency: dict[Route | None, _Latency] = {}
        self._random = random.Random(seed)
        self.active = False
        self._start: dict[str, Any] | None = None  # what reset() brings back; None: nothing at all

    def _update(self) -> None:
        self.active = bool(self._rules or self._rate or self._latency)

    def add(
        self,
        status: int = 500,
        *,
        times: int | None = 1,
        route: str | None = None,
        model_id: str | None = None,
        kind: FaultKind = "status",
        message: str | None = None,
        retry_after: float | None = None,
        retry_after_ms: int | None = None,
        should_retry: bool | None = None,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Fault:
        """The next ``times`` matching requests (``None``: all) get this fault. ``details``: its answer's
        ``error.details`` (``{"error_code": ..., ...}``)."""
        fault = Fault(
            status,
            kind,
            message,
            retry_after,
            retry_after_ms,
            should_retry,
            {} if headers is None else headers,
            details,
        )
        self._rules.append(self._rule(fault, times, route, model_id))
        self._update()
        return fault

    def sequence(self, *statuses: int, route: str | None = None, model_id: str | None = None, **options: Any) -> None:
        """One fault per status, in order: ``sequence(429, 429)`` then success. All or nothing."""
        if not statuses:
            raise ValueError("sequence: give at least one status (an empty sequence would never fire)")
        rules = [self._rule(Fault(status, **options), 1, route, model_id) for status in statuses]
        self._rules.extend(rules)
        self._update()

    @staticmethod
    def _rule(fault: Fault, times: object, route: object, model_id: object) -> _Rule:
        if times is not None:
            _integer("times", times, 1)
        if model_id is not None and not isinstance(model_id, str):
            raise ValueError(f"model_id: expected a model id or null, got {model_id!r}")
        if model_id is not None and route == "list":
            raise ValueError(
                "model_id: a list request names no model, so this fault would never fire; drop route or model_id"
            )
        return _Rule(fault, times, _check_route(route), model_id)  # type: ignore[arg-type]

    def set_fail_rate(
        self,
        rate: float,
        *,
        status: int = 500,
        route: str | None = None,
        seed: int | None = None,
        **options: Any,
    ) -> None:
        """Each matching request fails with probability ``rate`` (seeded)."""
        _number("rate", rate, 1.0)
        fault, route, seed = Fault(status, **options), _check_route(route), _seed(seed)
        self._rate, self._rate_fault, self._rate_route = rate, fault, route
        if seed is not None:
            self.reseed(seed)
        self._update()

    def set_latency(
        self, seconds: float, *, jitter: float = 0.0, route: str | None = None, seed: int | None = None
    ) -> None:
        """Delay matching requests by ``seconds`` plus a seeded uniform ``0..jitter``."""
        _number("seconds", seconds)
        _number("jitter", jitter)
        key, seed = _check_route(route), _seed(seed)
        if seconds == 0 and jitter == 0:
            self._latency.pop(key, None)
        else:
            self._latency[key] = _Latency(seconds, jitter)
        if seed is not None:
            self.reseed(seed)
        self._update()

    def reseed(self, seed: int) -> None:
        self._seed = _integer("seed", seed, -(2**63))
        self._random.seed(seed)

    def clear(self) -> None:
        """No faults, no latency, and the seed it was made with: the random sequence starts again."""
        self._rules.clear()
        self._rate = 0.0
        self._latency.clear()
        self.reseed(self._initial_seed)
        self._update()

    _STATE = ("_rules", "_rate", "_rate_fault", "_rate_route", "_latency", "_seed")

    def mark_start(self) -> None:
        """Make the faults in force now what ``reset()`` brings back (the CLI's flags, say)."""
        self._start = copy.deepcopy({name: getattr(self, name) for name in self._STATE})

    def reset(self) -> None:
        """Back to the start: the faults marked by ``mark_start()`` (by default none), seed included."""
        self.clear()
        if self._start is not None:
            for name, value in copy.deepcopy(self._start).items():
                setattr(self, name, value)
            self.reseed(self._seed)
            self._update()

    # -- per request ------------------------------------------------------------------
    def delay(self, route: Route | None) -> float:
        latency = self._latency.get(route) or self._latency.get(None)
        if latency is None:
            return 0.0
        return latency.seconds + (self._random.uniform(0, latency.jitter) if latency.jitter else 0.0)

    def take(self, route: Route | None, model_id: str | None) -> Fault | None:
        """The fault this request gets, if any; scripted rules are used up as they fire."""
        for index, rule in enumerate(self._rules):
            if rule.matches(route, model_id):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        del self._rules[index]
                        self._update()
                return rule.fault
        in_scope = self._rate_route is None or self._rate_route == route
        if self._rate and in_scope and self._random.random() < self._rate:
            return self._rate_fault
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self._seed,
            "scripted": [
                {**r.fault.to_json(), "times": r.remaining, "route": r.route, "model_id": r.model_id}
                for r in self._rules
            ],
            "fail_rate": {"rate": self._rate, "route": self._rate_route, **self._rate_fault.to_json()},
            "latency": [
                {"route": route, "seconds": spec.seconds, "jitter": spec.jitter}
                for route, spec in self._latency.items()
            ],
        }
