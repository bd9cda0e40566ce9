"""Fine-tune REST routes on a real Jupyter server (pytest-jupyter): bad inputs are 4xx and store nothing;
upload (streamed multipart), validate, preview, docs sample, models; and a full run pushed over WebSocket."""

from __future__ import annotations

import asyncio
import json
import tempfile
import uuid

import pytest
import tornado.httpclient

from sage_studio_lab.store import get_store


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}},
        "SageStudio": {"max_upload_mb": 1},
    }


def multipart(filename: str, content: bytes, **fields) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def jsonl(records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


GOOD = [
    {"instruction": f"What is the secret code of door {i}?", "output": "The secret code is ZEBRA-42."}
    for i in range(10)
]


async def call(jp_fetch, *parts, method="GET", body=None, headers=None, params=None):
    if isinstance(body, dict):
        body = json.dumps(body)
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "finetune",
        *parts,
        method=method,
        body=body,
        headers=headers or {},
        params=params,
        raise_error=False,
    )
    return resp.code, (
        json.loads(resp.body)
        if resp.body and resp.headers.get("Content-Type", "").startswith("application/json")
        else resp.body
    )


def nothing_stored():
    store = get_store()
    return store.query("SELECT id FROM datasets") == [] and store.query("SELECT id FROM finetune_tasks") == []


async def test_bad_inputs_are_4xx_and_store_nothing(jp_fetch):
    code, body = await call(jp_fetch, "tasks", "..")
    assert code == 400 and "invalid name" in body["message"]
    code, body = await call(jp_fetch, "tasks", "..", "cancel", method="POST", body={})
    assert code == 400
    code, body = await call(jp_fetch, "datasets", "..", method="DELETE")
    assert code == 400
    code, _ = await call(jp_fetch, "tasks", "ft-missing")
    assert code == 404
    code, body = await call(jp_fetch, "tasks", method="POST", body={"dataset_id": "../../etc"})
    assert code == 400 and "dataset id" in body["message"]
    code, body = await call(jp_fetch, "tasks", method="POST", body={"dataset_id": "ds-x", "epochs": -1})
    assert code == 400 and "epochs" in body["message"]
    code, body = await call(jp_fetch, "tasks", method="POST", body={"dataset_id": "ds-missing"})
    assert code == 404

    bad = jsonl(GOOD[:1]) + b'{"instruction": "no output"}\n'
    raw, headers = multipart("d.jsonl", bad)
    code, body = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    assert code == 400 and "line 2: missing 'output'" in body["message"] and body["errors"]
    raw, headers = multipart("d.jsonl", b"x" * (2 * 1024 * 1024))
    code, body = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    assert code == 413 and "1 MiB" in body["message"]
    raw, headers = multipart("d.csv", jsonl(GOOD))
    code, body = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    assert code == 400 and ".jsonl" in body["message"]

    code, body = await call(jp_fetch, "switch-model", method="POST", body={"model_path": "../../etc/passwd"})
    assert code == 400
    code, body = await call(jp_fetch, "switch-model", method="POST", body={"model_path": "no-such-model"})
    assert code == 404 and "not in the catalog" in body["message"]
    code, body = await call(jp_fetch, "switch-model", method="POST", body={})
    assert code == 400 and "model_path" in body["message"]
    assert nothing_stored()

    # a valid dataset, but an unknown base model: 404 and no task row or folder
    raw, headers = multipart("d.jsonl", jsonl(GOOD))
    code, ds = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    assert code == 201
    code, body = await call(
        jp_fetch, "tasks", method="POST", body={"dataset_id": ds["id"], "model": "no-such-model"}
    )
    assert code == 404 and "not found" in body["message"]
    assert get_store().query("SELECT id FROM finetune_tasks") == []


async def test_upload_validate_preview_docs_and_models(jp_fetch, tmp_path):
    bad = jsonl(GOOD[:3]) + b"{oops\n"
    raw, headers = multipart("d.jsonl", bad)
    code, report = await call(jp_fetch, "validate", method="POST", body=raw, headers=headers)
    assert code == 200 and report["ok"] is False and report["errors"] == [report["errors"][0]]
    assert report["errors"][0].startswith("line 4: not valid JSON")
    assert nothing_stored()

    raw, headers = multipart("secret.jsonl", jsonl(GOOD), name="Secret codes")
    code, ds = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    assert code == 201 and ds["rows"] == 10 and ds["name"] == "Secret codes" and ds["format"] == "alpaca"
    code, detail = await call(jp_fetch, "datasets", ds["id"], params={"max_length": "20", "rows": "2"})
    assert code == 200 and len(detail["preview"]) == 2
    assert "<|im_start|>assistant\nThe secret code is ZEBRA-42.<|im_end|>" in detail["preview"][0]["rendered"]
    assert detail["token_stats"]["count"] == 10 and detail["token_stats"]["over_max_length"] == 10
    assert detail["split"] == {"eval_ratio": 0.1, "train": 9, "eval": 1}
    code, body = await call(jp_fetch, "datasets", ds["id"], params={"eval_ratio": "2"})
    assert code == 400 and "eval_ratio" in body["message"]
    code, body = await call(jp_fetch, "datasets", ds["id"], params={"rows": "many"})
    assert code == 400 and "rows" in body["message"] and "integer" in body["message"]

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Title\ntext\n## Part\nmore text\n")
    code, docs_ds = await call(jp_fetch, "prepare-docs", method="POST", body={"folder": str(docs)})
    assert code == 201 and docs_ds["rows"] == 2
    code, listing = await call(jp_fetch, "datasets")
    assert {d["id"] for d in listing["datasets"]} == {ds["id"], docs_ds["id"]}

    code, models = await call(jp_fetch, "models")
    assert code == 200 and any(
        m["type"] == "base" and m["id"] == "SmolLM2-135M-Instruct" for m in models["models"]
    )
    code, current = await call(jp_fetch, "current-model")
    assert code == 200 and current["kind"] == "base" and current["model"] is None
    code, tasks_ = await call(jp_fetch, "tasks")
    assert code == 200 and tasks_ == {"tasks": []}


