"""LoRA adapters on the served base weights (PEFT multi-adapter), loaded and unloaded between decode steps.

The base weights may be oneDNN-prepacked (packed.py): LoRA wraps a packed layer as any `nn.Linear` and reads only
its shape and dtype. An adapter whose set-up reads the base weights themselves (DoRA's norms, PiSSA/OLoRA-style
initialisations) gets the dense weights back first; they are packed again once no adapter is left.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...openai_wire import ApiError
from . import packed
from .scheduler import Scheduler


def reads_base_weights(folder: Path) -> bool:
    try:
        config = json.loads((folder / "adapter_config.json").read_text())
    except (OSError, ValueError):
        return True  # unknown: the safe side
    init = config.get("init_lora_weights", True)
    return bool(config.get("use_dora")) or (isinstance(init, str) and init != "gaussian")


def load_adapter(sched: Scheduler, name: str, path: str) -> None:
    from peft import PeftModel

    folder = Path(path).expanduser()
    if not (folder / "adapter_config.json").exists():
        raise ApiError(f"{path} is not a LoRA adapter folder (no adapter_config.json)", 400, "lora_path")
    with sched.between_steps():  # waits for the current step; streams in flight just pause for the load
        if name in sched.adapters:
            raise ApiError(f"The lora adapter '{name}' has already been loaded.", 400, "lora_name")
        if reads_base_weights(folder):
            packed.unpack(sched.model)
        try:
            if isinstance(sched.model, PeftModel):
                sched.model.load_adapter(str(folder), adapter_name=name)
            else:
                sched.model = PeftModel.from_pretrained(sched.model, str(folder), adapter_name=name)
        except Exception as exc:  # wrong base model, bad weights...: the request fails, the server stays up
            if sched.prepack and not sched.adapters:
                packed.pack(sched.model)
            raise ApiError(f"could not load adapter '{name}' from {path}: {exc}", 400, "lora_path") from exc
        finally:
            sched.adapters_changed()
        sched.model.eval()
        sched.adapters[name] = str(folder)


def unload_adapter(sched: Scheduler, name: str) -> None:
    with sched.between_steps():
        if name not in sched.adapters:
            raise ApiError(f"The lora adapter '{name}' cannot be found.", 404, "lora_name")
        for seq in [*sched.active, *sched.pending]:  # requests still on that adapter end now
            if seq.adapter == name and seq.finish_reason is None:
                seq.cancelled = True
                seq.emit(("error", f"adapter '{name}' was unloaded"))
        del sched.adapters[name]
        sched.adapters_changed()
        if sched.prefix_cache is not None:  # its KV came from this adapter's LoRA weights
            sched.prefix_cache.drop(name)
        if sched.adapters:
            sched.model.delete_adapter(name)
        else:  # last one: give back the plain model (no LoRA layers left in the forward pass)
            sched.model = sched.model.unload()
            if sched.prepack:
                packed.pack(sched.model)
