"""LoRA adapters on the served base weights (PEFT multi-adapter), loaded and unloaded between decode steps."""

from __future__ import annotations

from pathlib import Path

from ...openai_wire import ApiError
from .scheduler import Scheduler


def load_adapter(sched: Scheduler, name: str, path: str) -> None:
    from peft import PeftModel

    folder = Path(path).expanduser()
    if not (folder / "adapter_config.json").exists():
        raise ApiError(f"{path} is not a LoRA adapter folder (no adapter_config.json)", 400, "lora_path")
    with sched.between_steps():  # waits for the current step; streams in flight just pause for the load
        if name in sched.adapters:
            raise ApiError(f"The lora adapter '{name}' has already been loaded.", 400, "lora_name")
        try:
            if isinstance(sched.model, PeftModel):
                sched.model.load_adapter(str(folder), adapter_name=name)
            else:
                sched.model = PeftModel.from_pretrained(sched.model, str(folder), adapter_name=name)
        except Exception as exc:  # wrong base model, bad weights...: the request fails, the server stays up
            raise ApiError(f"could not load adapter '{name}' from {path}: {exc}", 400, "lora_path") from exc
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
        if sched.prefix_cache is not None:  # its KV came from this adapter's LoRA weights
            sched.prefix_cache.drop(name)
        if sched.adapters:
            sched.model.delete_adapter(name)
        else:  # last one: give back the plain model (no LoRA layers left in the forward pass)
            sched.model = sched.model.unload()
