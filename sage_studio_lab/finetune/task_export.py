"""A fine-tune task as a runnable bundle (issue #20, step 5: "a task can be exported as a runnable script/notebook
with its data and config"): a zip of `data/<dataset>.jsonl`, `config.json` (the task's spec as stored),
`train.py`, `train.ipynb` and a README.

The script and the notebook train through the project's own entry points — the dataset file imported and a task
queued with the exported config (`FinetuneService.start`, what the panel and `sage-studio finetune start` do),
then followed — so a reproduction runs the same trainer, never a copy of its loop. No Jupyter imports: nbformat
only writes JSON.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from ..errors import NotFound
from . import datasets
from .task_store import describe, row

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def bundle_name(task: dict) -> str:
    """`<task name>.zip`, the name made safe as a file name (no separators or control characters)."""
    name = _UNSAFE.sub("-", str(task.get("name") or task["id"])).strip(" .-")
    return f"{name or task['id']}.zip"


def _data_file(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(name).stem).strip("-._") or "train"
    return f"data/{stem}.jsonl"


def _dataset(task: dict, folder: Path) -> tuple[str, bytes, str]:
    """(zip path, bytes, where it came from): the stored dataset (uploaded, docs sample or built from rated
    chats), else the copy the task took when it was created (the dataset was deleted since)."""
    try:
        record = datasets.get_dataset(task["dataset_id"])
        return _data_file(record["name"]), Path(record["path"]).read_bytes(), f"dataset {record['name']!r}"
    except NotFound:
        snapshot = folder / "dataset.jsonl"
        if not snapshot.exists():
            raise NotFound(
                f"task {task['id']!r} has no data left to export: its dataset {task['dataset_id']!r} was "
                "deleted and the task folder has no dataset.jsonl"
            ) from None
        return _data_file(task["dataset_id"]), snapshot.read_bytes(), "the task's own copy of its dataset"


def export_task(task_id: str) -> tuple[str, bytes]:
    """The task's bundle: (file name, zip bytes). NotFound for an unknown task."""
    task = describe(row(task_id))
    folder = Path(task["output_dir"])
    spec = json.loads((folder / "config.json").read_text())
    data_path, data, source = _dataset(task, folder)
    files = {
        data_path: data,
        "config.json": (json.dumps(spec, indent=2) + "\n").encode(),
        "train.py": train_script(task, data_path).encode(),
        "train.ipynb": notebook(task, data_path).encode(),
        "README.md": readme(task, spec, data_path, source).encode(),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            zf.writestr(path, content)
    return bundle_name(task), buf.getvalue()


def train_script(task: dict, data_path: str) -> str:
    return f'''#!/usr/bin/env python
"""Train SAGE Studio fine-tune task {task["name"]!r} ({task["id"]}) again, with its data and config.

The same call as the Studio's fine-tune panel and `sage-studio finetune start`: {data_path} is imported as a
dataset, a LoRA task with config.json's settings is queued (SAGE Studio's trainer, in its own process) and
followed until it ends; then the evaluation the task asks for (base vs adapter on the held-out split) is shown.

    python train.py                 # train, wait, print the adapter's folder
    python train.py --max-steps 4   # a quick check
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from sage_studio_lab.commands.finetune import follow
from sage_studio_lab.finetune import evaluation_runs, tasks
from sage_studio_lab.finetune.service import FinetuneService

HERE = Path(__file__).resolve().parent
DATA = HERE / {data_path!r}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-steps", type=int, help="stop after this many steps (default: config.json's)")
    parser.add_argument("--epochs", type=float, help="epochs (default: config.json's)")
    parser.add_argument("--model", help="base model: catalog id or HF folder (default: config.json's)")
    parser.add_argument("--no-follow", action="store_true", help="queue the task and return at once")
    args = parser.parse_args(argv)
    config = json.loads((HERE / "config.json").read_text())["config"]
    config.pop("dataset_id", None)  # the imported data/ file is the task's dataset
    for key in ("max_steps", "epochs", "model"):
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    task = FinetuneService().start(data=str(DATA), config=config)
    print(f"task {{task['id']}}: {{task['status']}}", flush=True)
    if args.no_follow:
        return 0
    code = follow(task["id"])
    if code == 0:
        show_evaluation(task["id"])
    return code


def show_evaluation(task_id: str) -> None:
    """The trainer scores base vs adapter after training when the task asks (eval_ratio > 0): wait for it."""
    pid = tasks.get_task(task_id)["pid"]
    while tasks.pid_alive(pid, None):
        time.sleep(0.5)
    state = evaluation_runs.state(task_id)
    if state["state"] == "completed":
        result = evaluation_runs.result(task_id)
        print("evaluation:", json.dumps({{k: result.get(k) for k in ("base", "adapter")}}))
    elif state["state"] != "none":
        print(f"evaluation {{state['state']}}: {{state.get('error') or ''}}")


if __name__ == "__main__":
    sys.exit(main())
'''


def _cells(task: dict, data_path: str) -> list[tuple[str, str]]:
    return [
        (
            "markdown",
            f"# Fine-tune task {task['name']}\n\nExported from SAGE Studio (task `{task['id']}`): the same "
            f"LoRA run on `{data_path}` with `config.json`'s settings, through SAGE Studio's own trainer. "
            "Run the cells in order.",
        ),
        (
            "code",
            "import json\nfrom pathlib import Path\n\n"
            "spec = json.loads(Path('config.json').read_text())\n"
            "config = {k: v for k, v in spec['config'].items() if k != 'dataset_id'}\n"
            "config",
        ),
        ("markdown", "## Train\nThe widget shows the loss curve while the trainer runs in its own process."),
        (
            "code",
            "from sage_studio_lab.widgets import finetune\n\n"
            f"progress = finetune({data_path!r}, **config)\nprogress",
        ),
        ("code", "task = progress.wait()\ntask['status'], task['adapter_path']"),
        (
            "markdown",
            "## Evaluate\nBase vs adapter on the held-out split (the trainer scores it after training when "
            "`eval_ratio` > 0).",
        ),
        (
            "code",
            "import time\nfrom sage_studio_lab import api\nfrom sage_studio_lab.finetune import tasks\n\n"
            "pid = tasks.get_task(task['id'])['pid']\n"
            "while tasks.pid_alive(pid, None):  # the trainer evaluates before it exits\n"
            "    time.sleep(0.5)\n"
            "ref = {'task_id': task['id']}\n"
            "state = api.invoke('improve.evaluation_state', ref)\n"
            "if state['state'] == 'completed':\n"
            "    result = api.invoke('improve.evaluation', ref)\n"
            "    display({k: result.get(k) for k in ('base', 'adapter')})\n"
            "else:\n"
            "    display(state)",
        ),
        ("markdown", "## Use in chat\nLoads the adapter into the running engine and makes it chat's model."),
        (
            "code",
            "if api.invoke('engine.status')['status'] == 'running':\n"
            "    display(progress.use_in_chat())\n"
            "else:\n"
            "    print('Start the engine first (sage_studio_lab.widgets.EnginePanel().start()), then run this "
            "cell again.')",
        ),
    ]


def notebook(task: dict, data_path: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [make[kind](source) for kind, source in _cells(task, data_path)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.validate(nb)
    return nbformat.writes(nb)


def readme(task: dict, spec: dict, data_path: str, source: str) -> str:
    config = spec.get("config", {})
    return f"""# {task["name"]}

A SAGE Studio fine-tune task (`{task["id"]}`, {task["status"]}) exported with its data and config.

| file | what |
|---|---|
| `{data_path}` | the training data ({source}), one `{{"messages": [...]}}` conversation per line |
| `config.json` | the task's training config as SAGE Studio stored it (`config`: LoRA rank {config.get("lora", {}).get("rank")}, \
{config.get("epochs")} epochs, max_steps {config.get("max_steps")}, eval_ratio {config.get("eval_ratio")}; `model_path`: \
where the base model was) |
| `train.py` | trains the same LoRA adapter with SAGE Studio's trainer |
| `train.ipynb` | the same steps as notebook cells: load the config, train with a live progress widget, evaluate, \
use in chat |

## Run it

```bash
pip install sage-studio-lab          # the project, with its bundled model
python train.py                      # or: python train.py --max-steps 4 for a quick check
jupyter lab train.ipynb              # the notebook version
```

The held-out evaluation split is taken from the data by `eval_ratio` with the config's `seed`, as in the
original run. The adapter is written to the Studio data directory (`$SAGE_STUDIO_HOME`); `train.py` prints its
folder, and the new task shows in the Lab's Fine-tune panel.
"""
