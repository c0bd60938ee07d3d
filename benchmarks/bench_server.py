"""Throughput of ``mockserver serve`` against a bare Starlette ceiling, and page latency at 1k vs 1M models.

    python benchmarks/bench_server.py [--quick] [--rounds 5] [--seconds 3] [--connections 32] [--no-wrk] [--views]

Part 1 (HTTP, loopback): starts ``python -m anthropic_models_mock serve --port 0 --synthetic N``
and a ceiling (a bare Starlette app answering a precomputed JSON body of the
fake's exact size, with a ``request-id`` header, on the fake's uvicorn settings),
each in a subprocess, and measures requests/s of ``GET /v1/models?limit=20`` and
``GET /v1/models/<id>``, ceiling and fake interleaved round by round; reports
medians, fake/ceiling (target, by CPU per request: list >= 0.85, retrieve >= 0.95) and each
server's CPU share (about 100%: the server, not the client, is the bottleneck). The load generator is ``wrk`` when
installed, else a keep-alive asyncio client on raw sockets. With two or more
cores the servers run on core 0 and the client on core 1.

Part 2: page latency at 1,000 and 1,000,000 synthetic models (``--quick``:
100,000), cursors at random positions across the list. First whole requests,
``GET /v1/models?limit=20&after_id=…`` to ``mockserver serve --synthetic N`` one
at a time over a keep-alive loopback connection (what a client sees; target
big/1k <= 1.1); then, as diagnostics, the core path in process (``catalog.view``
+ ``paginate`` + ``render_page``) over random cursors and over one cursor.

``--views``: a third server in part 1, ``--keys`` with 100 keys and ``--clock`` set, whose list (what the
measured key sees as of the clock) is measured beside the plain one (target: its ratio within 5% of the
plain run's); and part 2 served and measured that way (the key's view of the catalog as of the clock).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import os
import random
import re
import resource
import select
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

import httpx
from anthropic_models_mock import Catalog
from anthropic_models_mock.catalog.pages import paginate, render_page
from anthropic_models_mock.model import Sieve, parse_rfc3339
from anthropic_models_mock.model.limits import DEFAULT_LIFECYCLES

HEADERS = {"x-api-key": "bench-key", "anthropic-version": "2023-06-01"}
LIST_PATH = "/v1/models?limit=20"
SEED = 0
#: ``--views``: the clock (within the synthetic catalogs' span: some models not made yet, lifecycles moved) and
#: the keys: the measured key sees two lines of five; 99 others see other lines, some in workspaces.
CLOCK = "2026-01-01T00:00:00Z"
_LINES = ("haiku", "sonnet", "opus", "fable", "mythos")
VIEW_PATTERNS = ["claude-opus-*", "claude-sonnet-*"]


def keys_document() -> dict[str, object]:
    keys: dict[str, object] = {"bench-key": {"models": VIEW_PATTERNS, "label": "bench"}}
    for n in range(99):
        entry: dict[str, object] = {"models": [f"claude-{_LINES[n % 5]}-*", f"claude-{_LINES[(n + 2) % 5]}-{n % 7}*"]}
        if n % 3 == 0:
            entry["workspaces"] = [f"wrkspc_{n}"]
        keys[f"bench-key-{n}"] = entry
    return {"keys": keys}


def _keys_file() -> str:
    import json
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(keys_document(), file)
    return file.name


SERVER_CORE, CLIENT_CORE = 0, 1
PINNED = hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2


#: The CPU-per-request ratio (ceiling / fake) each workload must reach.
_TARGETS = {"list": 0.85, "retrieve": 0.95}


# -- the ceiling server (run in a subprocess: ``bench_server.py --ceiling LIST,RETRIEVE``) -----------


def _json_of_size(size: int) -> bytes:
    body = b'{"pad":"%s"}' % (b"x" * (size - 10))
    assert len(body) == size
    return body


def serve_ceiling(list_size: int, retrieve_size: int) -> None:
    """A bare Starlette app on the fake's uvicorn settings: one precomputed body per route."""
    from anthropic_models_mock.http.server import Server, base_url, bind, uvicorn_config
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    list_body, retrieve_body = _json_of_size(list_size), _json_of_size(retrieve_size)
    request_id = {"request-id": "req_" + "0" * 24}  # same length as the fake's

    async def list_models(request: Request) -> Response:
        return Response(list_body, 200, request_id, "application/json")

    async def retrieve_model(request: Request) -> Response:
        return Response(retrieve_body, 200, request_id, "application/json")

    app = Starlette(routes=[Route("/v1/models", list_models), Route("/v1/models/{model_id}", retrieve_model)])
    sock = bind("127.0.0.1", 0)
    print(f"ceiling at {base_url(sock)}", flush=True)
    Server(uvicorn_config(app)).run(sockets=[sock])


