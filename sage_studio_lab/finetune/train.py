"""The trainer process: `python -m sage_studio_lab.finetune.train <task_dir>`.

Reads the typed `config.json`, trains a PEFT LoRA adapter with HF `Trainer` (loss on assistant tokens only),
appends progress events to `events.jsonl`, keeps checkpoints (resumes from the newest), writes `adapter/`,
records its final status in the store, and on exit starts the next queued task — so the queue advances
even when no Jupyter server is running.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
import traceback
from pathlib import Path

from ..cpu import ThreadGovernor
from .config import TaskConfig
from .events import EventWriter

_stop_requested = False


def _on_sigterm(signum, frame):  # graceful cancel: stop at the end of the current step
    global _stop_requested
    _stop_requested = True


def build_callback(events: EventWriter):
    from transformers import TrainerCallback

    class ProgressCallback(TrainerCallback):
        """Turns Trainer logs into progress events: step/total, epoch, loss, eval_loss, lr, tokens/s, ETA."""

        def on_train_begin(self, args, state, control, **kw):
            self.t0 = time.time()
            self.step0 = state.global_step
            self.tokens0 = state.num_input_tokens_seen or 0
            events.write(
                "start",
                step=state.global_step,
                total_steps=state.max_steps,
                epochs=args.num_train_epochs,
                resumed=state.global_step > 0,
            )

        def on_step_end(self, args, state, control, **kw):
            self.step_end_at = time.time()
            if _stop_requested:
                control.should_training_stop = True
                control.should_save = True  # a checkpoint to resume from

        def on_log(self, args, state, control, logs=None, **kw):
            logs = logs or {}
            elapsed = time.time() - self.t0
            done = state.global_step - self.step0
            if "loss" in logs:
                tokens = (state.num_input_tokens_seen or 0) - self.tokens0
                per_step = elapsed / done if done else None
                events.write(
                    "progress",
                    step=state.global_step,
                    total_steps=state.max_steps,
                    epoch=round(state.epoch or 0, 4),
                    loss=logs["loss"],
                    lr=logs.get("learning_rate"),
                    grad_norm=logs.get("grad_norm"),
                    tokens_per_s=round(tokens / elapsed, 1) if elapsed > 0 else None,
                    tokens_seen=state.num_input_tokens_seen,
                    elapsed_s=round(elapsed, 2),
                    step_end_at=getattr(self, "step_end_at", None),
                    eta_s=round(per_step * (state.max_steps - state.global_step), 1) if per_step else None,
                )
            if "eval_loss" in logs:
                events.write(
                    "eval",
                    step=state.global_step,
                    epoch=round(state.epoch or 0, 4),
                    eval_loss=logs["eval_loss"],
                )

        def on_save(self, args, state, control, **kw):
            events.write(
                "checkpoint", step=state.global_step, path=f"checkpoints/checkpoint-{state.global_step}"
            )

    return ProgressCallback()


def _print(line: str) -> None:
    print(line, flush=True)


def thread_callback(governor):
    from transformers import TrainerCallback

    class Threads(TrainerCallback):
        """Re-checks the free cores before each step, in the training loop's thread (torch's count is per thread)."""

        def on_step_begin(self, args, state, control, **kw):
            governor.update()

    return Threads()


def build_trainer(folder: Path, spec: dict, events: EventWriter | None):
    """The HF Trainer for one task folder (also used by the benchmark to compare with a bare loop)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, DataCollatorForSeq2Seq, Trainer, TrainingArguments

    from .datasets import split
    from .encoding import encode, load_tokenizer

    config = TaskConfig.model_validate(spec["config"])
    # As the CPU engine: without a fixed count, threads follow the cores other processes leave free (cpu.py); a
    # thread sharing a core with a busy kernel stalls every step of the backward pass too.
    threads = config.threads or int(os.environ.get("SAGE_STUDIO_TRAIN_THREADS") or 0)
    governor = ThreadGovernor(
        torch.set_num_threads, fixed=threads, max_threads=torch.get_num_threads(), report=_print
    )
    governor.update()
    torch.manual_seed(config.seed)
    tok = load_tokenizer(spec["model_path"])
    with (folder / "dataset.jsonl").open(encoding="utf-8") as fh:
        conversations = [json.loads(line)["messages"] for line in fh if line.strip()]
    train_rows, eval_rows = split(conversations, config.eval_ratio, config.seed)
    train_ds = [encode(tok, m, config.max_length) for m in train_rows]
    eval_ds = [encode(tok, m, config.max_length) for m in eval_rows] or None
    cuda = torch.cuda.is_available()
    bf16 = cuda and torch.cuda.is_bf16_supported()  # mixed precision on a GPU, as LLaMA-Factory does
    model_kwargs = {}
    if config.quantization != "none":
        from transformers import BitsAndBytesConfig

        # QLoRA's recipe: NF4 weights with double quantization, matmuls in bf16 (fp16 on older GPUs); the
        # quantized weights must sit on the GPU from the start.
        model_kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=config.quantization == "4bit",
            load_in_8bit=config.quantization == "8bit",
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if bf16 else torch.float16,
        )
        model_kwargs["device_map"] = {"": torch.cuda.current_device()}
    model = AutoModelForCausalLM.from_pretrained(spec["model_path"], **model_kwargs)
    if config.quantization != "none":
        from peft import prepare_model_for_kbit_training

        # norms in fp32 and input gradients on, so LoRA trains stably over frozen quantized weights
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    lora = LoraConfig(
        r=config.lora.rank,
        lora_alpha=config.lora.alpha,
        lora_dropout=config.lora.dropout,
        target_modules=config.lora.target_modules,
        use_dora=config.lora.use_dora,
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    args = TrainingArguments(
        output_dir=str(folder / "checkpoints"),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.scheduler,
        warmup_steps=config.warmup_ratio,
        seed=config.seed,
        logging_steps=1,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=2,
        eval_strategy="steps" if eval_ds else "no",
        eval_steps=config.eval_steps,
        include_num_input_tokens_seen=True,
        report_to="none",
        disable_tqdm=True,
        use_cpu=not cuda,
        bf16=bf16,
        remove_unused_columns=False,
        dataloader_num_workers=0,
    )
    collator = DataCollatorForSeq2Seq(tok, padding=True, label_pad_token_id=-100)
    callbacks = [build_callback(events)] if events else []
    if governor.adaptive and not cuda:
        callbacks.append(thread_callback(governor))
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=eval_ds,
        data_collator=collator,
        callbacks=callbacks,
    )
    return trainer, tok, config


