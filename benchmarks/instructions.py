"""``--instructions``: CPU instructions per request, counted by valgrind, for A/B work on a noisy host.

Timings on a shared or virtual machine move by 10-70% from one run to the next; the number of
instructions a request executes moves by well under 1%. Each cell runs the framework's app in a
subprocess under ``valgrind --tool=cachegrind --cache-sim=no`` twice, once with 1 request and once
with ``1 + N`` (after the same warm-up), and reports the difference divided by ``N``: the
interpreter's start-up, the imports and the warm-up cancel out. The bare callables' figures are the
harness's own share (building each request, reading each response).

Instructions are not time: a cache miss or a system call costs more than an addition, and a C
extension can do a lot in few instructions. Use this to see whether a change removed work, and the
timed table for how fast things are. Needs valgrind (``apt-get install valgrind``); each cell takes
about 10-20 s, and cells run in parallel, one per core.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.harness import ENDPOINTS, FRAMEWORKS, Endpoint, Framework, make_driver

_WARM_UP = 200
_ROOT = Path(__file__).resolve().parent.parent
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def child(key: str, endpoint_name: str, count: int) -> int:
    """Serve ``_WARM_UP`` then ``count`` requests of one endpoint in process (run under valgrind)."""
    framework = next(f for f in FRAMEWORKS if f.key == key)
    endpoint = next(e for e in ENDPOINTS if e.name == endpoint_name)
    driver = make_driver(framework)
    try:
        driver.run(driver.prepare(endpoint, _WARM_UP))
        driver.run(driver.prepare(endpoint, count))
    finally:
        driver.close()
    return 0


def _instructions(framework: Framework, endpoint: Endpoint, count: int) -> int:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.bench",
        "--instructions-child",
        f"{framework.key}:{endpoint.name}:{count}",
    ]
    # A fixed hash seed: with a random one, dict and set layouts (and so the instructions of
    # start-up) differ from process to process by more than a few requests' worth.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=_ROOT, env=env)
    match = _I_REFS.search(completed.stderr)
    if completed.returncode != 0 or match is None:
        tail = "\n".join(completed.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"valgrind run of {framework.key} {endpoint.name} failed:\n{tail}")
    return int(match.group(1).replace(",", ""))


def _per_request(framework: Framework, endpoint: Endpoint, count: int) -> float:
    return (_instructions(framework, endpoint, count + 1) - _instructions(framework, endpoint, 1)) / count


def run(frameworks: Sequence[Framework], endpoints: Sequence[Endpoint], quick: bool = False) -> dict[str, Any]:
    """Count instructions per request for every framework and endpoint; print the table."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH: install it (apt-get install valgrind) and run again.")
    count = 50 if quick else 1000  # --quick figures are a smoke test: too few requests to compare
    cells = [(framework, endpoint) for framework in frameworks for endpoint in endpoints]
    print(f"## Instructions per request (valgrind, {count} requests a cell)\n", flush=True)
    results: dict[str, dict[str, float]] = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = {cell: pool.submit(_per_request, cell[0], cell[1], count) for cell in cells}
        for done, (cell, future) in enumerate(futures.items(), start=1):
            framework, endpoint = cell
            results.setdefault(framework.key, {})[endpoint.name] = future.result()
            print(f"  [{done}/{len(cells)}] {framework.label} {endpoint.name}", file=sys.stderr, flush=True)
    print(_table(frameworks, endpoints, results))
    print()
    return {"requests_per_cell": count, "results": results}


def _table(frameworks: Sequence[Framework], endpoints: Sequence[Endpoint], results: dict[str, dict[str, float]]) -> str:
    header = "| framework | " + " | ".join(e.name for e in endpoints) + " |"
    lines = [header, "|---|" + "---:|" * len(endpoints)]
    for framework in frameworks:
        bare = results.get(f"bare-{framework.interface}", {})
        cells = []
        for endpoint in endpoints:
            value = results[framework.key][endpoint.name]
            floor = bare.get(endpoint.name)
            ratio = f" ({value / floor:.2f}x)" if floor and framework.name != "bare" else ""
            cells.append(f"{value / 1000:.1f}k{ratio}")
        lines.append(f"| {framework.label} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("Thousands of instructions per request; in brackets, the ratio to the bare callable of the same interface.")
    return "\n".join(lines)
