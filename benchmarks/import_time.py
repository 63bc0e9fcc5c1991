"""``--import-time``: how long importing each framework takes in a fresh interpreter.

What is imported is what a minimal app needs (``from flask import Flask``; for Starlette, whose
package ``__init__`` is empty, the application, routing and response modules). Each measurement is
its own subprocess, so nothing is cached in ``sys.modules``. Three figures per framework: the wall
time of ``python -c "<imports>"`` minus that of ``python -c "pass"`` (median of several runs), the
time ``python -X importtime`` attributes to those imports, and how many modules they add to
``sys.modules``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from typing import Any

IMPORTS = {
    "vial": "from vial import Vial",
    "flask": "from flask import Flask",
    "falcon": "import falcon, falcon.asgi",
    "bottle": "import bottle",
    "starlette": (
        "from starlette.applications import Starlette; from starlette.routing import Route; "
        "from starlette.responses import JSONResponse"
    ),
    "fastapi": "from fastapi import FastAPI",
    "quart": "from quart import Quart",
}
_MARK = "--vial-bench-mark--"


def _wall_ms(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return (time.perf_counter() - started) * 1000


def _importtime_ms(statement: str) -> float:
    """The time ``-X importtime`` reports for ``statement``'s imports, in ms."""
    # A marker on stderr separates the interpreter's own start-up imports from ours.
    code = f"import sys; sys.stderr.write({_MARK!r} + '\\n'); {statement}"
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        check=True,
        capture_output=True,
        text=True,
    )
    _, _, ours = completed.stderr.partition(_MARK)
    # Lines look like "import time:       312 |      10577 |   flask.app", nested imports indented
    # under the one that caused them: the top-level lines' cumulative times add up to the total.
    total_us = 0
    for line in ours.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[1].strip().isdigit():
            continue
        name = fields[2]
        if len(name) - len(name.lstrip(" ")) == 1:  # one space after the bar: top level
            total_us += int(fields[1])
    return total_us / 1000


def _modules_added(statement: str) -> int:
    code = f"import sys; before = len(sys.modules); {statement}; print(len(sys.modules) - before)"
    completed = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return int(completed.stdout.strip())


def run(names: Iterable[str] = IMPORTS, quick: bool = False) -> dict[str, Any]:
    """Measure the frameworks in ``names`` (those without an entry in IMPORTS are ignored)."""
    selected = [name for name in IMPORTS if name in set(names)]
    runs = 3 if quick else 15
    print(f"## Import time (fresh interpreter each time, median of {runs} runs)\n", flush=True)
    print(f"(measuring `{sys.executable} -c pass` as the baseline)", file=sys.stderr, flush=True)
    baseline = statistics.median(_wall_ms("pass") for _ in range(runs))
    results: dict[str, Any] = {"baseline_ms": baseline, "modules": {}}
    lines = [
        "| framework | wall ms (minus bare interpreter) | -X importtime cumulative ms | modules added |",
        "|---|---:|---:|---:|",
    ]
    for module in selected:
        statement = IMPORTS[module]
        print(f"  {statement}", file=sys.stderr, flush=True)
        try:
            wall = statistics.median(_wall_ms(statement) for _ in range(runs)) - baseline
            cumulative = _importtime_ms(statement)
            added = _modules_added(statement)
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
        lines.append(f"| {module} | {wall:.1f} | {cumulative:.1f} | {added} |")
    print(f"Bare interpreter start: {baseline:.1f} ms.\n")
    print("\n".join(lines))
    print()
    return results
