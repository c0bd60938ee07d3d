"""Soak test of the standalone server: mixed and hostile traffic with faults on, bounded in count and time.

    python benchmarks/soak.py [--requests 50000] [--seconds 120] [--concurrency 32] [--hostile 0.1]
                              [--slow-clients 8] [--json]

Starts ``mockserver serve --port 0`` on loopback with a random failure rate,
jittered latency and a small journal, sends a seeded mix of list pages (with
cursors and filters), retrieves (ids, aliases, unknown ids) and bad requests,
and checks every answer: the status is one the request may get, the body is the
right envelope, ``request-id`` is there. Reports lost or malformed answers and
the server's RSS after warm-up and at the end (memory must stay flat: the
journal is a ring buffer and nothing else grows with traffic).

Hostile traffic, over raw sockets (a ``--hostile`` share of the requests, plus
``--slow-clients`` connections held open all along): long distinct queries
(unknown cursors of 2-7 KB, a 400; targets over 8 KiB, a 414), pipelined bursts
of valid requests ending in one that is not HTTP (every answer, in order), headers
of 100 KiB-1 MiB sent in pieces (a 431), admin bodies announcing 1 GiB (a 413),
DNS-rebinding pages changing the admin API (a 403), catalog builds sent while
another runs (a 200 or a 409; each builds the server's own catalog again), and
slow clients trickling a request's headers (a 408 once the request timeout runs
out, then they come back).

All along, ``/_mock/health`` is asked every 50 ms: the report gives its p99 and
worst answer time (the server must keep answering at once, whatever it is sent).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

HEADERS = {"x-api-key": "soak-key", "anthropic-version": "2023-06-01"}


@dataclass
class Report:
    sent: int = 0
    answered: int = 0
    lost: int = 0
    bad: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    rss_after_warmup_kib: int = 0
    rss_end_kib: int = 0
    journal_total: int = 0
    journaled: int = 0  # requests sent that the journal must hold (not a 414, nor what is not HTTP)
    seconds: float = 0.0
    hostile: dict[str, int] = field(default_factory=dict)  # kind -> connections answered as they should be
    health_p99_ms: float = 0.0
    health_max_ms: float = 0.0
    health_probes: int = 0


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def check(path: str, params: dict[str, object], response: httpx.Response) -> str | None:
    """A description of what is wrong with this answer, or None."""
    if not response.headers.get("request-id", "").startswith("req_"):
        return f"{path}: no request-id"
    if response.headers.get("content-type") != "application/json":
        return f"{path}: content-type {response.headers.get('content-type')}"
    body = response.json()
    if response.status_code == 200:
        if path == "/v1/models":
            ok = set(body) == {"data", "has_more", "first_id", "last_id"} and len(body["data"]) <= int(
                params.get("limit", 20)  # type: ignore[call-overload]
            )
        else:
            ok = body.get("type") == "model" and isinstance(body.get("id"), str)
        return None if ok else f"{path} {params}: bad 200 body"
    error = body.get("error", {}) if isinstance(body, dict) else {}
    if body.get("type") != "error" or not error.get("type") or body.get("request_id") != response.headers["request-id"]:
        return f"{path} {params}: {response.status_code} outside the envelope: {body}"
    return None


RAW_HEADERS = "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items()).encode()


def raw_get(target: str, *, close: bool = False) -> bytes:
    connection = b"connection: close\r\n" if close else b""
    return f"GET {target} HTTP/1.1\r\nhost: soak\r\n".encode() + RAW_HEADERS + connection + b"\r\n"


async def read_statuses(reader: asyncio.StreamReader) -> list[int]:
    """Every response on a connection, until the server closes it: their statuses, in order."""
    found: list[int] = []
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return found
        lines = head.split(b"\r\n")
        if b"request-id: req_" not in head.lower():
            return [*found, -1]  # outside the envelope
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        found.append(int(lines[0].split()[1]))


async def hostile(host: str, port: int, kind: str, rng: random.Random, ids: list[str]) -> tuple[int, str | None]:
    """One hostile connection: how many of its requests reach the journal, and what went wrong, if anything."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        if kind in _ONE_ANSWER:
            request, expected = _ONE_ANSWER[kind](rng, port)
            journaled = 0  # refused before the journal, or the admin API's
            writer.write(request)
            if kind == "big-header":  # the rest of a header far past the bound, in pieces, until refused
                with contextlib.suppress(OSError):
                    for _ in range(rng.randint(2, 16)):
                        writer.write(b"h" * 65536)
                        await writer.drain()
        elif kind == "long-query":
            size = rng.choice([rng.randint(2000, 7000), rng.randint(9000, 60000)])
            cursor = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=size))
            writer.write(raw_get(f"/v1/models?after_id={cursor}", close=True))
            expected = [400 if size < 8000 else 414]  # an unknown cursor; a target over 8 KiB
            journaled = 1 if size < 8000 else 0
        else:  # pipelined: valid requests, then one that is not HTTP
            count = rng.randint(1, 6)
            burst = b"".join(raw_get(f"/v1/models/{rng.choice(ids)}") for _ in range(count))
            writer.write(burst + b"FOO\x01 / HTTP/1.1\r\n\r\n")
            expected, journaled = [200] * count + [400], count
        await writer.drain()
        got = await read_statuses(reader)
        # The failure rate may turn any answer of the API into a 529; the last 400 and a 414 come before it.
        faultable = journaled
        fine = len(got) == len(expected) and all(
            g == e or (g == 529 and n < faultable) or (kind == "build" and g == 409)
            for n, (g, e) in enumerate(zip(got, expected, strict=True))
        )
        return journaled, None if fine else f"{kind}: expected {expected}, got {got}"
    finally:
        writer.close()


