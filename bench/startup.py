"""Jupyter server start time with and without the Studio extension (median of N starts, same run).

Start = process launch until GET /api/status answers. Prints both and their ratio.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TOKEN = "bench"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_time(enabled: bool) -> float:
    port = _port()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, SAGE_STUDIO_HOME=home)
        config = os.path.join(home, "bench_config.json")
        with open(config, "w") as f:
            json.dump({"ServerApp": {"jpserver_extensions": {"sage_studio_lab": enabled}}}, f)
        argv = [
            sys.executable,
            "-m",
            "jupyter",
            "server",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--config={config}",
            "--allow-root",
            f"--ServerApp.root_dir={home}",
        ]
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    req = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {TOKEN}"}
                    )
                    urllib.request.urlopen(req, timeout=2)
                    return time.perf_counter() - t0
                except Exception:
                    if proc.poll() is not None:
                        raise RuntimeError("server exited") from None
                    time.sleep(0.05)
        finally:
            proc.terminate()
            proc.wait(20)


def main() -> None:
    without = statistics.median(start_time(False) for _ in range(RUNS))
    with_ext = statistics.median(start_time(True) for _ in range(RUNS))
    print(f"server start without extension: {without:.2f} s (median of {RUNS})")
    print(f"server start with extension:    {with_ext:.2f} s (median of {RUNS})")
    print(f"ratio with/without: {with_ext / without:.2f}x  (added {1000 * (with_ext - without):.0f} ms)")


if __name__ == "__main__":
    main()
