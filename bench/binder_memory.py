"""Memory of what a Binder user runs (mybinder gives ~2 GB): the Lab, its engine and the tour's kernel.

Starts `jupyter lab` through binder/start with the argv `sage-studio lab` builds (engine auto-started), runs
notebooks/00-tour.ipynb cell by cell in a kernel that server started (REST session + nbclient on its connection
file), samples RSS/USS/PSS of the server's process tree every 0.5 s and prints the tree at the peak and the totals.
Exits non-zero only when it cannot run (server, tour); the figures themselves never fail it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import nbformat
import psutil
from jupyter_client.asynchronous import AsyncKernelClient
from nbclient import NotebookClient

from sage_studio_lab.commands.lab import TOUR, lab_argv

REPO = Path(__file__).resolve().parents[1]
TOKEN = "bench"
MIB = 1024 * 1024
ROLES = [("engine.supervise", "engine supervisor"), ("engine.serve", "engine"), ("ipykernel", "kernel")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port: int, method: str, path: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


class Sampler(threading.Thread):
    """Samples the server's process tree; keeps the rows of the sample whose PSS sum is highest.

    PSS splits shared pages (torch and Python libraries mapped by several processes) among their users, so its sum
    is the closest figure to what the container's memory limit counts; RSS sums count shared pages once per
    process (too high), USS sums not at all (too low).
    """

    def __init__(self, root: psutil.Process):
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.seen: dict[
            int, psutil.Process
        ] = {}  # every process ever in the tree: cleanup stops the leftovers
        self.peak_rows: list[tuple] = []
        self.peak = {"rss": 0, "uss": 0, "pss": 0}
        self.samples = 0

    def snapshot(self) -> list[tuple]:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the server is gone
            return []
        rows = []
        for p in procs:
            try:
                mem, cmd = p.memory_full_info(), " ".join(p.cmdline())
            except psutil.Error:  # exited between listing and reading
                continue
            self.seen.setdefault(p.pid, p)
            role = "jupyter lab (server)" if p.pid == self.root.pid else p.name()
            role = next((r for key, r in ROLES if key in cmd), role)
            rows.append((p.pid, role, mem.rss, mem.uss, mem.pss))
        return rows

    def record(self, rows: list[tuple]) -> None:
        self.samples += 1
        for i, key in enumerate(("rss", "uss", "pss"), start=2):
            self.peak[key] = max(self.peak[key], sum(r[i] for r in rows))
        if sum(r[4] for r in rows) >= sum(r[4] for r in self.peak_rows):
            self.peak_rows = rows

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.record(self.snapshot())


def wait_for_server(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            api(port, "GET", "/api/status")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Jupyter server did not come up (exit {server.poll()})") from None
            time.sleep(0.2)


async def run_tour(connection_file: Path, notebook: Path) -> None:
    """Run every cell through the server's kernel; nbclient raises CellExecutionError naming a failing cell."""
    kc = AsyncKernelClient()
    kc.load_connection_file(str(connection_file))
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=120)
        nb = nbformat.read(notebook, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3")
        client.kc = kc  # the server owns the kernel: nbclient only talks to it
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
    finally:
        kc.stop_channels()


def print_table(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}\n{'pid':>8}  {'process':<22}{'RSS MiB':>10}{'USS MiB':>10}{'PSS MiB':>10}")
    for pid, role, rss, uss, pss in sorted(rows):
        print(f"{pid:>8}  {role:<22}{rss / MIB:>10.1f}{uss / MIB:>10.1f}{pss / MIB:>10.1f}")
    totals = [sum(r[i] for r in rows) / MIB for i in (2, 3, 4)]
    print(f"{'':>8}  {'total':<22}{totals[0]:>10.1f}{totals[1]:>10.1f}{totals[2]:>10.1f}")


def stop_all(port: int, server: subprocess.Popen, sampler: Sampler) -> None:
    # The engine is detached on purpose (it outlives a server): ask the server to stop it, then stop the server
    # (which shuts its kernels down), then whatever of the tree is still alive.
    try:
        api(port, "POST", "/sage-studio/api/engine/stop", {})
    except Exception as exc:
        print(f"[bench] engine stop through the server failed: {exc}", file=sys.stderr)
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    left = [p for p in sampler.seen.values() if p.is_running()]
    for p in left:
        p.terminate()
    for p in psutil.wait_procs(left, timeout=10)[1]:
        p.kill()


def main() -> int:
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="binder-memory-"))
    (tmp / "notebooks").mkdir()
    shutil.copy(REPO / TOUR, tmp / TOUR)  # a copy: running it must not touch the working tree
    env = dict(
        os.environ,
        HOME=str(tmp / "home"),
        SAGE_STUDIO_HOME=str(tmp / "studio"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        # The materialised model (binder/start would default to $HOME's cache, empty in a temp HOME).
        SAGE_STUDIO_MODELS_CACHE=os.environ.get("SAGE_STUDIO_MODELS_CACHE", str(REPO / ".cache" / "models")),
    )
    port = _port()
    args = argparse.Namespace(ip="127.0.0.1", port=port, notebook_dir=str(tmp), token=TOKEN)
    args.no_llm, args.llm_model = False, None
    # `sage-studio lab`'s own argv, minus opening a browser (this runs headless).
    argv = [a for a in lab_argv(args) if "open_browser" not in a and a != "--no-browser"] + ["--no-browser"]
    log = open(tmp / "server.log", "wb")  # closed in finally, after the server exits
    server = subprocess.Popen(
        [str(REPO / "binder" / "start"), *argv], env=env, cwd=tmp, stdout=log, stderr=log
    )
    sampler = Sampler(psutil.Process(server.pid))  # binder/start execs: same pid as the server
    sampler.start()
    try:
        wait_for_server(port, server)
        body = {"path": TOUR, "name": Path(TOUR).name, "type": "notebook", "kernel": {"name": "python3"}}
        kernel_id = api(port, "POST", "/api/sessions", body)["kernel"]["id"]
        t_tour = time.perf_counter()
        asyncio.run(run_tour(tmp / "runtime" / f"kernel-{kernel_id}.json", tmp / TOUR))
        tour_s = time.perf_counter() - t_tour
        after = sampler.snapshot()  # the tree at rest, the tour done
    except BaseException:
        log.flush()
        print((tmp / "server.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        sampler.done.set()
        sampler.join()  # before stop_all reads sampler.seen
        stop_all(port, server, sampler)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print_table("process tree at the peak (highest PSS sum, sampled every 0.5 s):", sampler.peak_rows)
    print_table("process tree after the tour (its last cell stops the engine):", after)
    peak = {k: v / MIB for k, v in sampler.peak.items()}
    print(
        f"\npeak totals over {sampler.samples} samples: RSS {peak['rss']:.1f} MiB, USS {peak['uss']:.1f} MiB,"
        f" PSS {peak['pss']:.1f} MiB (mybinder limit ~2048 MiB)"
    )
    print(f"tour ran in {tour_s:.1f} s; whole run {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