_BUILD = json.dumps({"synthetic": 2000, "seed": 3}).encode()  # the server's own catalog: ids stay valid
#: Hostile requests answered with one status: each kind's request bytes (given a rng and the server's port).
_ONE_ANSWER: dict[str, Callable[[random.Random, int], tuple[bytes, list[int]]]] = {
    "big-header": lambda rng, port: (b"GET /v1/models HTTP/1.1\r\nhost: soak\r\n" + RAW_HEADERS + b"x-big: ", [431]),
    "big-body": lambda rng, port: (
        b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: %d\r\n\r\n{" % (1 << 30),
        [413],
    ),
    "rebinding": lambda rng, port: (
        b"POST /_mock/faults HTTP/1.1\r\nhost: evil.example:%d\r\norigin: http://evil.example:%d\r\n"
        b"content-type: application/json\r\ncontent-length: 19\r\nconnection: close\r\n\r\n"
        b'{"sequence": [500]}' % (port, port),
        [403],
    ),
    "build": lambda rng, port: (
        b"PUT /_mock/catalog HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s"
        % (len(_BUILD), _BUILD),
        [200],  # or a 409, while another build runs
    ),
}


async def probe_health(url: str, deadline: float, times: list[float]) -> None:
    """Ask ``/_mock/health`` every 50 ms until ``deadline`` (or cancelled); add how long each answer took."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            (await client.get("/_mock/health")).raise_for_status()
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.05)


async def slow_client(host: str, port: int, deadline: float, report: Report) -> None:
    """Trickle a request's headers, a byte a second, until cut off (a 408); then come back."""
    while time.monotonic() < deadline:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(b"GET /v1/models HTTP/1.1\r\nx-slow: ")
            answer = asyncio.ensure_future(read_statuses(reader))
            while not answer.done() and time.monotonic() < deadline:
                writer.write(b"z")
                await asyncio.wait([answer], timeout=1)
            if answer.done():
                got = answer.result()
                if got == [408]:
                    report.hostile["slow-client"] = report.hostile.get("slow-client", 0) + 1
                else:
                    report.bad.append(f"slow client: expected [408], got {got}")
            else:
                answer.cancel()
        except OSError:
            pass  # cut off while writing: the answer was read above, or the soak is over
        finally:
            writer.close()


async def run(
    url: str, pid: int, total: int, seconds: float, concurrency: int, seed: int, hostile_share: float, slow: int
) -> Report:
    report = Report()
    # The client drops a pooled connection idle for 2 s: well before the server's 5 s keep-alive timeout, so a
    # request never goes out on a connection the server is closing at that moment (a race of the client's).
    limits = httpx.Limits(keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=30, limits=limits) as client:
        ids = [m["id"] for m in (await client.get("/v1/models", params={"limit": 1000})).json()["data"]]
        state = (await client.get("/_mock")).json()
        aliases = list(state["catalog"]["aliases"])
        rng = random.Random(seed)
        deadline = time.monotonic() + seconds
        queue: asyncio.Queue[tuple[str, dict[str, object]] | None] = asyncio.Queue(maxsize=concurrency * 2)

        host, port = url.removeprefix("http://").rsplit(":", 1)
        slow_tasks = [asyncio.create_task(slow_client(host, int(port), deadline, report)) for _ in range(slow)]
        health: list[float] = []
        prober = asyncio.create_task(probe_health(url, deadline, health))

        def request() -> tuple[str, dict[str, object]]:
            if rng.random() < hostile_share:
                return rng.choice(["long-query", "pipelined", *_ONE_ANSWER]), {}
            roll = rng.random()
            if roll < 0.45:
                params: dict[str, object] = {"limit": rng.randint(1, 50)}
                if rng.random() < 0.5:
                    params[rng.choice(["after_id", "before_id"])] = rng.choice(ids)
                if rng.random() < 0.2:
                    params["lifecycle[]"] = ["active", "deprecated", "retired"]
                return "/v1/models", params
            if roll < 0.8:
                return f"/v1/models/{rng.choice(ids)}", {}
            if roll < 0.9:
                return f"/v1/models/{rng.choice(aliases)}", {}
            if roll < 0.95:
                return "/v1/models/claude-does-not-exist", {}
            return "/v1/models", rng.choice([{"limit": 0}, {"after_id": "nope"}, {"lifecycle": "gone"}])

        async def worker() -> None:
            while (item := await queue.get()) is not None:
                path, params = item
                if not path.startswith("/"):
                    journaled, problem = await hostile(host, int(port), path, random.Random(rng.random()), ids)
                    report.answered += 1
                    report.journaled += journaled
                    if problem is None:
                        report.hostile[path] = report.hostile.get(path, 0) + 1
                    else:
                        report.bad.append(problem)
                    continue
                try:
                    response = await client.get(path, params=params)  # type: ignore[arg-type]
                except httpx.HTTPError as exc:
                    report.lost += 1
                    report.bad.append(f"{path}: {type(exc).__name__}")
                    continue
                report.answered += 1
                report.journaled += 1
                report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
                problem = check(path, params, response)
                if problem is not None:
                    report.bad.append(problem)

        workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
        started = time.monotonic()
        warmup = min(2000, total // 10)
        while report.sent < total and time.monotonic() < deadline:
            await queue.put(request())
            report.sent += 1
            if report.sent == warmup:
                while queue.qsize():
                    await asyncio.sleep(0.01)
                report.rss_after_warmup_kib = rss_kib(pid)
        for _ in workers:
            await queue.put(None)
        await asyncio.gather(*workers)
        for task in [*slow_tasks, prober]:
            task.cancel()
        await asyncio.gather(*slow_tasks, return_exceptions=True)
        with contextlib.suppress(asyncio.CancelledError):
            await prober
        health.sort()
        if health:
            report.health_probes = len(health)
            report.health_p99_ms = round(health[min(len(health) - 1, int(0.99 * len(health)))] * 1000, 1)
            report.health_max_ms = round(health[-1] * 1000, 1)
        report.seconds = round(time.monotonic() - started, 2)
        report.rss_end_kib = rss_kib(pid)
        report.journal_total = (await client.get("/_mock")).json()["journal"]["total"]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hostile", type=float, default=0.1, help="share of requests that are hostile (raw sockets)")
    parser.add_argument("--slow-clients", type=int, default=8, help="connections trickling headers all along")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anthropic_models_mock",
            "serve",
            "--port",
            "0",
            "--synthetic",
            "2000",
            "--seed",
            "3",
            "--fail-rate",
            "0.1",
            "--fail-status",
            "529",
            "--latency-jitter",
            "0.002",
            "--fault-seed",
            str(args.seed),
            "--journal-size",
            "500",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = next(line for line in server.stdout if line.startswith("url: "))[len("url: ") :].strip()
        options = (args.requests, args.seconds, args.concurrency, args.seed, args.hostile, args.slow_clients)
        report = asyncio.run(run(url, server.pid, *options))
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.json:
        print(json.dumps({**asdict(report), "bad": report.bad[:20]}))
        return
    print(
        f"sent {report.sent}, answered {report.answered}, lost {report.lost}, bad {len(report.bad)} "
        f"in {report.seconds} s; statuses {dict(sorted(report.statuses.items()))}"
    )
    print(f"hostile connections answered as they should: {dict(sorted(report.hostile.items()))}")
    growth = report.rss_end_kib / max(report.rss_after_warmup_kib, 1) - 1
    print(
        f"server RSS after warm-up {report.rss_after_warmup_kib / 1024:.1f} MiB, "
        f"at the end {report.rss_end_kib / 1024:.1f} MiB ({growth:+.1%}); journal total {report.journal_total}"
        f" (expected {report.journaled + 1})"
    )
    print(
        f"/_mock/health: p99 {report.health_p99_ms} ms, worst {report.health_max_ms} ms"
        f" ({report.health_probes} probes, one every 50 ms)"
    )
    for line in report.bad[:10]:
        print("  ", line)


if __name__ == "__main__":
    main()
