"""CPU engine subprocesses on the bundled model for tests: start, wait until healthy, and a local + "cloud" pair
(two engines; the second plays an OpenAI-compatible cloud endpoint)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_engine(log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sage_studio_lab.engine.serve", "--port", str(port), "--threads", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            "SAGE_STUDIO_MODELS_CACHE": os.environ.get(
                "SAGE_STUDIO_TEST_MODELS_CACHE",
                str(__import__("pathlib").Path(__file__).parents[1] / ".cache" / "models"),
            ),
        },
    )
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(proc, url, log_path, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"engine exited: {open(log_path).read()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):  # not listening yet
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"engine not healthy in {timeout}s: {open(log_path).read()[-2000:]}")


@contextlib.contextmanager
def engine_pair(logs):
    """{"local": url, "cloud": url}: two engines started at once, stopped on exit."""
    local, local_url = start_engine(logs / "local.log")
    cloud, cloud_url = start_engine(logs / "cloud.log")
    try:
        wait_healthy(local, local_url, logs / "local.log")
        wait_healthy(cloud, cloud_url, logs / "cloud.log")
        yield {"local": local_url, "cloud": cloud_url}
    finally:
        for p in (local, cloud):
            p.terminate()
        for p in (local, cloud):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
