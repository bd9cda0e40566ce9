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


def start_engine(log_path, api_key: str | None = None, args=()) -> tuple[subprocess.Popen, str]:
    """A CPU engine; with `api_key` its /v1 routes need it (given as Studio gives it: `$VLLM_API_KEY`)."""
    port = free_port()
    log = open(log_path, "wb")
    env = {k: v for k, v in os.environ.items() if k != "VLLM_API_KEY"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sage_studio_lab.engine.serve", "--port", str(port), "--threads", "1", *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={
            **env,
            **({"VLLM_API_KEY": api_key} if api_key else {}),
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
def engine_pair(logs, keys: dict | None = None):
    """{"local": url, "cloud": url}: two engines started at once (each with its key in `keys`, if any), stopped
    on exit."""
    keys = keys or {}
    local, local_url = start_engine(logs / "local.log", keys.get("local"))
    cloud, cloud_url = start_engine(logs / "cloud.log", keys.get("cloud"))
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
