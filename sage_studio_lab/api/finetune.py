"""Fine-tune operations: datasets, tasks (create, cancel, resume, delete, logs, merge), using an adapter in chat
and switching the chat model.

Uploads (a streamed multipart file) and the adapter download (a zip) are REST-specific faces of their own (the
task export is a plain operation with a file result);
task progress streams (api/streams.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..chat import default_model
from ..finetune import advice as advice_core
from ..finetune import datasets as dataset_files
from ..finetune import hotswap, task_export
from ..finetune import tasks as task_queue
from ..finetune.config import TaskConfig
from ..finetune.progress import read_events, summarize
from ..models import list_models, resolve_model
from ..request_json import Name, PathName
from .registry import FileResult, operation

TASK_ID = r"^[^/]+$"


class Dataset(BaseModel, extra="allow"):
    id: str
    name: str
    format: str
    rows: int


class Datasets(BaseModel):
    datasets: list[Dataset]


class DatasetArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_id: PathName = Field(pattern=TASK_ID)
    model: PathName | None = Field(
        None, description="the model whose tokenizer counts tokens (default: the bundled one)"
    )
    max_length: int = Field(512, ge=16, le=32768, description="tokens per example kept in training")
    rows: int = Field(3, ge=0, le=100, description="examples in the preview")
    eval_ratio: float = Field(0.1, ge=0, lt=1, description="share of the rows held out for evaluation")


class DatasetDetail(Dataset):
    preview: list[dict[str, Any]]
    token_stats: dict[str, Any]
    split: dict[str, Any]


class DatasetRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset_id: PathName = Field(pattern=TASK_ID)


class DeletedId(BaseModel):
    deleted: str


class PrepareDocsArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    folder: PathName | None = Field(
        None, description="a folder of Markdown files (default: the project's docs/)"
    )
    name: str | None = Field(None, max_length=200)


class Task(BaseModel, extra="allow"):
    """A task as the fine-tune core describes it; `progress` and `eval` are its latest such events."""

    id: str
    name: str | None = None
    status: Literal["queued", "running", "completed", "failed", "cancelled"]
    error: str | None = None
    base_model: str | None = None
    dataset_id: str | None = None
    config: dict[str, Any] = {}
    progress: dict[str, Any] | None = None
    eval: dict[str, Any] | None = None


class Tasks(BaseModel):
    tasks: list[Task]


class TaskRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: PathName = Field(pattern=TASK_ID)


class LogsArgs(TaskRef):
    lines: int = Field(200, ge=0, le=100_000, description="how many of the last lines")


class TaskLogs(BaseModel):
    task_id: str
    lines: list[str]


class UseInChatArgs(TaskRef):
    merge_and_restart: bool = Field(
        False,
        description="merge the adapter and restart the engine on it (adapters the engine cannot hot-load); "
        "default: hot-load without a restart",
    )


class SwitchModelArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model_path: PathName = Field(min_length=1)
    restart: bool = Field(
        False, description="restart the engine on it when it serves another model (else 409)"
    )


def _tasks():
    return task_queue


def _datasets():
    return dataset_files


def _known(task_id: str) -> str:
    _tasks().task_dir(task_id)  # a bad id is a 400 before any work
    return task_id


@operation("finetune.datasets", "GET", "api/finetune/datasets")
def datasets() -> Datasets:
    """Uploaded datasets, validated and converted to the `messages` format."""
    return Datasets(datasets=_datasets().list_datasets())


@operation("finetune.dataset", "GET", "api/finetune/datasets/{dataset_id}", blocking=True)
def dataset(args: DatasetArgs) -> DatasetDetail:
    """A dataset with a preview rendered by the model's chat template, token statistics and its split."""
    ds = _datasets()
    record = ds.get_dataset(args.dataset_id)
    train, evaluation = ds.split(range(record["rows"]), args.eval_ratio, seed=42)
    return record | {
        "preview": ds.preview(args.dataset_id, args.model, args.rows),
        "token_stats": ds.token_stats(args.dataset_id, args.model, args.max_length),
        "split": {"eval_ratio": args.eval_ratio, "train": len(train), "eval": len(evaluation)},
    }


@operation("finetune.delete_dataset", "DELETE", "api/finetune/datasets/{dataset_id}")
def delete_dataset(args: DatasetRef) -> DeletedId:
    """Delete a dataset (tasks trained on it keep their own copy)."""
    _datasets().delete_dataset(args.dataset_id)
    return DeletedId(deleted=args.dataset_id)


@operation("finetune.prepare_docs", "POST", "api/finetune/prepare-docs", status=201, blocking=True)
def prepare_docs(args: PrepareDocsArgs) -> Dataset:
    """A question/answer dataset made from a folder of Markdown documents (default: the SAGE docs sample)."""
    return _datasets().prepare_docs(args.folder, args.name)


@operation("finetune.sample_dataset", "POST", "api/finetune/sample-dataset", blocking=True)
def sample_dataset() -> Dataset:
    """The SAGE docs sample dataset (questions and answers from the docs' sections): the stored one, else built
    once."""
    return _datasets().sample_dataset()


class AdviceArgs(TaskConfig):
    """The create form's task config; the dataset is optional (without it: no step count or row checks)."""

    dataset_id: Name | None = Field(None, description="the dataset whose rows are counted (optional)")


class Suggestion(BaseModel):
    text: str
    changes: dict[str, Any] = Field(description="the TaskConfig fields to change")
    memory_bytes: int