@pytest.mark.slow
async def test_training_over_rest_with_websocket_events(jp_fetch, jp_ws_fetch, monkeypatch):
    monkeypatch.setenv("SAGE_STUDIO_TRAIN_THREADS", "1")
    raw, headers = multipart("secret.jsonl", jsonl(GOOD))
    _, ds = await call(jp_fetch, "upload-dataset", method="POST", body=raw, headers=headers)
    code, task = await call(
        jp_fetch,
        "tasks",
        method="POST",
        body={
            "dataset_id": ds["id"],
            "max_steps": 4,
            "batch_size": 4,
            "max_length": 64,
            "eval_ratio": 0.2,
            "eval_steps": 2,
            "save_steps": 2,
            "learning_rate": 1e-3,
        },
    )
    assert code == 201 and task["status"] in ("queued", "running")

    ws = await jp_ws_fetch(
        "sage-studio", "api", "finetune", "tasks", task["id"], "events", params={"logs": "1"}
    )
    messages = []
    while True:
        msg = await ws.read_message()
        if msg is None:  # the server closes the stream when the task has ended
            break
        messages.append(json.loads(msg))
    statuses = [m["status"] for m in messages if m["type"] == "task_status"]
    assert statuses[-1] == "completed", messages[-5:]
    assert [m["step"] for m in messages if m["type"] == "progress"] == [1, 2, 3, 4]
    assert [m["step"] for m in messages if m["type"] == "eval"] == [2, 4]
    assert any(
        m["type"] == "log" and "train_runtime" in m["line"] for m in messages
    )  # train.log followed too

    code, detail = await call(jp_fetch, "tasks", task["id"])
    assert detail["status"] == "completed" and detail["progress"]["step"] == 4 and detail["adapter_path"]
    code, logs = await call(jp_fetch, "tasks", task["id"], "logs", params={"lines": "5"})
    assert code == 200 and len(logs["lines"]) <= 5
    resp = await jp_fetch("sage-studio", "api", "finetune", "tasks", task["id"], "download")
    assert resp.headers["Content-Type"] == "application/zip" and resp.body[:2] == b"PK"
    _, models = await call(jp_fetch, "models")
    assert any(m["type"] == "finetuned" and m["id"] == task["id"] for m in models["models"])
    code, body = await call(jp_fetch, "tasks", task["id"], "cancel", method="POST", body={})
    assert code == 409  # already completed
    code, _ = await call(jp_fetch, "tasks", task["id"], method="DELETE")
    assert code == 200
    with pytest.raises(tornado.httpclient.HTTPClientError):
        await jp_fetch("sage-studio", "api", "finetune", "tasks", task["id"])


# -- refused and aborted uploads, on a raw keep-alive connection ---------------------------------------------------
async def _read_response(reader) -> tuple[int, dict, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", 0))), 20)
    return int(status_line.split()[1]), headers, body


def _request(method: str, path: str, body: bytes = b"", headers: dict | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "why, size, auth, status",
    [("no token", 700_000, False, 403), ("over the 1 MiB limit", 1_500_000, True, 413)],
)
async def test_a_refused_upload_is_answered_and_the_connection_kept(
    jp_fetch, jp_http_port, jp_base_url, jp_auth_header, why, size, auth, status
):
    raw, headers = multipart("d.jsonl", b"x" * size)
    upload = f"{jp_base_url}sage-studio/api/finetune/upload-dataset"
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    try:
        writer.write(_request("POST", upload, raw, {**headers, **(jp_auth_header if auth else {})}))
        await writer.drain()
        code, _, body = await _read_response(reader)
        assert code == status and json.loads(body)["message"], (why, body)
        # the same connection answers the next request: it was not reset after the refusal
        writer.write(_request("GET", f"{jp_base_url}sage-studio/api/health", headers=jp_auth_header))
        await writer.drain()
        code, _, body = await _read_response(reader)
        assert code == 200 and json.loads(body)["status"] == "ok"
    finally:
        writer.close()


async def test_an_aborted_upload_leaves_no_temp_folder(
    jp_fetch, jp_http_port, jp_base_url, jp_auth_header, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the server runs in this process
    raw, headers = multipart("d.jsonl", jsonl(GOOD) * 400)  # ~500 kB, under the limit
    upload = f"{jp_base_url}sage-studio/api/finetune/upload-dataset"
    reader, writer = await asyncio.open_connection("127.0.0.1", jp_http_port)
    request = _request("POST", upload, raw, {**headers, **jp_auth_header})
    writer.write(request[: len(request) // 2])  # half the body, then the client goes away
    await writer.drain()
    for _ in range(100):
        if list(tmp_path.glob("sage-upload-*")):
            break
        await asyncio.sleep(0.05)
    assert list(tmp_path.glob("sage-upload-*")), "the upload did not start"
    writer.close()
    for _ in range(100):
        if not list(tmp_path.glob("sage-upload-*")):
            break
        await asyncio.sleep(0.05)
    assert not list(tmp_path.glob("sage-upload-*")), "the aborted upload's temp folder is still there"
    assert get_store().query("SELECT id FROM datasets") == []
