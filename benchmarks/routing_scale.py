"""How routing lookup time grows with the number of rules.

Run: ``python benchmarks/routing_scale.py`` (from the repository root, with vial
importable). For 10, 100, 1,000 and 10,000 rules it times ``Map.match_path`` on a
static path and on a parametrised path (the last rule added, so nothing is found
early by insertion order), and ``MapAdapter.build`` for the parametrised rule.
No external dependencies.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from vial.routing import Map, Rule  # noqa: E402

SIZES = (10, 100, 1_000, 10_000)


def make_map(count: int) -> Map:
    """``count`` static rules and ``count`` parametrised rules of realistic shapes."""
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
    return url_map


def per_call(statement: str, namespace: dict[str, object]) -> float:
    """Best-of-5 time of one call, in microseconds."""
    timer = timeit.Timer(statement, globals=namespace)
    number, _ = timer.autorange()
    return min(timer.repeat(5, number)) / number * 1e6


def main() -> None:
    rows = []
    for count in SIZES:
        url_map = make_map(count)
        last = count - 1
        adapter = url_map.bind("example.com")
        namespace: dict[str, object] = {
            "match": url_map.match_path,
            "build": adapter.build,
            "static_path": f"/static/page{last}",
            "dynamic_path": f"/api{last}/users/42/posts/hello-world",
            "endpoint": f"dynamic{last}",
            "values": {"user_id": 42, "slug": "hello-world"},
        }
        url_map.update()
        assert url_map.match_path(f"/api{last}/users/42/posts/x", "GET")[1]["user_id"] == 42
        rows.append(
            (
                count,
                per_call("match(static_path, 'GET')", namespace),
                per_call("match(dynamic_path, 'GET')", namespace),
                per_call("build(endpoint, values)", namespace),
            )
        )
    base = rows[0]
    print(f"{'rules':>8} {'static us':>10} {'rel':>6} {'dynamic us':>11} {'rel':>6} "
          f"{'build us':>9} {'rel':>6}")
    for count, static, dynamic, build in rows:
        print(
            f"{count * 2:>8} {static:>10.3f} {static / base[1]:>6.2f} {dynamic:>11.3f} "
            f"{dynamic / base[2]:>6.2f} {build:>9.3f} {build / base[3]:>6.2f}"
        )
    print("(rules = static + parametrised; rel = relative to the 10+10 rule map)")


if __name__ == "__main__":
    main()
