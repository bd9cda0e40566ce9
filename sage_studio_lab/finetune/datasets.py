"""Datasets: validate, store (normalised to OpenAI `messages` JSONL), preview, token statistics, split,
and the offline "sample dataset from docs" builder."""

from __future__ import annotations

import json
import random
import re
import shutil
import uuid
from pathlib import Path

from .. import paths
from ..errors import InvalidInput, NotFound
from ..store import dumps, get_store, loads, now
from .formats import FORMATS, MAX_REPORTED_ERRORS, parse_file

DATA_FILE = "data.jsonl"


def datasets_root() -> Path:
    return paths.area_dir("datasets")


def dataset_dir(dataset_id: str) -> Path:
    try:
        return paths.child_path(datasets_root(), dataset_id)
    except ValueError as exc:
        raise InvalidInput(f"dataset id: {exc}") from exc


def validate_file(path: Path, fmt: str | None = None) -> dict:
    """A report, storing nothing: {ok, format, rows, errors[...]} (errors name the line)."""
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"format {fmt!r} is unknown: use one of {', '.join(FORMATS)}")
    got, conversations, errors = parse_file(Path(path), fmt)
    return {
        "ok": not errors,
        "format": got,
        "rows": len(conversations),
        "errors": errors[:MAX_REPORTED_ERRORS],
        "error_count": len(errors),
    }


def _raise_invalid(report: dict, name: str) -> None:
    first = report["errors"][0] if report["errors"] else "no records"
    more = f" (and {report['error_count'] - 1} more)" if report["error_count"] > 1 else ""
    raise InvalidInput(f"dataset {name!r} is invalid: {first}{more}", errors=report["errors"])


def import_file(src: Path, name: str | None = None, fmt: str | None = None) -> dict:
    """Validate `src` and store it as a new dataset; a bad file raises InvalidInput and stores nothing."""
    src = Path(src)
    name = name or src.name
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"format {fmt!r} is unknown: use one of {', '.join(FORMATS)}")
    got, conversations, errors = parse_file(src, fmt)
    if errors:
        _raise_invalid({"errors": errors[:MAX_REPORTED_ERRORS], "error_count": len(errors)}, name)
    return save_conversations(conversations, name=name, fmt=got or "openai")


def save_conversations(conversations: list[list[dict]], name: str, fmt: str = "openai") -> dict:
    dataset_id = "ds-" + uuid.uuid4().hex[:12]
    folder = dataset_dir(dataset_id)
    tmp = folder.with_name(f".{dataset_id}.tmp")
    tmp.mkdir(parents=True)
    with (tmp / DATA_FILE).open("w", encoding="utf-8") as fh:
        for messages in conversations:
            fh.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
    tmp.rename(folder)  # the folder appears complete or not at all
    stats = {"turns": sum(len(c) for c in conversations)}
    try:
        with get_store().tx() as conn:
            conn.execute(
                "INSERT INTO datasets(id, name, format, path, rows, stats, created_at) VALUES (?,?,?,?,?,?,?)",
                (dataset_id, name, fmt, str(folder / DATA_FILE), len(conversations), dumps(stats), now()),
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return get_dataset(dataset_id)


def _row(r: dict) -> dict:
    r = dict(r)
    r["stats"] = loads(r["stats"], {})
    return r


def list_datasets() -> list[dict]:
    return [_row(r) for r in get_store().query("SELECT * FROM datasets ORDER BY created_at DESC")]


def get_dataset(dataset_id: str) -> dict:
    dataset_dir(dataset_id)  # refuses traversal before we touch the store
    row = get_store().query_one("SELECT * FROM datasets WHERE id=?", (dataset_id,))
    if row is None:
        raise NotFound(f"dataset {dataset_id!r} not found")
    return _row(row)


def delete_dataset(dataset_id: str) -> None:
    get_dataset(dataset_id)
    get_store().execute("DELETE FROM datasets WHERE id=?", (dataset_id,))
    shutil.rmtree(dataset_dir(dataset_id), ignore_errors=True)


def load_conversations(dataset_id: str) -> list[list[dict]]:
    path = Path(get_dataset(dataset_id)["path"])
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["messages"] for line in fh if line.strip()]


