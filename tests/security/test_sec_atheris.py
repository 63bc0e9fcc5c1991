"""A short run of each coverage-guided fuzz target in ``fuzz/`` (the long run: fuzz/README.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris", reason="atheris is not installed (pip install atheris)")

FUZZ_DIR = Path(__file__).resolve().parents[2] / "fuzz"
SECONDS = int(os.environ.get("VIAL_FUZZ_SECONDS", "6"))

SEEDS = {
    "fuzz_multipart.py": [
        b"\x00\x10\x01--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n",
    ],
    "fuzz_cookies.py": [b"\x00a=b; c=\"d\\073\"; =e", b"\x02\x05name=value"],
}


def test_fuzz_targets_short_run(tmp_path: Path) -> None:
    # Both at once: most of a short run is atheris instrumenting the imports.
    runs = {}
    for target, seeds in SEEDS.items():
        work = tmp_path / target.removesuffix(".py")
        corpus = work / "corpus"
        corpus.mkdir(parents=True)
        for n, seed in enumerate(seeds):
            (corpus / f"seed{n}").write_bytes(seed)
        argv = [
            sys.executable,
            str(FUZZ_DIR / target),
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=1024",
            "-timeout=5",
            f"-artifact_prefix={work}/",
            str(corpus),
        ]
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs[target] = (process, work)
    for target, (process, work) in runs.items():
        try:
            output = process.communicate(timeout=SECONDS + 90)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
        assert process.returncode == 0, f"{target}:\n{output[-3000:]}"
        assert "Done" in output, output[-3000:]
        assert not list(work.glob("crash-*")), output[-3000:]
