"""``--servers``: requests per second and p99 latency with real servers on loopback.

Each app is started under each server that speaks its interface — gunicorn (WSGI, one ``gthread``
worker so connections are kept alive), uvicorn (ASGI) and granian (both), all with one worker — on a
free port of 127.0.0.1. One request per endpoint is checked with the harness's checks first; an app
that answers wrongly is not loaded. The load comes from ``wrk`` when it is on PATH, otherwise from a
small asyncio load generator in this file (which shares the two cores with the server, so its
figures are lower; ``benchmarks/run --servers`` installs wrk when it can). The server is pinned to
the first CPU and wrk to the second. Every load run is bounded in time, and the server is stopped by its PID.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import Endpoint, Framework, Response, check_response

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 32


@dataclass(frozen=True)
class Server:
    name: str
    interface: str

    def command(self, target: str, port: int) -> list[str]:
        bin_dir = Path(sys.executable).parent
        if self.name == "gunicorn":
            return [
                str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--worker-class", "gthread", "--threads", "4", "--log-level", "warning", target,
            ]  # fmt: skip
        if self.name == "uvicorn":
            return [
                str(bin_dir / "uvicorn"), "--host", "127.0.0.1", "--port", str(port),
                "--workers", "1", "--no-access-log", "--log-level", "warning", target,
            ]  # fmt: skip
        return [
            str(bin_dir / "granian"), "--interface", self.interface, "--host", "127.0.0.1",
            "--port", str(port), "--workers", "1", "--no-ws", "--log-level", "warning", target,
        ]  # fmt: skip


SERVERS = (
    Server("gunicorn", "wsgi"),
    Server("granian", "wsgi"),
    Server("uvicorn", "asgi"),
    Server("granian", "asgi"),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _request(port: int, endpoint: Endpoint, timeout: float = 5.0) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        target = endpoint.path + (f"?{endpoint.query}" if endpoint.query else "")
        headers = {"Content-Type": endpoint.request_content_type} if endpoint.request_content_type else {}
        connection.request(endpoint.method, target, body=endpoint.body or None, headers=headers)
        reply = connection.getresponse()
        return Response(reply.status, [(k.lower(), v) for k, v in reply.getheaders()], reply.read())
    finally:
        connection.close()


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, endpoint: Endpoint) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            _request(port, endpoint, timeout=1.0)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not answer within 30 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            # The server runs in its own session (start_new_session): end its workers with it.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


# --------------------------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------------------------


@dataclass
class Load:
    requests_per_second: float
    p99_ms: float | None
    errors: int


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

# The server runs on the first CPU and wrk on the second, so neither takes the other's time
# (on a machine with one CPU, or without sched_setaffinity, nothing is pinned).
_PIN = hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) >= 2
_SERVER_CPU, _LOAD_CPU = 0, 1


def _pinned_to(cpu: int) -> Any:
    """A ``preexec_fn`` that pins the child process to ``cpu`` (``None`` when not pinning)."""
    if not _PIN:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def _wrk(port: int, endpoint: Endpoint, duration: float) -> Load:
    url = f"http://127.0.0.1:{port}{endpoint.path}" + (f"?{endpoint.query}" if endpoint.query else "")
    command = ["wrk", "-t", "1", "-c", str(CONNECTIONS), "-d", f"{max(1, round(duration))}s", "--latency", url]
    with tempfile.TemporaryDirectory() as folder:
        if endpoint.method != "GET":
            script = Path(folder) / "request.lua"
            body = endpoint.body.decode().replace("\\", "\\\\").replace('"', '\\"')
            script.write_text(
                f'wrk.method = "{endpoint.method}"\nwrk.body = "{body}"\n'
                f'wrk.headers["Content-Type"] = "{endpoint.request_content_type}"\n',
                encoding="utf-8",
            )
            command[1:1] = ["-s", str(script)]
        output = subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=duration + 30, preexec_fn=_pinned_to(_LOAD_CPU)
        ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return Load(
        float(rate.group(1)) if rate else 0.0,
        float(p99.group(1)) * _WRK_UNITS[p99.group(2)] if p99 else None,
        errors,
    )


async def _python_load(port: int, endpoint: Endpoint, duration: float) -> Load:
    """Keep-alive HTTP/1.1 clients on CONNECTIONS sockets, each sending the next request on reply."""
    target = endpoint.path + (f"?{endpoint.query}" if endpoint.query else "")
    head = f"{endpoint.method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if endpoint.request_content_type:
        head += f"Content-Type: {endpoint.request_content_type}\r\n"
    if endpoint.body:
        head += f"Content-Length: {len(endpoint.body)}\r\n"
    request = head.encode() + b"\r\n" + endpoint.body
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + duration

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                writer.write(request)
                status_line = await reader.readline()
                status = int(status_line.split()[1])
                length, chunked = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                if chunked:
                    while (size := int((await reader.readline()).split(b";")[0], 16)) != 0:
                        await reader.readexactly(size + 2)
                    await reader.readline()
                else:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else None
    return Load(len(latencies) / elapsed, p99, errors)


def _load(port: int, endpoint: Endpoint, duration: float) -> Load:
    if shutil.which("wrk"):
        return _wrk(port, endpoint, duration)
    return asyncio.run(_python_load(port, endpoint, duration))


# --------------------------------------------------------------------------------------------
# The mode
# --------------------------------------------------------------------------------------------


def _target(framework: Framework) -> str:
    return f"{framework.module}:{framework.attribute}"


def _measure(server: Server, framework: Framework, endpoints: Sequence[Endpoint], duration: float) -> dict[str, Any]:
    if shutil.which(server.command("x", 0)[0]) is None:
        return {"error": f"{server.name} is not installed"}
    with tempfile.TemporaryFile() as log:
        port = _free_port()
        # The server's output goes to a file, not a pipe: a pipe nobody reads could block the server.
        process = subprocess.Popen(
            server.command(_target(framework), port),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_pinned_to(_SERVER_CPU),
        )
        try:
            try:
                _wait_until_serving(process, port, endpoints[0])
            except RuntimeError as error:
                _stop(process)
                log.seek(0)
                output = log.read().decode(errors="replace").strip().splitlines()
                return {"error": f"{error}: {output[-1] if output else 'no output'}"}
            _load(port, endpoints[0], 1.0)  # warm-up, not counted: the first requests are slow
            results: dict[str, Any] = {}
            for endpoint in endpoints:
                problem = check_response(endpoint, _request(port, endpoint))
                if problem is not None:
                    results[endpoint.name] = {"error": problem}
                    continue
                load = _load(port, endpoint, duration)
                results[endpoint.name] = {
                    "requests_per_second": load.requests_per_second,
                    "p99_ms": load.p99_ms,
                    "errors": load.errors,
                }
                print(
                    f"    {endpoint.name:<10} {load.requests_per_second:9.0f} req/s  p99 "
                    f"{load.p99_ms if load.p99_ms is not None else float('nan'):.2f} ms  errors {load.errors}",
                    file=sys.stderr,
                    flush=True,
                )
            return results
        finally:
            _stop(process)


def _cell(result: dict[str, Any]) -> str:
    if "error" in result:
        return "FAILED"
    text = f"{result['requests_per_second']:,.0f} / {result['p99_ms']:.1f}" if result["p99_ms"] is not None else "?"
    return text + (f" ({result['errors']} errors)" if result["errors"] else "")


def run(frameworks: Sequence[Framework], endpoints: Sequence[Endpoint], quick: bool = False) -> dict[str, Any]:
    duration = 1.0 if quick else 5.0
    generator = "wrk" if shutil.which("wrk") else "the built-in Python load generator"
    print(
        f"## Real servers on 127.0.0.1: requests/s / p99 ms ({generator}, {CONNECTIONS} connections, "
        f"{duration:.0f} s per cell, one worker)\n",
        flush=True,
    )
    results: dict[str, Any] = {}
    columns: list[tuple[str, str]] = []
    for server in SERVERS:
        for framework in frameworks:
            if framework.interface != server.interface:
                continue
            column = f"{framework.label} on {server.name}"
            print(f"  {column}", file=sys.stderr, flush=True)
            results[column] = _measure(server, framework, endpoints, duration)
            columns.append((column, framework.key))
    lines = ["| server / app | " + " | ".join(f"`{e.label}`" for e in endpoints) + " |",
             "|---|" + "---:|" * len(endpoints)]
    problems = []
    for column, _ in columns:
        result = results[column]
        if "error" in result:
            lines.append(f"| {column} | " + " | ".join("FAILED" for _ in endpoints) + " |")
            problems.append(f"- {column}: {result['error']}")
            continue
        lines.append(f"| {column} | " + " | ".join(_cell(result[e.name]) for e in endpoints) + " |")
        problems.extend(f"- {column} {e.name}: {result[e.name]['error']}" for e in endpoints if "error" in result[e.name])
    print("\n".join(lines))
    if problems:
        print("\nFAILED:")
        print("\n".join(problems))
    print()
    return results
