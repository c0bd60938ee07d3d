"""The ``mockserver`` command: ``serve`` the fake API, or print a ``catalog``."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import ipaddress
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any, NoReturn

from .catalog import Catalog, CatalogError, default_catalog_path
from .headers import key_problem
from .rules import DEFAULT_HOST, DEFAULT_PORT, MAX_SECONDS, MAX_SYNTHETIC

__all__ = ["main"]

_DISTRIBUTION = "anthropic-models-mock"
_STDIN = "-"


def _version() -> str:
    """The installed distribution's version; ``0+unknown`` when run from an uninstalled source tree."""
    try:
        return importlib.metadata.version(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
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
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        action="append",
        dest="api_keys",
        help="accept only this key (repeat for more); default: any non-empty key",
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
        "--journal-size", metavar="N", type=_positive, default=1000, help="requests the journal keeps (default 1000)"
    )
    faults = serve.add_argument_group("faults (see README: Faults)")
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
    faults.add_argument("--latency", metavar="SECONDS", type=_seconds, default=0.0, help="delay every API request")
    faults.add_argument("--latency-jitter", metavar="SECONDS", type=_seconds, help="plus a random 0..SECONDS (seeded)")
    faults.add_argument(
        "--fault-seed", metavar="N", type=int, help="seed of --fail-rate and --latency-jitter (default 0)"
    )
    catalog = commands.add_parser("catalog", help="print a catalog file (validated) to stdout")
    _add_catalog_options(catalog)
    return parser


def _say(text: str) -> None:
    """Print a line for the user; a reader that has gone away (``| head``) is not an error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stdin_text() -> str:
    """Standard input as UTF-8 text (``--catalog -``); errors name ``<stdin>`` like others name the file."""
    if sys.stdin is None:  # started with stdin closed
        _die("<stdin>: cannot read catalog: standard input is closed")
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except OSError as exc:
        _die(f"<stdin>: cannot read catalog: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        _die(f"<stdin>: not UTF-8 text: {exc.reason}")


def _load(args: argparse.Namespace) -> Catalog:
    if args.seed is not None and args.synthetic is None:
        _die("--seed only applies to --synthetic N")
    if args.synthetic is not None and args.synthetic >= 200_000:
        print(f"mockserver: building {args.synthetic:,} synthetic models (about 45 s a million)", file=sys.stderr)
    try:
        if args.synthetic is not None:
            return Catalog.synthetic(args.synthetic, args.seed or 0)
        if args.catalog == _STDIN:
            return Catalog.from_json(_stdin_text(), source="<stdin>")
        return Catalog.from_file(args.catalog if args.catalog is not None else default_catalog_path())
    except CatalogError as exc:
        _die(str(exc))


#: What a flag set to 0 leaves for the flags that depend on it to change: nothing.
_ZERO = {"--fail-rate": "fails no request", "--latency-jitter": "adds no delay"}


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


def _serve(args: argparse.Namespace) -> None:
    from .app import create_app
    from .server import Server, base_url, bind, uvicorn_config

    for key in args.api_keys or ():
        problem = key_problem(key)
        if problem is not None:
            _die(f"--api-key: {problem}")
    _refuse_no_ops(args)
    catalog = _load(args)
    try:
        sock = bind(args.host, args.port)
    except (OSError, UnicodeError) as exc:
        _die(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}")
    loopback = ipaddress.ip_address(sock.getsockname()[0]).is_loopback
    admin = loopback if args.admin is None else args.admin
    app = create_app(
        catalog, api_keys=args.api_keys, admin=admin, journal_size=args.journal_size, fault_seed=args.fault_seed or 0
    )
    faults = app.mock.faults
    for status in args.fault:
        faults.add(status, retry_after=args.retry_after)
    if args.fail_rate:
        faults.set_fail_rate(args.fail_rate, status=args.fail_status or 500, retry_after=args.retry_after)
    if args.latency or args.latency_jitter:
        faults.set_latency(args.latency, jitter=args.latency_jitter or 0.0)
    faults.mark_start()  # POST /_mock/reset comes back to the flags' faults
    url = base_url(sock)
    key = "<your --api-key>" if args.api_keys else "test-key"  # a configured key is never printed
    _say(f"mockserver: serving {len(catalog)} models ({catalog.source}) at {url}")
    _say(f"try: curl -s {url}/v1/models -H 'x-api-key: {key}' -H 'anthropic-version: 2023-06-01'")
    if admin:
        _say(f"admin: {url}/_mock (journal, faults, models, aliases, reset)")
    elif args.admin is None:
        _say("admin: off on a non-loopback address (anyone there could change the fake); --admin turns it on")
    _say(f"url: {url}")  # the banner's last line, for scripts (the socket is bound: connections wait)
    gc.freeze()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the signal once stopped: a clean stop
        Server(uvicorn_config(app, access_log=args.access_log)).run(sockets=[sock])
    _say("mockserver: stopped")


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


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; exit code 2 on any bad input. Ctrl-C and SIGTERM stop it alike."""
    args = _parser().parse_args(argv)
    previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        if args.command == "serve":
            _serve(args)
        else:
            _say(json.dumps(_load(args).to_document(), indent=2, ensure_ascii=False))
    except _Interrupted as exc:  # before serving (say, building a big catalog) or while printing one
        _end_by(exc.signum)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
