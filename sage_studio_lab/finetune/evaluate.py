"""Evaluation of a fine-tune task: its base model vs its adapter on the task's held-out rows.

`python -m sage_studio_lab.finetune.evaluate <task_dir> [max_examples] [max_new_tokens]` (a detached process,
started by `evaluation_runs.start`; never the Jupyter server, which must not import torch), or at the end of
training from the trainer process with its model already in memory (`evaluate_folder(..., model=, tok=)`).

Scores, for base (adapter disabled with PEFT's `disable_adapter()`) and adapter: teacher-forced eval loss and
perplexity over the assistant tokens (masked exactly as training: encoding.encode), greedy answers (batched,
left-padded `generate`), exact match and ROUGE-L F (rouge_score) against the reference answer, and a sample table.
Progress goes to `events.jsonl` as `evaluation` events; the result is written atomically to `evaluation.json`.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import sys
import time
import traceback
from pathlib import Path

from .config import TaskConfig
from .datasets import split
from .encoding import IGNORE, encode, load_tokenizer, render
from .events import EventWriter

RESULT = "evaluation.json"
SAMPLE_ROWS = 16  # rows drawn (seeded) from a task without a held-out split
LOSS_BATCH = 8
GEN_BATCH = 8
DEFAULT_MAX_EXAMPLES = 32
DEFAULT_MAX_NEW_TOKENS = 64


class Stopped(Exception):
    """The evaluation was asked to stop (SIGTERM): nothing is written."""


def held_out(conversations: list, config: TaskConfig) -> tuple[list, dict]:
    """The rows the trainer held out (the same `split`), or a seeded sample when it held out none."""
    _, rows = split(conversations, config.eval_ratio, config.seed)
    if rows:
        return rows, {"source": "eval", "note": f"held-out split (eval_ratio {config.eval_ratio})"}
    rows = random.Random(config.seed).sample(conversations, min(SAMPLE_ROWS, len(conversations)))
    note = (
        "no held-out split (eval_ratio 0): a seeded sample of the training rows, so scores are on seen data"
    )
    return rows, {"source": "sample", "note": note}


def prompt_and_reference(messages: list[dict]) -> tuple[list[dict], str]:
    """The conversation up to its last assistant reply, and that reply."""
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return messages[:last], messages[last]["content"]


def normalize(text: str) -> str:
    return " ".join(text.split())


def _pad(seqs: list[list[int]], value: int, left: bool) -> list[list[int]]:
    width = max(len(s) for s in seqs)
    return [([value] * (width - len(s)) + s) if left else (s + [value] * (width - len(s))) for s in seqs]


def eval_loss(model, encoded: list[dict], stop) -> tuple[float | None, int]:
    """Token-weighted mean cross-entropy over the assistant tokens (labels != -100), and their count."""
    import torch

    total, count = 0.0, 0
    for i in range(0, len(encoded), LOSS_BATCH):
        stop()
        batch = encoded[i : i + LOSS_BATCH]
        ids = torch.tensor(_pad([e["input_ids"] for e in batch], 0, left=False), device=model.device)
        mask = torch.tensor(_pad([e["attention_mask"] for e in batch], 0, left=False), device=model.device)
        labels = torch.tensor(_pad([e["labels"] for e in batch], IGNORE, left=False), device=model.device)
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
        target = labels[:, 1:]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=IGNORE, reduction="sum"
        )
        total += float(loss)
        count += int((target != IGNORE).sum())
    return (total / count if count else None), count


def generate(model, tok, prompts: list[str], max_new_tokens: int, stop, on_batch=None) -> list[str]:
    """Greedy answers, GEN_BATCH prompts per left-padded `generate` call (padded by hand: the tokenizer is
    shared and cached, its padding side is left alone)."""
    import torch

    answers = []
    for i in range(0, len(prompts), GEN_BATCH):
        stop()
        ids = [tok(p, add_special_tokens=False)["input_ids"] for p in prompts[i : i + GEN_BATCH]]
        input_ids = torch.tensor(_pad(ids, tok.pad_token_id, left=True), device=model.device)
        mask = torch.tensor(_pad([[1] * len(x) for x in ids], 0, left=True), device=model.device)
        with torch.no_grad():
            out = model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tok.pad_token_id,
            )
        new = out[:, input_ids.shape[1] :]
        answers += [tok.decode(row, skip_special_tokens=True).strip() for row in new]
        if on_batch:
            on_batch(len(answers))
    return answers


def score(answers: list[str], references: list[str]) -> tuple[list[float], list[float]]:
    """Per-row exact match (whitespace-normalised) and ROUGE-L F."""
    from rouge_score.rouge_scorer import RougeScorer

    scorer = RougeScorer(["rougeL"])
    em = [float(normalize(a) == normalize(r)) for a, r in zip(answers, references, strict=True)]
    rouge = [scorer.score(r, a)["rougeL"].fmeasure for a, r in zip(answers, references, strict=True)]
    return em, rouge


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _metrics(loss: float | None, em: list[float], rouge: list[float]) -> dict:
    return {
        "eval_loss": loss,
        "perplexity": math.exp(loss) if loss is not None and loss < 700 else None,
        "exact_match": _mean(em),
        "rouge_l": _mean(rouge),
    }


def load(folder: Path, spec: dict):
    """The base model with the task's adapter (PEFT), in eval mode, and its tokenizer."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    tok = load_tokenizer(spec["model_path"])
    base = AutoModelForCausalLM.from_pretrained(spec["model_path"])
    model = PeftModel.from_pretrained(base, str(folder / "adapter"))
    return model.eval(), tok


