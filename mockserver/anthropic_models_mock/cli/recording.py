"""Record a catalog from any Models API: every model of every lifecycle, and its aliases.

The list never shows aliases, so candidate names are retrieved one by one: a name answered
with another model's id is an alias of that id. The key goes in a request header and
nowhere else: every text a server sent passes through one function (``_Redactor.clean``)
before it is printed, and an answer that would put the key in the document is refused.
"""

from __future__ import annotations

import ast
import datetime as dt
import email.utils
import importlib.util
import json
import re
import time
import typing
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..catalog.catalog import Catalog
from ..model.access import fingerprint
from ..model.limits import LIFECYCLES, LIMIT_MAX
from ..model.modelinfo import CAPABILITIES_SHAPE, FIELDS, CatalogError, is_model_id
from .progress import Progress

try:
    import httpx2 as _http  # the current SDK's HTTP library (Python 3.11+)
except ImportError:  # Python 3.10
    import httpx as _http  # type: ignore[no-redef]

__all__ = [
    "MAX_ANSWER",
    "MAX_LISTED",
    "MAX_PAGES",
    "MAX_WAIT",
    "RecordError",
    "candidate_names",
    "display_url",
    "known_model_names",
    "record",
    "url_problem",
]

#: The longest wait a ``retry-after`` is honoured for, in seconds; a longer one is cut to it.
MAX_WAIT = 60.0
#: The largest answer read, in bytes once decoded: a page of 1,000 models is a few MiB at most.
MAX_ANSWER = 64 * 2**20
#: The most models one walk (one lifecycle) may list: far above any real catalog,
#: so a server that pages without end is stopped.
MAX_LISTED = 10_000_000
#: The most pages one walk may take: those of ``MAX_LISTED`` models in full pages.
MAX_PAGES = MAX_LISTED // LIMIT_MAX
#: A key shorter than this is redacted only where it stands as a whole word (``m`` in ``claude-m`` is not it).
SHORT_KEY = 8
#: The first wait before a retry that the server did not time, doubled at each retry.
_BACKOFF = 0.5
_VERSION = "2023-06-01"
_REDACTED = "[key redacted]"
_NOT_A_BASE_URL = "expected the http:// or https:// base URL of a Models API, such as https://api.anthropic.com"


class RecordError(Exception):
    """A recording that cannot be made; the message is one line and never holds the key."""


def known_model_names() -> list[str]:
    """The model names the installed ``anthropic`` SDK knows (its ``Model`` type and deprecation table).

    Read from the SDK's two source files (``types/model.py``, ``_data/deprecated_models.py``) without
    importing it, which takes seconds; imported only if they cannot be read. Empty when the SDK is not
    installed: it is a source of alias candidates, not a requirement.
    """
    spec = importlib.util.find_spec("anthropic")
    if spec is None:
        return []
    read = _names_in_sources(Path(next(iter(spec.submodule_search_locations or [""]))))
    return read if read is not None else _imported_model_names()


