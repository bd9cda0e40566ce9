"""User-added documents for the KnowledgeRAG step: text / Markdown files in `<user dir>/knowledge/`,
split into paragraphs and searched with BM25 (rebuilt only when the folder changes).

Documents arrive through `add_document` (REST upload, CLI) or by dropping files into the folder."""

from __future__ import annotations

import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from .. import paths
from ..errors import InvalidInput, NotFound, TooLarge
from ..settings import get_settings

SUFFIXES = {".md", ".txt", ".rst"}
_cache: dict = {}
_lock = threading.Lock()


def knowledge_dir(user: str | None = None) -> Path:
    return paths.area_dir("knowledge", user)


def _stamp(files) -> tuple:
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def _files(root: Path) -> list[Path]:
    # Dot files are left out: they are our temp files while a write is in progress.
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def _paragraphs(text: str) -> list[str]:
    return [p for p in (part.strip() for part in text.split("\n\n")) if p]


def _entry(root: Path, f: Path, chunks: int | None = None) -> dict:
    st = f.stat()
    if chunks is None:
        chunks = len(_paragraphs(f.read_text(errors="replace")))
    return {
        "name": f.relative_to(root).as_posix(),
        "size": st.st_size,
        "modified": datetime.fromtimestamp(st.st_mtime, UTC).isoformat(),
        "chunks": chunks,
    }


def list_documents(user: str | None = None) -> list[dict]:
    """The documents KnowledgeRAG searches: [{name, size, modified (ISO 8601, UTC), chunks}], by name."""
    root = knowledge_dir(user)
    return [_entry(root, f) for f in _files(root)]


def _checked_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("give the document a file name, e.g. notes.md")
    name = name.strip()
    if any(c in name for c in ("/", "\\", "\x00")) or name in {".", ".."} or name.startswith("."):
        raise InvalidInput(
            f"invalid document name {name!r}: use a plain file name (no folders, not starting with '.')"
        )
    if len(name) > 200:
        raise InvalidInput("the document name is too long (200 characters at most)")
    if Path(name).suffix.lower() not in SUFFIXES:
        raise InvalidInput(
            f"document {name!r} must end in one of {', '.join(sorted(SUFFIXES))} (plain text or Markdown)"
        )
    return name


def add_document(name: str, data: bytes | str, user: str | None = None) -> dict:
    """Store a document (replacing one of the same name). Refuses bad names, non-UTF-8 text and documents
    over the upload limit before writing anything; the write is atomic (temp file + rename)."""
    name = _checked_name(name)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    limit_mb = get_settings().max_upload_mb
    if len(raw) > limit_mb * 1024 * 1024:
        raise TooLarge(
            f"document {name!r} is {len(raw)} bytes: the limit is {limit_mb} MiB (c.SageStudio.max_upload_mb)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"document {name!r} is not UTF-8 text (byte {exc.start}): save it as UTF-8 and upload it again"
        ) from None
    if not text.strip():
        raise InvalidInput(f"document {name!r} is empty")
    root = knowledge_dir(user)
    target = paths.child_path(root, name)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=root)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return _entry(root, target, len(_paragraphs(text)))


def delete_document(name: str, user: str | None = None) -> None:
    root = knowledge_dir(user)
    try:
        target = paths.child_path(root, name)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if not target.is_file() or target.suffix.lower() not in SUFFIXES:
        raise NotFound(f"no knowledge document named {name!r}")
    target.unlink()


def search(query: str, k: int = 3, user: str | None = None) -> list[dict]:
    """Best paragraphs for `query`: [{source, document, text, score}] (empty when no document is there)."""
    from ..retrieval import BM25Index

    root = knowledge_dir(user)
    files = _files(root)
    if not files:
        return []
    stamp = _stamp(files)
    with _lock:
        entry = _cache.get(str(root))
        if entry is None or entry[0] != stamp:
            chunks = {}
            for f in files:
                for j, para in enumerate(_paragraphs(f.read_text(errors="replace"))):
                    chunks[f"{f.relative_to(root).as_posix()}#{j}"] = para[:2000]
            entry = _cache[str(root)] = (stamp, BM25Index(chunks.items()), chunks)
        _, index, chunks = entry
    return [
        {
            "source": cid,
            "document": cid.rsplit("#", 1)[0],
            "text": chunks[cid],
            "score": round(score, 4),
        }
        for cid, score in index.search(query, k)
    ]
