"""Engine start stages (issue #19): the stage file the CPU engine writes, vLLM's stage read from recorded log lines,
adapters called by their fine-tune task's name, and real starts of the bundled model: its stages in order ending
running, a restart that answers while loading and reloads the adapters, a failed start that says at which stage."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sage_studio_lab import api
from sage_studio_lab.engine import EngineManager
from sage_studio_lab.engine.adapter_labels import adapter_labels
from sage_studio_lab.engine.stages import (
    CPU_STAGES,
    StageWriter,
    failure_reason,
    read_stage,
    stage_list,
    vllm_stage,
)
from sage_studio_lab.store import get_store, now

# Recorded from `vllm serve Qwen/Qwen2.5-0.5B-Instruct --enable-lora` (v0.8-0.10 wording; tqdm bars end in \r).
VLLM_LOG = [
    "INFO 12-06 07:57:01 [api_server.py:1043] vLLM API server version 0.9.2",
    "INFO 12-06 07:57:09 [core.py:69] Initializing a V1 LLM engine (v0.9.2) with config: model='Qwen/Qwen2.5-0.5B'",
    "INFO 12-06 07:57:11 [gpu_model_runner.py:1770] Starting to load model Qwen/Qwen2.5-0.5B-Instruct...",
    "INFO 12-06 07:57:11 [weight_utils.py:292] Using model weights format ['*.safetensors']",
    "Loading safetensors checkpoint shards:   0% Completed | 0/2 [00:00<?, ?it/s]\r"
    "Loading safetensors checkpoint shards:  50% Completed | 1/2 [00:00<00:00,  2.10it/s]\r",
    "Loading safetensors checkpoint shards: 100% Completed | 2/2 [00:00<00:00,  3.35it/s]",
    "INFO 12-06 07:57:12 [default_loader.py:272] Loading weights took 0.55 seconds",
    "INFO 12-06 07:57:12 [gpu_model_runner.py:1801] Model loading took 0.9955 GiB and 1.20 seconds",
    "INFO 12-06 07:57:18 [backends.py:508] Using cache directory: /root/.cache/vllm/torch_compile_cache",
    "INFO 12-06 07:57:25 [monitor.py:34] torch.compile takes 10.02 s in total",
    "INFO 12-06 07:57:26 [kv_cache_utils.py:716] GPU KV cache size: 1,234,560 tokens",
    "Capturing CUDA graph shapes:  50%|█████     | 34/67 [00:10<00:10,  3.20it/s]",
    "INFO 12-06 07:57:47 [gpu_model_runner.py:2326] Graph capturing finished in 20 secs, took 0.45 GiB",
    "INFO 12-06 07:57:47 [core.py:172] init engine (profile, create kv cache, warmup model) took 35.12 seconds",
    "INFO 12-06 07:57:48 [api_server.py:1289] Starting vLLM API server 0 on http://127.0.0.1:8001",
    "INFO:     Started server process [4242]",
    "INFO:     Waiting for application startup.",
    "INFO:     Application startup complete.",
]


def _log_until(marker: str) -> str:
    lines = []
    for line in VLLM_LOG:
        lines.append(line)
        if marker in line:
            break
    return "\n".join(lines)


def test_vllm_stage_from_recorded_log_lines():
    assert vllm_stage(_log_until("Initializing a V1"))["stage"] == "starting"
    loading = vllm_stage(_log_until("1/2 [00:00<00:00"))
    assert loading["stage"] == "loading weights" and loading["progress"] == 0.5
    assert loading["detail"] == "1/2 shards" and loading["done"] == ["starting"]
    assert vllm_stage(_log_until("2/2 [00:00"))["progress"] == 1.0
    took = vllm_stage(_log_until("Loading weights took"))
    assert took["stage"] == "warming up" and took["progress"] is None  # a new stage, fraction unknown
    graphs = vllm_stage(_log_until("34/67"))
    assert graphs["stage"] == "warming up" and graphs["progress"] == round(34 / 67, 4)
    assert graphs["detail"] == "34/67 CUDA graphs" and graphs["done"] == ["starting", "loading weights"]
    up = vllm_stage("\n".join(VLLM_LOG))
    assert up["stage"] == "running" and up["done"] == ["starting", "loading weights", "warming up"]
    assert [s["state"] for s in stage_list("vllm", graphs)] == ["done", "done", "current"]


def test_stage_writer_replaces_its_file_and_lists_the_stages(tmp_path):
    path = tmp_path / "e.stage.json"
    writer = StageWriter(path, min_interval=60)
    assert read_stage(path)["stage"] == "starting"
    writer.skip("materialising")
    writer.enter("loading weights")
    writer.progress(1, 272, "tensors")  # throttled: not written yet
    assert read_stage(path)["progress"] is None
    writer.progress(272, 272, "tensors")  # the last step always is
    info = read_stage(path)
    assert info["progress"] == 1.0 and info["detail"] == "272/272 tensors"
    assert [s["state"] for s in stage_list("cpu", info)] == ["done", "skipped", "current", "pending"]
    assert [s["state"] for s in stage_list("cpu", info, failed=True)][2] == "failed"
    writer.fail("OSError: no space left")
    assert failure_reason(read_stage(path), "") == " while loading weights: OSError: no space left"
    assert failure_reason(None, "a\nlast words\n") == ": last words"
    assert not list(tmp_path.glob(".*tmp"))  # replaced atomically, no temp file left behind
    path.write_text("{half")
    assert read_stage(path) is None and read_stage(tmp_path / "none.json") is None
    StageWriter(None).enter("warming up")  # no file given (an engine started by hand): nothing to write


def _task_row(task_id: str, name: str, output_dir: Path) -> None:
    get_store().execute(
        "INSERT INTO finetune_tasks(id, name, base_model, dataset_id, config, status, output_dir, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (task_id, name, "SmolLM2-135M-Instruct", "d1", "{}", "completed", str(output_dir), now(), now()),
    )


def test_adapters_are_labelled_by_their_task_name(tmp_path):
    _task_row("ft-20261206-075716-aacc59", "password-lora", tmp_path)
    labels = adapter_labels(get_store(), ["by-hand", "ft-20261206-075716-aacc59"])
    assert labels == [
        {"id": "by-hand", "label": "by-hand", "task_id": None},
        {"id": "ft-20261206-075716-aacc59", "label": "password-lora", "task_id": "ft-20261206-075716-aacc59"},
    ]
    assert adapter_labels(get_store(), []) == []


def _follow(mgr: EngineManager, timeout: float = 300) -> tuple[list[tuple], dict]:
    """Poll status until it leaves `loading`: the (stage, progress) pairs seen, in order, and the last status."""
    seen: list[tuple] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = mgr.status()
        if status["status"] != "loading":
            return seen, status
        assert status["elapsed_s"] is not None and status["stages"]
        assert status["progress"] is None or 0 <= status["progress"] <= 1
        if not seen or seen[-1] != (status["stage"], status["progress"]):
            seen.append((status["stage"], status["progress"]))
        time.sleep(0.05)
    raise AssertionError(f"still loading after {timeout} s: {seen}")


@pytest.mark.slow
def test_real_start_reports_its_stages_in_order_then_restarts_with_labelled_adapters(tmp_path):
    from test_engine_manager import _make_lora

    mgr = EngineManager()
    first = mgr.start(backend="cpu", wait=False)
    try:
        assert first["status"] == "loading" and [s["name"] for s in first["stages"]] == list(CPU_STAGES)
        seen, status = _follow(mgr)
        assert status["status"] == "running", status["log_tail"]
        assert status["stage"] is None and status["stages"] == [] and status["elapsed_s"] is None
        order = [CPU_STAGES.index(stage) for stage, _ in seen]
        assert order == sorted(order), seen  # never back to an earlier stage
        assert {"loading weights", "warming up"} <= {stage for stage, _ in seen}, seen
        # the stage file itself ends at running: every stage done, materialising skipped (the model is cached)
        info = read_stage(Path(status["log_path"]).with_suffix(".stage.json"))
        assert info["stage"] == "running" and info["skipped"] == ["materialising"]
        assert info["done"] == ["starting", "loading weights", "warming up"]
        assert "Loading weights:" not in status["log_tail"]  # the tensors are counted, not drawn as a bar

        # an adapter of a fine-tune task is listed under the task's name, its LoRA id beside it
        task_id = "ft-20261206-075716-aacc59"
        _task_row(task_id, "password-lora", tmp_path)
        mgr.load_adapter(task_id, str(_make_lora(tmp_path / "lora")))
        listed = api.invoke("engine.adapters")
        listed = listed if isinstance(listed, dict) else listed.model_dump()
        assert listed["adapters"] == [task_id]
        assert listed["labels"] == [{"id": task_id, "label": "password-lora", "task_id": task_id}]

        # restart answers while loading (the panel follows the stages), then reloads the adapter
        restarted = api.invoke("engine.restart", {"wait": False})
        restarted = restarted if isinstance(restarted, dict) else restarted.model_dump()
        assert restarted["status"] == "loading" and restarted["id"] != status["id"]
        _, again = _follow(mgr)
        assert again["status"] == "running", again["log_tail"]
        deadline = time.monotonic() + 120
        while mgr.status()["adapters"] != [task_id] and time.monotonic() < deadline:
            time.sleep(0.25)
        assert mgr.status()["adapter_labels"][0]["label"] == "password-lora"
    finally:
        assert mgr.stop()["status"] == "stopped"


@pytest.mark.slow
def test_a_failed_start_says_at_which_stage_and_why(tmp_path):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"model_type": "llama"}))  # no weights, no tokenizer
    mgr = EngineManager()
    with pytest.raises(Exception) as err:
        mgr.start(model=str(broken), backend="cpu", timeout=300)
    status = mgr.status()
    assert status["status"] == "failed"
    assert " while loading weights: " in status["error"], status["error"]
    assert " while loading weights: " in str(err.value)
    assert {"name": "loading weights", "state": "failed"} in status["stages"]
    assert status["progress"] is None and status["elapsed_s"] is None
