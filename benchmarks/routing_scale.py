"""How routing lookup time grows with the number of rules.

Run: ``python benchmarks/routing_scale.py`` (from the repository root, with vial
importable). For maps with 10, 100, 1,000 and 10,000 rules of each of three shapes
it times ``Map.match_path`` on a static path, on a parametrised path, and on a path
whose first segment is a converter shared by all rules of that shape (always the
last rule added, so insertion order finds nothing early), and ``MapAdapter.build``
for the parametrised rule.
No external dependencies.
"""

from __future__ import annotations

import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from vial.routing import Map, Rule

SIZES = (10, 100, 1_000, 10_000)
ROUNDS = 3


def make_map(count: int) -> Map:
    """``count`` rules of each shape: static, parametrised, parametrised-first."""
    url_map = Map()
    for index in range(count):
        url_map.add(Rule(f"/static/page{index}", endpoint=f"static{index}"))
        url_map.add(
            Rule(
                f"/api{index}/users/<int:user_id>/posts/<slug>",
                endpoint=f"dynamic{index}",
                methods=["GET"],
            )
        )
        url_map.add(Rule(f"/<lang>/page{index}/<int:id>", endpoint=f"lang{index}"))
    return url_map


def per_call(statement: str, namespace: dict[str, object]) -> float:
    """Best-of-3 CPU time of one call, in microseconds.

    CPU (process) time rather than wall time, so other processes on a busy machine
    do not inflate the figures.
    """
    timer = timeit.Timer(statement, timer=time.process_time, globals=namespace)
    number, _ = timer.autorange()
    return min(timer.repeat(3, number)) / number * 1e6


CASES = {
    "static": "match(static_path, 'GET')",
    "dynamic": "match(dynamic_path, 'GET')",
    "<lang>/..": "match(lang_path, 'GET')",
    "build": "build(endpoint, values)",
}


def main() -> None:
    namespaces = {}
    for count in SIZES:
        url_map = make_map(count)
        url_map.update()
        last = count - 1
        namespaces[count] = {
            "match": url_map.match_path,
            "build": url_map.bind("example.com").build,
            "static_path": f"/static/page{last}",
            "dynamic_path": f"/api{last}/users/42/posts/hello-world",
            "lang_path": f"/en/page{last}/7",
            "endpoint": f"dynamic{last}",
            "values": {"user_id": 42, "slug": "hello-world"},
        }
        assert url_map.match_path(f"/en/page{last}/7", "GET")[1] == {"lang": "en", "id": 7}
    best: dict[tuple[int, str], float] = {}
    # Interleave sizes and take the best round, so a noisy moment hurts no size alone.
    for _ in range(ROUNDS):
        for count in SIZES:
            for name, statement in CASES.items():
                took = per_call(statement, namespaces[count])
                key = (count, name)
                best[key] = min(best.get(key, took), took)
    header = f"{'rules':>7}" + "".join(f" {name + ' us':>14} {'rel':>5}" for name in CASES)
    print(header)
    for count in SIZES:
        cells = []
        for name in CASES:
            value = best[(count, name)]
            cells.append(f" {value:>14.3f} {value / best[(SIZES[0], name)]:>5.2f}")
        print(f"{count * 3:>7}" + "".join(cells))
    print("rules = static + parametrised + parametrised-first, one third each;")
    print("rel = relative to the smallest map; times are CPU microseconds per call.")


if __name__ == "__main__":
    main()
