"""Keys and what each may see: the keys file, a key's models (``Sieve``) and workspaces, and their checks.

A keys document is ``{"keys": {KEY: {"models": [PATTERN, ...], "workspaces": [ID, ...], "label": TEXT}}}``:
``models`` are ``fnmatch`` patterns over model ids (absent: every model); ``workspaces`` the workspaces the
key can act in (absent: none; one: the header may be omitted; several: it is required); ``label`` names the
key in the journal and the dashboard (absent: ``key N``, its place in the file). No message repeats a key.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, NamedTuple

from .errors import ApiError
from .limits import (
    MAX_KEYS,
    MAX_KEYS_BYTES,
    MAX_LABEL_CHARS,
    MAX_PATTERN_CHARS,
    MAX_PATTERN_SETS,
    MAX_PATTERNS,
    MAX_WORKSPACES,
)

__all__ = [
    "EVERY_MODEL",
    "WORKSPACE_HEADER",
    "Access",
    "Keys",
    "KeysError",
    "Sieve",
    "check_workspace",
    "fingerprint",
    "is_workspace_id",
    "key_problem",
    "keys_from_document",
    "keys_from_json",
    "keys_from_list",
]

#: The header a request names its workspace with, and an answer the workspace it acted in (ASGI names are
#: lower-case; the SDKs read it into their errors' ``workspace_id``).
WORKSPACE_HEADER: Final = b"anthropic-workspace-id"
#: A workspace id as the API writes them: ``wrkspc_`` and letters or digits.
_WORKSPACE = re.compile(r"wrkspc_[A-Za-z0-9]{1,64}")
#: A label: visible characters (spaces inside), as the journal and the dashboard show it.
_LABEL = re.compile(r"[^\x00-\x1f\x7f\s](?:[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s])?")
#: The label of a key the file gives none: ``key N``, its place in the file (reserved).
_DEFAULT_LABEL = re.compile(r"key [0-9]+")
#: What a pattern may hold: the characters of model ids, and ``*``, ``?``, ``[``, ``]``, ``!``.
_PATTERN = re.compile(r"[A-Za-z0-9._:@*?\[\]!-]+")

#: A key a client can send: visible ASCII, spaces inside only (around a header value they are not part of it).
_SENDABLE_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_KEY_RULE = "a key must be non-empty visible ASCII, no space or tab at either end (no client could send it otherwise)"


def key_problem(key: str) -> str | None:
    """Why no client could send ``key`` as a header value, or ``None`` if one can (never repeats the key)."""
    return None if _SENDABLE_KEY.fullmatch(key) else _KEY_RULE


class KeysError(ValueError):
    """A keys document that cannot be used; the message says where (never the key itself)."""


class Sieve:
    """The models a key may see: ``fnmatch`` patterns over model ids (case-sensitive), as one regular expression.

    Equal to another of the same patterns, so the lists made through one (kept by the catalog's storage) serve
    keys set again later with the same patterns; a keys file makes one per distinct set, which its keys share.
    """

    __slots__ = ("_hash", "match", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns: tuple[str, ...] = tuple(sorted(set(patterns)))
        expression = "|".join(fnmatch.translate(pattern) for pattern in self.patterns) or r"(?!)"
        self.match = re.compile(expression).match  # (fnmatch's translation ends each with \Z)
        self._hash = hash(self.patterns)

    def __call__(self, model_id: str) -> bool:
        return self.match(model_id) is not None

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Sieve) and other.patterns == self.patterns)

    def __repr__(self) -> str:
        return f"Sieve({list(self.patterns)!r})"


class Access(NamedTuple):
    """What one key may do: ``label`` (how the journal names it), ``sieve`` (``None``: every model),
    ``workspaces`` (the ids it can act in; empty: it belongs to none; ``None``: not known, so any)."""

    label: str
    sieve: Sieve | None = None
    workspaces: frozenset[str] | None = None


#: A key that may see every model, in any workspace: any key when no keys file is set.
EVERY_MODEL: Final = Access("")


class Keys(dict[str, Access]):
    """Key -> ``Access``: the keys a server accepts (a ``dict``: a request's lookup is one, in C). ``source``
    says where they came from (for messages)."""

    def __init__(self, keys: Mapping[str, Access], source: str) -> None:
        super().__init__(keys)
        self.source = source

    @property
    def sieves(self) -> frozenset[Sieve]:
        """The distinct sieves of these keys (each makes views of its own)."""
        return frozenset(access.sieve for access in self.values() if access.sieve is not None)

    def __repr__(self) -> str:
        return f"<Keys: {len(self)} from {self.source}>"


def is_workspace_id(value: object) -> bool:
    """Whether ``value`` is a workspace id as the API writes them (``wrkspc_`` and 1 to 64 letters or digits)."""
    return isinstance(value, str) and _WORKSPACE.fullmatch(value) is not None


def fingerprint(key: str) -> str:
    """How the journal names a key that has no label: ``key:`` and 8 hex digits of a hash of it (not the key)."""
    return "key:" + hashlib.blake2b(key.encode(), digest_size=4).hexdigest()


def keys_from_list(api_keys: Iterable[str], what: str = "api_keys") -> Keys:
    """Keys that may each see every model, from a list of keys (a bare string is refused: it would be split)."""
    if isinstance(api_keys, (str, bytes)) or not isinstance(api_keys, Iterable):
        raise TypeError(f"{what}: expected a list of keys, got a {type(api_keys).__name__} (write {what}=[...])")
    keys: dict[str, Access] = {}
    for n, key in enumerate(api_keys):
        if not isinstance(key, str):
            raise TypeError(f"{what}[{n}]: expected a string, got a {type(key).__name__}")
        if key_problem(key) is not None:
            raise ValueError(f"{what}[{n}]: {_KEY_RULE}")
        keys[key] = Access(fingerprint(key))  # the workspaces of a bare key are not known: any
    return Keys(keys, what)


def keys_from_document(document: Any, source: str = "keys") -> Keys:
    """The keys a keys document declares, checked, each bound held (see ``limits``); ``KeysError`` says what
    is wrong and where (a key is named by its place in the file, ``keys[3]``, never by itself)."""
    if not isinstance(document, Mapping) or set(document) != {"keys"}:
        raise KeysError(f'{source}: expected an object {{"keys": {{KEY: {{...}}, ...}}}} and nothing else')
    declared = document["keys"]
    if not isinstance(declared, Mapping) or not declared:
        raise KeysError(f"{source}: keys: expected an object of at least one key, each mapped to an object")
    if len(declared) > MAX_KEYS:
        raise KeysError(f"{source}: keys: at most {MAX_KEYS:,} keys, got {len(declared):,}")
    sieves: dict[tuple[str, ...], Sieve] = {}  # one sieve per distinct set of patterns
    labels: set[str] = set()
    keys: dict[str, Access] = {}
    for n, (key, entry) in enumerate(declared.items(), start=1):
        where = f"{source}: keys[{n}]"
        if not isinstance(key, str) or key_problem(key) is not None:
            raise KeysError(f"{where}: {_KEY_RULE}")
        access = _access(entry, where, f"key {n}", sieves)
        if access.label in labels:
            raise KeysError(f"{where}: label: {access.label!r} names another key too (a label names one key)")
        labels.add(access.label)
        keys[key] = access
    return Keys(keys, source)


def keys_from_json(text: str | bytes, source: str = "keys") -> Keys:
    """The keys of a keys file's text (at most ``MAX_KEYS_BYTES``), checked as ``keys_from_document`` checks."""
    if len(text) > MAX_KEYS_BYTES:
        raise KeysError(f"{source}: a keys file may be at most {MAX_KEYS_BYTES:,} bytes, this one is {len(text):,}")
    try:
        document = json.loads(text, object_pairs_hook=_unique, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:
        raise KeysError(f"{source}: {exc}" if isinstance(exc, KeysError) else f"{source}: not JSON: {exc}") from None
    return keys_from_document(document, source)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):  # (the name is not shown: it may be a key)
        raise KeysError("a name appears twice in one object (each key, each field, once)")
    return found


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _access(entry: Any, where: str, default_label: str, sieves: dict[tuple[str, ...], Sieve]) -> Access:
    """One key's entry, checked; its sieve is the one of ``sieves`` with its patterns, else made and added."""
    if not isinstance(entry, Mapping):
        raise KeysError(f"{where}: expected an object with models, workspaces or label (or {{}})")
    unknown = sorted(set(entry) - {"models", "workspaces", "label"})
    if unknown:
        raise KeysError(f"{where}: unknown field {unknown[0]!r} (expected models, workspaces or label)")
    label = entry.get("label", default_label)
    if not isinstance(label, str) or len(label) > MAX_LABEL_CHARS or not _LABEL.fullmatch(label):
        raise KeysError(f"{where}: label: expected 1 to {MAX_LABEL_CHARS} visible characters (spaces inside only)")
    if "label" in entry and _DEFAULT_LABEL.fullmatch(label):
        raise KeysError(f"{where}: label: {label!r} is a name the file gives a key without a label; choose another")
    sieve = None
    if "models" in entry:
        patterns = _strings(entry["models"], f"{where}: models", MAX_PATTERNS)
        for m, pattern in enumerate(patterns):
            if len(pattern) > MAX_PATTERN_CHARS or not _PATTERN.fullmatch(pattern):
                raise KeysError(
                    f"{where}: models[{m}]: {pattern[:MAX_PATTERN_CHARS]!r} is not a pattern of model ids: up to "
                    f"{MAX_PATTERN_CHARS} letters, digits, . _ : @ - and the wildcards * ? [ ] !"
                )
        distinct = tuple(sorted(set(patterns)))
        sieve = sieves.get(distinct)
        if sieve is None:
            if len(sieves) == MAX_PATTERN_SETS:
                raise KeysError(
                    f"{where}: models: at most {MAX_PATTERN_SETS} distinct models lists in a file (keys with the"
                    " same list share it; each is a list of its own to keep)"
                )
            sieve = sieves[distinct] = Sieve(distinct)
    workspaces = _strings(entry.get("workspaces", []), f"{where}: workspaces", MAX_WORKSPACES)
    for m, workspace in enumerate(workspaces):
        if not _WORKSPACE.fullmatch(workspace):
            raise KeysError(f"{where}: workspaces[{m}]: {workspace[:80]!r} is not a workspace id (wrkspc_ and "
                            "1 to 64 letters or digits)")  # fmt: skip
    return Access(label, sieve, frozenset(workspaces))


def _strings(value: Any, where: str, most: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise KeysError(f"{where}: expected a list of strings")
    if len(value) > most:
        raise KeysError(f"{where}: at most {most:,}, got {len(value):,}")
    return value


#: The answers the API gives about the workspace header (see the docs' Behaviour page for the evidence).
_WORKSPACE_REQUIRED = (
    "anthropic-workspace-id is required when authenticating with an identity-linked API key; "
    "send the id of the workspace this request acts in."
)
_WORKSPACE_INVALID = "anthropic-workspace-id header must be a valid workspace ID."


def check_workspace(access: Access, value: str | None) -> str | None:
    """The workspace a request acts in (``None``: none known), for a key that sent ``value`` (``None``: no
    header), or ``ApiError``: a value must be a workspace id; a key of no workspace can act in none; of one,
    the header may be omitted; of several, it is required. A key whose workspaces are not known (no keys file)
    may name any."""
    workspaces = access.workspaces
    if value is None:
        if workspaces is None or not workspaces:
            return None
        if len(workspaces) > 1:
            raise ApiError(400, _WORKSPACE_REQUIRED)
        return next(iter(workspaces))
    if not _WORKSPACE.fullmatch(value):
        raise ApiError(400, _WORKSPACE_INVALID)
    if workspaces is not None and value not in workspaces:
        raise ApiError(404, f"workspace: {value} (not a workspace this key can act in)")
    return value
