"""Record a catalog from any Models API: every model of every lifecycle, plain and beta, and its aliases.

The list never shows aliases, so candidate names are retrieved one by one: a name answered
with another model's id is an alias of that id. The key goes in a request header and
nowhere else: not in the document, not in a message (a server that echoes it is redacted).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
import typing
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from .catalog import Catalog, CatalogError
from .modelinfo import BETA_CAPABILITIES_SHAPE, FIELDS, is_model_id
from .progress import Progress
from .rules import LIFECYCLES, LIMIT_MAX

try:
    import httpx2 as _http  # the current SDK's HTTP library (Python 3.11+)
except ImportError:  # Python 3.10
    import httpx as _http  # type: ignore[no-redef]

__all__ = ["RecordError", "known_model_names", "record"]

#: The longest wait a ``retry-after`` is honoured for, in seconds; a longer one is cut to it.
MAX_WAIT = 60.0
#: The first wait before a retry that the server did not time, doubled at each retry.
_BACKOFF = 0.5
_VERSION = "2023-06-01"
_BETA_ONLY_CAPABILITY = "compaction"


class RecordError(Exception):
    """A recording that cannot be made; the message is one line and never holds the key."""


def known_model_names() -> list[str]:
    """The model names the installed ``anthropic`` SDK knows (its ``Model`` type and deprecation table).

    Empty when the SDK is not installed: it is a source of alias candidates, not a requirement.
    """
    names: dict[str, None] = {}
    try:
        from anthropic.types import Model
    except ImportError:
        return []
    stack: list[Any] = [Model]
    while stack:
        for arg in typing.get_args(stack.pop()):
            if isinstance(arg, str):
                names[arg] = None
            else:
                stack.append(arg)
    try:
        from anthropic._data.deprecated_models import DEPRECATED_MODELS  # absent from older SDKs
    except ImportError:
        pass
    else:
        names.update(dict.fromkeys(DEPRECATED_MODELS))
    return sorted(names)


def record(
    url: str,
    api_key: str,
    *,
    key_name: str = "ANTHROPIC_API_KEY",
    candidates: Iterable[str] = (),
    base: Mapping[str, Any] | None = None,
    retries: int = 4,
    timeout: float = 30.0,
    progress: Progress | None = None,
    tool: str = "mockserver",
    now: dt.datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Walk the Models API at ``url`` (a base URL, as the SDK's) and return a catalog document.

    ``candidates`` are names to try as aliases; ``base`` an older catalog document whose
    aliases are tried too and whose per-model ``sources`` are kept. ``key_name`` only names
    the key in messages (``the key in $ANTHROPIC_API_KEY was refused``).
    """
    progress = progress or Progress("models", live=False)
    try:
        return _record(url, api_key, key_name, list(candidates), base, retries, timeout, progress, tool, now, sleep)
    except RecordError as exc:  # whatever a server sent, its echo of the key is not printed
        raise RecordError(str(exc).replace(api_key, "[key redacted]") if api_key else str(exc)) from None