class Advice(BaseModel):
    lines: list[str] = Field(description="the advice in plain words, with units")
    warnings: list[str]
    memory_bytes: int = Field(description="estimated memory of the run")
    available_bytes: int = Field(description="the free GPU memory, or the available RAM without a GPU")
    device: Literal["gpu", "cpu"]
    device_name: str
    fits: bool
    params: int
    rows: int | None
    train_rows: int | None
    eval_rows: int | None
    steps: int | None
    examples_per_step: int
    suggestion: Suggestion | None


@operation("finetune.advice", "POST", "api/finetune/advice", blocking=True)
def advice(args: AdviceArgs) -> Advice:
    """Memory, steps and warnings for a task config before it is created, with a change that makes it fit."""
    rows = _datasets().get_dataset(args.dataset_id)["rows"] if args.dataset_id else None
    config = TaskConfig.model_validate(args.model_dump() | {"dataset_id": args.dataset_id or "-"})
    return advice_core.assess(config, Path(resolve_model(config.model)), rows)


@operation("finetune.tasks", "GET", "api/finetune/tasks", blocking=True)
def tasks() -> Tasks:
    """Every fine-tune task, newest first, with its latest progress."""
    return Tasks(tasks=_tasks().list_tasks())


def _create(args: TaskConfig) -> Task:
    return _tasks().create_task(args)


@operation("finetune.create", "POST", "api/finetune/tasks", status=201, blocking=True)
def create(args: TaskConfig) -> Task:
    """Queue a LoRA fine-tune (it starts when a training slot is free); invalid config: 400, nothing stored."""
    return _create(args)


@operation("finetune.create_task", "POST", "api/finetune/create", status=201, blocking=True)
def create_alias(args: TaskConfig) -> Task:
    """The same as POST api/finetune/tasks (SAGE Studio's route name)."""
    return _create(args)


@operation("finetune.get", "GET", "api/finetune/tasks/{task_id}", blocking=True)
def get(args: TaskRef) -> Task:
    """One task with its latest progress and evaluation."""
    return _tasks().get_task(args.task_id)


class HistoryPoint(BaseModel):
    """One logged step: a `progress` event (loss, lr) or an `eval` event (eval_loss)."""

    step: int | None
    loss: float | None
    eval_loss: float | None
    lr: float | None
    epoch: float | None


class Progress(BaseModel, extra="allow"):
    id: str
    status: str
    progress: float  # 0..1
    step: int | None
    total_steps: int | None
    loss: float | None
    eval_loss: float | None
    eta_s: float | None
    history: list[HistoryPoint]  # every logged step, in order


@operation("finetune.progress", "GET", "api/finetune/tasks/{task_id}/progress")
def progress(args: TaskRef) -> Progress:
    """A task's progress summary with its whole loss history (what a loss curve draws)."""
    task = _tasks().get_task(args.task_id)
    return summarize(task, read_events(task)[0])


@operation("finetune.delete", "DELETE", "api/finetune/tasks/{task_id}", blocking=True)
def delete(args: TaskRef) -> DeletedId:
    """Delete a task and its files (a running one is stopped first)."""
    _tasks().delete_task(args.task_id)
    return DeletedId(deleted=args.task_id)


@operation("finetune.cancel", "POST", "api/finetune/tasks/{task_id}/cancel", blocking=True)
def cancel(args: TaskRef) -> Task:
    """Stop a queued or running task (the trainer gets a grace period to save a checkpoint)."""
    return _tasks().cancel_task(_known(args.task_id))


@operation("finetune.resume", "POST", "api/finetune/tasks/{task_id}/resume", blocking=True)
def resume(args: TaskRef) -> Task:
    """Queue a failed or cancelled task again, from its last checkpoint."""
    return _tasks().resume_task(_known(args.task_id))


@operation("finetune.merge", "POST", "api/finetune/tasks/{task_id}/merge", blocking=True)
def merge(args: TaskRef) -> Task:
    """Merge the adapter into a full model folder (merged/) that any engine can serve."""
    return _tasks().merge_task(_known(args.task_id))


@operation(
    "finetune.export_task",
    "GET",
    "api/finetune/tasks/{task_id}/export",
    blocking=True,
    media_type="application/zip",
)
def export_task(args: TaskRef) -> FileResult:
    """The task as a runnable bundle: `<task name>.zip` with its data, config.json, train.py, train.ipynb and a
    README."""
    name, content = task_export.export_task(args.task_id)
    return FileResult(content=content, filename=name, media_type="application/zip")


@operation("finetune.use_in_chat", "POST", "api/finetune/tasks/{task_id}/use-in-chat", blocking=True)
def use_in_chat(args: UseInChatArgs) -> dict[str, Any]:
    """Hot-load the task's adapter into the running engine and make it the chat model (no restart)."""
    return hotswap.use_task(_known(args.task_id), merge_and_restart=args.merge_and_restart)


@operation("finetune.logs", "GET", "api/finetune/tasks/{task_id}/logs")
def logs(args: LogsArgs) -> TaskLogs:
    """The last lines of the task's training log."""
    return TaskLogs(task_id=args.task_id, lines=_tasks().logs(args.task_id, args.lines))


@operation("finetune.models", "GET", "api/finetune/models", blocking=True)
def models() -> dict[str, list[dict[str, Any]]]:
    """The model catalog (bases to fine-tune and fine-tuned adapters)."""
    return {"models": [m.to_dict() for m in list_models()]}


@operation("finetune.current_model", "GET", "api/finetune/current-model")
def current_model() -> dict[str, Any]:
    """The model chat uses now (an adapter after *Use in chat*)."""
    return default_model.current_chat_model()


@operation("finetune.switch_model", "POST", "api/finetune/switch-model", blocking=True)
def switch_model(args: SwitchModelArgs) -> dict[str, Any]:
    """Make chat use another model folder or adapter (restarting the engine only when asked)."""
    return hotswap.switch_model(args.model_path, restart=args.restart)
