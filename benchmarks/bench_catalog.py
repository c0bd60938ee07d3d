"""What is around serving, at 1k, 100k and 1M models: building, loading, memory, changes.

Each figure is a rate, or a ratio against a baseline measured in the same run:

- build: ``Catalog.synthetic(n)`` in models/s (target >= 200,000/s), the first build in a fresh process
  and a second one in the same process (on this VM memory new to a process costs far more than memory
  it has had: that is most of the difference);
- load: ``Catalog.from_file`` of a catalog file written by this package (pretty-printed, as
  ``mockserver catalog`` and ``catalog record`` write them), in models/s, and as a ratio to the
  standard library's ``json.loads`` of the same file alone, each in a fresh process (target <= 0.2);
  then again in the process, and ``Catalog.from_json`` of the same text in memory (a PUT body's path:
  one process);
- memory: the RSS a loaded catalog adds to the process, as a ratio to the bytes of JSON it serves
  (every model's plain body; target <= 1.5);
- changes: ``with_model`` (add, replace), ``without_model``, ``with_alias`` (set, remove), the median
  of 200 each, in ms (target at 1M <= 10 ms, growing no faster than log n).

Each size runs in a fresh subprocess, so that RSS is the catalog's own.

    .venv/bin/python benchmarks/bench_catalog.py            # 1k, 100k, 1M (about 3 minutes, 4 GB RAM)
    .venv/bin/python benchmarks/bench_catalog.py --quick    # 1k and 100k
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEED = 11


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(n: int, load: Path | None) -> dict[str, Any]:
    """One size, in this process (called in a fresh subprocess)."""
    from anthropic_models_mock import Catalog
    from anthropic_models_mock.model.limits import LIFECYCLES

    Catalog.synthetic(10, SEED)  # imports and tables made once, outside the measurement
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    catalog = Catalog.synthetic(n, SEED)
    build = time.perf_counter() - started
    gc.collect()
    grown = rss_bytes() - before
    view = catalog.view(frozenset(LIFECYCLES))
    served = sum(len(view.joined(start, min(start + 1000, n))) + 1 for start in range(0, n, 1000))
    result: dict[str, Any] = {"n": n, "build_s": build, "rss_ratio": grown / served, "served_mib": served / 2**20}

    ids = list(view.ids)
    step = max(1, n // 200)
    picks = ids[::step][:200]
    model = {"id": "bench-new-1", "display_name": "Bench", "created_at": "2025-06-01T00:00:00Z"}
    changes = {
        "add": lambda i, m: catalog.with_model({**model, "id": f"bench-{i}"}),
        "replace": lambda i, m: catalog.with_model({**model, "id": m}),
        "remove": lambda i, m: catalog.without_model(m),
        "set alias": lambda i, m: catalog.with_alias(f"bench-alias-{i}", m),
    }
    for name, change in changes.items():
        times = []
        for i, m in enumerate(picks):
            t = time.perf_counter()
            change(i, m)
            times.append(time.perf_counter() - t)
        result[f"{name}_ms"] = statistics.median(times) * 1e3
    aliased = catalog.with_alias("bench-alias", picks[0])
    times = []
    for _ in range(200):
        t = time.perf_counter()
        aliased.with_alias("bench-alias", None)
        times.append(time.perf_counter() - t)
    result["remove alias_ms"] = statistics.median(times) * 1e3

    if load is not None:  # what ``mockserver catalog`` prints (json.dumps, indent=2), on disk before it is loaded
        with load.open("wb") as file:  # (the system writing it out meanwhile would slow the loads down)
            file.write(catalog.to_json())
            file.flush()
            os.fsync(file.fileno())
    catalog = aliased = view = None  # free them: the build below then reuses their memory
    gc.collect()
    started = time.perf_counter()
    Catalog.synthetic(n, SEED)  # again, in memory the process has had (a fresh process's pages cost more)
    result["build_again_s"] = time.perf_counter() - started
    return result


def measure_stdlib(path: Path) -> dict[str, Any]:
    """``json.loads`` of a catalog file alone, in a fresh process of its own (its garbage is no load's)."""
    data = path.read_bytes()
    t = time.perf_counter()
    json.loads(data)
    return {"stdlib_s": time.perf_counter() - t}


def measure_load(path: Path) -> dict[str, Any]:
    """Loading a catalog file, in a fresh process: its time and its RSS against the JSON it serves; then
    again in the same process, and the same text from memory (as ``PUT /_mock/catalog`` loads a body)."""
    from anthropic_models_mock import Catalog
    from anthropic_models_mock.model.limits import LIFECYCLES

    Catalog.synthetic(10, SEED)
    gc.collect()
    before = rss_bytes()
    t = time.perf_counter()
    loaded = Catalog.from_file(path)
    ours = time.perf_counter() - t
    gc.collect()
    grown = rss_bytes() - before
    view = loaded.view(frozenset(LIFECYCLES))
    n = len(view)
    served = sum(len(view.joined(start, min(start + 1000, n))) + 1 for start in range(0, n, 1000))
    del view, loaded
    gc.collect()
    t = time.perf_counter()
    Catalog.from_file(path)  # again, in memory the process has had
    again = time.perf_counter() - t
    gc.collect()
    data = path.read_bytes()
    t = time.perf_counter()
    Catalog.from_json(data, source=str(path))
    text = time.perf_counter() - t
    return {
        "file_mib": path.stat().st_size / 2**20,
        "load_s": ours,
        "load_again_s": again,
        "load_text_s": text,
        "load_rss_ratio": grown / served,
    }


def report(r: dict[str, Any]) -> None:
    n = r["n"]
    print(f"== {n:,} models ({r['served_mib']:,.0f} MiB of JSON served)")
    print(
        f"  build   {r['build_s']:.2f} s  {n / r['build_s']:>11,.0f} models/s   (target >= 200,000/s);"
        f" again in the process {r['build_again_s']:.2f} s ({n / r['build_again_s']:,.0f}/s)"
    )
    if "load_s" in r:
        print(
            f"  load    {r['load_s']:.2f} s  {n / r['load_s']:>11,.0f} models/s   json.loads alone"
            f" {r['stdlib_s']:.2f} s ({n / r['stdlib_s']:,.0f}/s),"
            f" ratio {r['load_s'] / r['stdlib_s']:.2f} (target <= 0.2;"
            f" file {r['file_mib']:,.0f} MiB); again in the process {r['load_again_s']:.2f} s"
            f" ({n / r['load_again_s']:,.0f}/s); the same text from memory {r['load_text_s']:.2f} s"
            f" ({n / r['load_text_s']:,.0f}/s)"
        )
    print(f"  memory  RSS / JSON served {r['rss_ratio']:.2f} built", end="")
    print(f", {r['load_rss_ratio']:.2f} loaded from the file" if "load_rss_ratio" in r else "", end="")
    print("   (target <= 1.5)")
    changes = "  ".join(f"{name.removesuffix('_ms')} {value:.3f}" for name, value in r.items() if name.endswith("_ms"))
    print(f"  changes (ms, median of 200)  {changes}   (target at 1M <= 10 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1k and 100k only")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: measure this size
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # a child: write its catalog here
    parser.add_argument("--load", type=Path, help=argparse.SUPPRESS)  # a child: load this file
    parser.add_argument("--stdlib", type=Path, help=argparse.SUPPRESS)  # a child: json.loads this file
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.write)))
        return
    if args.load is not None:
        print(json.dumps(measure_load(args.load)))
        return
    if args.stdlib is not None:
        print(json.dumps(measure_stdlib(args.stdlib)))
        return
    sizes = [1_000, 100_000] if args.quick else [1_000, 100_000, 1_000_000]
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "catalog.json"
            child = [sys.executable, __file__, "--one", str(n)] + (["--write", str(path)] if n >= 100_000 else [])
            result = json.loads(subprocess.run(child, capture_output=True, text=True, check=True).stdout)
            if n >= 100_000:
                for role in ("--load", "--stdlib"):  # each in a fresh process
                    child = [sys.executable, __file__, role, str(path)]
                    result.update(json.loads(subprocess.run(child, capture_output=True, text=True, check=True).stdout))
        results.append(result)
        report(result)
    small = results[0]
    for r in results[1:]:
        growth = {name: r[name] / small[name] for name in r if name.endswith("_ms")}
        shown = "  ".join(f"{name.removesuffix('_ms')} {value:.1f}x" for name, value in growth.items())
        print(f"  changes at {r['n']:,} vs 1,000: {shown}   (log2 ratio {r['n'].bit_length() / 10:.1f}x)")


if __name__ == "__main__":
    main()