def evaluate_after_training(folder: Path, model, tok, config: TaskConfig) -> None:
    """Base vs adapter on the held-out split (evaluation.json), with the model still in memory, when the task
    asks (`evaluate`; default: it has an eval split). The task is already completed: its slot goes to the next
    queued task first, and a failed or stopped evaluation is only recorded as an `evaluation` event."""
    if not (config.evaluate if config.evaluate is not None else config.eval_ratio > 0) or _stop_requested:
        return
    from . import evaluate
    from .trainers import schedule

    try:
        schedule()
        evaluate.run(folder, model=model, tok=tok, stop=_raise_if_stopped)
    except Exception:  # noqa: BLE001 - recorded as a failed/cancelled evaluation event; the task stays completed
        traceback.print_exc()


def _raise_if_stopped() -> None:
    if _stop_requested:
        from .evaluate import Stopped

        raise Stopped


def run(folder: Path) -> int:
    from transformers.trainer_utils import get_last_checkpoint

    from .task_store import set_status

    spec = json.loads((folder / "config.json").read_text())
    task_id = spec["task_id"]
    events = EventWriter(folder / "events.jsonl")
    events.write("status", status="running", pid=os.getpid())
    try:
        trainer, tok, config = build_trainer(folder, spec, events)
        ckpt_dir = folder / "checkpoints"
        last = get_last_checkpoint(str(ckpt_dir)) if ckpt_dir.is_dir() else None
        if last:
            print(f"resuming from {last}", flush=True)
        if not _stop_requested:
            trainer.train(resume_from_checkpoint=last)
        if _stop_requested or (folder / "cancel.requested").exists():
            events.write("status", status="cancelled")
            set_status(task_id, "cancelled", note="stopped by user (checkpoint saved)", expect=("running",))
            return 0
        tmp = folder / ".adapter.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        trainer.model.save_pretrained(tmp)
        tok.save_pretrained(tmp)
        (tmp / "sage_studio_task.json").write_text(
            json.dumps(
                {"task_id": task_id, "base_model": config.model, "base_model_path": spec["model_path"]}
            )
        )
        shutil.rmtree(folder / "adapter", ignore_errors=True)
        os.replace(tmp, folder / "adapter")
        metrics = {k: v for k, v in trainer.state.log_history[-1].items() if isinstance(v, int | float)}
        events.write("status", status="completed", adapter="adapter", metrics=metrics)
        set_status(task_id, "completed", note="adapter saved", expect=("running",), exit_code=0)
        evaluate_after_training(folder, trainer.model, tok, config)
        return 0
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the store, with its reason
        traceback.print_exc()
        message = f"{type(exc).__name__}: {exc}"
        events.write("status", status="failed", error=message)
        set_status(task_id, "failed", note=message[:200], expect=("running",), error=message, exit_code=1)
        return 1
    finally:
        events.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m sage_studio_lab.finetune.train <task_dir>", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    code = run(Path(argv[0]).resolve())
    try:
        from .trainers import schedule

        schedule()  # hand the slot to the next queued task (its trainer is detached: it outlives us)
    except Exception:  # noqa: BLE001 - the next task event (or the server's supervision) schedules it
        traceback.print_exc()
    return code


if __name__ == "__main__":
    sys.exit(main())