# -- subprocesses and load generators -----------------------------------------------------------


def _serve_command(models: int, keys: str | None = None) -> list[str]:
    """The real command line of the fake, on a free port, serving ``models`` synthetic models (with ``keys``, a
    keys file: those keys, and the clock)."""
    views = [] if keys is None else ["--keys", keys, "--clock", CLOCK]
    return [
        sys.executable,
        "-m",
        "anthropic_models_mock",
        "serve",
        "--port",
        "0",
        "--synthetic",
        str(models),
        "--seed",
        str(SEED),
        *views,
    ]


def _pin_server() -> None:
    if PINNED:
        os.sched_setaffinity(0, {SERVER_CORE})


class _Server:
    """A server subprocess: its base URL is the first thing it prints (read on first use)."""

    def __init__(self, process: subprocess.Popen[str], command: Sequence[str], timeout: float) -> None:
        self.process, self.pid, self._command, self._timeout = process, process.pid, command, timeout

    @functools.cached_property
    def url(self) -> str:
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], self._timeout)
        line = self.process.stdout.readline() if readable else ""
        found = re.search(r"http://[\d.]+:\d+", line)
        if found is None:
            raise RuntimeError(f"{self._command[2:]} did not print its URL: {line!r}")
        return found.group()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far (Linux ``/proc``; NaN elsewhere)."""
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running(command: Sequence[str], timeout: float = 60.0) -> Iterator[_Server]:
    """Start a server subprocess (pinned to the server core) and yield it; always kill it."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, preexec_fn=_pin_server)
    try:
        yield _Server(process, command, timeout)
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url: str, seconds: int, connections: int) -> float:
    """Requests/s by ``wrk`` with one thread on the client core; any non-2xx answer is an error."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    pin = (lambda: os.sched_setaffinity(0, {CLIENT_CORE})) if PINNED else None
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 30, preexec_fn=pin, check=True
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors on {url}:\n{out}")
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if found is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return float(found.group(1))


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send a request, read one response (by Content-Length), repeat."""

    def __init__(self, request: bytes, deadline: float, done: asyncio.Future[None], counts: list[int]) -> None:
        self.request, self.deadline, self.done, self.counts = request, deadline, done, counts
        self.buffer = bytearray()
        self.need = 0
        self.ok = True
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.need:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buffer[:end]).lower()
            self.ok = head[9:12] == b"200"
            at = head.index(b"content-length:") + 15
            self.need = end + 4 + int(head[at : head.index(b"\r\n", at)])
        if len(buffer) < self.need:
            return
        self.counts[0 if self.ok else 1] += 1
        del buffer[:]
        self.need = 0
        assert self.transport is not None
        if time.monotonic() < self.deadline:
            self.transport.write(self.request)
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def _python_load(url: str, seconds: int, connections: int) -> float:
    found = re.fullmatch(r"http://([\d.]+):(\d+)(/.*)", url)
    assert found is not None
    host, port, target = found.group(1), int(found.group(2)), found.group(3)
    lines = [f"GET {target} HTTP/1.1", f"host: {host}:{port}", *(f"{k}: {v}" for k, v in HEADERS.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    counts = [0, 0]
    started = time.monotonic()
    deadline = started + seconds
    done = [loop.create_future() for _ in range(connections)]
    for future in done:
        await loop.create_connection(lambda f=future: _Connection(request, deadline, f, counts), host, port)
    await asyncio.wait_for(asyncio.gather(*done), seconds + 30)
    if counts[1]:
        raise RuntimeError(f"{counts[1]} non-200 answers from {url}")
    return counts[0] / (time.monotonic() - started)


def python_load(url: str, seconds: int, connections: int) -> float:
    """Requests/s by an asyncio client on raw sockets (uvloop when installed), in this process."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_python_load(url, seconds, connections))
    return uvloop.run(_python_load(url, seconds, connections))


# -- part 1: throughput ---------------------------------------------------------------------------


@dataclass
class Throughput:
    """Medians over the rounds, of req/s and of server CPU µs per request, and of each round's fake/ceiling.

    ``cpu_ratio`` (ceiling CPU per request / fake CPU per request) is what the
    req/s ratio would be if both servers had a whole core: it survives other
    processes taking CPU from a server, which ``ratio`` does not.
    """

    workload: str
    fake: float
    ceiling: float
    ratio: float
    fake_cpu_us: float
    ceiling_cpu_us: float
    cpu_ratio: float


def throughput(
    models: int, rounds: int, seconds: int, connections: int, use_wrk: bool, keys: str | None = None
) -> tuple[list[Throughput], str, tuple[float, float] | None]:
    """Part 1: the rates of each workload, the load generator, and with ``keys`` the views server's list
    against the plain one's (medians of the per-round ratios: requests/s, and CPU per request plain / views)."""
    use_wrk = use_wrk and shutil.which("wrk") is not None
    load = wrk if use_wrk else python_load
    generator = f"wrk -t1 -c{connections}" if use_wrk else f"python asyncio raw sockets, {connections} connections"
    pinning = f"servers on core {SERVER_CORE}, client on core {CLIENT_CORE}" if PINNED else "no CPU pinning"
    print(f"load generator: {generator}; {pinning}; {rounds} rounds of {seconds:g} s, ceiling/fake interleaved")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews it)")
    fake_command = _serve_command(models)
    with contextlib.ExitStack() as stack:
        if PINNED:
            everything = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {CLIENT_CORE})
            stack.callback(os.sched_setaffinity, 0, everything)
        fake = stack.enter_context(running(fake_command))
        servers = {"fake": fake}
        if keys is not None:
            servers["views"] = stack.enter_context(running(_serve_command(models, keys)))
        page = httpx.get(fake.url + LIST_PATH, headers=HEADERS)
        page.raise_for_status()
        data = page.json()["data"]
        one = httpx.get(f"{fake.url}/v1/models/{data[len(data) // 2]['id']}", headers=HEADERS)
        one.raise_for_status()
        ceiling = stack.enter_context(
            running([sys.executable, __file__, "--ceiling", f"{len(page.content)},{len(one.content)}"])
        )
        paths = {"list": LIST_PATH, "retrieve": one.url.raw_path.decode()}
        print(f"fake: --synthetic {models}; bodies: list {len(page.content):,} B, retrieve {len(one.content):,} B")
        everyone = {"ceiling": ceiling, **servers}
        for server in everyone.values():  # warm up each
            load(server.url + paths["list"], 1, connections)
        rates: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}  # server CPU µs per request
        busy: list[float] = []  # the server's CPU share in each run: ~100% means the server is the bottleneck
        for n in range(rounds):
            for workload, path in paths.items():
                line = f"  round {n + 1}  {workload:9}"
                names = list(everyone)
                names = names[n % len(names) :] + names[: n % len(names)]  # each round starts with another server
                for name in names:  # (so a machine that slows or speeds up in a round favours none of them)
                    server = everyone[name]
                    if name == "views" and workload != "list":
                        continue
                    used, started = server.cpu_seconds(), time.monotonic()
                    rate = load(server.url + path, seconds, connections)
                    used, elapsed = server.cpu_seconds() - used, time.monotonic() - started
                    busy.append(used / elapsed)
                    rates.setdefault((workload, name), []).append(rate)
                    cpu.setdefault((workload, name), []).append(used / (rate * elapsed) * 1e6)
                    line += f"  {name} {rate:7,.0f} req/s {cpu[workload, name][-1]:6.1f} µs CPU/req ({busy[-1]:4.0%})"
                speed = rates[workload, "fake"][-1] / rates[workload, "ceiling"][-1]
                cost = cpu[workload, "ceiling"][-1] / cpu[workload, "fake"][-1]
                print(f"{line}  ratio {speed:.2f} (CPU {cost:.2f})", flush=True)
    if min(busy) < 0.9:
        print(
            f"NOTE: a server was only {min(busy):.0%} busy in some run: other processes took its core, or the"
            " client was the bottleneck; the CPU/request ratio is the more trustworthy figure"
        )

    def median_ratio(a: list[float], b: list[float]) -> float:
        return statistics.median(x / y for x, y in zip(a, b, strict=True))

    summary = [
        Throughput(
            w if name == "fake" else f"{w} (views)",
            statistics.median(rates[w, name]),
            statistics.median(rates[w, "ceiling"]),
            median_ratio(rates[w, name], rates[w, "ceiling"]),
            statistics.median(cpu[w, name]),
            statistics.median(cpu[w, "ceiling"]),
            median_ratio(cpu[w, "ceiling"], cpu[w, name]),
        )
        for w in paths
        for name in servers
        if (w, name) in rates
    ]
    views = None
    if keys is not None:
        views = (
            median_ratio(rates["list", "views"], rates["list", "fake"]),
            median_ratio(cpu["list", "fake"], cpu["list", "views"]),
        )
    return summary, generator, views


