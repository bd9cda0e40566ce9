"""`sage-studio lab`: launch JupyterLab with Studio, the default engine and the tour notebook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TOUR = "notebooks/00-tour.ipynb"


def register(sub) -> None:
    p = sub.add_parser("lab", help="launch JupyterLab with SAGE Studio and open the tour notebook")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--no-llm", action="store_true", help="do not start the local engine")
    p.add_argument("--llm-model", default=None, help="model the engine starts with (catalog id or folder)")
    p.add_argument("--use-finetuned", action="store_true", help="serve the newest fine-tuned adapter in chat")
    p.add_argument("--list-finetuned", action="store_true", help="list fine-tuned models and exit")
    p.add_argument(
        "--notebook-dir", default=None, help="root folder of the Lab (default: the current folder)"
    )
    p.add_argument("--token", default=None, help="access token (default: Jupyter generates one)")
    p.add_argument("--dry-run", action="store_true", help="print the command instead of running it")
    p.set_defaults(func=run)


def lab_argv(args) -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        f"--ip={args.ip}",
        f"--port={args.port}",
        "--ServerApp.port_retries=0",
        "--no-browser" if os.environ.get("CI") else "--ServerApp.open_browser=True",
    ]
    root = Path(args.notebook_dir or os.getcwd())
    argv.append(f"--ServerApp.root_dir={root}")
    if (root / TOUR).exists():
        argv.append(f"--LabApp.default_url=/lab/tree/{TOUR}")
    if args.token is not None:
        argv.append(f"--IdentityProvider.token={args.token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    if not args.no_llm:
        argv.append("--SageStudio.auto_start_engine=True")
    if args.llm_model:
        argv.append(f"--SageStudio.default_model={args.llm_model}")
    return argv


def run(args) -> int:
    from ..models import list_models

    if args.list_finetuned:
        tuned = [m for m in list_models() if m.type == "finetuned"]
        for m in tuned:
            print(f"{m.id}\t{m.base_model or ''}\t{m.path or ''}")
        if not tuned:
            print("no fine-tuned models yet: sage-studio finetune start --data FILE")
        return 0
    if args.use_finetuned:
        tuned = [m for m in list_models() if m.type == "finetuned"]
        if not tuned:
            print("error: --use-finetuned: no fine-tuned model exists yet", file=sys.stderr)
            return 1
        chosen = tuned[-1]
        if chosen.details.get("kind") == "adapter":
            # The engine serves the base model and hot-loads the adapter; chat defaults to the adapter.
            from ..chat.default_model import set_current_chat_model

            set_current_chat_model(
                {
                    "model": chosen.id,
                    "kind": "adapter",
                    "path": chosen.path,
                    "base_model": chosen.base_model,
                    "engine": None,
                }
            )
            args.llm_model = args.llm_model or chosen.base_model
        else:
            args.llm_model = args.llm_model or chosen.path
        print(f"chat will use the fine-tuned model {chosen.id} (base {chosen.base_model})")
    argv = lab_argv(args)
    if args.dry_run:
        print(" ".join(argv))
        return 0
    return subprocess.call(argv)
