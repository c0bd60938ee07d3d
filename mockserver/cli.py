"""The ``mockserver`` command: ``serve`` the fake API, or print a ``catalog``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from .catalog import Catalog, CatalogError, default_catalog_path
from .rules import DEFAULT_HOST, DEFAULT_PORT

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        _die(f"{message} (see '{self.prog} --help')")


def _die(message: str) -> NoReturn:
    print(f"mockserver: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 0..65535, got {value}")
    return value


def _add_catalog_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("catalog (default: the embedded catalog of real Claude models)")
    source = group.add_mutually_exclusive_group()
    source.add_argument("--catalog", metavar="PATH", help="serve the models in this catalog file")
    source.add_argument("--synthetic", metavar="N", type=_count, help="serve N synthetic models made with Faker")
    group.add_argument("--seed", metavar="S", type=int, help="seed of --synthetic (default 0); same seed, same catalog")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mockserver", description="An offline fake of Anthropic's Models API.")
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
    catalog = commands.add_parser("catalog", help="print a catalog file (validated) to stdout")
    _add_catalog_options(catalog)
    return parser


def _load(args: argparse.Namespace) -> Catalog:
    if args.seed is not None and args.synthetic is None:
        _die("--seed only applies to --synthetic N")
    try:
        if args.synthetic is not None:
            return Catalog.synthetic(args.synthetic, args.seed or 0)
        return Catalog.from_file(args.catalog if args.catalog is not None else default_catalog_path())
    except CatalogError as exc:
        _die(str(exc))


def _serve(args: argparse.Namespace) -> None:
    from .app import create_app
    from .server import _Server, base_url, bind, uvicorn_config

    catalog = _load(args)
    if args.api_keys is not None and not all(args.api_keys):
        _die("--api-key must not be empty")
    app = create_app(catalog, api_keys=args.api_keys)
    try:
        sock = bind(args.host, args.port)
    except (OSError, UnicodeError) as exc:
        _die(f"cannot listen on {args.host}:{args.port}: {getattr(exc, 'strerror', None) or exc}")
    url = base_url(sock)
    key = args.api_keys[0] if args.api_keys else "test-key"
    print(f"mockserver: serving {len(catalog)} models ({catalog.source}) at {url}", flush=True)
    print(
        f"try: curl -s {url}/v1/models -H 'x-api-key: {key}' -H 'anthropic-version: 2023-06-01'",
        flush=True,
    )
    _Server(uvicorn_config(app, access_log=args.access_log)).run(sockets=[sock])


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; exit code 2 on any bad input."""
    args = _parser().parse_args(argv)
    if args.command == "serve":
        _serve(args)
    else:
        text = json.dumps(_load(args).to_document(), indent=2, ensure_ascii=False)
        try:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (say, `head`) has gone: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
