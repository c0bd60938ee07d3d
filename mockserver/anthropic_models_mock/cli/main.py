"""The ``mockserver`` command: ``serve`` the fake API, or print a ``catalog``."""

from __future__ import annotations

import argparse
import fnmatch
import functools
import gc
import importlib.metadata
import ipaddress
import json
import math
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from ..catalog.catalog import Catalog, default_catalog_path
from ..catalog.loader import read_catalog_file
from ..model import limits
from ..model.access import Keys, key_problem
from ..model.limits import LIFECYCLES, MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_SECONDS, MAX_SYNTHETIC, MAX_SYNTHETIC_ADMIN
from ..model.modelinfo import CatalogError
from ..runtime.journal import JOURNAL_BYTES

__all__ = ["main"]

_DISTRIBUTION = "anthropic-models-mock"
#: Where ``serve`` listens by default; 4010 is where the official SDK's own test suite looks.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
_STDIN = "-"
_KEY_ENV = "ANTHROPIC_API_KEY"
_WORKSPACE_ENV = "ANTHROPIC_WORKSPACE_ID"  # (the SDK's credentials read it too)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _version() -> str:
    """The installed distribution's version; ``0+unknown`` when run from an uninstalled source tree."""
    try:
        return importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        unrecognized = "unrecognized arguments: "
        if message.startswith(unrecognized):  # name the options only: a stray value may be a secret
            words = message.removeprefix(unrecognized).split(" ")
            options = [word.partition("=")[0] for word in words if word.startswith("-")]
            values = len(words) - len(options)
            counted = [f"{values} value" + ("s" if values > 1 else "") + " (not shown)"] if values else []
            message = unrecognized + " and ".join(part for part in (" ".join(options), *counted) if part)
        _die(f"{message} (see '{self.prog} --help')")


