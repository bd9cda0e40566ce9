"""The improvement loop's dataset builder: rated and corrected chat answers (chat/ratings.py) → a fine-tune dataset
in the `messages` format, stored like an uploaded one (so the fine-tune form lists it), or → preference pairs in
TRL's conversational shape (`prompt` / `chosen` / `rejected`, what its DPO trainer reads).

A selected answer becomes one row: the conversation from the root of its branch up to the answer's parent, with
the session's system prompt first, then the *good* answer — the answer itself when rated 👍, its ideal answer
when it was rated 👎 and corrected, or the ideal answer itself. Rows are deduplicated (same messages) and split
train/eval with a seeded shuffle (`datasets.split`, the trainer's own). Each build gets the next version of its
name and records the sessions it came from (`dataset_builds`, chat/schema.py).
"""

from __future__ import annotations

import functools
import json
import shutil
import uuid
from dataclasses import asdict
from pathlib import Path

from .. import paths
from ..errors import InvalidInput, NotFound
from ..models import resolve_model
from ..store import dumps, get_store, loads, now
from .datasets import DATA_FILE, dataset_dir, split
from .encoding import render, token_length, tokenizer_for
from .feedback import Filters, Selection, preference_pairs, select

EVAL_FILE = "eval.jsonl"  # the held-out rows, beside data.jsonl (which holds the training rows)
SOURCES_FILE = "sources.jsonl"  # per row: split, session, answer and rated message ids, kind, model


def _filters_json(sel: Selection) -> dict:
    return sel.model_dump(mode="json", exclude_none=True)


def _next_version(conn, kind: str, name: str) -> int:
    row = conn.execute(
        "SELECT MAX(version) FROM dataset_builds WHERE kind=? AND name=?", (kind, name)
    ).fetchone()
    return (row[0] or 0) + 1


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def build(
    filters: Filters,
    name: str = "chat feedback",
    eval_ratio: float = 0.1,
    seed: int = 42,
    user: str | None = None,
) -> dict:
    """Select, dedupe, split and store the next version of dataset `name`; returns the build (see `list_builds`).

    The dataset's `data.jsonl` holds the training rows (what a fine-tune task trains on), `eval.jsonl` the
    held-out ones, `sources.jsonl` where each row came from. (A fine-tune task on it still holds out its own
    `eval_ratio` of data.jsonl for its eval loss; eval.jsonl stays unseen by training.)"""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("the dataset needs a name")
    if not 0 <= eval_ratio < 1:
        raise InvalidInput("eval_ratio must be at least 0 and below 1")
    examples, report = select(filters, user)
    if not examples:
        raise InvalidInput(f"no rated or corrected answers match the filters ({_why(report)})")
    train, held_out = split(examples, eval_ratio, seed)
    dataset_id = "ds-" + uuid.uuid4().hex[:12]
    folder = dataset_dir(dataset_id)
    tmp = folder.with_name(f".{dataset_id}.tmp")
    tmp.mkdir(parents=True)
    _write_jsonl(tmp / DATA_FILE, ({"messages": e.messages} for e in train))
    _write_jsonl(tmp / EVAL_FILE, ({"messages": e.messages} for e in held_out))
    _write_jsonl(
        tmp / SOURCES_FILE,
        (
            {"split": s} | {k: v for k, v in asdict(e).items() if k != "messages"}
            for s, part in (("train", train), ("eval", held_out))
            for e in part
        ),
    )
    tmp.rename(folder)  # the folder appears complete or not at all
    session_ids = sorted({e.session_id for e in examples})
    counts = report | {"train": len(train), "eval": len(held_out), "eval_ratio": eval_ratio, "seed": seed}
    build_id = "build-" + uuid.uuid4().hex[:12]
    try:
        with get_store(user).tx() as conn:  # version and rows together: two builders never share a version
            version = _next_version(conn, "sft", name)
            stats = {
                "turns": sum(len(e.messages) for e in train),
                "eval_rows": len(held_out),
                "build": {"id": build_id, "name": name, "version": version, "sessions": session_ids},
            }
            conn.execute(
                "INSERT INTO datasets(id, name, format, path, rows, stats, created_at) VALUES (?,?,?,?,?,?,?)",
                (
                    dataset_id,
                    f"{name} v{version}",
                    "openai",
                    str(folder / DATA_FILE),
                    len(train),
                    dumps(stats),
                    now(),
                ),
            )
            _record(conn, build_id, "sft", name, version, dataset_id, folder, session_ids, filters, counts)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return get_build(build_id, user)


