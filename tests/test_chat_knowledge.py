"""Knowledge documents for the chat's KnowledgeRAG step: core, REST (JSON and multipart) and CLI."""

from __future__ import annotations

import json
import uuid

import pytest
import tornado.httpclient

from sage_studio_lab.chat import knowledge
from sage_studio_lab.cli import main as cli_main
from sage_studio_lab.errors import InvalidInput, NotFound, TooLarge
from sage_studio_lab.store import get_store

NOTE = "# Lab notes\n\nThe zorblax reactor runs at 7731 kelvin.\n\nUnrelated paragraph about lunch.\n"


@pytest.fixture
def jp_server_config():
    # 1 MiB upload limit, so "too big" is cheap to send.
    return {
        "ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}},
        "SageStudio": {"max_upload_mb": 1},
    }


def folder_files():
    return sorted(p.name for p in knowledge.knowledge_dir().iterdir())


def multipart(filename: str, data: bytes, extra: dict | None = None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in (extra or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def fetch(jp_fetch, method, *parts, expect, **kwargs):
    try:
        resp = await jp_fetch("sage-studio", "api", "chat", "knowledge", *parts, method=method, **kwargs)
    except tornado.httpclient.HTTPClientError as err:
        assert err.code == expect, err.response.body
        return json.loads(err.response.body)
    assert resp.code == expect, resp.body
    return json.loads(resp.body) if resp.body else None


def test_core_add_list_replace_search_delete():
    entry = knowledge.add_document("notes.md", NOTE.encode())
    assert entry["name"] == "notes.md" and entry["size"] == len(NOTE.encode()) and entry["chunks"] == 3
    assert knowledge.list_documents() == [entry]
    hits = knowledge.search("zorblax reactor kelvin")
    assert hits[0]["document"] == "notes.md" and "7731" in hits[0]["text"]
    # Replacing keeps one file with the new text; no temp file is left behind.
    knowledge.add_document("notes.md", "Only one paragraph now: zorblax is 9999.")
    assert folder_files() == ["notes.md"] and knowledge.list_documents()[0]["chunks"] == 1
    assert "9999" in knowledge.search("zorblax")[0]["text"]
    knowledge.delete_document("notes.md")
    assert knowledge.list_documents() == [] and knowledge.search("zorblax") == []
    with pytest.raises(NotFound):
        knowledge.delete_document("notes.md")


@pytest.mark.parametrize(
    "name, data, error",
    [
        ("../escape.md", b"x", InvalidInput),
        ("sub/inner.md", b"x", InvalidInput),
        ("..\\win.md", b"x", InvalidInput),
        (".hidden.md", b"x", InvalidInput),
        ("slides.pdf", b"x", InvalidInput),
        ("noext", b"x", InvalidInput),
        ("latin1.txt", "caf\xe9".encode("latin-1"), InvalidInput),
        ("blank.txt", b"  \n\n ", InvalidInput),
    ],
)
def test_core_refuses_bad_documents_and_writes_nothing(name, data, error):
    with pytest.raises(error):
        knowledge.add_document(name, data)
    assert folder_files() == []
    assert not (knowledge.knowledge_dir().parent / "escape.md").exists()


def test_core_size_limit(monkeypatch):
    from sage_studio_lab.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_mb", 1)
    knowledge.add_document("ok.txt", b"a" * (1024 * 1024))
    with pytest.raises(TooLarge):
        knowledge.add_document("big.txt", b"a" * (1024 * 1024 + 1))
    assert folder_files() == ["ok.txt"]


async def test_rest_json_and_multipart_upload_list_delete(jp_fetch):
    created = await fetch(jp_fetch, "POST", body=json.dumps({"name": "notes.md", "text": NOTE}), expect=201)
    assert created["name"] == "notes.md" and created["chunks"] == 3 and created["modified"]
    body, ctype = multipart("manual.txt", b"Press the blue button.\n\nThen wait.")
    uploaded = await fetch(jp_fetch, "POST", body=body, headers={"Content-Type": ctype}, expect=201)
    assert uploaded["name"] == "manual.txt" and uploaded["chunks"] == 2
    body, ctype = multipart("ignored.txt", b"renamed by the form field", {"name": "guide.rst"})
    assert (await fetch(jp_fetch, "POST", body=body, headers={"Content-Type": ctype}, expect=201))[
        "name"
    ] == "guide.rst"
    listed = (await fetch(jp_fetch, "GET", expect=200))["documents"]
    assert [d["name"] for d in listed] == ["guide.rst", "manual.txt", "notes.md"]
    assert listed[2] == created

    resp = await jp_fetch("sage-studio", "api", "chat", "knowledge", "manual.txt", method="DELETE")
    assert resp.code == 204
    assert [d["name"] for d in (await fetch(jp_fetch, "GET", expect=200))["documents"]] == [
        "guide.rst",
        "notes.md",
    ]
    err = await fetch(jp_fetch, "DELETE", "manual.txt", expect=404)
    assert "manual.txt" in err["message"]


async def test_rest_bad_uploads_are_4xx_and_write_nothing(
    jp_fetch, jp_http_port, jp_base_url, jp_auth_header
):
    cases = [
        (json.dumps({"name": "../../evil.md", "text": "x"}), None, 400, "plain file name"),
        (json.dumps({"name": "evil.sh", "text": "x"}), None, 400, ".md"),
        (json.dumps({"name": "a.md"}), None, 400, "text"),
        (json.dumps({"name": "a.md", "text": "x", "extra": 1}), None, 400, "extra"),
        ("not json", None, 400, "JSON"),
        (*multipart("bin.txt", b"\xff\xfe\x00garbage"), 400, "UTF-8"),
        (*multipart("big.md", b"a" * (1024 * 1024 + 10)), 413, "1 MiB"),
        (*multipart("a/../b.md", b"text"), 400, "plain file name"),
    ]
    for body, ctype, status, words in cases:
        headers = {"Content-Type": ctype} if ctype else {}
        err = await fetch(jp_fetch, "POST", body=body, headers=headers, expect=status)
        assert words in err["message"], err
    body = b"--x\r\nContent-Disposition: form-data; name=other\r\n\r\nv\r\n--x--\r\n"
    err = await fetch(
        jp_fetch,
        "POST",
        body=body,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
        expect=400,
    )
    assert "'file'" in err["message"]
    # An encoded slash reaches the handler as "../studio.sqlite3": refused, the database stays.
    get_store()
    url = f"http://localhost:{jp_http_port}{jp_base_url}sage-studio/api/chat/knowledge/..%2Fstudio.sqlite3"
    with pytest.raises(tornado.httpclient.HTTPClientError) as err:
        await tornado.httpclient.AsyncHTTPClient().fetch(url, method="DELETE", headers=jp_auth_header)
    assert err.value.code == 400 and b"invalid name" in err.value.response.body
    assert (knowledge.knowledge_dir().parent / "studio.sqlite3").exists()
    assert folder_files() == []


def test_cli_add_list_rm(tmp_path, capsys):
    doc = tmp_path / "howto.md"
    doc.write_text(NOTE)
    assert cli_main(["knowledge", "add", str(doc)]) == 0
    assert cli_main(["knowledge", "list", "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out[out.index("[") :])
    assert [d["name"] for d in listed] == ["howto.md"]
    assert cli_main(["knowledge", "rm", "howto.md"]) == 0
    assert cli_main(["knowledge", "rm", "howto.md"]) == 1
    assert "no knowledge document" in capsys.readouterr().err
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF")
    assert cli_main(["knowledge", "add", str(bad)]) == 1
    assert knowledge.list_documents() == []
