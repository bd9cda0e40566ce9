"""`FinetuneService`: one object with the whole fine-tune API, for faces that prefer an object
(widgets, magics). Every method is a thin call into the modules of this package."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..chat import default_model
from ..errors import InvalidInput
from . import datasets, hotswap, tasks
from .config import TaskConfig


class FinetuneService:
    # datasets
    def upload_dataset(self, name: str, content: str | bytes, fmt: str | None = None) -> dict:
        suffix = Path(name).suffix.lower()
        if suffix not in (".json", ".jsonl"):
            raise InvalidInput(f"dataset file {name!r} must end in .json or .jsonl")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(content.encode() if isinstance(content, str) else content)
            return datasets.import_file(path, name=Path(name).name, fmt=fmt)

    def import_dataset(self, path: str, name: str | None = None, fmt: str | None = None) -> dict:
        return datasets.import_file(Path(path), name=name, fmt=fmt)

    def validate(self, path: str, fmt: str | None = None) -> dict:
        return datasets.validate_file(Path(path), fmt)

    def prepare_docs(self, folder: str | None = None, name: str | None = None) -> dict:
        return datasets.prepare_docs(folder, name)

    def datasets(self) -> list[dict]:
        return datasets.list_datasets()

    # tasks
    def create_task(
        self,
        dataset_id: str,
        base_model: str | None = None,
        name: str | None = None,
        config: dict | None = None,
    ) -> dict:
        from pydantic import ValidationError

        body = {**(config or {}), "dataset_id": dataset_id}
        if base_model:
            body["model"] = base_model
        if name:
            body["name"] = name
        try:
            cfg = TaskConfig.model_validate(body)
        except ValidationError as exc:
            raise InvalidInput(f"invalid task config: {exc.errors(include_url=False)}") from exc
        return tasks.create_task(cfg)

    def start(
        self, data: str, model: str | None = None, name: str | None = None, config: dict | None = None
    ) -> dict:
        """Import the dataset file `data` (validated first) and queue a task on it."""
        dataset = datasets.import_file(Path(data))
        return self.create_task(dataset["id"], base_model=model, name=name, config=config)

    def list(self) -> list[dict]:
        return tasks.list_tasks()

    def get(self, task_id: str) -> dict:
        return tasks.get_task(task_id)

    def cancel(self, task_id: str) -> dict:
        return tasks.cancel_task(task_id)

    def delete(self, task_id: str) -> None:
        tasks.delete_task(task_id)

    def resume(self, task_id: str) -> dict:
        return tasks.resume_task(task_id)

    def logs(self, task_id: str, lines: int = 200) -> list[str]:
        return tasks.logs(task_id, lines)

    def merge(self, task_id: str) -> dict:
        return tasks.merge_task(task_id)

    # models & chat
    def models(self) -> list[dict]:
        from ..models import list_models

        return [m.to_dict() for m in list_models()]

    def use_in_chat(self, task_id: str, merge_and_restart: bool = False) -> dict:
        return hotswap.use_task(task_id, merge_and_restart=merge_and_restart)

    def switch_model(self, model_path: str, restart: bool = False) -> dict:
        return hotswap.switch_model(model_path, restart=restart)

    def current_model(self) -> dict:
        return default_model.current_chat_model()