# -- part 2: page latency -------------------------------------------------------------------------

Latency = tuple[float, float, float, float]  # median and p95 (µs) at 1k, then at the big catalog


def _cursors(catalog: Catalog, rng: random.Random, count: int = 1000, sieve: Sieve | None = None) -> list[str | None]:
    """The first page (no cursor), the middle, near the end, and random positions across the list.

    Each cursor is a fresh string, as one parsed from a query string is (no cached hash, no identity hit).
    """
    ids = catalog.view(DEFAULT_LIFECYCLES, sieve).ids
    picks = [ids[len(ids) // 2], ids[-21], *(ids[rng.randrange(len(ids) - 1)] for _ in range(count - 3))]
    fresh: list[str | None] = [None, *(cursor.encode().decode() for cursor in picks)]
    rng.shuffle(fresh)
    return fresh


def core_latency(catalog: Catalog, cursors: list[str | None], calls: int, sieve: Sieve | None = None) -> list[int]:
    """Nanoseconds per view + paginate + render_page, for ``calls`` calls cycling through ``cursors``."""
    timings: list[int] = []
    clock = time.perf_counter_ns
    lifecycles = DEFAULT_LIFECYCLES
    for n in range(calls):
        cursor = cursors[n % len(cursors)]
        started = clock()
        view = catalog.view(lifecycles, sieve)
        render_page(view, paginate(view, 20, after_id=cursor))
        timings.append(clock() - started)
    return timings


def http_latency(url: str, cursors: list[str | None], calls: int) -> list[int]:
    """Nanoseconds per ``GET /v1/models?limit=20[&after_id=…]`` over one keep-alive connection, one at a time.

    A blocking client on a raw socket (the request bytes are built before the clock
    starts): the time from sending a request to having its whole response.
    """
    found = re.fullmatch(r"http://([\d.]+):(\d+)", url)
    assert found is not None
    host, port = found.group(1), int(found.group(2))
    head = "".join(f"{k}: {v}\r\n" for k, v in {"host": f"{host}:{port}", **HEADERS}.items())
    requests = [
        f"GET /v1/models?limit=20{'' if c is None else '&after_id=' + c} HTTP/1.1\r\n{head}\r\n".encode()
        for c in cursors
    ]
    timings: list[int] = []
    clock = time.perf_counter_ns
    with socket.create_connection((host, port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for n in range(calls):
            request = requests[n % len(requests)]
            started = clock()
            sock.sendall(request)
            buffer = b""
            while (end := buffer.find(b"\r\n\r\n")) < 0:
                buffer += sock.recv(65536)
            length = int(re.search(rb"content-length: *(\d+)", buffer[:end].lower()).group(1))  # type: ignore[union-attr]
            while len(buffer) < end + 4 + length:
                buffer += sock.recv(65536)
            timings.append(clock() - started)
            if buffer[9:12] != b"200":
                raise RuntimeError(f"{request!r} answered {buffer[:200]!r}")
    return timings


def _us(timings: list[int], quantile: float = 0.5) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] / 1000


def _build(n: int) -> Catalog:
    started = time.perf_counter()
    catalog = Catalog.synthetic(n, SEED)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"built Catalog.synthetic({n:,}) in {time.perf_counter() - started:.1f} s (peak RSS {rss:.1f} GiB)")
    return catalog


def latency(big: int, rounds: int, calls: int, http_calls: int, keys: str | None = None) -> dict[str, Latency]:
    """Per-call latency at 1k and ``big`` models, rounds interleaved, for three cases:

    ``http``: whole requests to ``mockserver serve --synthetic N`` over loopback,
    random cursors (what a client sees: the target); ``core``: the core path in
    process over random cursors; ``warm``: the core path over one cursor again and
    again (its page stays in the CPU cache, so big/1k shows the cost left once
    cache misses are gone).
    """
    rng = random.Random(SEED)
    sizes = {"1k": 1_000, "big": big}
    with contextlib.ExitStack() as stack:
        if PINNED:
            everything = os.sched_getaffinity(0)
            os.sched_setaffinity(0, {CLIENT_CORE})
            stack.callback(os.sched_setaffinity, 0, everything)
        # The servers build their catalogs while this process builds the same ones (same seed, same models).
        servers = {
            name: stack.enter_context(
                running(
                    _serve_command(n, keys),
                    timeout=900,
                )
            )
            for name, n in sizes.items()
        }
        catalogs = {name: _build(n) for name, n in sizes.items()}
        sieve = None
        if keys is not None:  # the key's view of the catalog as of the clock, as the servers serve it
            moment = parse_rfc3339(CLOCK).timestamp()
            catalogs = {name: catalog.at(moment)[0] for name, catalog in catalogs.items()}
            sieve = Sieve(VIEW_PATTERNS)
        gc.collect()
        urls = {name: server.url for name, server in servers.items()}
        cursors = {name: _cursors(catalog, rng, sieve=sieve) for name, catalog in catalogs.items()}
        one: dict[str, list[str | None]] = {name: [next(c for c in picks if c)] for name, picks in cursors.items()}
        found: dict[str, Latency] = {}
        cases: list[tuple[str, Callable[[str, list[str | None], int], list[int]], dict[str, list[str | None]], int]] = [
            ("http", lambda name, picks, count: http_latency(urls[name], picks, count), cursors, http_calls),
            ("core", lambda name, picks, count: core_latency(catalogs[name], picks, count, sieve), cursors, calls),
            ("warm", lambda name, picks, count: core_latency(catalogs[name], picks, count, sieve), one, calls),
        ]
        for kind, measure, picks, count in cases:
            timings: dict[str, list[int]] = {"1k": [], "big": []}
            for _ in range(rounds):
                for name in sizes:
                    timings[name] += measure(name, picks[name], count)
            small, large = timings["1k"], timings["big"]
            found[kind] = (_us(small), _us(small, 0.95), _us(large), _us(large, 0.95))
            print(
                f"  {kind:4}  1k: median {found[kind][0]:7.1f} µs  p95 {found[kind][1]:7.1f} µs   "
                f"{big:,}: median {found[kind][2]:7.1f} µs  p95 {found[kind][3]:7.1f} µs  "
                f"ratio {found[kind][2] / found[kind][0]:.2f}  ({len(small):,} calls each)",
                flush=True,
            )
    return found


# -- main -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 100,000 models, shorter rounds")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of each measurement (default 5, --quick 3)")
    parser.add_argument("--seconds", type=int, help="length of one HTTP run in seconds (default 3, --quick 2)")
    parser.add_argument("--connections", type=int, default=32, help="keep-alive connections (default 32)")
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk is there")
    parser.add_argument("--models", type=int, default=1000, help="synthetic models the HTTP fake serves")
    parser.add_argument(
        "--views", action="store_true", help="also serve with 100 keys and a clock (--keys, --clock), and compare"
    )
    parser.add_argument("--ceiling", help=argparse.SUPPRESS)  # LIST_SIZE,RETRIEVE_SIZE: be the ceiling server
    args = parser.parse_args(argv)
    if args.ceiling:
        list_size, retrieve_size = map(int, args.ceiling.split(","))
        serve_ceiling(list_size, retrieve_size)
        return
    seconds = args.seconds or (2 if args.quick else 3)
    rounds = args.rounds or (3 if args.quick else 5)
    big = 100_000 if args.quick else 1_000_000
    print("== 1. requests/s: mockserver serve vs a bare Starlette ceiling (loopback)")
    keys = _keys_file() if args.views else None
    rates, generator, views = throughput(args.models, rounds, seconds, args.connections, not args.no_wrk, keys)
    viewed = f", as key bench-key (100 keys) sees them at --clock {CLOCK}" if keys else ""
    print(f"== 2. page latency: 1,000 vs {big:,} synthetic models{viewed}, limit=20, random after_id")
    pages = latency(big, rounds, 20_000 if args.quick else 100_000, 2_000 if args.quick else 10_000, keys)
    print(f"\n== summary (medians of {rounds} rounds; ratio = median of the per-round ratios; {generator})")
    for rate in rates:
        print(
            f"{rate.workload:9} fake {rate.fake:6,.0f} req/s  ceiling {rate.ceiling:6,.0f} req/s"
            f"  ratio {rate.ratio:.2f}   CPU/request fake {rate.fake_cpu_us:5.1f} µs"
            f"  ceiling {rate.ceiling_cpu_us:5.1f} µs  ratio {rate.cpu_ratio:.2f}"
            f"  (target >= {_TARGETS[rate.workload.split()[0]]})"
        )
    if views is not None:
        print(
            f"views    list with 100 keys and a clock / plain list, round by round: requests/s {views[0]:.2f},"
            f" CPU per request {views[1]:.2f}  (target >= 0.95)"
        )
    label = "1M" if big == 1_000_000 else f"{big // 1000}k"
    titles = {"http": "page latency", "core": "   core path", "warm": "   same page"}
    for kind, title in titles.items():
        small, small_p95, large, large_p95 = pages[kind]
        print(
            f"{title}  1k: {small:.1f} µs (p95 {small_p95:.1f})  {label}: {large:.1f} µs (p95 {large_p95:.1f})"
            f"  ratio {large / small:.2f}" + ("  (target <= 1.1)" if kind == "http" else "")
        )


if __name__ == "__main__":
    main()
