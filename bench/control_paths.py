"""Control paths of the Studio against Jupyter's own, on one real Jupyter server, in the same run.

    .venv/bin/python bench/control_paths.py [--requests 300]

GET <base>/sage-studio/api/health vs Jupyter's GET <base>/api/status: both authenticated, over one kept-alive
connection, requests alternating so both see the same noise. Target (#22): health p50 <= 1.5x status p50.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

TARGET_RATIO = 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, SAGE_STUDIO_HOME=home)
        argv = [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            f"--ServerApp.root_dir={home}",
        ]
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        paths = {"health": "/sage-studio/api/health", "jupyter_status": "/api/status"}
        try:
            with httpx.Client(headers={"Authorization": f"token {token}"}, timeout=10) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        if client.get(base + paths["health"]).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the Jupyter server did not start")
                    time.sleep(0.2)
                times: dict[str, list[float]] = {name: [] for name in paths}
                for i in range(args.requests + 20):
                    for name, path in paths.items():
                        t0 = time.perf_counter()
                        client.get(base + path).raise_for_status()
                        if i >= 20:  # warm-up
                            times[name].append(1000 * (time.perf_counter() - t0))
        finally:
            proc.terminate()
            proc.wait(20)
    report = {
        name: {"p50_ms": statistics.median(v), "p90_ms": pct(v, 0.9), "p99_ms": pct(v, 0.99)}
        for name, v in times.items()
    }
    ratio = report["health"]["p50_ms"] / report["jupyter_status"]["p50_ms"]
    report["health_vs_status_p50"] = ratio
    report["target_met"] = ratio <= TARGET_RATIO
    report["loadavg"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