def _record(conn, build_id, kind, name, version, dataset_id, path, session_ids, sel, counts) -> None:
    conn.execute(
        "INSERT INTO dataset_builds(id, kind, name, version, dataset_id, path, sessions, filters, counts, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            build_id,
            kind,
            name,
            version,
            dataset_id,
            str(path),
            dumps(session_ids),
            dumps(_filters_json(sel)),
            dumps(counts),
            now(),
        ),
    )


def _why(report: dict) -> str:
    skipped = ", ".join(f"{n} {reason}" for reason, n in report["skipped"].items())
    return f"{report['duplicates']} duplicates" + (f", skipped: {skipped}" if skipped else "")


def _build_row(r: dict, user: str | None) -> dict:
    r = dict(r)
    for key, default in (("sessions", []), ("filters", {}), ("counts", {})):
        r[key] = loads(r[key], default)
    # a dataset deleted in the fine-tune panel leaves its build listed, marked unavailable
    exists = (
        r["dataset_id"] is None
        or get_store(user).query_one("SELECT 1 AS x FROM datasets WHERE id=?", (r["dataset_id"],)) is not None
    )
    r["available"] = exists and Path(r["path"]).exists()
    return r


def list_builds(user: str | None = None) -> list[dict]:
    """Every build, newest first: kind, name, version, dataset id, source sessions, filters, counts."""
    rows = get_store(user).query("SELECT * FROM dataset_builds ORDER BY created_at DESC, version DESC")
    return [_build_row(r, user) for r in rows]


def get_build(build_id: str, user: str | None = None) -> dict:
    row = get_store(user).query_one("SELECT * FROM dataset_builds WHERE id=?", (build_id,))
    if row is None:
        raise NotFound(f"dataset build {build_id!r} not found")
    return _build_row(row, user)


# -- preview ------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _fast_tokenizer(model_dir: str):
    """The model's tokenizer (tokenizer.json + its chat template) without torch: transformers' AutoTokenizer
    imports torch (through its config classes); the fast tokenizer class alone does not."""
    from transformers.tokenization_utils_tokenizers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(model_dir)


def _tokenizer(model: str | None):
    folder = resolve_model(model)
    if (folder / "tokenizer.json").exists():
        return _fast_tokenizer(str(folder))
    return tokenizer_for(model)  # a slow-only tokenizer: the general loader (it may import torch)


def preview(filters: Filters, rows: int = 3, model: str | None = None, user: str | None = None) -> dict:
    """What `build` would store, writing nothing: counts, and the first `rows` rows as the model's chat template
    renders them with their token counts (the model's tokenizer only: no torch)."""
    examples, report = select(filters, user)
    tok = _tokenizer(model)
    lengths = [token_length(tok, e.messages) for e in examples]
    shown = [
        {"messages": e.messages, "rendered": render(tok, e.messages), "tokens": n}
        | {k: v for k, v in asdict(e).items() if k != "messages"}
        for e, n in zip(examples[:rows], lengths, strict=False)
    ]
    return report | {
        "rows": shown,
        "total_tokens": sum(lengths),
        "max_tokens": max(lengths, default=0),
        "sessions": sorted({e.session_id for e in examples}),
    }


def preference_export(
    sel: Selection, name: str | None = None, save: bool = False, user: str | None = None
) -> dict:
    """The preference rows; with `save`, also the next version of `name` as a JSONL file (a build of kind
    `preference`)."""
    rows, session_ids = preference_pairs(sel, user)
    out: dict = {"rows": rows, "count": len(rows), "sessions": session_ids}
    if not save:
        return out
    name = " ".join((name or "chat preferences").split())
    if not rows:
        raise InvalidInput("no corrected answers match the filters: nothing to save")
    build_id = "build-" + uuid.uuid4().hex[:12]
    folder = paths.area_dir("datasets", user) / "preferences"
    folder.mkdir(exist_ok=True)
    path = folder / f"{build_id}.jsonl"
    tmp = path.with_name(f".{build_id}.tmp")
    _write_jsonl(tmp, rows)
    tmp.rename(path)
    try:
        with get_store(user).tx() as conn:
            version = _next_version(conn, "preference", name)
            _record(
                conn,
                build_id,
                "preference",
                name,
                version,
                None,
                path,
                session_ids,
                sel,
                {"pairs": len(rows)},
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return out | {"build": get_build(build_id, user)}
