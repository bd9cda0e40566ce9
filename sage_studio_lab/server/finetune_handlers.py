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

from ..errors import InvalidInput, StudioError
from .base import StudioHandler
from .push import PushSocket

ID = r"(?P<task_id>[^/]+)"


def _ft():
    from .. import finetune  # noqa: F401 - light package; heavy libraries load inside the calls that need them
    from ..chat import default_model as catalog
    from ..finetune import datasets, hotswap, tasks

    return datasets, tasks, hotswap, catalog


async def _in_thread(fn, *args, **kwargs):
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- datasets ------------------------------------------------------------------------------------------------
@tornado.web.stream_request_body
class UploadHandler(StudioHandler):
    """Multipart upload streamed to a temp file (never held in memory), validated, stored only when valid.
    `validate_only=True` (route `finetune/validate`) reports the per-line errors and stores nothing.

    The body streams in before `post()` runs. A refused upload (no token, no XSRF cookie, too large, not
    multipart) is answered once its body has been read — drained, never parsed or written — so the client reads
    the status (403, 413, 400) instead of a reset connection, and a keep-alive connection stays usable. Only a
    body declared larger than twice the limit is answered at once and its connection closed (a client that sent
    `Expect: 100-continue` has sent none of it). A client that goes away mid-body leaves no temp folder behind.
    """

    def initialize(self, validate_only: bool = False):
        self.validate_only = validate_only
        self._tmp: Path | None = None
        self._parser = None
        self._files: list = []
        self._fields: dict[str, str] = {}
        self._received = 0
        self._refused: Exception | None = None  # answered by post(), after the body

    @property
    def limit(self) -> int:
        return int(self.studio.max_upload_mb) * 1024 * 1024

    def _too_large(self) -> tornado.web.HTTPError:
        return tornado.web.HTTPError(
            413,
            reason=f"upload too large: the limit is {self.studio.max_upload_mb} MiB (c.SageStudio.max_upload_mb)",
        )

    async def prepare(self):
        if self.request.method != "POST":
            return await super().prepare()
        drain_limit = 2 * self.limit + 1024 * 1024
        self.request.connection.set_max_body_size(drain_limit)
        try:
            await super().prepare()  # Jupyter's auth and XSRF checks
            if self.current_user is None:
                raise tornado.web.HTTPError(403)
            if int(self.request.headers.get("Content-Length") or 0) > self.limit + 64 * 1024:
                raise self._too_large()
            self._start()
        except (tornado.web.HTTPError, StudioError) as exc:
            if int(self.request.headers.get("Content-Length") or 0) > drain_limit:
                raise  # too much to read just to refuse it: answered now, the connection closes
            self._refused = exc

    def _start(self) -> None:
        content_type = self.request.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            raise InvalidInput("send the dataset as multipart/form-data with a 'file' field")
        import python_multipart

        self._tmp = Path(tempfile.mkdtemp(prefix="sage-upload-"))
        self._parser = python_multipart.create_form_parser(
            {"Content-Type": content_type},
            self._on_field,
            self._files.append,
            # The folder is removed as a whole (`_cleanup`): a part's file deleting itself on close would find it
            # gone when the upload was aborted mid-part.
            config={
                "UPLOAD_DIR": str(self._tmp),
                "MAX_MEMORY_FILE_SIZE": 0,
                "UPLOAD_KEEP_EXTENSIONS": True,
                "UPLOAD_DELETE_TMP": False,
            },
        )

    def _on_field(self, field) -> None:
        self._fields[(field.field_name or b"").decode()] = (field.value or b"").decode("utf-8", "replace")

    def data_received(self, chunk: bytes) -> None:
        self._received += len(chunk)
        if self._refused is None and self._received > self.limit:
            self._refused = self._too_large()  # keep reading (so the client gets our answer), stop writing
            self._cleanup()
        if self._refused is None and self._parser is not None:
            self._parser.write(chunk)

    @tornado.web.authenticated
    async def post(self):
        if self._refused is not None:
            raise self._refused
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

    def _cleanup(self) -> None:
        for f in self._files:
            try:
                f.close()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
        self._files, self._parser = [], None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def on_finish(self):
        self._cleanup()

    def on_connection_close(self):
        """The client went away mid-body: `post()` never runs, nor `on_finish`."""
        super().on_connection_close()
        self._cleanup()


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
    """One task's stream (`finetune.watch`): the messages of the core's `TaskFollower` — past events, then each
    new one as the trainer writes it, train.log lines with `?logs=1`, status changes — closed after the task
    ends. The server tails the files (in a worker thread); clients never poll."""

    @ws_authenticated
    async def get(self, task_id: str):
        from ..finetune.follow import TaskFollower

        try:
            self.follower = TaskFollower(task_id, logs=self.get_query_argument("logs", "0") in ("1", "true"))
        except StudioError as exc:
            raise tornado.web.HTTPError(exc.status, reason=exc.message) from None
        return await super().get(task_id)

    async def _run(self):
        from ..finetune.follow import TAIL_INTERVAL_S

        try:
            while True:
                for message in await _in_thread(self.follower.poll):
                    await self.write_message(json.dumps(message, default=str))
                if self.follower.done:
                    self.close()
                    return
                await asyncio.sleep(TAIL_INTERVAL_S)
        except (tornado.websocket.WebSocketClosedError, asyncio.CancelledError):
            return


class AllTasksEventsSocket(PushSocket):
    """One push socket for the whole task table: a snapshot of all tasks, then a message whenever a task
    appears, changes status, reports progress, or is deleted (`finetune.events`; shapes in docs/TRANSPORT.md).
    The server reads the store and the events files only while a client is connected; clients never poll."""

    INTERVAL_S = 0.3

    @ws_authenticated
    async def get(self):
        return await super().get()

    async def _run(self):
        from ..finetune.watch import TaskTableWatcher

        watcher = TaskTableWatcher()
        try:
            await self.write_message(json.dumps(await _in_thread(watcher.snapshot), default=str))
            while True:
                await asyncio.sleep(self.INTERVAL_S)
                for message in await _in_thread(watcher.poll):
                    await self.write_message(json.dumps(message, default=str))
        except (tornado.websocket.WebSocketClosedError, asyncio.CancelledError):
            return


def routes():
    return [
        (r"api/finetune/upload-dataset", UploadHandler, {"validate_only": False}),
        (r"api/finetune/validate", UploadHandler, {"validate_only": True}),
        (r"api/finetune/events", AllTasksEventsSocket),
        (rf"api/finetune/tasks/{ID}/download", TaskDownloadHandler),
        (rf"api/finetune/tasks/{ID}/events", TaskEventsSocket),
    ]
