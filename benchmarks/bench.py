"""Benchmark vial against its peers on the same five endpoints.

Run it through ``benchmarks/run`` (which prepares ``.bench-venv``), or as
``python -m benchmarks.bench`` from the repository root in an environment that has the peers.

The default mode calls each app in process, with no sockets (see harness.py): every response is
checked (status, content type, body) and a wrong answer turns the cell into FAILED instead of a
number. Several interleaved rounds, the order of the frameworks rotated each round; in each round a
cell's figure is the fastest of ``--repeat`` back-to-back batches, and the median over the rounds is
reported. See benchmarks/README.md for the other modes (``--memory``, ``--import-time``,
``--servers``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.harness import (
    ENDPOINTS,
    FRAMEWORKS,
    FRAMEWORKS_BY_KEY,
    Driver,
    Endpoint,
    Framework,
    call,
    make_driver,
)

# --------------------------------------------------------------------------------------------
# In-process timing
# --------------------------------------------------------------------------------------------


@dataclass
class Cell:
    count: int = 0  # requests per timed batch
    samples_us: list[float] = field(default_factory=list)  # µs per request, one per round
    error: str | None = None

    @property
    def median_us(self) -> float | None:
        if self.error is not None or not self.samples_us:
            return None
        return statistics.median(self.samples_us)


@dataclass
class Options:
    rounds: int
    target_ms: float
    repeat: int
    min_requests: int
    max_requests: int


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    drivers: dict[str, Driver], endpoints: Sequence[Endpoint], options: Options
) -> dict[str, dict[str, Cell]]:
    """Time every (framework, endpoint) cell; see the module docstring for the method."""
    keys = list(drivers)
    cells = {key: {endpoint.name: Cell() for endpoint in endpoints} for key in keys}

    # Warm-up, correctness check and calibration: a few cold requests (first template load,
    # lazy imports), then a small batch whose time sets the batch size for the rounds.
    for key in keys:
        for endpoint in endpoints:
            cell = cells[key][endpoint.name]
            _, cell.error = call(drivers[key], endpoint, 3)
            if cell.error is None:
                elapsed, cell.error = call(drivers[key], endpoint, 20)
                per_request_ns = max(elapsed / 20, 1.0)
                wanted = int(options.target_ms * 1e6 / per_request_ns)
                cell.count = max(options.min_requests, min(options.max_requests, wanted))
            state = "ok" if cell.error is None else f"FAILED: {cell.error}"
            _progress(f"  check {key:>15} {endpoint.name:<10} {state}")

    for round_index in range(options.rounds):
        shift = round_index % len(keys) if keys else 0
        order = keys[shift:] + keys[:shift]  # rotate so no framework always runs first or last
        for key in order:
            line = []
            for endpoint in endpoints:
                cell = cells[key][endpoint.name]
                if cell.error is not None:
                    line.append(f"{endpoint.name}=FAILED")
                    continue
                # Best of a few back-to-back batches: a moment when the host ran something
                # else does not count (the timeit rule); the median over rounds is reported.
                batch = max(1, cell.count // options.repeat)
                best: float | None = None
                for _ in range(options.repeat):
                    elapsed, cell.error = call(drivers[key], endpoint, batch)
                    if cell.error is not None:
                        break
                    best = elapsed if best is None else min(best, elapsed)
                if cell.error is None and best is not None:
                    cell.samples_us.append(best / batch / 1000)
                    line.append(f"{endpoint.name}={cell.samples_us[-1]:.2f}")
                else:
                    line.append(f"{endpoint.name}=FAILED")
            _progress(f"  round {round_index + 1}/{options.rounds} {key:>15}: " + " ".join(line) + " µs")
    return cells


def geometric_mean(values: Sequence[float]) -> float:
    return math.exp(sum(math.log(value) for value in values) / len(values))


def _format_us(value: float | None) -> str:
    if value is None:
        return "FAILED"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _column_geomean(column: dict[str, Cell]) -> float | None:
    medians = [cell.median_us for cell in column.values()]
    if not medians or any(value is None for value in medians):
        return None
    return geometric_mean([value for value in medians if value is not None])


def render_table(cells: dict[str, dict[str, Cell]], endpoints: Sequence[Endpoint]) -> str:
    """The Markdown table: endpoints down, frameworks across (WSGI first, then ASGI)."""
    keys = [framework.key for framework in FRAMEWORKS if framework.key in cells]
    header = "| endpoint (µs/request) | " + " | ".join(FRAMEWORKS_BY_KEY[key].label for key in keys) + " |"
    lines = [header, "|---|" + "---:|" * len(keys)]
    for endpoint in endpoints:
        row = [_format_us(cells[key][endpoint.name].median_us) for key in keys]
        lines.append(f"| `{endpoint.label}` | " + " | ".join(row) + " |")

    means = {key: _column_geomean(cells[key]) for key in keys}
    lines.append("| **geometric mean** | " + " | ".join(f"**{_format_us(means[key])}**" if means[key] else "—" for key in keys) + " |")

    def ratio_row(title: str, reference: Callable[[str], str]) -> str:
        row = []
        for key in keys:
            mean, base = means[key], means.get(reference(key))
            row.append(f"{mean / base:.2f}x" if mean and base else "—")
        return f"| {title} | " + " | ".join(row) + " |"

    lines.append(ratio_row("x bare (same interface)", lambda key: "bare-" + FRAMEWORKS_BY_KEY[key].interface))
    lines.append(ratio_row("x Flask", lambda key: "flask-wsgi"))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Environment report
# --------------------------------------------------------------------------------------------

PACKAGES = (
    "vial", "flask", "werkzeug", "falcon", "bottle", "starlette", "fastapi", "pydantic", "quart",
    "jinja2", "orjson", "gunicorn", "uvicorn", "granian",
)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def environment_report() -> dict[str, Any]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "packages": package_versions(),
    }


def render_environment(report: dict[str, Any]) -> str:
    load = report["load_average"]
    installed = ", ".join(f"{name} {version}" for name, version in report["packages"].items() if version)
    missing = ", ".join(name for name, version in report["packages"].items() if not version)
    lines = [
        f"- Python: {report['python']} on {report['platform']}",
        f"- CPU: {report['cpu']} ({report['cpus']} logical CPUs)"
        + (f", load average {load[0]:.2f} at start" if load else ""),
        f"- Packages: {installed}",
    ]
    if missing:
        lines.append(f"- Not installed: {missing}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _select_frameworks(spec: str | None) -> list[Framework]:
    """``vial,flask`` selects by name (both interfaces), ``vial-asgi`` by key, ``wsgi`` by interface."""
    if not spec:
        return list(FRAMEWORKS)
    wanted = {word.strip().lower() for word in spec.split(",") if word.strip()}
    known = {f.name for f in FRAMEWORKS} | set(FRAMEWORKS_BY_KEY) | {"wsgi", "asgi"}
    unknown = wanted - known
    if unknown:
        raise SystemExit(f"unknown framework(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return [f for f in FRAMEWORKS if {f.name, f.key, f.interface} & wanted]


def _select_endpoints(spec: str | None) -> list[Endpoint]:
    if not spec:
        return list(ENDPOINTS)
    wanted = {word.strip() for word in spec.split(",") if word.strip()}
    unknown = wanted - {e.name for e in ENDPOINTS}
    if unknown:
        raise SystemExit(f"unknown endpoint(s): {', '.join(sorted(unknown))}; known: {', '.join(e.name for e in ENDPOINTS)}")
    return [e for e in ENDPOINTS if e.name in wanted]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run",
        description="Benchmark vial against its peers (in process by default; see benchmarks/README.md).",
    )
    parser.add_argument("--quick", action="store_true", help="smoke mode: one short round, still checks every response")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; the median is reported (default 5)")
    parser.add_argument("--repeat", type=int, default=3, help="batches per cell and round; the fastest counts (default 3)")
    parser.add_argument("--target-ms", type=float, default=100.0, help="aim for batches of about this many ms (default 100)")
    parser.add_argument("--max-requests", type=int, default=30000, help="most requests in one batch (default 30000)")
    parser.add_argument("--frameworks", "-f", help="comma-separated names (vial), keys (vial-asgi) or interfaces (wsgi)")
    parser.add_argument("--endpoints", "-e", help="comma-separated: " + ",".join(e.name for e in ENDPOINTS))
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--chart", metavar="PATH", help="also draw a bar chart (PNG, needs matplotlib)")
    parser.add_argument("--memory", action="store_true", help="measure RSS idle and after many requests, per framework")
    parser.add_argument("--memory-requests", type=int, default=100_000, help="requests for --memory (default 100000)")
    parser.add_argument("--import-time", action="store_true", help="measure the time to import each framework")
    parser.add_argument("--servers", action="store_true", help="requests/s and p99 latency under real servers on loopback")
    parser.add_argument("--transfer", action="store_true", help="100 MB upload and download: time and peak memory")
    parser.add_argument(
        "--instructions", action="store_true", help="CPU instructions per request, counted by valgrind (deterministic)"
    )
    parser.add_argument("--instructions-child", help=argparse.SUPPRESS)  # internal: one --instructions run
    parser.add_argument("--install-only", action="store_true", help=argparse.SUPPRESS)  # handled by benchmarks/run
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)  # internal: one --memory measurement
    return parser


def run_in_process(args: argparse.Namespace, frameworks: list[Framework], endpoints: list[Endpoint]) -> dict[str, Any]:
    options = Options(
        rounds=1 if args.quick else args.rounds,
        target_ms=2.0 if args.quick else args.target_ms,
        repeat=1 if args.quick else args.repeat,
        min_requests=5 if args.quick else 50,
        max_requests=50 if args.quick else args.max_requests,
    )
    drivers: dict[str, Driver] = {}
    skipped: dict[str, str] = {}
    for framework in frameworks:
        _progress(f"loading {framework.key} ({framework.module})")
        try:
            drivers[framework.key] = make_driver(framework)
        except Exception as error:
            skipped[framework.key] = f"{type(error).__name__}: {error}"
            _progress(f"  SKIPPED {framework.key}: {skipped[framework.key]}")
    try:
        cells = measure(drivers, endpoints, options)
    finally:
        for driver in drivers.values():
            driver.close()

    print("## In process (no sockets): µs per request, median of "
          f"{options.rounds} round{'s' if options.rounds != 1 else ''}, lower is better\n")
    if cells:
        print(render_table(cells, endpoints))
    else:
        print("(no framework could be loaded)")
    spreads = sorted(
        ((max(cell.samples_us) - min(cell.samples_us)) / statistics.median(cell.samples_us), key, name)
        for key, column in cells.items()
        for name, cell in column.items()
        if cell.error is None and len(cell.samples_us) > 1
    )
    if spreads:
        # A rough noise gauge: differences smaller than the typical spread are not findings.
        worst, worst_key, worst_name = spreads[-1]
        typical = spreads[len(spreads) // 2][0]
        print(f"\nRound-to-round spread (max-min)/median: typically {typical:.0%}, "
              f"worst {worst:.0%} ({worst_key} {worst_name}).")
    failures = [(key, name, cell.error) for key, column in cells.items() for name, cell in column.items() if cell.error]
    if failures:
        print("\nFAILED cells (a wrong answer is not timed):")
        for key, name, error in failures:
            print(f"- {key} {name}: {error}")
    if skipped:
        print("\nSkipped (the app did not load):")
        for key, reason in skipped.items():
            print(f"- {key}: {reason}")
    print()
    return {
        "options": vars(options),
        "skipped": skipped,
        "results": {
            key: {
                name: {
                    "median_us": cell.median_us,
                    "min_us": min(cell.samples_us) if cell.samples_us and not cell.error else None,
                    "samples_us": cell.samples_us,
                    "requests_per_batch": cell.count,
                    "error": cell.error,
                }
                for name, cell in column.items()
            }
            for key, column in cells.items()
        },
    }


def draw_chart(results: dict[str, Any], endpoints: list[Endpoint], path: str) -> None:
    """A grouped bar chart, one group per endpoint, log scale (the frameworks span 100x)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"(matplotlib is not installed: no chart written to {path})", file=sys.stderr)
        return
    keys = [f.key for f in FRAMEWORKS if f.key in results]
    if not keys:
        print("(nothing measured: no chart)", file=sys.stderr)
        return
    figure, axes = plt.subplots(figsize=(max(8, 1.1 * len(endpoints) * len(keys) / 3), 5))
    width = 0.8 / len(keys)
    # One colour per framework, so vial's WSGI and ASGI bars match; the hatch marks the interface.
    names = list(dict.fromkeys(f.name for f in FRAMEWORKS))
    palette = plt.get_cmap("tab10")
    for index, key in enumerate(keys):
        framework = FRAMEWORKS_BY_KEY[key]
        values = [results[key][e.name]["median_us"] or 0 for e in endpoints]
        positions = [group + (index - (len(keys) - 1) / 2) * width for group in range(len(endpoints))]
        hatch = "//" if framework.interface == "asgi" else None
        color = palette(names.index(framework.name) % 10)
        axes.bar(positions, values, width, label=framework.label, hatch=hatch, color=color)
    axes.set_xticks(range(len(endpoints)), [e.label for e in endpoints], fontsize=8)
    axes.set_yscale("log")
    axes.set_ylabel("µs per request (log scale, lower is better)")
    axes.set_title("vial and peers, in process (hatched: ASGI)")
    axes.legend(fontsize=7, ncol=2)
    axes.grid(axis="y", which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    print(f"(chart written to {path})", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.memory_child:
        from benchmarks import memory

        return memory.child(args.memory_child, args.memory_requests)

    if args.instructions_child:
        from benchmarks import instructions

        key, endpoint_name, count = args.instructions_child.split(":")
        return instructions.child(key, endpoint_name, int(count))

    frameworks = _select_frameworks(args.frameworks)
    endpoints = _select_endpoints(args.endpoints)
    report = environment_report()
    print("# vial benchmarks\n")
    print(render_environment(report))
    print()
    output: dict[str, Any] = {"environment": report}

    special = args.memory or args.import_time or args.servers or args.transfer or args.instructions
    if not special:
        output["in_process"] = run_in_process(args, frameworks, endpoints)
        if args.chart:
            draw_chart(output["in_process"]["results"], endpoints, args.chart)
    if args.import_time:
        from benchmarks import import_time

        output["import_time"] = import_time.run({f.name for f in frameworks}, quick=args.quick)
    if args.memory:
        from benchmarks import memory

        requests = 2000 if args.quick else args.memory_requests
        output["memory"] = memory.run(frameworks, requests)
    if args.servers:
        from benchmarks import servers

        output["servers"] = servers.run(frameworks, endpoints, quick=args.quick)

    if args.instructions:
        from benchmarks import instructions

        output["instructions"] = instructions.run(frameworks, endpoints, quick=args.quick)
    if args.transfer:
        from benchmarks import transfer

        table = transfer.run()
        print("## 100 MB upload (multipart) and download (send_file), in process\n")
        print(table)
        output["transfer"] = table

    if args.json:
        Path(args.json).write_text(json.dumps(output, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"(results written to {args.json})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