def _die(message: str) -> NoReturn:
    print(f"mockserver: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _ranged(convert: Callable[[str], float], low: float, high: float, what: str) -> Callable[[str], Any]:
    """An argparse ``type=`` that converts, then checks ``low <= value <= high``."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what} from {low:,} to {high:,}, got {text}")
        return value

    return parse


_count = _ranged(int, 0, MAX_SYNTHETIC, "a whole number")
_positive = _ranged(int, 1, 10**9, "a whole number")
_port = _ranged(int, 0, 65535, "a port")
_status = _ranged(int, 400, 599, "an error status")
_seconds = _ranged(float, 0, MAX_SECONDS, "seconds")
_probability = _ranged(float, 0, 1, "a probability")


def _details(text: str) -> dict[str, Any]:
    """An argparse ``type=`` for ``--fault-details``: what a fault's ``details`` may be (see ``Fault``)."""
    from ..runtime.faults import Fault

    try:
        details = json.loads(text)
        Fault(details=details)
    except ValueError as exc:  # (json's errors are ValueErrors too)
        raise argparse.ArgumentTypeError(str(exc).removeprefix("details: ")) from None
    return details  # type: ignore[no-any-return]


def _host(text: str) -> str:
    """An argparse ``type=`` for ``--allow-host``: a name as a client's ``Host`` header has it."""
    from ..http.hosts import is_host

    if not is_host(text):
        raise argparse.ArgumentTypeError(
            f"expected a host name as a client's Host header has it (mock.internal, mock.internal:4010, 10.0.0.5,"
            f" [fd00::5]), got {text!r}"
        )
    return text


def _catalog_path(text: str) -> str:
    """An argparse ``type=`` for ``--catalog``: a path, or ``-``; never empty (``Path("")`` is the current folder)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a catalog file, or - for standard input; got an empty string")
    return text


def _add_catalog_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("catalog (default: the embedded catalog of real Claude models)")
    source = group.add_mutually_exclusive_group()
    source.add_argument(
        "--catalog", metavar="PATH", type=_catalog_path, help="serve the models in this catalog file (- for stdin)"
    )
    source.add_argument("--synthetic", metavar="N", type=_count, help="serve N synthetic models made with Faker")
    group.add_argument("--seed", metavar="S", type=int, help="seed of --synthetic (default 0); same seed, same catalog")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mockserver", description="An offline fake of Anthropic's Models API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    serve = commands.add_parser("serve", help="serve the fake API over HTTP (uvicorn)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    serve.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port to bind, 0 for any free one (default {DEFAULT_PORT})",
    )
    _add_catalog_options(serve)
    keys = serve.add_argument_group("keys and the clock (see the docs: Views)").add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key",
        metavar="KEY",
        action="append",
        dest="api_keys",
        help="accept only this key (repeat for more); default: any non-empty key",
    )
    keys.add_argument(
        "--keys",
        metavar="FILE",
        help='accept only the keys in this JSON file, each seeing what it says: {"keys": {KEY: {"models": '
        '[PATTERN, ...], "workspaces": [ID, ...], "label": NAME}}}',
    )
    serve.add_argument(
        "--clock",
        metavar="DATE",
        type=_clock,
        help="serve the catalog as it stood at DATE (RFC 3339, or now for the wall clock) by its own dates: "
        "models made later are absent, lifecycles follow deprecated_at and retires_at",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request (off by default)")
    admin = serve.add_mutually_exclusive_group()
    admin.add_argument(
        "--admin",
        action="store_true",
        default=None,
        help="serve the /_mock/ admin API even on a non-loopback host (default: on for loopback only)",
    )
    admin.add_argument("--no-admin", dest="admin", action="store_false", help="do not serve the /_mock/ admin API")
    serve.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        dest="allow_hosts",
        default=[],
        type=_host,
        help="a Host name the admin API and the dashboard answer besides loopback ones and --host (repeat for more)",
    )
    serve.add_argument(
        "--journal-size", metavar="N", type=_positive, default=1000, help="requests the journal keeps (default 1000)"
    )
    bounds = serve.add_argument_group("bounds (each a setting; see the docs: Behaviour)")
    for flag, low, high, default, what in (
        ("--journal-bytes", 1, 1 << 40, JOURNAL_BYTES, "the most bytes the journal keeps, oldest out first"),
        ("--max-header-bytes", 1024, 1 << 20, MAX_HEADER_BYTES, "the largest request head, a 431 past it"),
        ("--max-body-bytes", 0, 64 << 30, MAX_BODY_BYTES, "the largest request body, a 413 past it"),
        ("--max-synthetic", 0, MAX_SYNTHETIC, MAX_SYNTHETIC_ADMIN, "the most synthetic models an admin PUT builds"),
    ):
        number = _ranged(int, low, high, "a whole number")
        bounds.add_argument(flag, metavar="N", type=number, default=default, help=f"{what} (default {default:,})")
    faults = serve.add_argument_group("faults (see the docs: Faults)")
    faults.add_argument(
        "--fault",
        metavar="STATUS",
        type=_status,
        action="append",
        default=[],
        help="the next request gets this error status; repeat for a sequence (--fault 429 --fault 429)",
    )
    faults.add_argument("--fail-rate", metavar="P", type=_probability, help="each request fails with probability P")
    faults.add_argument(
        "--fail-status", metavar="STATUS", type=_status, help="status of --fail-rate errors (default 500)"
    )
    faults.add_argument(
        "--retry-after", metavar="SECONDS", type=_seconds, help="retry-after header on --fault and --fail-rate errors"
    )
    faults.add_argument(
        "--fault-details",
        metavar="JSON",
        type=_details,
        help="error.details of --fault and --fail-rate errors: a JSON object with an error_code, such as"
        ' \'{"error_code": "organization_on_hold", "appeal_url": "https://example.com/appeal"}\'',
    )
    faults.add_argument("--latency", metavar="SECONDS", type=_seconds, default=0.0, help="delay every API request")
    faults.add_argument("--latency-jitter", metavar="SECONDS", type=_seconds, help="plus a random 0..SECONDS (seeded)")
    faults.add_argument(
        "--fault-seed", metavar="N", type=int, help="seed of --fail-rate and --latency-jitter (default 0)"
    )
    catalog = commands.add_parser(
        "catalog",
        help="print a catalog (validated) to stdout; or record one from a Models API, or diff two",
        description="Print a catalog (validated) to stdout; 'catalog record' and 'catalog diff' do more.",
    )
    _add_catalog_options(catalog)
    tools = catalog.add_subparsers(dest="catalog_command", metavar="[record | diff]", parser_class=_Parser)
    _add_record(tools)
    _add_diff(tools)
    return parser


def _add_record(tools: Any) -> None:
    record = tools.add_parser(
        "record",
        allow_abbrev=False,  # --api-key must never be read as --api-key-env
        help="record the catalog a Models API serves (every model of every lifecycle, and its aliases)",
        description="Record the catalog the Models API at URL serves, as a catalog file. The key is read from"
        " the environment only, and never written anywhere. Exit 0 when recorded, 2 on any error.",
    )
    record.add_argument(
        "url", metavar="URL", help="the API's base URL, as the SDK's base_url (https://api.anthropic.com)"
    )
    record.add_argument(
        "--api-key-env",
        metavar="NAME",
        default=_KEY_ENV,
        help=f"the environment variable holding the key (default {_KEY_ENV})",
    )
    record.add_argument("--api-key", nargs="?", action=_RefuseKey, help=argparse.SUPPRESS)
    record.add_argument(
        "--workspace",
        metavar="ID",
        default=os.environ.get(_WORKSPACE_ENV) or None,
        help=f"the workspace to record as (anthropic-workspace-id; default ${_WORKSPACE_ENV}, as the SDK reads it): "
        "what is recorded is what the key sees there, and the file says so",
    )
    record.add_argument(
        "-o", "--output", metavar="FILE", type=_catalog_path, help="write here, atomically (default: stdout)"
    )
    record.add_argument(
        "--base",
        metavar="OLD",
        type=_catalog_path,
        help="an older catalog file: its aliases are tried, and each model's sources are kept",
    )
    record.add_argument(
        "--alias",
        metavar="NAME",
        action="append",
        default=[],
        dest="aliases",
        help="a name to try as an alias (repeat for more); the installed SDK's model names and the embedded"
        " catalog's aliases are always tried",
    )
    record.add_argument(
        "--retries",
        metavar="N",
        type=_ranged(int, 0, 100, "a whole number"),
        default=4,
        help="retries of a request answered 429, 529 or 5xx, or cut off (default 4)",
    )
    record.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_ranged(float, 0.1, MAX_SECONDS, "seconds"),
        default=30.0,
        help="seconds each whole answer may take, from request to last byte (default 30)",
    )


class _RefuseKey(argparse.Action):
    """``--api-key`` on ``record``: refused without repeating it (a command line is seen by others, and kept)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        _die(
            f"--api-key: the key is read from the environment only: set {_KEY_ENV}, or name another with --api-key-env"
        )


def _add_diff(tools: Any) -> None:
    diff = tools.add_parser(
        "diff",
        help="what differs between two catalogs: models, fields, capabilities, aliases",
        description="Compare what two catalog files serve. Exit 0 when they serve the same, 1 when they"
        " differ, 2 on an error (like diff), so a scheduled job can fail on drift.",
    )
    diff.add_argument("old", metavar="OLD", type=_catalog_path, help="a catalog file (- for stdin)")
    diff.add_argument("new", metavar="NEW", type=_catalog_path, help="a catalog file (- for stdin)")
    diff.add_argument("--json", action="store_true", help="print the differences as JSON, for machines")


def _say(text: str) -> None:
    """Print a line for the user; a reader that has gone away (``| head``) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


#: The most of standard input read at once.
_STDIN_PIECE = 1 << 20


def _stdin_text() -> str:
    """Standard input as UTF-8 text (``--catalog -``); errors name ``<stdin>`` like others name the file."""
    if sys.stdin is None:  # started with stdin closed
        _die("<stdin>: cannot read catalog: standard input is closed")
    limit = limits.MAX_CATALOG_BYTES
    try:
        text = bytearray()
        while piece := sys.stdin.buffer.read(_STDIN_PIECE):  # (``read(limit)`` would allocate the limit first)
            text += piece
            if len(text) > limit:
                _die(f"<stdin>: cannot read catalog: more than {limit:,} bytes, more than a catalog file may be")
        return text.decode("utf-8")
    except OSError as exc:
        _die(f"<stdin>: cannot read catalog: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        _die(f"<stdin>: not UTF-8 text: {exc.reason}")
    except MemoryError:
        _die("<stdin>: cannot read catalog: not enough memory to hold it")


def _load(args: argparse.Namespace) -> Catalog:
    if args.seed is not None and args.synthetic is None:
        _die("--seed only applies to --synthetic N")
    build: Callable[[Callable[[int], None]], Catalog]
    if args.synthetic is not None:
        size, seed = args.synthetic, args.seed or 0
        what = "built {count} synthetic models"
        build = functools.partial(_synthetic, size, seed)
    elif args.catalog == _STDIN:
        text = _stdin_text()
        what = "loaded {count} models from <stdin>"
        build = functools.partial(_from_text, text)
    else:
        path = args.catalog if args.catalog is not None else default_catalog_path()
        what = f"loaded {{count}} models from {path}"
        build = functools.partial(_from_file, path)
    return _built(build, what, args.synthetic)


def _synthetic(size: int, seed: int, report: Callable[[int], None]) -> Catalog:
    return Catalog.synthetic(size, seed, progress=report)


def _from_text(text: str, report: Callable[[int], None]) -> Catalog:
    return Catalog.from_json(text, source="<stdin>", progress=report)


def _from_file(path: str | Path, report: Callable[[int], None]) -> Catalog:
    return Catalog.from_file(path, progress=report)


def _built(build: Callable[[Callable[[int], None]], Catalog], what: str, total: int | None) -> Catalog:
    """``build(report)`` in a worker thread, while this one shows its progress and stays free for signals.

    ``what`` is the summary, with ``{count}`` for the models built (printed when it took over a second).

    A build is mostly C code (decoding, sorting) that would hold off Ctrl-C and SIGTERM until it returns;
    here the main thread only waits, so a signal stops the command at once (see ``main``).
    """
    from .progress import Progress

    progress = Progress("models", total=total)
    made = [0]
    done: list[Catalog] = []
    failed: list[BaseException] = []

    def report(count: int) -> None:
        made[0] = count

    def work() -> None:
        try:
            done.append(build(report))
        except BaseException as exc:  # handed to the main thread
            failed.append(exc)

    worker = threading.Thread(target=work, name="mockserver build", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
            progress.advance(made[0] - progress.count)
    except BaseException:  # Ctrl-C or SIGTERM: the line that follows starts on a clean line
        progress.done(quiet_under=math.inf)
        raise
    if failed:
        if isinstance(failed[0], (CatalogError, MemoryError)):
            progress.done(quiet_under=math.inf)
            _die(str(failed[0]) if isinstance(failed[0], CatalogError) else "not enough memory to build the catalog")
        raise failed[0]
    catalog = done[0]
    progress.count = len(catalog)
    elapsed = max(progress.elapsed, 1e-9)
    summary = what.replace("{count}", f"{len(catalog):,}")
    progress.done(f"{summary} in {elapsed:.1f} s ({len(catalog) / elapsed:,.0f}/s)", quiet_under=1.0)
    return catalog


#: What a flag set to 0 leaves for the flags that depend on it to change: nothing.
_ZERO = {"--fail-rate": "fails no request", "--latency-jitter": "adds no delay"}


def _clock(text: str) -> Any:
    from ..catalog.clock import parse_clock

    try:
        parse_clock(text, "--clock")
        return text  # (create_app takes the text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--clock: ")) from None


def _keys_file(path: str) -> Any:
    """The keys of ``--keys``, or one line and exit 2."""
    from ..http.app import load_keys
    from ..model.access import KeysError

    try:
        return load_keys(path)
    except KeysError as exc:
        _die(f"--keys: {exc}")
    except OSError as exc:
        _die(f"--keys: cannot read {path}: {exc.strerror or exc}")


def _refuse_no_ops(args: argparse.Namespace) -> None:
    """A flag that would change nothing is refused, saying what it needs."""
    rate = {"--fail-rate": args.fail_rate}
    rules = (
        (
            "--retry-after",
            args.retry_after,
            "applies to --fault and --fail-rate errors",
            {"--fault": args.fault, **rate},
        ),
        ("--fail-status", args.fail_status, "applies to --fail-rate", rate),
        (
            "--fault-details",
            args.fault_details,
            "applies to --fault and --fail-rate errors",
            {"--fault": args.fault, **rate},
        ),
        (
            "--fault-seed",
            args.fault_seed,
            "seeds --fail-rate and --latency-jitter",
            {**rate, "--latency-jitter": args.latency_jitter},
        ),
    )
    for flag, value, purpose, needs in rules:
        if value is None or any(needs.values()):
            continue
        zeros = [f"{name} 0 {_ZERO[name]}" for name, given in needs.items() if given == 0]
        if zeros:
            _die(f"{flag} would change nothing: {' and '.join(zeros)}")
        _die(f"{flag} {purpose}; give {'it too' if len(needs) == 1 else 'one of them'}")


class _Stopping:
    """The signal handler of a server once its catalog is built: it marks the stop asked for, and tells the
    server (once there is one) to exit. It raises nothing, so it cannot interrupt anything half-done."""

    def __init__(self) -> None:
        self.asked = False
        self.server: Any = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True
        if self.server is not None:
            self.server.should_exit = True


def _serve(args: argparse.Namespace) -> None:
    from ..http.app import create_app
    from ..http.server import Server, base_url, bind, uvicorn_config

    for key in args.api_keys or ():
        problem = key_problem(key)
        if problem is not None:
            _die(f"--api-key: {problem}")
    _refuse_no_ops(args)
    keys = _keys_file(args.keys) if args.keys is not None else args.api_keys
    catalog = _load(args)
    stopping = _Stopping()  # from now on a signal asks the server to stop, whenever it comes; nothing is raised
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stopping)
    try:
        sock = bind(args.host, args.port)
    except (OSError, UnicodeError) as exc:
        _die(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}")
    loopback = ipaddress.ip_address(sock.getsockname()[0]).is_loopback
    admin = loopback if args.admin is None else args.admin
    if args.allow_hosts and not admin:
        _die("--allow-host names hosts the admin API answers, and it is off (--no-admin, or a non-loopback --host)")
    app = create_app(
        catalog,
        api_keys=keys,
        clock=args.clock,
        admin=admin,
        journal_size=args.journal_size,
        journal_bytes=args.journal_bytes,
        fault_seed=args.fault_seed or 0,
        allow_hosts=[f"[{args.host}]" if ":" in args.host else args.host, *args.allow_hosts],  # (IPv6 in brackets)
        max_synthetic=args.max_synthetic,
    )
    faults = app.mock.faults
    for status in args.fault:
        faults.add(status, retry_after=args.retry_after, details=args.fault_details)
    if args.fail_rate:
        faults.set_fail_rate(
            args.fail_rate, status=args.fail_status or 500, retry_after=args.retry_after, details=args.fault_details
        )
    if args.latency or args.latency_jitter:
        faults.set_latency(args.latency, jitter=args.latency_jitter or 0.0)
    faults.mark_start()  # POST /_mock/reset comes back to the flags' faults
    app.mock.warm()  # the catalog as of --clock, and each key's list of it, made before the first request
    url = base_url(sock)
    key = "<your --api-key>" if args.api_keys else "<a key from --keys>" if args.keys else "test-key"  # never a key
    _say(f"mockserver: serving {len(catalog)} models ({catalog.source}) at {url}")
    _say(f"try: curl -s {url}/v1/models -H 'x-api-key: {key}' -H 'anthropic-version: 2023-06-01'")
    if args.keys is not None:
        _say(f"keys: {len(app.mock.keys or ())} from {args.keys}, each seeing the models and workspaces it lists")
        for line in _idle_patterns(app.mock.keys or Keys({}, args.keys), catalog):
            _say(line)
    if args.clock is not None:
        _say(f"clock: {args.clock} (the catalog as it stood then, by its own dates; PUT /_mock/clock moves it)")
    if admin:
        _say(f"admin: {url}/_mock (journal, faults, models, aliases, reset)")
        _say(f"dashboard: {url}/_mock/ui (open it in a browser: watch the requests, browse the catalog, set faults)")
    elif args.admin is None:
        _say("admin: off on a non-loopback address (anyone there could change the fake); --admin turns it on")
    _say(f"url: {url}")  # the banner's last line, for scripts (the socket is bound: connections wait)
    gc.freeze()
    config = uvicorn_config(
        app, access_log=args.access_log, max_header_bytes=args.max_header_bytes, max_body_bytes=args.max_body_bytes
    )
    stopping.server = Server(config)
    stopping.server.should_exit = stopping.asked
    stopping.server.run(sockets=[sock])  # (uvicorn's own handlers stand in for ``stopping``'s while it serves)
    _say("mockserver: stopped")
    # Nothing is left to do: end now, without tearing down the catalog (millions of objects, seconds) or a
    # build the admin API started and no one waits for.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


#: Model ids the keys' wildcard patterns are tried on before serving, at most, in all (about a second).
_PATTERN_TRIES = 5_000_000


def _idle_patterns(keys: Keys, catalog: Catalog) -> Iterator[str]:
    """A line for each pattern of the keys' ``models`` that matches no model of ``catalog`` (of any lifecycle,
    whatever the clock): a typo, most likely. The wildcard ones are tried together in one pass over the ids,
    ``_PATTERN_TRIES`` tries at most in all; those it could not finish are counted, not named."""
    owners: dict[str, list[str]] = {}
    for access in keys.values():
        for pattern in access.sieve.patterns if access.sieve is not None else ():
            owners.setdefault(pattern, []).append(access.label)
    pending = {pattern: re.compile(fnmatch.translate(pattern)).match for pattern in owners if _wild(pattern)}
    every = catalog.view(frozenset(LIFECYCLES))
    tries, seen = _PATTERN_TRIES, 0
    for model_id in every.position:  # (a lazy mapping: iterating it yields the ids)
        if not pending or tries < len(pending):
            break
        tries -= len(pending)
        seen += 1
        for pattern in [pattern for pattern, match in pending.items() if match(model_id)]:
            del pending[pattern]
    finished = not pending or seen == len(every)
    for pattern, labels in owners.items():
        if pattern in pending:
            if not finished:
                continue  # (counted below)
        elif _wild(pattern) or pattern in catalog:
            continue  # a wildcard that matched, or an id of the catalog
        named = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        yield f"keys: models pattern {pattern!r} ({named}) matches no model of the catalog"
    if not finished:
        count = len(pending)
        yield (
            f"keys: {count:,} models pattern{'s' if count != 1 else ''} not checked against every model of the"
            f" catalog ({_PATTERN_TRIES:,} tries at most)"
        )


def _wild(pattern: str) -> bool:
    return any(wildcard in pattern for wildcard in "*?[")


def _dumps(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _refuse_print_options(args: argparse.Namespace) -> None:
    """``--catalog``, ``--synthetic`` and ``--seed`` choose the catalog to print; elsewhere they would do nothing."""
    for flag, value in (("--catalog", args.catalog), ("--synthetic", args.synthetic), ("--seed", args.seed)):
        if value is not None:
            _die(f"{flag} chooses the catalog 'mockserver catalog' prints; 'catalog {args.catalog_command}' reads none")


def _read_document(path: str) -> tuple[Catalog, Any]:
    """A catalog file (or ``-``), loaded and checked; also its parsed document. Exit 2 when it is not one."""
    from ..model.documents import loads

    try:
        if path == _STDIN:
            text, source = _stdin_text(), "<stdin>"
        else:
            text, source = read_catalog_file(Path(path)).decode(), path
    except UnicodeDecodeError as exc:
        _die(f"{path}: not UTF-8 text: {exc.reason}")
    except CatalogError as exc:
        _die(str(exc))
    except MemoryError:
        _die(f"{path}: cannot read catalog: not enough memory to hold it")
    try:
        catalog = Catalog.from_json(text, source=source)
        return catalog, loads(text)
    except CatalogError as exc:
        _die(str(exc))
    except MemoryError:
        _die(f"{path}: not enough memory to load the catalog")


def _record(args: argparse.Namespace) -> None:
    from ..model.access import is_workspace_id
    from ..model.modelinfo import is_model_id
    from .output import write_atomically
    from .progress import Progress
    from .recording import RecordError, candidate_names, record, url_problem

    name = args.api_key_env
    if not _ENV_NAME.fullmatch(name):
        _die("--api-key-env: expected the name of an environment variable (letters, digits, _), not a key itself")
    key = os.environ.get(name)
    if not key:
        _die(f"${name} is not set: the key is read from the environment only (--api-key-env NAME names another)")
    problem = key_problem(key)
    if problem is not None:
        _die(f"${name}: {problem}")
    if args.workspace is not None and not is_workspace_id(args.workspace):
        _die(f"--workspace: {args.workspace[:80]!r} is not a workspace id (wrkspc_ and 1 to 64 letters or digits)")
    for alias in args.aliases:
        if not is_model_id(alias):
            _die(f"--alias: {alias!r} is not a model name (URL-safe, no '/' or spaces)")
    problem = url_problem(args.url)
    if problem is not None:
        _die(f"URL: {problem}")
    output = None if args.output in (None, _STDIN) else _output_path(args.output)
    base = None
    if args.base is not None:
        document = _read_document(args.base)[1]
        base = {"models": document} if isinstance(document, list) else document
    try:
        recorded = record(
            args.url,
            key,
            key_name=name,
            workspace=args.workspace,
            candidates=[*candidate_names(), *args.aliases],
            base=base,
            retries=args.retries,
            timeout=args.timeout,
            progress=Progress("models"),
            tool=f"mockserver {_version()}",
        )
    except RecordError as exc:
        _die(str(exc))
    if output is None:
        _say(_encodable_json(recorded))
        return
    try:
        write_atomically(output, f"{_dumps(recorded)}\n".encode())
    except OSError as exc:
        _die(f"-o {args.output}: cannot write: {exc.strerror or exc}")


def _output_path(text: str) -> Path:
    """Where ``-o`` writes, checked before any request: a symbolic link is followed (its target is replaced)."""
    try:
        path = Path(text).resolve()
    except (OSError, RuntimeError) as exc:  # a loop of links
        _die(f"-o {text}: cannot follow: {getattr(exc, 'strerror', None) or exc}")
    if path.is_dir():
        _die(f"-o {text}: is a folder: give the file to write")
    if not path.parent.is_dir():
        _die(f"-o {text}: no such folder: {path.parent}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        _die(f"-o {text}: cannot write in {path.parent}: permission denied")
    return path


def _fits_stdout(text: str) -> bool:
    """Whether standard output's encoding can print ``text`` (a C locale's ASCII cannot print ``→``)."""
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


def _encodable_json(document: Any) -> str:
    """``document`` as JSON; with ``\\u`` escapes where standard output cannot print a character."""
    text = _dumps(document)
    return text if _fits_stdout(text) else json.dumps(document, indent=2, ensure_ascii=True)


def _diff(args: argparse.Namespace) -> NoReturn:
    from ..catalog.diff import diff_catalogs

    if args.old == args.new == _STDIN:
        _die("OLD and NEW cannot both be - (standard input)")
    old, new = _read_document(args.old)[0], _read_document(args.new)[0]
    try:
        difference = diff_catalogs(old, new)
        if args.json:
            text = _encodable_json(difference.to_json())
        else:
            text = difference.render(arrow="→" if _fits_stdout("→") else "->").rstrip("\n")
            if not _fits_stdout(text):
                encoding = sys.stdout.encoding
                text = text.encode(encoding, "backslashreplace").decode(encoding)
        _say(text)
    except Exception as exc:  # a bug, not a difference: exit 2 (1 would say "they differ")
        _die(f"diff failed: {type(exc).__name__}: {exc}")
    raise SystemExit(0 if difference.same else 1)


class _Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the two stop the command alike."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Interrupted(signum)


def _end_by(signum: int) -> NoReturn:
    """End the process by the signal that interrupted it, quietly, as Python ends on an uncaught Ctrl-C.

    Dying by the signal (a shell reports 128 + N: 130 for Ctrl-C, 143 for SIGTERM) tells
    a calling script that its command was interrupted, so that it stops too; and it skips
    tearing down a half-built catalog of millions of objects.
    """
    print("mockserver: interrupted", file=sys.stderr, flush=True)
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)
    raise SystemExit(128 + signum)  # where the signal's default action does not end the process


def _stop_serving() -> NoReturn:
    """A server asked to stop before it served: one line, exit 0, as when it stops while serving. It ends at
    once, skipping the teardown of a half-built catalog of millions of objects."""
    print("mockserver: interrupted", file=sys.stderr, flush=True)
    sys.stdout.flush()
    os._exit(0)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; exit code 2 on any bad input. Ctrl-C and SIGTERM stop it alike: ``serve`` with one
    line and exit 0 at any moment; another command by the signal (a shell sees 130, or 143)."""
    args = _parser().parse_args(argv)
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.command == "serve":
            _serve(args)
        elif args.catalog_command is None:
            _say(_load(args).to_json().decode())
        else:
            _refuse_print_options(args)
            (_record if args.catalog_command == "record" else _diff)(args)
    except _Interrupted as exc:  # before serving (say, building a big catalog) or while printing one
        if args.command == "serve":
            _stop_serving()
        _end_by(exc.signum)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
