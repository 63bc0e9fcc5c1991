"""``--memory``: resident memory of each app, idle and after many requests.

Each framework runs in its own subprocess (``bench.py --memory-child KEY``) so that no other
framework's imports count against it. The child reads its RSS from ``/proc/self/status`` three
times: with only the interpreter and the harness loaded, after building the app, and after serving
the requests (the five endpoints in turn, every response checked), after a full garbage collection.
Growth after the requests hints at caches or leaks.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.harness import ENDPOINTS, FRAMEWORKS_BY_KEY, Framework, call, make_driver

ROOT = Path(__file__).resolve().parent.parent
#: Requests prepared at a time: small, so prebuilt environs and scopes barely show in the RSS.
_CHUNK = 200


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child(key: str, requests: int) -> int:
    """Measure one framework and print the figures as one JSON line."""
    gc.collect()
    baseline = _status_kib("VmRSS")
    driver = make_driver(FRAMEWORKS_BY_KEY[key])
    gc.collect()
    idle = _status_kib("VmRSS")
    done = 0
    try:
        while done < requests:
            for endpoint in ENDPOINTS:
                count = min(_CHUNK, requests - done)
                if count <= 0:
                    break
                _, error = call(driver, endpoint, count)
                if error is not None:
                    print(json.dumps({"error": f"{endpoint.name}: {error}"}))
                    return 1
                done += count
    finally:
        driver.close()
    gc.collect()
    after = _status_kib("VmRSS")
    print(
        json.dumps(
            {
                "baseline_kib": baseline,
                "idle_kib": idle,
                "after_kib": after,
                "peak_kib": _status_kib("VmHWM"),
                "requests": done,
            }
        )
    )
    return 0


def _measure(framework: Framework, requests: int) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "benchmarks.bench",
        "--memory-child", framework.key, "--memory-requests", str(requests),
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    lines = completed.stdout.strip().splitlines()
    if lines:
        try:
            result: dict[str, Any] = json.loads(lines[-1])
            return result
        except ValueError:
            pass
    last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": f"exit {completed.returncode}: {last}"}


def run(frameworks: Sequence[Framework], requests: int) -> dict[str, Any]:
    print(f"## Memory (RSS in MiB, one subprocess per app, {requests:,} requests)\n", flush=True)
    results: dict[str, Any] = {}
    lines = [
        "| app | interpreter + harness | after building the app | "
        f"after {requests:,} requests | growth | peak |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for framework in frameworks:
        print(f"  memory {framework.key}", file=sys.stderr, flush=True)
        result = _measure(framework, requests)
        results[framework.key] = result
        if "error" in result:
            lines.append(f"| {framework.label} | {result['error']} | | | | |")
            continue
        mib = {name: value / 1024 for name, value in result.items() if name.endswith("_kib")}
        lines.append(
            f"| {framework.label} | {mib['baseline_kib']:.1f} | {mib['idle_kib']:.1f} | "
            f"{mib['after_kib']:.1f} | {mib['after_kib'] - mib['idle_kib']:+.1f} | "
            f"{mib['peak_kib']:.1f} |"
        )
    print("\n".join(lines))
    print()
    return results
