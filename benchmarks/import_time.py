"""``--import-time``: how long ``import <framework>`` takes in a fresh interpreter.

Each measurement is its own subprocess, so nothing is cached in ``sys.modules``. Three figures per
framework: the wall time of ``python -c "import X"`` minus that of ``python -c "pass"`` (median of
several runs), the cumulative time that ``python -X importtime`` attributes to the package, and how
many modules the import adds to ``sys.modules``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

MODULES = ("vial", "flask", "falcon", "bottle", "starlette", "fastapi", "quart")


def _wall_ms(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def _importtime_ms(module: str) -> float | None:
    """The cumulative µs that ``-X importtime`` reports for the top-level package, in ms."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
    )
    # Lines look like "import time:       312 |      10577 | flask"; the package's own line comes
    # after those of everything it imported, so the last match is the one wanted.
    cumulative = None
    for line in completed.stderr.splitlines():
        fields = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module and fields[1].isdigit():
            cumulative = int(fields[1]) / 1000
    return cumulative


def _modules_added(module: str) -> int:
    code = f"import sys; before = len(sys.modules); import {module}; print(len(sys.modules) - before)"
    completed = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return int(completed.stdout.strip())


def run(quick: bool = False) -> dict[str, Any]:
    runs = 3 if quick else 15
    print(f"## Import time (fresh interpreter each time, median of {runs} runs)\n", flush=True)
    print(f"(measuring `{sys.executable} -c pass` as the baseline)", file=sys.stderr, flush=True)
    baseline = statistics.median(_wall_ms("pass") for _ in range(runs))
    results: dict[str, Any] = {"baseline_ms": baseline, "modules": {}}
    lines = [
        "| module | wall ms (minus bare interpreter) | -X importtime cumulative ms | modules added |",
        "|---|---:|---:|---:|",
    ]
    for module in MODULES:
        print(f"  import {module}", file=sys.stderr, flush=True)
        try:
            wall = statistics.median(_wall_ms(f"import {module}") for _ in range(runs)) - baseline
            cumulative = _importtime_ms(module)
            added = _modules_added(module)
        except subprocess.CalledProcessError as error:
            reason = (error.stderr or b"").strip().splitlines()[-1:] or [b"failed"]
            message = reason[0].decode() if isinstance(reason[0], bytes) else reason[0]
            results["modules"][module] = {"error": message}
            lines.append(f"| {module} | not importable: {message} | | |")
            continue
        results["modules"][module] = {
            "wall_ms": wall,
            "importtime_cumulative_ms": cumulative,
            "modules_added": added,
        }
        shown = f"{cumulative:.1f}" if cumulative is not None else "?"
        lines.append(f"| {module} | {wall:.1f} | {shown} | {added} |")
    print(f"Bare interpreter start: {baseline:.1f} ms.\n")
    print("\n".join(lines))
    print()
    return results
