"""Soak test: an app under gunicorn and uvicorn, a load generator on loopback, a summary.

For each server: start it on a free 127.0.0.1 port, run ``--clients`` keep-alive client
threads against a mix of requests for ``--seconds``, then stop the server by PID. The
first ``--warmup`` fraction of the time is warm-up: latencies are not counted and the
workers' resident memory is sampled when it ends, and again at the end. Prints a table;
exits 1 if any request failed or any server's workers grew by ``--max-growth`` (5 %) or
more after warm-up.

    .venv/bin/python scripts/soak.py --seconds 60
    .venv/bin/python scripts/soak.py --seconds 5 --servers uvicorn

The app defaults to ``tests/server_app.py`` (GET /plaintext, GET /json, POST /echo);
``--app module:attr --app-dir DIR`` serves another one with the same endpoints.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ECHO_BODY = json.dumps({"items": list(range(20)), "text": "x" * 100}).encode()
#: The request mix: (method, path, body).
MIX = [
    ("GET", "/plaintext", None),
    ("GET", "/json", None),
    ("POST", "/echo?tag=soak", ECHO_BODY),
]


@dataclass
class Result:
    server: str
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    rss_start: int = 0
    rss_end: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def p99_ms(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def growth(self) -> float:
        return (self.rss_end - self.rss_start) / self.rss_start if self.rss_start else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_argv(server: str, app: str, port: int, workers: int) -> list[str]:
    if server == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
            "--log-level", "warning", app,
        ]
    return [
        sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "warning", "--no-access-log", f"{app}.asgi",
    ]


@contextlib.contextmanager
def running(argv: list[str], port: int, cwd: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"{argv[2]} exited with {process.returncode}: {error}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{argv[2]} did not listen on {port}")
            time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        if process.stderr is not None:
            process.stderr.close()


def worker_pids(pid: int) -> list[int]:
    """The server's worker processes (its children), or the server itself if it has none."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children or [pid]


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def client_loop(port: int, stop: threading.Event, counting: threading.Event,
                result: Result, lock: threading.Lock, offset: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    requests = errors = 0
    samples: list[str] = []
    i = offset
    while not stop.is_set():
        method, path, body = MIX[i % len(MIX)]
        i += 1
        headers = {"Content-Type": "application/json"} if body else {}
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
            if not ok:
                samples.append(f"{method} {path}: {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            ok = False
            samples.append(f"{method} {path}: {error!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        elapsed = time.perf_counter() - start
        requests += 1
        if not ok:
            errors += 1
        if counting.is_set():
            latencies.append(elapsed)
    conn.close()
    with lock:
        result.requests += requests
        result.errors += errors
        result.latencies.extend(latencies)
        result.error_samples.extend(samples[:3])


def soak(server: str, app: str, app_dir: str, seconds: float, clients: int,
         warmup: float, workers: int) -> Result:
    result = Result(server)
    port = free_port()
    with running(server_argv(server, app, port, workers), port, app_dir) as process:
        stop, counting, lock = threading.Event(), threading.Event(), threading.Lock()
        threads = [
            threading.Thread(target=client_loop, args=(port, stop, counting, result, lock, n))
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds * warmup)
        pids = worker_pids(process.pid)
        result.rss_start = rss_bytes(pids)
        counting.set()
        time.sleep(seconds * (1 - warmup))
        result.rss_end = rss_bytes(pids)
        stop.set()
        for thread in threads:
            thread.join(30)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="per server (default 30)")
    parser.add_argument("--servers", default="gunicorn,uvicorn")
    parser.add_argument("--clients", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--warmup", type=float, default=0.3, help="fraction (default 0.3)")
    parser.add_argument("--max-growth", type=float, default=0.05, help="RSS (default 0.05)")
    parser.add_argument("--app", default="server_app:app")
    parser.add_argument("--app-dir", default=os.path.join(ROOT, "tests"))
    args = parser.parse_args(argv)

    results = [
        soak(name, args.app, args.app_dir, args.seconds, args.clients, args.warmup, args.workers)
        for name in args.servers.split(",")
    ]
    header = f"{'server':<10}{'requests':>10}{'errors':>8}{'req/s':>9}{'p99 ms':>9}"
    header += f"{'RSS start':>12}{'RSS end':>12}{'growth':>9}"
    print(header)
    print("-" * len(header))
    failed = False
    for r in results:
        rate = r.requests / args.seconds
        print(
            f"{r.server:<10}{r.requests:>10}{r.errors:>8}{rate:>9.0f}{r.p99_ms:>9.1f}"
            f"{r.rss_start / 2**20:>10.1f}MB{r.rss_end / 2**20:>10.1f}MB{r.growth:>8.1%}"
        )
        if r.errors or r.requests == 0 or r.growth >= args.max_growth:
            failed = True
        for sample in r.error_samples:
            print(f"  {r.server} error: {sample}")
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