def _record(
    url: str,
    api_key: str,
    key_name: str,
    candidates: list[str],
    base: Mapping[str, Any] | None,
    retries: int,
    timeout: float,
    progress: Progress,
    tool: str,
    now: dt.datetime | None,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    shown = _displayed(url)
    with _Api(url, api_key, key_name, shown, retries, timeout, progress, sleep) as api:
        found = _walk_all(api, progress)
        catalog = _validated({"models": list(found.values())}, shown)
        tried = dict.fromkeys([*candidates, *(base or {}).get("aliases", {})])
        aliases = _aliases(api, catalog, tried, progress)
        requests, retried = api.requests, api.retried
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    document: dict[str, Any] = {
        "as_of": moment.date().isoformat(),
        "source": f"GET {shown}/v1/models, every lifecycle, plain and beta; recorded {moment:%Y-%m-%dT%H:%M:%SZ}"
        f" by {tool} catalog record",
    }
    document.update(_with_sources(catalog, aliases, base))
    _validated(document, shown)
    progress.done(
        f"recorded {len(catalog):,} models and {len(aliases):,} aliases from {shown} in {progress.elapsed:.1f} s"
        f" ({requests:,} requests, {retried:,} retried)"
    )
    return document


# -- the walk -------------------------------------------------------------------------


def _walk_all(api: _Api, progress: Progress) -> dict[str, dict[str, Any]]:
    """Every model of every lifecycle, the plain answer with the beta-only parts of the beta one."""
    plain: dict[str, dict[str, Any]] = {}
    beta: dict[str, dict[str, Any]] = {}
    dropped: dict[str, int] = {}
    for into, is_beta in ((plain, False), (beta, True)):
        for lifecycle in LIFECYCLES:
            for where, item in api.walk(lifecycle, beta=is_beta):
                model = _from_wire(item, where, dropped)
                model.setdefault("lifecycle", lifecycle)
                if into.setdefault(model["id"], model) is model and not is_beta:
                    progress.advance()
    if dropped:
        unknown = ", ".join(f"{path} ({count:,} models)" for path, count in sorted(dropped.items()))
        progress.note(f"warning: not recorded, unknown to this version of mockserver: {unknown}")
    merged: dict[str, dict[str, Any]] = {}
    differ = 0
    for model_id, model in plain.items():
        extra = beta.get(model_id)
        if extra is not None:
            differ += _plain_part(extra) != _plain_part(model)
            model = _with_beta_parts(model, extra)
        merged[model_id] = model
    only_beta = [model_id for model_id in beta if model_id not in plain]
    for model_id in only_beta:
        merged[model_id] = beta[model_id]
    if differ:
        progress.note(f"warning: {differ:,} models differ between plain and beta answers; the plain answers are kept")
    if only_beta:
        progress.note(f"warning: {len(only_beta):,} models are listed only with beta=true: {_few(only_beta)}")
    return merged


def _from_wire(item: Any, where: str, dropped: dict[str, int]) -> dict[str, Any]:
    """A list item as a catalog entry: the Models API's required fields checked, unknown ones dropped (counted)."""
    if not isinstance(item, dict):
        raise RecordError(f"{where}: not the Models API's answer: expected a model object, got {_kind(item)}")
    checks = (
        ("id", is_model_id, "a model id"),
        ("type", lambda value: value == "model", '"model"'),
        ("display_name", lambda value: isinstance(value, str), "a string"),
        ("created_at", lambda value: isinstance(value, str), "an RFC 3339 date-time string"),
    )
    for field, valid, expected in checks:
        if not valid(item.get(field)):
            got = "nothing" if field not in item else _kind(item[field])
            raise RecordError(f"{where}.{field}: not the Models API's answer: expected {expected}, got {got}")
    model = {key: value for key, value in item.items() if key in FIELDS}
    for key in item.keys() - model.keys():
        dropped[key] = dropped.get(key, 0) + 1
    if isinstance(model.get("capabilities"), dict):
        model["capabilities"] = _pruned(model["capabilities"], BETA_CAPABILITIES_SHAPE, "capabilities", dropped)
    return model


def _pruned(value: dict[str, Any], shape: Mapping[str, Any], path: str, dropped: dict[str, int]) -> dict[str, Any]:
    """``value`` without the keys ``shape`` does not know (counted in ``dropped`` by path)."""
    kept: dict[str, Any] = {}
    for key, found in value.items():
        rule = shape.get(key)
        if rule is None:
            dropped[f"{path}.{key}"] = dropped.get(f"{path}.{key}", 0) + 1
            continue
        inner = getattr(rule, "shape", rule)  # an optional entry wraps its shape
        kept[key] = (
            _pruned(found, inner, f"{path}.{key}", dropped)
            if isinstance(inner, Mapping) and isinstance(found, dict)
            else found
        )
    return kept


def _plain_part(model: Mapping[str, Any]) -> dict[str, Any]:
    plain = {key: value for key, value in model.items() if key != "allowed_fallback_models"}
    capabilities = plain.get("capabilities")
    if isinstance(capabilities, dict):
        plain["capabilities"] = {k: v for k, v in capabilities.items() if k != _BETA_ONLY_CAPABILITY}
    return plain


def _with_beta_parts(model: dict[str, Any], beta: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**model, "allowed_fallback_models": beta.get("allowed_fallback_models")}
    ours, theirs = merged.get("capabilities"), beta.get("capabilities")
    if isinstance(ours, dict) and isinstance(theirs, dict) and theirs.get(_BETA_ONLY_CAPABILITY) is not None:
        merged["capabilities"] = {**ours, _BETA_ONLY_CAPABILITY: theirs[_BETA_ONLY_CAPABILITY]}
    return merged


def _aliases(api: _Api, catalog: Catalog, candidates: Iterable[str], progress: Progress) -> dict[str, str]:
    """Each candidate that the API answers with another model's id, and that id."""
    aliases: dict[str, str] = {}
    strays: list[str] = []
    for name in candidates:
        if name in catalog or not is_model_id(name):
            continue
        body = api.retrieve(name)
        if body is None:
            continue
        target = body["id"]
        if target == name:
            strays.append(name)  # a model the lists never showed
        elif target in catalog:
            aliases[name] = target
        else:
            strays.append(f"{name} (→ {target})")
    if strays:
        progress.note(f"warning: retrieved but not in any list, not recorded: {_few(strays)}")
    return dict(sorted(aliases.items()))


def _with_sources(catalog: Catalog, aliases: Mapping[str, str], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The recorded models and aliases, with each model's ``sources`` (and their definitions) from ``base``."""
    kept: dict[str, Any] = {}
    if base is not None:
        for entry in base.get("models", []):
            if isinstance(entry, dict) and entry.get("id") in catalog and entry.get("sources") is not None:
                kept[entry["id"]] = entry["sources"]
    models = []
    for model in catalog.models:
        entry = {key: value for key, value in model.items()}
        if model["id"] in kept:
            entry["sources"] = kept[model["id"]]
        models.append(entry)
    document: dict[str, Any] = {}
    cited = {name for sources in kept.values() if isinstance(sources, list) for name in sources}
    definitions = (base or {}).get("sources")
    if isinstance(definitions, dict) and cited:
        document["sources"] = {name: text for name, text in definitions.items() if name in cited}
    document["aliases"] = dict(aliases)
    document["models"] = models
    return document


def _validated(document: dict[str, Any], shown: str) -> Catalog:
    try:
        return Catalog.from_document(document, source=f"the recording of {shown}")
    except CatalogError as exc:
        raise RecordError(f"{exc} (not a model the fake can serve)") from None


# -- HTTP -----------------------------------------------------------------------------


class _Api:
    """The two endpoints, with retries; every failure is a one-line ``RecordError``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        key_name: str,
        shown: str,
        retries: int,
        timeout: float,
        progress: Progress,
        sleep: Callable[[float], None],
    ) -> None:
        self._key, self._key_name, self._shown = api_key, key_name, shown
        self._retries, self._progress, self._sleep = retries, progress, sleep
        self.requests = self.retried = 0
        try:
            self._client = _http.Client(
                base_url=url.rstrip("/"),
                headers={"x-api-key": api_key, "anthropic-version": _VERSION, "accept": "application/json"},
                timeout=timeout,
                follow_redirects=False,  # a redirect would carry the key to wherever it points
            )
        except (ValueError, TypeError, _http.InvalidURL) as exc:
            raise RecordError(f"{shown}: not a URL the client can use: {exc}") from None

    def __enter__(self) -> _Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def walk(self, lifecycle: str, *, beta: bool) -> Iterator[tuple[str, Any]]:
        """Every item of the list filtered to ``lifecycle``, page by page, with where it came from."""
        after: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, str | int] = {"limit": LIMIT_MAX, "lifecycle[]": lifecycle}
            if beta:
                params["beta"] = "true"
            if after is not None:
                params["after_id"] = after
            what = self._what("/v1/models", params)
            body = self._get("/v1/models", params, what)
            data, has_more, last_id = _page(body, what)
            for n, item in enumerate(data):
                yield f"{what}: data[{n}]", item
            ids = {item["id"] for item in data}
            if not has_more:
                return
            if not data or last_id in seen or not ids.isdisjoint(seen):
                raise RecordError(
                    f"{what}: not the Models API's answer: has_more is true but the page does not advance"
                )
            seen |= ids
            after = last_id

    def retrieve(self, name: str) -> dict[str, Any] | None:
        """The model ``name`` names, or ``None`` when the API answers 404."""
        path = f"/v1/models/{urllib.parse.quote(name, safe='')}"
        what = self._what(path, {})
        body = self._get(path, {}, what, missing_ok=True)
        if body is None:
            return None
        if not isinstance(body, dict) or not is_model_id(body.get("id")):
            got = _kind(body.get("id")) if isinstance(body, dict) else _kind(body)
            raise RecordError(f"{what}: id: not the Models API's answer: expected a model id, got {got}")
        return body

    def _what(self, path: str, params: Mapping[str, Any]) -> str:
        query = urllib.parse.urlencode(params)
        return f"GET {self._shown}{path}" + (f"?{query}" if query else "")

    def _get(self, path: str, params: Mapping[str, Any], what: str, *, missing_ok: bool = False) -> Any:
        for attempt in range(self._retries + 1):
            self.requests += 1
            last = attempt == self._retries
            try:
                response = self._client.get(path, params=params)
            except _http.TransportError as exc:
                problem = self._clean(_transport_problem(exc))
                if last:
                    raise RecordError(f"{what}: {problem}") from None
                self._retry(what, problem, _BACKOFF * 2**attempt, attempt)
                continue
            status = response.status_code
            if status == 200:
                return self._json(response, what)
            if status == 404 and missing_ok:
                return None
            if _retryable(response) and not last:
                self._retry(what, f"{status} {self._error_of(response)}", _wait(response, attempt), attempt)
                continue
            raise RecordError(self._refusal(response, what))
        raise AssertionError("unreachable")  # pragma: no cover

    def _retry(self, what: str, problem: str, wait: float, attempt: int) -> None:
        self.retried += 1
        self._progress.note(f"{what}: {problem}; retry {attempt + 1} of {self._retries} in {wait:.1f} s")
        self._sleep(wait)

    def _json(self, response: _http.Response, what: str) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, RecursionError):
            kind = response.headers.get("content-type", "no content-type")
            raise RecordError(
                f"{what}: answered 200 with a body that is not JSON ({self._clean(kind)},"
                f" {len(response.content):,} bytes): is {self._shown} the base URL of a Models API?"
            ) from None

    def _refusal(self, response: _http.Response, what: str) -> str:
        status = response.status_code
        error = self._error_of(response)
        if status == 401:
            return f"the key in ${self._key_name} was refused: {what}: 401 {error}"
        if status == 403:
            return f"the key in ${self._key_name} may not list models: {what}: 403 {error}"
        if 300 <= status < 400:
            where = self._clean(response.headers.get("location", "nowhere"))
            return (
                f"{what}: {status} redirect to {where}: give that URL instead (a redirect is not followed with a key)"
            )
        hint = (
            f" (is {self._shown} the base URL of a Models API? requests go to its /v1/models)" if status == 404 else ""
        )
        return f"{what}: {status} {error}{hint}"

    def _error_of(self, response: _http.Response) -> str:
        """The envelope's ``type: message``, or what the body is when it is not the envelope."""
        try:
            error = json.loads(response.content)["error"]
            return self._clean(f"{error['type']}: {error['message']}")
        except (ValueError, RecursionError, KeyError, TypeError):
            kind = response.headers.get("content-type", "no content-type")
            return f"with a {self._clean(kind)} body, not the API's error envelope"

    def _clean(self, text: str) -> str:
        """``text`` safe to print: the key redacted, one line of printable characters, at most 300."""
        if self._key:
            text = text.replace(self._key, "[key redacted]")
        text = "".join(ch if ch.isprintable() else " " for ch in text)
        return " ".join(text.split())[:300]


def _page(body: Any, what: str) -> tuple[list[Any], bool, str | None]:
    """``data``, ``has_more`` and ``last_id`` of a list answer, or a ``RecordError`` naming the field."""
    if not isinstance(body, dict):
        raise RecordError(f"{what}: not the Models API's answer: expected an object, got {_kind(body)}")
    data, has_more, last_id = body.get("data"), body.get("has_more"), body.get("last_id")
    if not isinstance(data, list):
        raise RecordError(f"{what}: data: not the Models API's answer: expected a list, got {_absent(body, 'data')}")
    if not isinstance(has_more, bool):
        got = _absent(body, "has_more")
        raise RecordError(f"{what}: has_more: not the Models API's answer: expected true or false, got {got}")
    if has_more and not isinstance(last_id, str):
        got = _absent(body, "last_id")
        raise RecordError(f"{what}: last_id: not the Models API's answer: expected the last id, got {got}")
    return data, has_more, last_id


def _retryable(response: _http.Response) -> bool:
    """429, 529 and other 5xx, unless the server says not to (``x-should-retry``, as the SDK reads it)."""
    should = response.headers.get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    return response.status_code == 429 or response.status_code >= 500


def _wait(response: _http.Response, attempt: int) -> float:
    """Seconds to wait: ``retry-after-ms``, then ``retry-after`` (seconds or a date), else backoff; at most MAX_WAIT."""
    headers = response.headers
    wait: float | None = None
    try:
        if "retry-after-ms" in headers:
            wait = float(headers["retry-after-ms"]) / 1000
        elif "retry-after" in headers:
            text = headers["retry-after"]
            try:
                wait = float(text)
            except ValueError:
                when = email.utils.parsedate_to_datetime(text)
                wait = (when - dt.datetime.now(dt.timezone.utc)).total_seconds()
    except (ValueError, TypeError, OverflowError):
        wait = None
    if wait is None or wait != wait or wait < 0:  # absent, unreadable, NaN or past
        wait = _BACKOFF * 2**attempt
    return min(wait, MAX_WAIT)


def _transport_problem(exc: Exception) -> str:
    if isinstance(exc, _http.TimeoutException):
        return "no answer in time (timed out)"
    if isinstance(exc, _http.ConnectError):
        return f"cannot connect: {exc}"
    if isinstance(exc, _http.RemoteProtocolError):
        return f"the server closed the connection without a complete answer ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _displayed(url: str) -> str:
    """``url`` as messages and the document show it: without user info (a credential) or a trailing slash."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urllib.parse.urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
    except ValueError:
        return "<the URL given>"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    return f"{type(value).__name__} {json.dumps(value)[:60]}"


def _absent(body: Mapping[str, Any], field: str) -> str:
    return "nothing" if field not in body else _kind(body[field])


def _few(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