def evaluate_folder(
    folder: Path,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    events: EventWriter | None = None,
    model=None,
    tok=None,
    stop=lambda: None,
) -> dict:
    """Score base vs adapter on the task's held-out rows; writes evaluation.json (atomically) and returns it.
    `model`: a PEFT model already loaded (the trainer's); `stop()` raises `Stopped` to abort between batches."""
    folder = Path(folder)
    t0 = time.perf_counter()
    spec = json.loads((folder / "config.json").read_text())
    config = TaskConfig.model_validate(spec["config"])
    with (folder / "dataset.jsonl").open(encoding="utf-8") as fh:
        conversations = [json.loads(line)["messages"] for line in fh if line.strip()]
    rows, split_info = held_out(conversations, config)
    rows = [m for m in rows if any(x["role"] == "assistant" for x in m)][:max_examples]
    if not rows:
        raise ValueError("the task has no rows with an assistant answer to evaluate")

    def progress(phase: str, done: int, total: int) -> None:
        if events:
            events.write("evaluation", status="running", phase=phase, done=done, total=total)

    if model is None:
        progress("loading", 0, len(rows))
        model, tok = load(folder, spec)
    was_training = model.training
    model.eval()
    try:
        encoded = [encode(tok, m, config.max_length) for m in rows]
        pairs = [prompt_and_reference(m) for m in rows]
        prompts = [render(tok, p, add_generation_prompt=True) for p, _ in pairs]
        references = [r for _, r in pairs]
        n = len(rows)
        progress("loss", 0, n)
        with model.disable_adapter():
            base_loss, tokens = eval_loss(model, encoded, stop)
        adapter_loss, _ = eval_loss(model, encoded, stop)
        gen_t0 = time.perf_counter()
        with model.disable_adapter():
            base_answers = generate(
                model, tok, prompts, max_new_tokens, stop, lambda d: progress("generate", d, 2 * n)
            )
        adapter_answers = generate(
            model, tok, prompts, max_new_tokens, stop, lambda d: progress("generate", n + d, 2 * n)
        )
        gen_s = time.perf_counter() - gen_t0
    finally:
        model.train(was_training)
    base_em, base_rouge = score(base_answers, references)
    ad_em, ad_rouge = score(adapter_answers, references)
    total_s = time.perf_counter() - t0
    result = {
        "task_id": spec["task_id"],
        "evaluated_at": time.time(),
        "model": config.model,
        "split": {
            **split_info,
            "rows": n,
            "dataset_rows": len(conversations),
            "eval_ratio": config.eval_ratio,
            "seed": config.seed,
        },
        "max_examples": max_examples,
        "max_new_tokens": max_new_tokens,
        "loss_tokens": tokens,
        "base": _metrics(base_loss, base_em, base_rouge),
        "adapter": _metrics(adapter_loss, ad_em, ad_rouge),
        "samples": [
            {
                "prompt": pairs[i][0][-1]["content"] if pairs[i][0] else "",
                "reference": references[i],
                "base_answer": base_answers[i],
                "adapter_answer": adapter_answers[i],
                "base_exact_match": base_em[i],
                "adapter_exact_match": ad_em[i],
                "base_rouge_l": base_rouge[i],
                "adapter_rouge_l": ad_rouge[i],
            }
            for i in range(n)
        ],
        "throughput": {
            "examples": n,
            "seconds": round(total_s, 3),
            "examples_per_s": round(n / total_s, 3) if total_s > 0 else None,
            "generation_seconds": round(gen_s, 3),
            "answers": 2 * n,  # base and adapter
            "answers_per_s": round(2 * n / gen_s, 3) if gen_s > 0 else None,
        },
    }
    tmp = folder / f".{RESULT}.tmp"
    tmp.write_text(json.dumps(result, indent=1))
    os.replace(tmp, folder / RESULT)  # a killed run leaves the previous result (or none), never half of one
    return result


