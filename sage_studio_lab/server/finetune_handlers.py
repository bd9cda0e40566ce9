"""REST + WebSocket routes of the fine-tuning center (`<base_url>/sage-studio/api/finetune/...`).

Thin: each verb validates its input and calls `sage_studio_lab.finetune`. Slow core calls (cancel's grace
period, adapter loading, merging) run in a worker thread so the server stays responsive.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path

import tornado.web
import tornado.websocket
from jupyter_server.auth.decorator import ws_authenticated
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InvalidInput, NotFound, StudioError
from .base import StudioHandler
from .push import PushSocket

ID = r"(?P<task_id>[^/]+)"
TERMINAL = ("completed", "failed", "cancelled")


def _ft():
    from .. import finetune  # noqa: F401 - light package; heavy libraries load inside the calls that need them
    from ..finetune import catalog, datasets, hotswap, tasks

    return datasets, tasks, hotswap, catalog


def _int_arg(handler, name: str, default: int, lo: int, hi: int) -> int:
    raw = handler.get_query_argument(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer between {lo} and {hi}, not {raw!r}") from None
    if not lo <= value <= hi:
        raise InvalidInput(f"{name} must be between {lo} and {hi}")
    return value


async def _in_thread(fn, *args, **kwargs):
    return await asyncio.to_thread(fn, *args, **kwargs)


class PrepareDocsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    folder: str | None = Field(None, description="markdown folder (default: the project's docs/)")
    name: str | None = Field(None, max_length=200)


class SwitchModelBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model_path: str = Field(..., min_length=1, max_length=4096)
    restart: bool = Field(
        False, description="restart the engine on the model when it serves another one (else 409)"
    )


class UseInChatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merge_and_restart: bool = Field(
        False,
        description="merge the adapter into merged/ and restart the engine on it (for adapters the engine "
        "cannot hot-load); default: hot-load without a restart",
    )


# -- datasets ------------------------------------------------------------------------------------------------
@tornado.web.stream_request_body
class UploadHandler(StudioHandler):
    """Multipart upload streamed to a temp file (never held in memory), validated, stored only when valid.
    `validate_only=True` (route `finetune/validate`) reports the per-line errors and stores nothing."""

    def initialize(self, validate_only: bool = False):
        self.validate_only = validate_only
        self._tmp: Path | None = None
        self._parser = None
        self._files: list = []
        self._fields: dict[str, str] = {}
        self._received = 0
        self._too_large = False

    @property
    def limit(self) -> int:
        return int(self.studio.max_upload_mb) * 1024 * 1024

    async def prepare(self):
        await super().prepare()
        if self.request.method != "POST":
            return
        if self.current_user is None:  # the body streams before post() runs: authenticate here
            raise tornado.web.HTTPError(403)
        self.request.connection.set_max_body_size(self.limit + 1024 * 1024)
        length = int(self.request.headers.get("Content-Length") or 0)
        if length > self.limit + 64 * 1024:
            self._too_large = True
            raise tornado.web.HTTPError(
                413,
                reason=f"upload too large: the limit is {self.studio.max_upload_mb} MiB "
                "(c.SageStudio.max_upload_mb)",
            )
        content_type = self.request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise InvalidInput("send the dataset as multipart/form-data with a 'file' field")
        import python_multipart

        self._tmp = Path(tempfile.mkdtemp(prefix="sage-upload-"))
        self._parser = python_multipart.create_form_parser(
            {"Content-Type": content_type},
            self._on_field,
            self._files.append,
            config={"UPLOAD_DIR": str(self._tmp), "MAX_MEMORY_FILE_SIZE": 0, "UPLOAD_KEEP_EXTENSIONS": True},
        )

    def _on_field(self, field) -> None:
        self._fields[(field.field_name or b"").decode()] = (field.value or b"").decode("utf-8", "replace")

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._received > self.limit:
            self._too_large = True  # keep reading (so the client gets our answer), but stop writing
            return
        if self._parser is not None and not self._too_large:
            self._parser.write(chunk)

    @tornado.web.authenticated
    async def post(self):
        if self._too_large:
            raise tornado.web.HTTPError(
                413,
                reason=f"upload too large: the limit is {self.studio.max_upload_mb} MiB "
                "(c.SageStudio.max_upload_mb)",
            )
        self._parser.finalize()
        files = [f for f in self._files if (f.field_name or b"") in (b"file", b"dataset")] or self._files
        if not files:
            raise InvalidInput("no file in the upload: send it in a multipart field named 'file'")
        upload = files[0]
        upload.flush_to_disk()
        upload.file_object.flush()
        original = Path((upload.file_name or b"dataset.jsonl").decode("utf-8", "replace")).name
        suffix = Path(original).suffix.lower()
        if suffix not in (".json", ".jsonl"):
            raise InvalidInput(f"dataset file {original!r} must end in .json or .jsonl")
        path = self._tmp / f"dataset{suffix}"
        shutil.move(
            upload.actual_file_name.decode()
            if isinstance(upload.actual_file_name, bytes)
            else upload.actual_file_name,
            path,
        )
        datasets, *_ = _ft()
        fmt = self._fields.get("format") or self.get_query_argument("format", None) or None
        name = self._fields.get("name") or original
        if self.validate_only:
            self.write_json(await _in_thread(datasets.validate_file, path, fmt))
        else:
            self.write_json(await _in_thread(datasets.import_file, path, name, fmt), status=201)

    def on_finish(self):
        for f in self._files:
            try:
                f.close()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


class DatasetsHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        datasets, *_ = _ft()
        self.write_json({"datasets": datasets.list_datasets()})


class DatasetHandler(StudioHandler):
    @tornado.web.authenticated
    async def get(self, dataset_id: str):
        datasets, *_ = _ft()
        ds = datasets.get_dataset(dataset_id)
        model = self.get_query_argument("model", None)
        max_length = _int_arg(self, "max_length", 512, 16, 32768)
        rows = _int_arg(self, "rows", 3, 0, 100)
        preview = await _in_thread(datasets.preview, dataset_id, model, rows)
        stats = await _in_thread(datasets.token_stats, dataset_id, model, max_length)
        try:
            eval_ratio = float(self.get_query_argument("eval_ratio", "0.1"))
        except ValueError:
            raise InvalidInput("eval_ratio must be a number between 0 and 1") from None
        if not 0 <= eval_ratio < 1:
            raise InvalidInput("eval_ratio must be a number between 0 and 1")
        train, evaluation = datasets.split(range(ds["rows"]), eval_ratio, seed=42)
        self.write_json(
            ds
            | {
                "preview": preview,
                "token_stats": stats,
                "split": {"eval_ratio": eval_ratio, "train": len(train), "eval": len(evaluation)},
            }
        )

    @tornado.web.authenticated
    def delete(self, dataset_id: str):
        datasets, *_ = _ft()
        datasets.delete_dataset(dataset_id)
        self.write_json({"deleted": dataset_id})


class PrepareDocsHandler(StudioHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(PrepareDocsBody)
        datasets, *_ = _ft()
        self.write_json(await _in_thread(datasets.prepare_docs, body.folder, body.name), status=201)


# -- tasks -----------------------------------------------------------------------------------------------------
class TasksHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        _, tasks, *_ = _ft()
        self.write_json({"tasks": tasks.list_tasks()})

    @tornado.web.authenticated
    async def post(self):
        from ..finetune.config import TaskConfig

        config = self.parse_body(TaskConfig)
        _, tasks, *_ = _ft()
        self.write_json(await _in_thread(tasks.create_task, config), status=201)


class TaskHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, task_id: str):
        _, tasks, *_ = _ft()
        self.write_json(tasks.get_task(task_id))

    @tornado.web.authenticated
    def delete(self, task_id: str):
        _, tasks, *_ = _ft()
        tasks.delete_task(task_id)
        self.write_json({"deleted": task_id})


class TaskActionHandler(StudioHandler):
    """POST tasks/{id}/{cancel|resume|merge|use-in-chat}."""

    def initialize(self, action: str):
        self.action = action

    @tornado.web.authenticated
    async def post(self, task_id: str):
        _, tasks, hotswap, _ = _ft()
        fn = {
            "cancel": tasks.cancel_task,
            "resume": tasks.resume_task,
            "merge": tasks.merge_task,
            "use-in-chat": hotswap.use_task,
        }[self.action]
        tasks.task_dir(task_id)  # a bad id is a 400 before any work
        if self.action == "use-in-chat":
            body = self.parse_body(UseInChatBody)
            self.write_json(await _in_thread(fn, task_id, merge_and_restart=body.merge_and_restart))
            return
        self.write_json(await _in_thread(fn, task_id))


class TaskLogsHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self, task_id: str):
        _, tasks, *_ = _ft()
        lines = _int_arg(self, "lines", 200, 0, 100_000)
        self.write_json({"task_id": task_id, "lines": tasks.logs(task_id, lines)})


class TaskDownloadHandler(StudioHandler):
    @tornado.web.authenticated
    async def get(self, task_id: str):
        _, tasks, *_ = _ft()
        path = await _in_thread(tasks.adapter_zip, task_id)
        self.set_header("Content-Type", "application/zip")
        self.set_header("Content-Disposition", f'attachment; filename="{task_id}-adapter.zip"')
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                self.write(chunk)
                await self.flush()
        self.finish()


class TaskEventsSocket(PushSocket):
    """Pushes a task's events: a snapshot of all events so far, then each new line as the trainer writes it,
    and status changes from the store. Closes after the task ends. The server tails the file; clients
    never poll."""

    TAIL_INTERVAL_S = 0.1

    @ws_authenticated
    async def get(self, task_id: str):
        _, tasks, *_ = _ft()
        try:
            self.events_file = tasks.events_path(task_id)
        except StudioError as exc:
            raise tornado.web.HTTPError(exc.status, reason=exc.message) from None
        self.task_id = task_id
        self.with_logs = self.get_query_argument("logs", "0") in ("1", "true")  # also follow train.log
        return await super().get(task_id)

    async def _run(self):
        from ..finetune.events import read_events, read_lines

        _, tasks, *_ = _ft()
        offset, log_offset, status, ticks = 0, 0, None, 0
        log_file = self.events_file.with_name("train.log")
        try:
            while True:
                events, offset = read_events(self.events_file, offset)
                for event in events:
                    await self.write_message(json.dumps({"task_id": self.task_id, **event}))
                if self.with_logs:
                    lines, log_offset = read_lines(log_file, log_offset)
                    for line in lines:
                        await self.write_message(
                            json.dumps({"task_id": self.task_id, "type": "log", "line": line})
                        )
                if ticks % 10 == 0 or events:  # the store is checked less often than the file
                    row = await _in_thread(tasks.get_task, self.task_id, refresh=ticks % 20 == 0)
                    if row["status"] != status:
                        status = row["status"]
                        await self.write_message(
                            json.dumps(
                                {
                                    "task_id": self.task_id,
                                    "type": "task_status",
                                    "status": status,
                                    "error": row["error"],
                                }
                            )
                        )
                    if status in TERMINAL:
                        events, offset = read_events(self.events_file, offset)
                        for event in events:
                            await self.write_message(json.dumps({"task_id": self.task_id, **event}))
                        self.close()
                        return
                ticks += 1
                await asyncio.sleep(self.TAIL_INTERVAL_S)
        except (tornado.websocket.WebSocketClosedError, NotFound, asyncio.CancelledError):
            return


class AllTasksEventsSocket(PushSocket):
    """One push socket for the whole task table: a snapshot of all tasks, then a message whenever a task
    appears, changes status, reports progress, or is deleted (shapes: `finetune.watch`, ARCHITECTURE.md).
    The server reads the store and the events files only while a client is connected; clients never poll."""

    INTERVAL_S = 0.3
    REFRESH_EVERY = 10  # ticks between schedule() calls, which reap dead trainers and start queued tasks

    @ws_authenticated
    async def get(self):
        return await super().get()

    async def _run(self):
        from ..finetune.watch import TaskTableWatcher

        watcher = TaskTableWatcher()
        try:
            await self.write_message(json.dumps(await _in_thread(watcher.snapshot), default=str))
            ticks = 0
            while True:
                await asyncio.sleep(self.INTERVAL_S)
                ticks += 1
                for message in await _in_thread(watcher.poll, ticks % self.REFRESH_EVERY == 0):
                    await self.write_message(json.dumps(message, default=str))
        except (tornado.websocket.WebSocketClosedError, asyncio.CancelledError):
            return


# -- models & chat ----------------------------------------------------------------------------------------------
class ModelsHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        from ..models import list_models

        self.write_json({"models": [m.to_dict() for m in list_models()]})


class CurrentModelHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        *_, catalog = _ft()
        self.write_json(catalog.current_chat_model())


class SwitchModelHandler(StudioHandler):
    @tornado.web.authenticated
    async def post(self):
        body = self.parse_body(SwitchModelBody)
        _, _, hotswap, _ = _ft()
        self.write_json(await _in_thread(hotswap.switch_model, body.model_path, restart=body.restart))


def routes():
    return [
        (r"api/finetune/datasets", DatasetsHandler),
        (r"api/finetune/datasets/(?P<dataset_id>[^/]+)", DatasetHandler),
        (r"api/finetune/upload-dataset", UploadHandler, {"validate_only": False}),
        (r"api/finetune/validate", UploadHandler, {"validate_only": True}),
        (r"api/finetune/prepare-docs", PrepareDocsHandler),
        (r"api/finetune/tasks", TasksHandler),
        (r"api/finetune/events", AllTasksEventsSocket),
        (r"api/finetune/create", TasksHandler),
        (rf"api/finetune/tasks/{ID}", TaskHandler),
        (rf"api/finetune/tasks/{ID}/cancel", TaskActionHandler, {"action": "cancel"}),
        (rf"api/finetune/tasks/{ID}/resume", TaskActionHandler, {"action": "resume"}),
        (rf"api/finetune/tasks/{ID}/merge", TaskActionHandler, {"action": "merge"}),
        (rf"api/finetune/tasks/{ID}/use-in-chat", TaskActionHandler, {"action": "use-in-chat"}),
        (rf"api/finetune/tasks/{ID}/logs", TaskLogsHandler),
        (rf"api/finetune/tasks/{ID}/download", TaskDownloadHandler),
        (rf"api/finetune/tasks/{ID}/events", TaskEventsSocket),
        (r"api/finetune/models", ModelsHandler),
        (r"api/finetune/current-model", CurrentModelHandler),
        (r"api/finetune/switch-model", SwitchModelHandler),
    ]
