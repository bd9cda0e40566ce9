"""Bad request bodies on every JSON route: never a 5xx, and a refused request writes nothing.

Every Studio route that takes a body (read from the live route table, as the auth test does) gets the fixed corpus
of tests/request_corpus.py — malformed JSON, JSON the body parser refuses (deep nesting, 5000-digit integers,
non-UTF-8, lone surrogates, NaN, huge keys, a body over the size limit) and, from the route's own pydantic model,
one-field probes on an otherwise valid body (a wrong type, a 1 MiB string in every field that names something, a
5000- and a 100-digit integer, a lone surrogate, each required field missing). Each must be a 4xx, and the data
dir (files, and every SQLite table's rows) and the upload temp folders must be as they were. The engine's own
routes get the same corpus: never a 5xx.

The counts are printed (`pytest -s tests/test_request_fuzz.py`): `request fuzz (studio|engine): tried N …`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from sage_studio_lab import openai_wire as wire
from sage_studio_lab import request_json
from sage_studio_lab.api import get as get_op
from sage_studio_lab.api.improve import ArenaArgs
from sage_studio_lab.chat.models import EditBody, SendBody
from sage_studio_lab.server import chat_handlers, finetune_handlers, gateway_handlers, improve_handlers
from sage_studio_lab.server.operation_handlers import OperationHandler
from tests.engine_procs import start_engine, wait_healthy
from tests.request_corpus import RAW, base_body, field_probes
from tests.test_server_foundation import _concrete, _studio_routes

BODY_VERBS = ("post", "put", "patch")
FLOW_PROBES = [  # routes whose whole body is a flow (`body="flow"`): shapes that are not one
    ("flow: nodes not a list", b'{"nodes": "x", "edges": []}'),
    ("flow: node not an object", b'{"nodes": [1], "edges": []}'),
    ("flow: edges an object", b'{"nodes": [], "edges": {}}'),
    ("flow: wrong type", b"[[{}]]"),
    # a flow may also come as JSON text in a string: that text goes through the same parser
    ("flow text: arrays 100k deep", json.dumps("[" * 100_000 + "]" * 100_000).encode()),
    ("flow text: 5000-digit integer", json.dumps('{"nodes": ' + "9" * 5000 + ', "edges": []}').encode()),
    ("flow text: lone surrogate", json.dumps('{"name": "\\ud800", "nodes": [], "edges": []}').encode()),
    ("flow text: not UTF-8 (escaped)", json.dumps('{"nodes": [], "edges": []').encode()),
]
# Hand-written handlers that take a JSON body: (model, base overrides). A new one must be added here.
HANDWRITTEN = {
    gateway_handlers.ChatCompletionsHandler: (gateway_handlers.ChatCompletionRequest, {}),
    gateway_handlers.StopHandler: (get_op("chat.stop").args, {}),
    chat_handlers.SessionMessagesHandler: (SendBody, {}),
    chat_handlers.SessionRegenerateHandler: (chat_handlers.RegenerateBody, {}),
    chat_handlers.SessionContinueHandler: (chat_handlers.RegenerateBody, {}),
    chat_handlers.MessageEditHandler: (EditBody, {}),
    finetune_handlers.UploadHandler: (None, {}),  # multipart: a JSON body is refused whole
    # `auto`: with no engine and no cloud a valid duel is the declared 503 `no_upstream`
    improve_handlers.ArenaHandler: (ArenaArgs, {"source": "auto"}),
}


@pytest.mark.parametrize(
    "body, status, says",
    [
        (b"[" * 100_000 + b"]" * 100_000, 400, "more than 64 deep"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, 400, "more than 64 deep (at a.a.a.a.a.a.a.a…)"),
        (b'{"n": ' + b"9" * 5000 + b"}", 400, "an integer has 5000 digits (at most 100)"),
        (b'{"n": 1e999}', 400, "out of range"),
        (b'{"n": NaN}', 400, "NaN is not a JSON number"),
        (b'{"name": "\xff"}', 400, "not UTF-8"),
        (
            b'{"messages": [{"content": "\\ud800"}]}',
            400,
            "messages.0.content: the text holds a lone surrogate",
        ),
        (b'{"' + b"k" * 2000 + b'": 1}', 400, "an object key is 2000 characters long"),
        (b"{not json", 400, "not valid JSON"),
        (b" " * (request_json.MAX_BODY_BYTES + 1), 413, "the limit is"),
    ],
)
def test_the_body_parser_refuses_with_a_message(body, status, says):
    from sage_studio_lab.errors import StudioError

    with pytest.raises(StudioError) as err:
        request_json.parse_json(body)
    assert err.value.status == status and says in err.value.message


def test_the_body_parser_accepts_json():
    assert request_json.parse_json(b"") is None and request_json.parse_json(b"", empty={}) == {}
    assert request_json.parse_json('{"emoji": "\\ud83d\\ude00", "n": 1e308}') == {"emoji": "😀", "n": 1e308}
    deep = b"[" * 64 + b"]" * 64
    assert request_json.parse_json(deep) is not None


def _db_digest(path: Path) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: hashlib.sha256(
                repr(sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"')))).encode()
            ).hexdigest()
            for t in tables
        }
    finally:
        conn.close()


def snapshot(home: Path, tmp: Path) -> dict:
    """What a refused request must not change: the data dir's files (SQLite: every table's rows) and uploads."""
    state: dict = {}
    for p in sorted(home.rglob("*")):
        rel = str(p.relative_to(home))
        if p.name.endswith(("-wal", "-shm", "-journal", ".lock")):
            continue  # SQLite's bookkeeping (the tables' rows are compared instead); flock files
        if p.suffix == ".sqlite3":
            state[rel] = _db_digest(p)
        elif p.is_file():
            state[rel] = (p.stat().st_size, p.stat().st_mtime_ns)
        # folders: an area's folder (datasets/, engines/) is made on its first lookup, by design
    state["$TMPDIR"] = sorted(x.name for x in tmp.glob("sage-upload-*"))
    return state


def _diff(before: dict, after: dict) -> list[str]:
    return [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]


def _no_engine(resp) -> bool:
    """A valid chat request answered 503 because this test runs no engine (the declared answer, not a crash)."""
    return resp.code == 503 and b"no_upstream" in resp.body


def _model_of(handler, verb: str, ids: dict):
    """(model, base body, path args, whole-body flow?) of a route's verb; KeyError for an unknown handler."""
    if issubclass(handler, OperationHandler):
        op = handler.operations[verb.upper()]
        if op.body:
            return None, {}, op.path_args, True
        base = base_body(op.args, {k: v for k, v in ids.items() if k in op.args.model_fields}, op.path_args)
        op.validate({**base, **{a: ids.get(a, "x1") for a in op.path_args}})  # the base itself is valid
        return op.args, base, op.path_args, False
    model, overrides = HANDWRITTEN[handler]
    if model is None:
        return None, {}, (), False
    base = base_body(model, overrides)
    model.model_validate(base)
    return model, base, (), False