def split(conversations: list, eval_ratio: float, seed: int) -> tuple[list, list]:
    """Shuffled train/eval split; eval gets at least one example when asked for and there are ≥ 2."""
    items = list(conversations)
    random.Random(seed).shuffle(items)
    n_eval = int(round(len(items) * eval_ratio)) if eval_ratio > 0 else 0
    if eval_ratio > 0 and n_eval == 0 and len(items) >= 2:
        n_eval = 1
    return items[n_eval:], items[:n_eval]


def preview(dataset_id: str, model: str | None = None, rows: int = 3) -> list[dict]:
    """The first rows as the model's chat template renders them (what the trainer will see)."""
    from .encoding import render, tokenizer_for

    tok = tokenizer_for(model)
    return [{"messages": m, "rendered": render(tok, m)} for m in load_conversations(dataset_id)[:rows]]


def token_stats(dataset_id: str, model: str | None = None, max_length: int = 512) -> dict:
    from .encoding import token_length, tokenizer_for

    tok = tokenizer_for(model)
    lengths = [token_length(tok, m) for m in load_conversations(dataset_id)]
    if not lengths:
        return {
            "count": 0,
            "total_tokens": 0,
            "mean": 0,
            "max": 0,
            "over_max_length": 0,
            "max_length": max_length,
        }
    return {
        "count": len(lengths),
        "total_tokens": sum(lengths),
        "mean": round(sum(lengths) / len(lengths), 1),
        "max": max(lengths),
        "min": min(lengths),
        "over_max_length": sum(n > max_length for n in lengths),
        "max_length": max_length,
    }


# -- sample dataset from docs -------------------------------------------------------------------------------
SAMPLE_NAME = "SAGE docs sample"


def default_docs_dir() -> Path:
    """The project's docs/ (a source checkout), else the SAGE documents shipped with the flow templates
    (an installed wheel has no docs/)."""
    here = Path(__file__).resolve()
    docs = here.parents[2] / "docs"
    return docs if docs.is_dir() else here.parents[1] / "flow" / "templates" / "sample_docs"


_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) pairs of a markdown file; code fences are kept with their section."""
    out, heading, body, fenced = [], None, [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        m = None if fenced else _HEADING.match(line)
        if m:
            if heading and "\n".join(body).strip():
                out.append((heading, "\n".join(body).strip()))
            heading, body = m.group(2).strip(), []
        else:
            body.append(line)
    if heading and "\n".join(body).strip():
        out.append((heading, "\n".join(body).strip()))
    return out


def docs_conversations(folder: Path, max_chars: int = 1200) -> list[list[dict]]:
    conversations = []
    for md in sorted(Path(folder).rglob("*.md")):
        title = md.stem.replace("_", " ").replace("-", " ")
        for heading, body in _sections(md.read_text(encoding="utf-8", errors="replace")):
            answer = body if len(body) <= max_chars else body[:max_chars].rsplit("\n", 1)[0]
            question = f'In the {title} documentation, what does the section "{heading}" explain?'
            conversations.append(
                [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
            )
    return conversations


def prepare_docs(folder: str | None = None, name: str | None = None) -> dict:
    """Build and store an instruction dataset from a folder of markdown files (default: the project's docs/)."""
    root = Path(folder).expanduser() if folder else default_docs_dir()
    if not root.is_dir():
        raise InvalidInput(f"docs folder {str(root)!r} does not exist")
    conversations = docs_conversations(root)
    if not conversations:
        raise InvalidInput(
            f"no markdown sections found under {str(root)!r}: it needs *.md files with headings"
        )
    return save_conversations(conversations, name=name or f"docs:{root.name}", fmt="docs")


def sample_dataset() -> dict:
    """The SAGE docs sample dataset: the stored one, else built from the default docs (asking twice, from any
    process, selects the same dataset)."""
    with paths.file_lock(datasets_root() / ".sample.lock"):
        row = get_store().query_one(
            "SELECT id FROM datasets WHERE name=? AND format='docs' ORDER BY created_at DESC LIMIT 1",
            (SAMPLE_NAME,),
        )
        if row is not None:
            return get_dataset(row["id"])
        return prepare_docs(None, SAMPLE_NAME)
