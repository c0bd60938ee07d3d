"""A short soak of the standalone server (benchmarks/soak.py), hostile traffic included: nothing lost or outside the envelope."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "soak.py"


def test_soak_under_faults_loses_nothing() -> None:
    completed = subprocess.run(
        [
            *(sys.executable, str(SCRIPT), "--requests", "1500", "--seconds", "90", "--concurrency", "16"),
            *("--hostile", "0.15", "--slow-clients", "2", "--json"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    report = json.loads(completed.stdout)
    assert report["bad"] == []
    assert report["lost"] == 0
    assert report["sent"] == report["answered"] == 1500
    assert report["journal_total"] == report["journaled"] + 1  # plus the soak's own first listing
    kinds = ("long-query", "pipelined", "big-header", "big-body", "rebinding", "build")
    assert all(report["hostile"].get(kind, 0) > 0 for kind in kinds), report["hostile"]
    assert report["health_probes"] > 0
    assert set(report["statuses"]) <= {"200", "400", "404", "529"}
    assert int(report["statuses"]["529"]) > 0, "the failure rate was on"
    growth_mib = (report["rss_end_kib"] - report["rss_after_warmup_kib"]) / 1024
    assert growth_mib < 32, f"server RSS grew by {growth_mib:.1f} MiB"
