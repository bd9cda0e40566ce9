"""EngineManager: argv building, and one real engine's life: start, re-attach, adapters, kill -9, restart, stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import MODELS_CACHE

from sage_studio_lab.engine import EngineManager, backends
from sage_studio_lab.errors import Conflict, InvalidInput, ModelNotFound, Unavailable

MODEL = "SmolLM2-135M-Instruct"


def test_vllm_command_is_an_argv_list_with_runtime_lora():
    argv, env = backends.vllm_command(
        "/models/qwen", 8001, gpu_memory_utilization=0.8, quantization="awq", served_name="qwen"
    )
    assert argv == [
        "vllm",
        "serve",
        "/models/qwen",
        "--host",
        "127.0.0.1",
        "--port",
        "8001",
        "--enable-lora",
        "--max-lora-rank",
        "64",
        "--max-loras",
        "4",
        "--gpu-memory-utilization",
        "0.8",
        "--served-model-name",
        "qwen",
        "--quantization",
        "awq",
    ]
    assert env == {"VLLM_ALLOW_RUNTIME_LORA_UPDATING": "True"}
    argv, _ = backends.vllm_command("m", 9000)
    assert "--quantization" not in argv and argv[argv.index("--gpu-memory-utilization") + 1] == "0.9"


def test_bad_vllm_options_are_refused():
    with pytest.raises(InvalidInput):
        backends.vllm_command("m", 8001, gpu_memory_utilization=1.5)
    with pytest.raises(InvalidInput):
        backends.vllm_command("m", 8001, quantization="zip")
    with pytest.raises(InvalidInput):
        backends.build_command("cpu", "m", 8001, quantization="awq")


def test_cpu_command_runs_our_server():
    argv, env = backends.build_command("cpu", MODEL, 8123)
    assert argv[:3] == [sys.executable, "-m", "sage_studio_lab.engine.serve"]
    assert argv[argv.index("--port") + 1] == "8123" and env == {}


def test_auto_backend_picks_vllm_only_with_vllm_and_a_gpu(monkeypatch):
    monkeypatch.setattr(backends, "vllm_importable", lambda: True)
    monkeypatch.setattr(backends.gpu, "gpu_available", lambda: False)
    assert backends.choose_backend("auto") == "cpu"
    monkeypatch.setattr(backends.gpu, "gpu_available", lambda: True)
    assert backends.choose_backend("auto") == "vllm"
    monkeypatch.setattr(backends, "vllm_importable", lambda: False)
    assert backends.choose_backend("auto") == "cpu"
    assert backends.choose_backend("cpu") == "cpu"
    with pytest.raises(Unavailable):
        backends.choose_backend("vllm")
    with pytest.raises(InvalidInput):
        backends.choose_backend("tpu")


def test_status_without_engine_and_unknown_model():
    mgr = EngineManager()
    assert mgr.status()["status"] == "stopped" and mgr.base_url() is None
    assert mgr.endpoint() == {"status": "stopped", "id": None, "model": None, "base_url": None}
    with pytest.raises(ModelNotFound):
        mgr.start(model="no-such-model", backend="cpu")
    assert mgr.status()["status"] == "stopped"
    with pytest.raises(InvalidInput):
        mgr.load_adapter("x", "/nowhere")  # no adapter_config there: refused before any engine call
    assert mgr.stop()["status"] == "stopped"


@pytest.mark.slow
def test_start_timeout_is_a_clear_error_with_the_log_tail():
    mgr = EngineManager()
    with pytest.raises(Unavailable) as err:
        mgr.start(backend="cpu", timeout=0.5)
    assert "not ready within" in err.value.message and "starting cpu engine" in err.value.message
    status = mgr.status()
    assert status["status"] == "stopped" and status["pid"] is None


def test_engine_nice_is_configurable_and_bounded(monkeypatch):
    from traitlets import TraitError
    from traitlets.config import Config

    from sage_studio_lab.server.app import SageStudio
    from sage_studio_lab.settings import Settings

    assert SageStudio().to_settings().engine_nice == 0  # as the kernels: a niced engine starves behind them
    assert SageStudio(config=Config({"SageStudio": {"engine_nice": 12}})).to_settings().engine_nice == 12
    with pytest.raises(TraitError, match="19"):
        SageStudio(config=Config({"SageStudio": {"engine_nice": 25}}))
    monkeypatch.setenv("SAGE_STUDIO_ENGINE_NICE", "3")  # kernels and the CLI
    assert Settings.from_env().engine_nice == 3
    monkeypatch.setenv("SAGE_STUDIO_ENGINE_NICE", "low")
    with pytest.raises(ValueError, match="SAGE_STUDIO_ENGINE_NICE must be a whole number, not 'low'"):
        Settings.from_env()


def test_supervisor_lowers_priority_only_for_its_own_session(tmp_path):
    # /proc/self/autogroup is empty for a process in the kernel's default group (e.g. one never started with setsid)
    probe = (
        "import os, pathlib; p = pathlib.Path('/proc/self/autogroup'); "
        "print(os.nice(0), ((p.read_text() if p.exists() else '').split() or ['none'])[-1])"
    )

    def run(nice: str, own_session: bool) -> list[str]:
        log = tmp_path / f"{nice}-{own_session}.log"
        args = [str(tmp_path / "exit.json"), str(log), "--nice", nice, "--", sys.executable, "-c", probe]
        cmd = [sys.executable, "-m", "sage_studio_lab.engine.supervise", *args]
        done = subprocess.run(cmd, start_new_session=own_session, timeout=60)
        assert done.returncode == 0, log.read_text() if log.exists() else "no log"
        return log.read_text().split()

    mine = os.nice(0)
    before = Path("/proc/self/autogroup").read_text() if Path("/proc/self/autogroup").exists() else None
    nice, group = run("3", own_session=True)
    assert int(nice) == mine + 3 and group in ("3", "none")
    nice, group = run("2", own_session=False)  # our session: the process is reniced, the session is not
    assert int(nice) == mine + 2
    if before is not None:
        assert Path("/proc/self/autogroup").read_text() == before
    bad = [sys.executable, "-m", "sage_studio_lab.engine.supervise", "x", "y", "--nice", "--", "true"]
    assert subprocess.run(bad, capture_output=True, timeout=60).returncode == 2


def _make_lora(out: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(Path(MODELS_CACHE) / MODEL)
    get_peft_model(
        base, LoraConfig(r=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    ).save_pretrained(out)
    return out


@pytest.mark.slow
def test_engine_lifecycle_reattach_adapters_kill9_restart_stop(tmp_path, monkeypatch):
    # the default is 0; the renice path is what is tested here
    monkeypatch.setenv("SAGE_STUDIO_ENGINE_NICE", "5")
    mgr = EngineManager()
    status = mgr.start(backend="cpu", timeout=240)
    try:
        assert status["status"] == "running" and status["backend"] == "cpu" and status["model"] == MODEL
        # a configured niceness applies to the engine's own process and its session
        assert status["options"]["nice"] == 5
        assert psutil.Process(status["pid"]).nice() == psutil.Process().nice() + 5
        autogroup = Path(f"/proc/{status['pid']}/autogroup")
        if autogroup.exists():  # Linux with autogroup: sessions share CPU by their own niceness
            assert autogroup.read_text().split()[-1] == "5"
        assert status["base_url"] == f"http://127.0.0.1:{status['port']}" and status["rss_bytes"] > 0
        # the light read the chat gateway and flows use agrees with the full status
        assert mgr.endpoint() == {k: status[k] for k in ("status", "id", "model", "base_url")}
        row = mgr.store.query_one("SELECT * FROM engines WHERE id=?", (status["id"],))
        assert json.loads(row["argv"])[1:3] == ["-m", "sage_studio_lab.engine.serve"]
        assert Path(row["log_path"]).is_file() and row["pid"] and row["pid_create_time"]

        # starting the same thing again is idempotent; a different model is a conflict
        assert mgr.start(backend="cpu")["id"] == status["id"]
        with pytest.raises(Conflict):
            mgr.start(model=str(Path(MODELS_CACHE) / MODEL), backend="cpu")

        # another process (think: a notebook kernel) re-attaches to the same engine through the store
        code = "from sage_studio_lab.engine import EngineManager; import json; print(json.dumps(EngineManager().status()))"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy(), timeout=120
        )
        other = json.loads(out.stdout)
        assert other["status"] == "running" and other["pid"] == status["pid"] and other["id"] == status["id"]

        # a hot-swapped adapter is listed in status and survives a restart
        adapter = _make_lora(tmp_path / "lora")
        loaded = mgr.load_adapter("mine", str(adapter))
        assert loaded["name"] == "mine" and mgr.status()["adapters"] == ["mine"]

        # kill -9: status says failed, with the exit code and the log
        engine_pid = status["pid"]
        os.kill(engine_pid, signal.SIGKILL)
        for _ in range(100):
            if mgr.status()["status"] == "failed":
                break
            time.sleep(0.1)
        failed = mgr.status()
        assert failed["status"] == "failed" and failed["exit_code"] == -signal.SIGKILL
        assert "engine exited with code" in failed["error"] and "ready:" in failed["log_tail"]
        assert failed["base_url"] is None and "ready:" in mgr.logs(50)
        assert mgr.endpoint()["status"] == "failed" and mgr.endpoint()["base_url"] is None

        restarted = mgr.restart(timeout=240)
        assert restarted["status"] == "running" and restarted["id"] != status["id"]
        assert restarted["adapters"] == ["mine"]
        assert mgr.unload_adapter("mine")["unloaded"] and mgr.status()["adapters"] == []
    finally:
        final = mgr.stop()
    assert final["status"] == "stopped"
    assert not psutil.pid_exists(restarted["pid"]) or psutil.Process(restarted["pid"]).status() == "zombie"
