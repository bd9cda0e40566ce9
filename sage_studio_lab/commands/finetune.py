"""`sage-studio finetune start|advice|list|show|cancel|resume|logs|merge|use`: the fine-tuning center from a
terminal."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

TERMINAL = ("completed", "failed", "cancelled")


def register(sub) -> None:
    p = sub.add_parser("finetune", help="fine-tune a model with LoRA (datasets, tasks, progress)")
    fs = p.add_subparsers(dest="finetune_command", metavar="ACTION", required=True)

    s = fs.add_parser("start", help="validate a dataset and train a LoRA adapter on it")
    data = s.add_mutually_exclusive_group(required=True)
    data.add_argument("--data", help="dataset file: alpaca / sharegpt / OpenAI messages, .json or .jsonl")
    data.add_argument(
        "--sample", action="store_true", help="the SAGE docs sample dataset (built once, then reused)"
    )
    s.add_argument("--format", default=None, choices=["alpaca", "sharegpt", "openai"])
    _config_flags(s)
    s.add_argument("--no-follow", action="store_true", help="queue the task and return at once")
    s.set_defaults(func=start)

    ad = fs.add_parser(
        "advice", help="estimated memory, steps and warnings for a task config, before creating it"
    )
    which = ad.add_mutually_exclusive_group()
    which.add_argument("--dataset", default=None, help="a stored dataset's id (counts rows and steps)")
    which.add_argument("--sample", action="store_true", help="the SAGE docs sample dataset")
    _config_flags(ad)
    ad.add_argument("--json", action="store_true")
    ad.set_defaults(func=advice)

    ls = fs.add_parser("list", help="list fine-tune tasks")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=list_tasks)
    for name, fn, help_ in (
        ("show", show, "show one task"),
        ("cancel", cancel, "cancel a queued or running task"),
        ("resume", resume, "resume a failed or cancelled task from its last checkpoint"),
        ("merge", merge, "merge the adapter into its base model (merged/)"),
        ("follow", follow_cmd, "follow a task's progress until it ends"),
    ):
        a = fs.add_parser(name, help=help_)
        a.add_argument("task_id")
        a.set_defaults(func=fn)
    u = fs.add_parser(
        "use", help="make a task's adapter the chat default (hot-loaded into the running engine)"
    )
    u.add_argument("task_id")
    u.add_argument(
        "--merge-and-restart",
        action="store_true",
        help="merge the adapter into the base weights and restart the engine on the merged model "
        "(for adapters the engine cannot hot-load: DoRA, modules_to_save, high rank)",
    )
    u.set_defaults(func=use)
    lg = fs.add_parser("logs", help="print (and follow) a task's training log")
    lg.add_argument("task_id")
    lg.add_argument("-n", "--lines", type=int, default=50)
    lg.add_argument("-f", "--follow", action="store_true")
    lg.set_defaults(func=logs)


def _config_flags(p) -> None:
    """The TaskConfig flags of `start` and `advice`."""
    p.add_argument(
        "--model", default=None, help="base model: catalog id or HF folder (default: the bundled model)"
    )
    p.add_argument("--name", default=None)
    p.add_argument("--epochs", type=float, default=None)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--grad-accum", type=int, default=None)
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--max-length", type=int, default=None)
    p.add_argument("--rank", type=int, default=None, help="LoRA rank")
    p.add_argument("--alpha", type=int, default=None, help="LoRA alpha")
    p.add_argument("--target-modules", default=None, help="comma-separated module names, or all-linear")
    p.add_argument(
        "--dora", action="store_true", help="DoRA (weight-decomposed LoRA); needs merge-and-restart"
    )
    p.add_argument("--eval-ratio", type=float, default=None)
    p.add_argument("--threads", type=int, default=None, help="CPU threads for training")


def _config(args, dataset_id: str):
    from ..finetune.config import LoraOptions, TaskConfig

    body: dict = {"dataset_id": dataset_id}
    for arg, key in (
        ("model", "model"),
        ("name", "name"),
        ("epochs", "epochs"),
        ("max_steps", "max_steps"),
        ("batch_size", "batch_size"),
        ("grad_accum", "gradient_accumulation"),
        ("lr", "learning_rate"),
        ("max_length", "max_length"),
        ("eval_ratio", "eval_ratio"),
        ("threads", "threads"),
    ):
        if getattr(args, arg) is not None:
            body[key] = getattr(args, arg)
    lora = {}
    if args.rank is not None:
        lora["rank"] = args.rank
    if args.alpha is not None:
        lora["alpha"] = args.alpha
    if args.target_modules:
        tm = args.target_modules.strip()
        lora["target_modules"] = tm if tm == "all-linear" else [m.strip() for m in tm.split(",") if m.strip()]
    if args.dora:
        lora["use_dora"] = True
    if lora:
        body["lora"] = LoraOptions(**lora)
    return TaskConfig(**body)


def advice(args) -> int:
    from pydantic import ValidationError

    from ..finetune import advice as advice_core
    from ..finetune import datasets
    from ..models import resolve_model

    dataset = datasets.sample_dataset() if args.sample else None
    if args.dataset:
        dataset = datasets.get_dataset(args.dataset)
    try:
        config = _config(args, dataset["id"] if dataset else "-")
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result = advice_core.assess(config, Path(resolve_model(config.model)), dataset and dataset["rows"])
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(result["lines"]))
    return 0


def start(args) -> int:
    from pydantic import ValidationError

    from ..finetune import datasets, tasks

    if args.sample:
        dataset = datasets.sample_dataset()
    else:
        data = Path(args.data).expanduser()
        if not data.is_file():
            print(f"error: dataset file {data} does not exist", file=sys.stderr)
            return 1
        dataset = datasets.import_file(data, fmt=args.format)  # InvalidInput names the bad line → exit 1
    print(f"dataset {dataset['id']}: {dataset['rows']} examples ({dataset['format']})")
    try:
        config = _config(args, dataset["id"])
    except ValidationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    task = tasks.create_task(config)
    for warning in task.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"task {task['id']}: {task['status']}")
    if args.no_follow:
        return 0
    return follow(task["id"])


def _bar(progress: dict | None, width: int = 30) -> str:
    if not progress:
        return "starting..."
    step, total = progress.get("step") or 0, progress.get("total_steps") or 0
    filled = int(width * step / total) if total else 0
    eta = progress.get("eta_s")
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] step {step}/{total} loss {progress.get('loss', 0):.4f}"
        f" {progress.get('tokens_per_s') or 0:.0f} tok/s eta {eta if eta is not None else '?'}s"
    )


def follow(task_id: str) -> int:
    """Print a progress bar until the task ends; exit code 0 only if it completed."""
    from ..finetune import tasks

    interactive = sys.stdout.isatty()
    last_line = None
    while True:
        task = tasks.get_task(task_id)
        line = f"{task['status']:<9} {_bar(task['progress'])}"
        if line != last_line:
            print(("\r" + line) if interactive else line, end="" if interactive else "\n", flush=True)
            last_line = line
        if task["status"] in TERMINAL:
            break
        time.sleep(0.5)
    if interactive:
        print()
    if task["status"] == "completed":
        print(f"adapter: {task['adapter_path']}")
        return 0
    print(f"error: task {task_id} {task['status']}: {task['error'] or ''}".rstrip(), file=sys.stderr)
    return 1


def follow_cmd(args) -> int:
    return follow(args.task_id)


def list_tasks(args) -> int:
    from ..finetune import tasks

    rows = tasks.list_tasks()
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    for t in rows:
        p = t["progress"] or {}
        step = f"{p.get('step', 0)}/{p.get('total_steps', '?')}" if p else "-"
        loss = f"{p['loss']:.4f}" if p.get("loss") is not None else "-"
        print(f"{t['id']}\t{t['status']}\t{step}\tloss {loss}\t{t['name']}")
    if not rows:
        print("no fine-tune tasks yet: sage-studio finetune start --data FILE")
    return 0


def show(args) -> int:
    from ..finetune import tasks

    print(json.dumps(tasks.get_task(args.task_id), indent=2, default=str))
    return 0


def cancel(args) -> int:
    from ..finetune import tasks

    print(f"{args.task_id}: {tasks.cancel_task(args.task_id)['status']}")
    return 0


def resume(args) -> int:
    from ..finetune import tasks

    print(f"{args.task_id}: {tasks.resume_task(args.task_id)['status']}")
    return 0


def merge(args) -> int:
    from ..finetune import tasks

    print(tasks.merge_task(args.task_id)["merged_path"])
    return 0


def use(args) -> int:
    from ..errors import Conflict
    from ..finetune import hotswap

    try:
        result = hotswap.use_task(args.task_id, merge_and_restart=args.merge_and_restart)
    except Conflict as exc:
        if exc.details.get("action") != "merge-and-restart":
            raise
        print(f"error: the engine cannot hot-load it: {'; '.join(exc.details['reason'])}", file=sys.stderr)
        print(f"hint: sage-studio finetune use {args.task_id} --merge-and-restart", file=sys.stderr)
        return 1
    if "message" in result:
        print(result["message"])
        timings = result["timings"]
        print(f"merge {timings['merge_s']:.1f} s, restart {timings['restart_s']:.1f} s")
    else:
        print(
            f"chat now uses {result['current']['model']} (loaded in {result['load_time_s']:.2f} s, no restart)"
        )
    return 0


def logs(args) -> int:
    from ..finetune import tasks

    for line in tasks.logs(args.task_id, args.lines):
        print(line)
    if not args.follow:
        return 0
    path = Path(tasks.get_task(args.task_id)["output_dir"]) / "train.log"
    with path.open(errors="replace") as fh:
        fh.seek(0, 2)
        while True:
            line = fh.readline()
            if line:
                print(line, end="", flush=True)
                continue
            if tasks.get_task(args.task_id)["status"] in TERMINAL:
                rest = fh.read()
                print(rest, end="")
                return 0
            time.sleep(0.3)
