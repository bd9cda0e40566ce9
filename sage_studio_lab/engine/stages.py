"""What a starting engine is doing, readable before its HTTP port answers: the stage file and vLLM's log lines.

The CPU engine writes `<engines dir>/<id>.stage.json` (`StageWriter`, replaced atomically, so a reader never sees
half a file) as it goes through `CPU_STAGES`; the manager reads it (`read_stage`) for `engine.status`. vLLM writes
no such file: its stage is guessed from its log lines (`vllm_stage`). Imports nothing heavy: the Jupyter server
and kernels read stages, only the engine process writes them.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from pathlib import Path

STARTING, MATERIALISING, LOADING, WARMING, RUNNING = (
    "starting",
    "materialising",
    "loading weights",
    "warming up",
    "running",
)
CPU_STAGES = (STARTING, MATERIALISING, LOADING, WARMING)
VLLM_STAGES = (STARTING, LOADING, WARMING)


def stage_path(engines_dir: Path, engine_id: str) -> Path:
    return Path(engines_dir) / f"{engine_id}.stage.json"


class StageWriter:
    """The engine's side: `enter(stage)`, `progress(done, total)` (throttled), `skip(stage)`, `fail(error)`.
    Without a path (an engine started by hand) every call is a no-op."""

    def __init__(self, path: str | Path | None, min_interval: float = 0.2):
        self.path = Path(path) if path else None
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last_write = 0.0
        self.state: dict = {
            "stage": STARTING,
            "progress": None,
            "detail": None,
            "done": [],
            "skipped": [],
            "stage_started_at": time.time(),
            "error": None,
        }
        self._write(force=True)

    def enter(self, stage: str, detail: str | None = None) -> None:
        with self._lock:
            current = self.state["stage"]
            if current != stage and current not in self.state["done"] + self.state["skipped"]:
                self.state["done"].append(current)
            self.state.update(stage=stage, progress=None, detail=detail, stage_started_at=time.time())
        self._write(force=True)

    def skip(self, stage: str) -> None:
        with self._lock:
            self.state["skipped"].append(stage)
        self._write(force=True)

    def progress(self, done: int, total: int | None, unit: str = "") -> None:
        with self._lock:
            self.state["progress"] = round(min(done / total, 1.0), 4) if total else None
            self.state["detail"] = f"{done}/{total} {unit}".strip() if total else None
        self._write(force=bool(total) and done >= total)

    def fail(self, error: str) -> None:
        with self._lock:
            self.state["error"] = error
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        if self.path is None:
            return
        now = time.time()
        with self._lock:
            if not force and now - self._last_write < self.min_interval:
                return
            self._last_write = now
            text = json.dumps({**self.state, "updated_at": now})
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            try:
                tmp.write_text(text)
                os.replace(tmp, self.path)
            except OSError:  # reporting must never stop the engine from starting
                pass


def read_stage(path: Path) -> dict | None:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("stage"), str) else None


# -- vLLM: a best-effort stage from its log ---------------------------------------------------------------
_FRACTION = re.compile(r"(\d+)/(\d+)\s*\[")  # tqdm's "34/67 [00:10<00:10, ...]"
# Markers in the order vLLM prints them; the last one seen wins.
_VLLM_MARKERS = (
    (
        re.compile(r"Starting to load model|Loading safetensors checkpoint shards|Loading pt checkpoint"),
        LOADING,
    ),
    (
        re.compile(
            r"Loading weights took|Model loading took|torch\.compile|Capturing CUDA graph|GPU KV cache size|"
            r"init engine \(profile"
        ),
        WARMING,
    ),
    (re.compile(r"Application startup complete|Starting vLLM API server"), RUNNING),
)


def vllm_stage(log_text: str) -> dict:
    """{"stage", "progress", "detail", "done", "skipped"} from a vLLM log: loading weights (the checkpoint shards'
    fraction), warming up (torch.compile, KV cache, CUDA graph capture with its fraction), running."""
    stage, progress, detail = STARTING, None, None
    for raw in re.split(r"[\r\n]+", log_text):
        line = raw.strip()
        if not line:
            continue
        for pattern, marker in _VLLM_MARKERS:
            if pattern.search(line):
                if marker != stage:
                    progress, detail = None, None
                stage = marker
        fraction = _FRACTION.search(line)
        if fraction and (
            stage == LOADING
            and "checkpoint shards" in line
            or stage == WARMING
            and "Capturing CUDA graph" in line
        ):
            done, total = int(fraction.group(1)), int(fraction.group(2))
            if total:
                progress = round(min(done / total, 1.0), 4)
                detail = f"{done}/{total} {'shards' if stage == LOADING else 'CUDA graphs'}"
    done_stages = list(VLLM_STAGES[: VLLM_STAGES.index(stage)]) if stage in VLLM_STAGES else list(VLLM_STAGES)
    return {"stage": stage, "progress": progress, "detail": detail, "done": done_stages, "skipped": []}


def stage_list(backend: str, info: dict | None, failed: bool = False) -> list[dict]:
    """Every stage of `backend` as {"name", "state": done|current|failed|pending|skipped}, for a view to list."""
    names = VLLM_STAGES if backend == "vllm" else CPU_STAGES
    info = info or {"stage": STARTING, "done": [], "skipped": []}
    out = []
    for name in names:
        if name in info.get("skipped", []):
            state = "skipped"
        elif name in info.get("done", []):
            state = "done"
        elif name == info.get("stage"):
            state = "failed" if failed else "current"
        else:
            state = "pending"
        out.append({"name": name, "state": state})
    return out


def engine_stage(backend: str, stage_file: Path, log_text: str) -> dict | None:
    """The stage of an engine: our CPU engine's stage file, or vLLM's log lines; None when unknown (an engine
    started before stages were reported)."""
    return vllm_stage(log_text) if backend == "vllm" else read_stage(stage_file)


def failure_reason(info: dict | None, log_text: str) -> str:
    """Why and where a start failed: " while <stage>: <error or the last log line>"."""
    where = f" while {info['stage']}" if info and info.get("stage") not in (None, RUNNING) else ""
    why = (info or {}).get("error") or next(
        (ln.strip() for ln in reversed(re.split(r"[\r\n]+", log_text)) if ln.strip()), ""
    )
    return f"{where}: {why[:300]}" if why else where