def evaluate_task(
    task_id: str, max_examples: int = DEFAULT_MAX_EXAMPLES, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
) -> dict:
    """Evaluate a task in this process (scripts, the benchmark); the faces start a subprocess instead."""
    from .task_store import row

    return evaluate_folder(Path(row(task_id)["output_dir"]), max_examples, max_new_tokens)


def summary(result: dict) -> dict:
    """The metrics of a result without its sample table (events, compare)."""
    return {k: result[k] for k in ("base", "adapter", "throughput", "split", "evaluated_at")}


def run(folder: Path, stop=lambda: None, **kwargs) -> dict:
    """Evaluate with `evaluation` events around it: running…, then completed (metrics), cancelled or failed."""
    (folder / f".{RESULT}.tmp").unlink(missing_ok=True)  # a killed run's leftover
    events = EventWriter(folder / "events.jsonl")
    try:
        import psutil

        events.write(
            "evaluation", status="started", pid=os.getpid(), create_time=psutil.Process().create_time()
        )
        result = evaluate_folder(folder, events=events, stop=stop, **kwargs)
        events.write("evaluation", status="completed", **summary(result))
        return result
    except Stopped:
        events.write("evaluation", status="cancelled", error="stopped before the end: nothing stored")
        raise
    except BaseException as exc:
        events.write("evaluation", status="failed", error=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        events.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not 1 <= len(argv) <= 3:
        print("usage: python -m sage_studio_lab.finetune.evaluate <task_dir> [max_examples] [max_new_tokens]")
        return 2
    stop_flag = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop_flag.__setitem__(0, True))

    def stop():
        if stop_flag[0]:
            raise Stopped

    folder = Path(argv[0]).resolve()
    kwargs = {}
    if len(argv) > 1:
        kwargs["max_examples"] = int(argv[1])
    if len(argv) > 2:
        kwargs["max_new_tokens"] = int(argv[2])
    threads = os.environ.get("SAGE_STUDIO_TRAIN_THREADS")
    if threads:
        import torch

        torch.set_num_threads(int(threads))
    try:
        result = run(folder, stop, **kwargs)
    except Stopped:
        return 1
    except BaseException:  # noqa: BLE001 - recorded as a failed event; the log keeps the traceback
        traceback.print_exc()
        return 1
    print(json.dumps(summary(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