def _names_in_sources(root: Path) -> list[str] | None:
    """The strings of the ``Model`` literal and the keys of ``DEPRECATED_MODELS``, read from the SDK's source
    (``None``: its ``types/model.py`` cannot be read, or holds no literal)."""
    try:
        model = ast.parse((root / "types" / "model.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    names: dict[str, None] = {}
    for node in ast.walk(model):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
            names.update(dict.fromkeys(_strings(node.slice)))
    if not names:
        return None
    try:
        deprecated = ast.parse((root / "_data" / "deprecated_models.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):  # (absent from older SDKs)
        deprecated = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(deprecated):
        if isinstance(node, ast.Dict):
            names.update(dict.fromkeys(_strings(ast.Tuple(elts=[key for key in node.keys if key], ctx=ast.Load()))))
    return sorted(names)


def _strings(node: ast.expr) -> list[str]:
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    return [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def _imported_model_names() -> list[str]:
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


def candidate_names() -> list[str]:
    """The names always tried as aliases: the installed SDK's model names and the embedded catalog's aliases.

    The SDK does not list every alias (2.14 lacks ``claude-opus-4-0``); the embedded catalog's
    cost a request each.
    """
    return list(dict.fromkeys([*known_model_names(), *Catalog.default().aliases]))


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a base URL to record from (``http(s)://host[:port][/path]``), or ``None``.

    The message never repeats the URL: it may hold a password.
    """
    if not url.isprintable():
        return _NOT_A_BASE_URL
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        reason = "the port is not a number from 0 to 65535" if "port" in str(exc).lower() else str(exc)
        return f"not a valid URL ({reason}): {_NOT_A_BASE_URL}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _NOT_A_BASE_URL
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "a base URL has no query (?...) or fragment (#...): requests go to its /v1/models"
    return None


def display_url(url: str) -> str:
    """``url`` as messages and documents show it: without user info (a credential) or a trailing slash."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urllib.parse.urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))
    except ValueError:
        return "<the URL given>"


def record(
    url: str,
    api_key: str,
    *,
    key_name: str = "ANTHROPIC_API_KEY",
    workspace: str | None = None,
    candidates: Iterable[str] = (),
    base: Mapping[str, Any] | None = None,
    retries: int = 4,
    timeout: float = 30.0,
    progress: Progress | None = None,
    tool: str = "mockserver",
    now: dt.datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Walk the Models API at ``url`` (a base URL, as the SDK's) and return a catalog document.

    ``candidates`` are names to try as aliases; ``base`` an older catalog document whose
    aliases are tried too and whose per-model ``sources`` are kept. ``key_name`` only names
    the key in messages (``the key in $ANTHROPIC_API_KEY was refused``); ``workspace``: the
    ``anthropic-workspace-id`` sent. What is recorded is what this key sees (in this workspace), and the
    document's ``source`` says so, naming the key by its fingerprint. ``timeout`` bounds
    each whole answer, from the request to its last byte.
    """
    progress = progress or Progress("models", live=False)
    text = _Redactor(api_key, key_name)
    try:
        problem = url_problem(url)
        if problem is not None:
            raise RecordError(f"URL: {problem}")
        return _record(
            url, api_key, workspace, text, list(candidates), base, retries, timeout, progress, tool, now, sleep, clock
        )
    except RecordError as exc:  # the last guard: every part was cleaned where it came in
        raise RecordError(text.redact(str(exc))) from None


def _record(
    url: str,
    api_key: str,
    workspace: str | None,
    text: _Redactor,
    candidates: list[str],
    base: Mapping[str, Any] | None,
    retries: int,
    timeout: float,
    progress: Progress,
    tool: str,
    now: dt.datetime | None,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> dict[str, Any]:
    shown = display_url(url)
    with _Api(url, api_key, workspace, text, shown, retries, timeout, progress, sleep, clock) as api:
        found = _walk_all(api)
        if not found:
            raise RecordError(
                f"the API listed no models: GET {shown}/v1/models answered an empty list for every lifecycle"
                " (a key that sees no models?); nothing recorded"
            )
        catalog = _validated({"models": list(found.values())}, shown, text)
        tried = dict.fromkeys([*candidates, *(base or {}).get("aliases", {})])
        aliases = _aliases(api, catalog, tried)
        requests, retried = api.requests, api.retried
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    seen_by = f"the key in ${text.name} ({fingerprint(api_key)})" + (f" in workspace {workspace}" if workspace else "")
    document: dict[str, Any] = {
        "as_of": moment.date().isoformat(),
        "source": f"GET {shown}/v1/models?beta=true, every lifecycle, as {seen_by} sees it; recorded"
        f" {moment:%Y-%m-%dT%H:%M:%SZ} by {tool} catalog record",
    }
    document.update(_with_sources(catalog, aliases, base))
    _validated(document, shown, text)
    if text.holds(json.dumps(document, ensure_ascii=False)):
        raise RecordError(
            f"the recording would hold the key in ${text.name} (the URL or an answer carries it); nothing recorded"
        )
    progress.done(
        f"recorded {_plural(len(catalog), 'model')} and {_plural(len(aliases), 'alias')} from {shown}"
        f" in {progress.elapsed:.1f} s ({_plural(requests, 'request')}, {retried:,} retried)"
    )
    return document


# -- what a server sent, made safe to print -----------------------------------------------


class _Redactor:
    """The one way server text reaches a message: the key redacted, then made one printable line."""

    def __init__(self, key: str, name: str) -> None:
        self.name = name
        forms = (
            {key, urllib.parse.quote(key, safe=""), urllib.parse.quote_plus(key), json.dumps(key)[1:-1]}
            if key
            else set()
        )
        alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        if not alternatives:
            self._pattern: re.Pattern[str] | None = None
        elif len(key) >= SHORT_KEY:
            self._pattern = re.compile(alternatives)
        else:  # a short key is also a common word part: only a whole word is it
            self._pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def redact(self, text: str) -> str:
        """``text`` with every occurrence of the key replaced by ``[key redacted]``."""
        return text if self._pattern is None else self._pattern.sub(_REDACTED, text)

    def holds(self, text: str) -> bool:
        """Whether ``text`` carries the key (as ``redact`` finds it)."""
        return self._pattern is not None and self._pattern.search(text) is not None

    def clean(self, text: str, limit: int = 300) -> str:
        """``text`` safe to print: the key redacted, controls escaped, one line, at most ``limit`` characters."""
        text = self.redact(text)
        text = "".join(ch if ch.isprintable() or ch.isspace() else json.dumps(ch)[1:-1] for ch in text)
        text = self.redact(" ".join(text.split()))
        return text if len(text) <= limit else f"{text[: limit - 1]}…"

    def kind(self, value: Any) -> str:
        """What ``value`` is, for a message: ``str "no"``, ``an object``, ``null``."""
        if value is None:
            return "null"
        if isinstance(value, (dict, list)):
            return "an object" if isinstance(value, dict) else "a list"
        return f"{type(value).__name__} {self.clean(json.dumps(value, ensure_ascii=False), 60)}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}es" if noun.endswith("s") else f"{n:,} {noun}s"


def _few(names: list[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown:,} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


# -- the walk -------------------------------------------------------------------------


class _Walked:
    """What the walks found, and what they noticed on the way (said once, at the end)."""

    def __init__(self) -> None:
        self.dropped: dict[str, set[str]] = {}  # unknown field path -> ids of the models that had it
        self.repeated: dict[str, None] = {}  # ids listed again with another body
        self.contradicted: dict[str, str] = {}  # id -> "listed as X, says Y"
        self.listed_as: dict[str, str] = {}  # id -> the lifecycle filter that first listed it
        self.filled: set[str] = set()  # ids given the lifecycle of their filter (they had none)


def _walk_all(api: _Api) -> dict[str, dict[str, Any]]:
    """Every model of every lifecycle. The lists are asked for with ``beta=true``: the real API answers it
    as it answers a request without it, and a server that still tells the two apart adds the beta keys."""
    found: dict[str, dict[str, Any]] = {}
    walked = _Walked()
    api.progress.phase("listing models", what="models")
    for lifecycle in LIFECYCLES:
        for where, item in api.walk(lifecycle):
            model = _from_wire(item, where, api.text, walked)
            _keep(found, model, lifecycle, walked, api.text)
            api.progress.advance()
    _warn(api, walked)
    return found


def _keep(
    into: dict[str, dict[str, Any]], model: dict[str, Any], lifecycle: str, walked: _Walked, text: _Redactor
) -> None:
    """Add ``model``, listed under ``lifecycle``, to ``into``; note a model listed twice, or under another lifecycle."""
    model_id = model["id"]
    own = model.get("lifecycle")
    kept = into.get(model_id)
    if kept is None:
        if own is None:
            model["lifecycle"] = lifecycle
            walked.filled.add(model_id)
        elif own != lifecycle:
            shown = text.clean(json.dumps(own, ensure_ascii=False), 40)
            walked.contradicted[model_id] = f"{model_id} (listed as {lifecycle}, says {shown})"
        into[model_id] = model
        walked.listed_as[model_id] = lifecycle
        return
    first = walked.listed_as[model_id]
    if first != lifecycle:
        walked.contradicted[model_id] = f"{model_id} (listed as {first} and as {lifecycle})"
    if model_id in walked.filled:
        kept = {key: value for key, value in kept.items() if key != "lifecycle"}
    if kept != model:
        walked.repeated[model_id] = None


def _warn(api: _Api, walked: _Walked) -> None:
    if walked.dropped:
        unknown = ", ".join(
            f"{path} ({_plural(len(ids), 'model')})"
            for path, ids in sorted(walked.dropped.items(), key=lambda entry: entry[0])
        )
        api.note(f"warning: not recorded, unknown to this version of mockserver: {unknown}")
    if walked.repeated:
        api.note(
            f"warning: {_plural(len(walked.repeated), 'model')} listed twice with different bodies; the first"
            f" listing is kept: {_few(list(walked.repeated))}"
        )
    if walked.contradicted:
        api.note(
            f"warning: {_plural(len(walked.contradicted), 'model')} listed under another lifecycle than their own,"
            f" or under two; the model's own (else the first) is kept: {_few(list(walked.contradicted.values()))}"
        )


def _from_wire(item: Any, where: str, text: _Redactor, walked: _Walked) -> dict[str, Any]:
    """A list item as a catalog entry: the required fields checked, unknown ones dropped (noted), no key in it."""
    if not isinstance(item, dict):
        raise RecordError(f"{where}: not the Models API's answer: expected a model object, got {text.kind(item)}")
    checks = (
        ("id", is_model_id, "a model id"),
        ("type", lambda value: value == "model", '"model"'),
        ("display_name", lambda value: isinstance(value, str), "a string"),
        ("created_at", lambda value: isinstance(value, str), "an RFC 3339 date-time string"),
    )
    for field, valid, expected in checks:
        if not valid(item.get(field)):
            got = "nothing" if field not in item else text.kind(item[field])
            raise RecordError(f"{where}.{field}: not the Models API's answer: expected {expected}, got {got}")
    model = {key: value for key, value in item.items() if key in FIELDS}
    dropped: list[str] = [text.clean(str(key), 80) for key in item.keys() - model.keys()]
    if isinstance(model.get("capabilities"), dict):
        model["capabilities"] = _pruned(model["capabilities"], CAPABILITIES_SHAPE, "capabilities", text, dropped)
    if text.holds(json.dumps(model, ensure_ascii=False)):
        raise RecordError(
            f"{where}: the answer contains the key in ${text.name} (not shown); nothing recorded:"
            " a catalog file must never hold it"
        )
    for path in dropped:
        walked.dropped.setdefault(path, set()).add(model["id"])
    return model


def _pruned(
    value: dict[str, Any], shape: Mapping[str, Any], path: str, text: _Redactor, dropped: list[str]
) -> dict[str, Any]:
    """``value`` without the keys ``shape`` does not know (their paths added to ``dropped``, cleaned)."""
    kept: dict[str, Any] = {}
    for key, found in value.items():
        rule = shape.get(key)
        if rule is None:
            dropped.append(f"{path}.{text.clean(str(key), 80)}")
            continue
        inner = getattr(rule, "shape", rule)  # an optional entry wraps its shape
        kept[key] = (
            _pruned(found, inner, f"{path}.{key}", text, dropped)
            if isinstance(inner, Mapping) and isinstance(found, dict)
            else found
        )
    return kept


def _aliases(api: _Api, catalog: Catalog, candidates: Iterable[str]) -> dict[str, str]:
    """Each candidate that the API answers with another model's id, and that id."""
    names = [name for name in candidates if name not in catalog and is_model_id(name)]
    api.progress.phase("trying alias names", what="names", total=len(names))
    aliases: dict[str, str] = {}
    strays: list[str] = []
    for name in names:
        body = api.retrieve(name)
        api.progress.advance()
        if body is None:
            continue
        target = body["id"]
        if target == name:
            strays.append(name)  # a model the lists never showed
        elif target in catalog:
            aliases[name] = target
        else:
            strays.append(f"{name} (-> {api.text.clean(target, 80)})")
    if strays:
        api.note(f"warning: retrieved but not in any list, not recorded: {_few(strays)}")
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


def _validated(document: dict[str, Any], shown: str, text: _Redactor) -> Catalog:
    try:
        return Catalog.from_document(document, source=f"the recording of {shown}")
    except CatalogError as exc:
        raise RecordError(f"{text.clean(str(exc), 500)} (not a model the fake can serve)") from None


# -- HTTP -----------------------------------------------------------------------------


class _Answer(NamedTuple):
    status: int
    headers: Mapping[str, str]
    content: bytes


class _Transient(Exception):
    """A failure a retry may cure (a timeout, a cut connection); the message is clean."""


class _Api:
    """The two endpoints, with retries; every failure is a one-line ``RecordError``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        workspace: str | None,
        text: _Redactor,
        shown: str,
        retries: int,
        timeout: float,
        progress: Progress,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.text, self.progress, self._shown = text, progress, shown
        self._retries, self._timeout, self._sleep, self._clock = retries, timeout, sleep, clock
        self.requests = self.retried = 0
        try:
            self._client = _http.Client(
                base_url=url.rstrip("/"),
                headers={
                    "x-api-key": api_key,
                    "anthropic-version": _VERSION,
                    "accept": "application/json",
                    **({"anthropic-workspace-id": workspace} if workspace else {}),
                },
                timeout=timeout,
                follow_redirects=False,  # a redirect would carry the key to wherever it points
            )
        except (ValueError, TypeError, _http.InvalidURL) as exc:
            raise RecordError(f"{shown}: not a URL the client can use: {text.clean(str(exc))}") from None

    def __enter__(self) -> _Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def note(self, line: str) -> None:
        """A line on stderr (a retry, a warning), the key redacted whatever its parts."""
        self.progress.note(self.text.redact(line))

    def walk(self, lifecycle: str) -> Iterator[tuple[str, Any]]:
        """Every item of the list filtered to ``lifecycle``, page by page, with where it came from."""
        after: str | None = None
        seen: set[str] = set()
        pages = 0
        while True:
            params: dict[str, str | int] = {"limit": LIMIT_MAX, "lifecycle[]": lifecycle, "beta": "true"}
            if after is not None:
                params["after_id"] = after
            what = self._what("/v1/models", params)
            body = self._get("/v1/models", params, what)
            data, has_more, last_id = _page(body, what, self.text)
            for n, item in enumerate(data):
                yield f"{what}: data[{n}]", item
            if not has_more:
                return
            ids = {item["id"] for item in data}  # each item was checked as it was taken
            if not data or last_id in seen or not ids.isdisjoint(seen):
                raise RecordError(
                    f"{what}: not the Models API's answer: has_more is true but the page does not advance"
                )
            if last_id != data[-1]["id"]:
                raise RecordError(
                    f"{what}: last_id: not the Models API's answer: expected the last item's id"
                    f" {self.text.clean(data[-1]['id'], 80)}, got {self.text.kind(last_id)}"
                )
            seen |= ids
            pages += 1
            if len(seen) > MAX_LISTED or pages >= MAX_PAGES:
                raise RecordError(
                    f"{what}: more than {MAX_LISTED:,} models or {MAX_PAGES:,} pages listed for one lifecycle,"
                    " far more than any real catalog: stopped (does the server page without end?)"
                )
            after = last_id

    def retrieve(self, name: str) -> dict[str, Any] | None:
        """The model ``name`` names, or ``None`` when the API answers 404."""
        path = f"/v1/models/{urllib.parse.quote(name, safe='')}"
        what = self._what(path, {})
        body = self._get(path, {}, what, missing_ok=True)
        if body is None:
            return None
        if not isinstance(body, dict) or not is_model_id(body.get("id")):
            got = self.text.kind(body.get("id")) if isinstance(body, dict) else self.text.kind(body)
            raise RecordError(f"{what}: id: not the Models API's answer: expected a model id, got {got}")
        return body

    def _what(self, path: str, params: Mapping[str, Any]) -> str:
        query = urllib.parse.urlencode(params)
        return self.text.clean(f"GET {self._shown}{path}" + (f"?{query}" if query else ""), 2000)

    def _get(self, path: str, params: Mapping[str, Any], what: str, *, missing_ok: bool = False) -> Any:
        for attempt in range(self._retries + 1):
            self.requests += 1
            last = attempt == self._retries
            try:
                answer = self._fetch(path, params, what)
            except _Transient as exc:
                if last:
                    raise RecordError(f"{what}: {exc}") from None
                self._retry(what, str(exc), _BACKOFF * 2**attempt, attempt)
                continue
            if answer.status == 200:
                return self._json(answer, what)
            if answer.status == 404 and missing_ok:
                return None
            if _retryable(answer.status, answer.headers) and not last:
                problem = f"{answer.status} {self._error_of(answer)}"
                self._retry(what, problem, _wait(answer.headers, attempt), attempt)
                continue
            raise RecordError(self._refusal(answer, what))
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch(self, path: str, params: Mapping[str, Any], what: str) -> _Answer:
        """One answer, read whole within the timeout and ``MAX_ANSWER`` bytes; a transient failure is ``_Transient``."""
        deadline = self._clock() + self._timeout
        try:
            with self._client.stream("GET", path, params=params) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > MAX_ANSWER:
                    raise RecordError(self._too_large(what, f"it declares {int(declared):,} bytes"))
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_ANSWER:
                        raise RecordError(self._too_large(what, "stopped reading"))
                    if self._clock() > deadline:
                        raise _Transient(
                            f"no complete answer in {self._timeout:g} s (--timeout bounds each whole answer):"
                            f" {size:,} bytes had come"
                        )
                    chunks.append(chunk)
                return _Answer(response.status_code, response.headers, b"".join(chunks))
        except _http.TimeoutException:
            raise _Transient(f"no answer in time (nothing for {self._timeout:g} s)") from None
        except (_http.RemoteProtocolError, _http.ReadError, _http.WriteError, _http.CloseError) as exc:
            problem = self.text.clean(f"{type(exc).__name__}: {exc}")
            raise _Transient(
                f"the server closed the connection without a complete answer, or broke HTTP ({problem})"
            ) from None
        except _http.ConnectError as exc:  # refused, or no such host: a retry would not help
            raise RecordError(f"{what}: cannot connect: {self.text.clean(str(exc))}") from None
        except _http.DecodingError as exc:
            raise RecordError(f"{what}: the answer cannot be decoded: {self.text.clean(str(exc))}") from None
        except (_http.HTTPError, _http.StreamError, _http.InvalidURL, OSError, ValueError) as exc:
            raise RecordError(f"{what}: {self.text.clean(f'{type(exc).__name__}: {exc}')}") from None

    def _too_large(self, what: str, how: str) -> str:
        return f"{what}: the answer is larger than {MAX_ANSWER // 2**20} MiB ({how}): not a page of the Models API"

    def _retry(self, what: str, problem: str, wait: float, attempt: int) -> None:
        self.retried += 1
        self.note(f"{what}: {problem}; retry {attempt + 1} of {self._retries} in {wait:.1f} s")
        self._sleep(wait)

    def _json(self, answer: _Answer, what: str) -> Any:
        try:
            return json.loads(answer.content)
        except (ValueError, RecursionError):
            kind = self.text.clean(answer.headers.get("content-type", "no content-type"), 100)
            raise RecordError(
                f"{what}: answered 200 with a body that is not JSON ({kind}, {len(answer.content):,} bytes):"
                f" is {self._shown} the base URL of a Models API?"
            ) from None

    def _refusal(self, answer: _Answer, what: str) -> str:
        status = answer.status
        error = self._error_of(answer)
        if status == 401:
            return f"the key in ${self.text.name} was refused: {what}: 401 {error}"
        if status == 403:
            return f"the key in ${self.text.name} may not list models: {what}: 403 {error}"
        if 300 <= status < 400:
            where = self.text.clean(answer.headers.get("location", "nowhere"))
            return (
                f"{what}: {status} redirect to {where}: give that URL instead (a redirect is not followed with a key)"
            )
        hint = (
            f" (is {self._shown} the base URL of a Models API? requests go to its /v1/models)" if status == 404 else ""
        )
        return f"{what}: {status} {error}{hint}"

    def _error_of(self, answer: _Answer) -> str:
        """The envelope's ``type: message``, or what the body is when it is not the envelope."""
        try:
            error = json.loads(answer.content)["error"]
            return self.text.clean(f"{error['type']}: {error['message']}")
        except (ValueError, RecursionError, KeyError, TypeError):
            if not answer.content:
                return "with an empty body, not the API's error envelope"
            kind = answer.headers.get("content-type")
            shown = "no content-type" if kind is None else self.text.clean(kind, 100)
            return f"with a body that is not the API's error envelope ({shown}, {len(answer.content):,} bytes)"


def _page(body: Any, what: str, text: _Redactor) -> tuple[list[Any], bool, str | None]:
    """``data``, ``has_more`` and ``last_id`` of a list answer, or a ``RecordError`` naming the field."""
    if not isinstance(body, dict):
        raise RecordError(f"{what}: not the Models API's answer: expected an object, got {text.kind(body)}")
    data, has_more, last_id = body.get("data"), body.get("has_more"), body.get("last_id")

    def got(field: str) -> str:
        return "nothing" if field not in body else text.kind(body[field])

    if not isinstance(data, list):
        raise RecordError(f"{what}: data: not the Models API's answer: expected a list, got {got('data')}")
    if not isinstance(has_more, bool):
        raise RecordError(
            f"{what}: has_more: not the Models API's answer: expected true or false, got {got('has_more')}"
        )
    if has_more and not isinstance(last_id, str):
        raise RecordError(f"{what}: last_id: not the Models API's answer: expected the last id, got {got('last_id')}")
    return data, has_more, last_id


def _retryable(status: int, headers: Mapping[str, str]) -> bool:
    """429, 529 and other 5xx, unless the server says not to (``x-should-retry``, as the SDK reads it)."""
    should = headers.get("x-should-retry")
    if should in ("true", "false"):
        return should == "true"
    return status == 429 or status >= 500


def _wait(headers: Mapping[str, str], attempt: int) -> float:
    """Seconds to wait: ``retry-after-ms``, then ``retry-after`` (seconds or a date), else backoff; at most MAX_WAIT.

    ``headers`` are looked up by lower-case name (an HTTP client's headers are case-insensitive).
    """
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
