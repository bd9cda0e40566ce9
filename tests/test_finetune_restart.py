"""Jobs survive their launcher: killing the Jupyter server (or the CLI) that started a training leaves the
trainer running; a new server re-attaches and shows live progress. Plus the CLI face."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import psutil
import pytest
from finetune_data import secret_dataset

from sage_studio_lab import cli
from sage_studio_lab.finetune import tasks

pytestmark = pytest.mark.slow
TOKEN = "restart-test-token"


def dataset_file(tmp_path, n=12):
    return secret_dataset(tmp_path, n)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.jpserver_extensions=sage_studio_lab=True",
        "--no-browser",
        f"--ServerApp.root_dir={tmp_path}",
    ]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"server-{port}.log", "w")
    )
    url = f"http://127.0.0.1:{port}/sage-studio"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/health", headers=auth(), timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, (tmp_path / f"server-{port}.log").read_text()[-2000:]
        time.sleep(0.3)
    raise AssertionError("server did not start")


def auth():
    return {"Authorization": f"token {TOKEN}"}


def test_killing_jupyter_does_not_stop_training_and_a_new_server_reattaches(tmp_path, monkeypatch):
    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    server_a, url_a = start_server(tmp_path)
    try:
        files = {"file": ("secret.jsonl", dataset_file(tmp_path).read_bytes())}
        ds = httpx.post(
            f"{url_a}/api/finetune/upload-dataset", files=files, headers=auth(), timeout=60
        ).json()
        task = httpx.post(
            f"{url_a}/api/finetune/tasks",
            headers=auth(),
            timeout=120,
            json={
                "dataset_id": ds["id"],
                "max_steps": 200,
                "batch_size": 2,
                "max_length": 64,
                "eval_ratio": 0,
                "save_steps": 1000,
            },
        ).json()
        deadline = time.time() + 180
        while not (
            t := httpx.get(f"{url_a}/api/finetune/tasks/{task['id']}", headers=auth(), timeout=30).json()
        )["progress"]:
            assert time.time() < deadline and t["status"] in ("queued", "running"), t
            time.sleep(0.5)
    finally:
        server_a.send_signal(signal.SIGKILL)  # Jupyter dies without any cleanup
        server_a.wait(30)
    pid = t["pid"]
    assert psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # training goes on

    server_b, url_b = start_server(tmp_path)
    try:
        seen = httpx.get(f"{url_b}/api/finetune/tasks/{task['id']}", headers=auth(), timeout=30).json()
        assert seen["status"] == "running" and seen["pid"] == pid
        step = seen["progress"]["step"]
        deadline = time.time() + 120
        while (
            later := httpx.get(f"{url_b}/api/finetune/tasks/{task['id']}", headers=auth(), timeout=30).json()
        )["progress"]["step"] <= step:
            assert time.time() < deadline, "no live progress after the restart"
            time.sleep(0.5)
        assert later["status"] == "running"
        cancelled = httpx.post(
            f"{url_b}/api/finetune/tasks/{task['id']}/cancel", headers=auth(), timeout=60
        ).json()
        assert cancelled["status"] == "cancelled" and not tasks.pid_alive(pid, None)
    finally:
        server_b.terminate()
        server_b.wait(30)


def test_cli_validates_first_then_trains_detached(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "a"}\n')
    assert cli.main(["finetune", "start", "--data", str(bad)]) == 1
    assert "line 2: missing 'output'" in capsys.readouterr().err
    assert tasks.list_tasks() == []

    # the CLI process exits at once (--no-follow); the detached trainer finishes on its own
    env = dict(os.environ)
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "sage_studio_lab.cli",
            "finetune",
            "start",
            "--data",
            str(dataset_file(tmp_path, 8)),
            "--max-steps",
            "3",
            "--batch-size",
            "4",
            "--max-length",
            "64",
            "--eval-ratio",
            "0",
            "--no-follow",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    (task,) = tasks.list_tasks()
    assert cli.main(["finetune", "follow", task["id"]]) == 0  # progress bar to the end, exit 0
    out = capsys.readouterr().out
    assert "step 3/3" in out and "adapter:" in out
    assert cli.main(["finetune", "list"]) == 0 and task["id"] in capsys.readouterr().out
    assert cli.main(["finetune", "logs", task["id"], "-n", "3"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert cli.main(["finetune", "cancel", task["id"]]) == 1  # completed: nothing to cancel
    assert cli.main(["lab", "--list-finetuned"]) == 0 and task["id"] in capsys.readouterr().out
    assert cli.main(["lab", "--use-finetuned", "--dry-run", "--no-llm"]) == 0
    assert "SageStudio.default_model=SmolLM2-135M-Instruct" in capsys.readouterr().out
    from sage_studio_lab.chat.default_model import current_chat_model

    assert current_chat_model()["model"] == task["id"]