def _url(pattern: str, ids: dict) -> str:
    """The route with real ids where the test has them (a session, a message, a flow), `x1` elsewhere."""
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: ids.get(m[1], "x1"), pattern)
    return _concrete(url).lstrip("/")


async def _existing_ids(jp_fetch) -> dict:
    """Real things for the probes to aim at, so a body that passes validation reaches the core."""

    async def post(path, body, headers=None):
        resp = await jp_fetch("sage-studio", *path.split("/"), method="POST", body=body, headers=headers)
        return json.loads(resp.body)

    session = await post(
        "api/chat/sessions/import", json.dumps({"messages": [{"role": "user", "content": "hi"}]})
    )
    flow = {
        "name": "fuzz",
        "nodes": [{"id": "in", "type": "text_input"}, {"id": "out", "type": "output"}],
        "edges": [{"id": "e", "source": "in", "sourceHandle": "text", "target": "out", "targetHandle": "in"}],
    }
    saved = await post("api/flow/flows", json.dumps(flow))
    boundary = "fuzzboundary"
    data = json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    upload = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.jsonl"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n{data}\n\r\n--{boundary}--\r\n"
    ).encode()
    dataset = await post(
        "api/finetune/upload-dataset", upload, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    return {
        "session_id": session["id"],
        "message_id": session["active_leaf_id"],
        "flow_id": saved["id"],
        "dataset_id": dataset["id"],
    }


@pytest.fixture
def no_subprocesses(monkeypatch):
    """Nothing starts a process (an engine, a trainer): a refused request must never get that far, and a valid
    one (a task named "../../etc/passwd" is a valid task) is counted as valid when it tries."""
    spawned: list = []

    class Refused(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs):
            spawned.append(args)
            raise RuntimeError(f"a fuzz request reached subprocess.Popen({args})")

    monkeypatch.setattr(subprocess, "Popen", Refused)
    return spawned


@pytest.fixture
def upload_tmp(tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


async def test_every_studio_body_route_refuses_bad_bodies(
    jp_serverapp, jp_fetch, studio_home, upload_tmp, no_subprocesses, monkeypatch
):
    ids = await _existing_ids(jp_fetch)
    monkeypatch.setattr(request_json, "MAX_BODY_BYTES", 2 * 1024 * 1024)  # 1 MiB fields pass, 413 is cheap
    too_large = ("over the size limit", json.dumps({"name": "x" * 2_200_000}).encode())
    counts = {"tried": 0, "4xx": 0, "5xx": 0, "other": 0, "valid (2xx, 503 no engine, or a process start)": 0}
    failures: list[str] = []
    accepted: list[str] = []
    answers: list[tuple] = []
    t0 = time.perf_counter()
    routes = 0
    for pattern, handler in _studio_routes(jp_serverapp):
        url = _url(pattern, ids)
        for verb in BODY_VERBS:
            method = getattr(handler, verb, None)
            if method is None or method.__qualname__.startswith("RequestHandler."):
                continue
            if issubclass(handler, OperationHandler) and verb.upper() not in handler.operations:
                continue  # a verb the path does not take: 405 before the body is read
            try:
                model, base, path_args, whole_flow = _model_of(handler, verb, ids)
            except KeyError:
                failures.append(f"{handler.__name__}: add its body model to HANDWRITTEN")
                continue
            probes = [*RAW, too_large]
            if whole_flow:
                probes += FLOW_PROBES
            elif model is not None:
                probes += field_probes(model, base, skip=path_args)
            routes += 1
            for label, body in probes:
                where = f"{verb.upper()} {url} [{label}]"
                before = snapshot(studio_home, upload_tmp)
                spawned = len(no_subprocesses)
                resp = await jp_fetch(
                    url,
                    method=verb.upper(),
                    body=body,
                    headers={"Content-Type": "application/json"},
                    raise_error=False,
                    allow_nonstandard_methods=True,
                    request_timeout=60,
                )
                counts["tried"] += 1
                answers.append((where, resp.code, resp.body[:160].decode("utf-8", "replace")))
                maybe_valid = "maybe valid" in label
                if 400 <= resp.code < 500:
                    counts["4xx"] += 1
                    changed = _diff(before, snapshot(studio_home, upload_tmp))
                    if changed:
                        failures.append(f"{where} -> {resp.code} but changed {changed}")
                    if label == "over the size limit" and resp.code != 413 and model is not None:
                        failures.append(f"{where} -> {resp.code}, not 413")
                    if not json.loads(resp.body).get("message") or len(resp.body) > 64 * 1024:
                        failures.append(f"{where} -> {resp.code}: no message, or {len(resp.body)} bytes")
                elif maybe_valid and (resp.code < 300 or _no_engine(resp) or len(no_subprocesses) > spawned):
                    counts["valid (2xx, 503 no engine, or a process start)"] += 1
                    accepted.append(f"{where} -> {resp.code}")
                else:
                    counts["5xx" if resp.code >= 500 else "other"] += 1
                    failures.append(f"{where} -> {resp.code} {resp.body[:300]!r}")
    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"\nrequest fuzz (studio): {routes} routes, {summary} in {time.perf_counter() - t0:.1f} s")
    print("accepted (valid):", *accepted, sep="\n  ")
    if os.environ.get("SAGE_FUZZ_ANSWERS"):  # every probe's answer, for a report
        Path(os.environ["SAGE_FUZZ_ANSWERS"]).write_text(json.dumps(answers, indent=1))
    assert routes >= 35 and counts["tried"] >= 1000
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])


ENGINE_MODELS = {
    "/v1/chat/completions": (
        wire.ChatCompletionRequest,
        {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1},
    ),
    "/v1/completions": (wire.CompletionRequest, {"prompt": "hi", "max_tokens": 1}),
    "/v1/load_lora_adapter": (wire.LoadLoraRequest, {"lora_path": "/no/such/adapter"}),
    "/v1/unload_lora_adapter": (wire.UnloadLoraRequest, {}),
}


ENGINE_KEY = "fuzz-key"


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory):
    log = tmp_path_factory.mktemp("fuzz-engine") / "engine.log"
    proc, url = start_engine(log, api_key=ENGINE_KEY)  # bodies are parsed after the key is checked
    try:
        wait_healthy(proc, url, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_every_engine_route_refuses_bad_bodies(engine_url):
    from sage_studio_lab.engine.server.api_server import ROUTES

    counts = {"tried": 0, "4xx": 0, "5xx": 0, "other": 0}
    failures: list[str] = []
    t0 = time.perf_counter()
    posts = [r.path for r in ROUTES if "POST" in (r.methods or ())]
    assert set(posts) == set(ENGINE_MODELS), "a new engine route: add its body model to ENGINE_MODELS"
    auth = {"Authorization": f"Bearer {ENGINE_KEY}"}
    with httpx.Client(base_url=engine_url, timeout=60, headers=auth) as client:
        for path in posts:
            model, overrides = ENGINE_MODELS[path]
            base = base_body(model, overrides)
            model.model_validate(base)
            raw = [(label, body) for label, body in RAW]
            for label, body in raw + field_probes(model, base):
                counts["tried"] += 1
                try:
                    resp = client.post(path, content=body, headers={"Content-Type": "application/json"})
                except httpx.HTTPError as exc:  # no answer at all is worse than a 500
                    counts["5xx"] += 1
                    failures.append(f"POST {path} [{label}] -> no answer: {exc!r}")
                    continue
                kind = (
                    "4xx" if 400 <= resp.status_code < 500 else "5xx" if resp.status_code >= 500 else "other"
                )
                counts[kind] += 1
                if kind == "5xx" or (kind == "other" and "maybe valid" not in label):
                    failures.append(f"POST {path} [{label}] -> {resp.status_code} {resp.text[:300]!r}")
    print(
        f"\nrequest fuzz (engine): {len(posts)} routes, tried {counts['tried']}, 4xx {counts['4xx']}, "
        f"5xx {counts['5xx']}, 2xx (valid one-field variants) {counts['other']} in {time.perf_counter() - t0:.1f} s"
    )
    assert counts["tried"] >= 100
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
