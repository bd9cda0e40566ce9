"""Sources: the run's text / chat input and files (txt, md, jsonl; pdf when pypdf is installed)."""

from __future__ import annotations

import glob
import json
from pathlib import Path

from ...errors import InvalidInput
from ..registry import Field, Many, Operator, Port, register_operator
from ._common import allowed, doc_id, resolve_path

FILE_KINDS = (".txt", ".md", ".markdown", ".jsonl", ".pdf")


def _run_input(ctx, name: str, node_id: str):
    """The run input meant for this node: by node id, by its configured name, else None."""
    for key in (node_id, name):
        if key and key in ctx.inputs:
            return ctx.inputs[key]
    return None


@register_operator
class TextInput(Operator):
    """The run's text input (a question, a prompt...)."""

    type = "text_input"
    category = "input"
    label = "Text input"
    icon = "type"
    source = True
    outputs = [Port("text", "text")]
    config_schema = [
        Field("name", "string", "input", "Input name", "Key of this input in the run inputs"),
        Field("default", "text", "", "Default text", "Used when the run gives no value"),
    ]

    def process(self, inputs, ctx):
        value = _run_input(ctx, self.config.get("name"), ctx.node_id)
        if value is None:
            value = self.config.get("default", "")
        return {"text": value if isinstance(value, str) else json.dumps(value)}


@register_operator
class ChatInput(Operator):
    """A chat turn: the user message plus the history, as OpenAI-style messages."""

    type = "chat_input"
    category = "input"
    label = "Chat input"
    icon = "message-square"
    source = True
    outputs = [Port("text", "text", label="message"), Port("messages", "messages", label="history")]
    config_schema = [
        Field("name", "string", "input", "Input name", "Key of the user message in the run inputs"),
        Field("history_name", "string", "history", "History name", "Key of the prior messages"),
        Field("system_prompt", "text", "", "System prompt"),
    ]

    def process(self, inputs, ctx):
        value = _run_input(ctx, self.config.get("name"), ctx.node_id)
        history = ctx.inputs.get(self.config.get("history_name") or "history") or []
        if isinstance(value, dict) and "content" in value:
            value = value["content"]
        text = "" if value is None else str(value)
        messages = []
        if self.config.get("system_prompt"):
            messages.append({"role": "system", "content": self.config["system_prompt"]})
        messages += [m for m in history if isinstance(m, dict) and "role" in m]
        messages.append({"role": "user", "content": text})
        return {"text": text, "messages": messages}


def read_file_documents(path: Path) -> list[dict]:
    suffix = path.suffix.lower()
    source = str(path)
    if suffix == ".jsonl":
        docs = []
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path.name} line {i}: not valid JSON ({exc.msg})") from exc
            text = rec.get("text") or rec.get("content") if isinstance(rec, dict) else None
            if text is None:
                text = json.dumps(rec, ensure_ascii=False) if not isinstance(rec, str) else rec
            meta = {"source": source, "line": i, **(rec.get("metadata", {}) if isinstance(rec, dict) else {})}
            docs.append({"id": doc_id(text, meta), "text": text, "metadata": meta})
        return docs
    if suffix == ".pdf":
        try:
            from pypdf import PdfReader
        except ImportError as exc:
            raise InvalidInput(
                f"{path.name}: reading PDF needs the optional package pypdf (pip install pypdf)"
            ) from exc
        text = "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    meta = {"source": source}
    return [{"id": doc_id(text, meta), "text": text, "metadata": meta}]


@register_operator
class FileSource(Operator):
    """Documents read from files: a path, a folder or a glob (txt, md, jsonl; pdf with pypdf)."""

    type = "file_source"
    category = "input"
    label = "File source"
    icon = "file-text"
    source = True
    blocking = True
    outputs = [Port("documents", "documents")]
    config_schema = [
        Field(
            "path",
            "string",
            "",
            "Path",
            "A file, a folder or a glob; relative to the flow file (the Jupyter root when the flow has no file; "
            "the shipped templates' sample_docs are found anywhere). Runs may read only inside the Jupyter root "
            "(CLI: the current directory)",
            required=True,
        ),
        Field("input_name", "string", "file", "Input name", "A run input with this key overrides the path"),
        Field("per_file", "boolean", False, "One message per file", "Emit each file separately (streaming)"),
    ]

    def process(self, inputs, ctx):
        raw = _run_input(ctx, self.config.get("input_name"), ctx.node_id) or self.config.get("path")
        if not raw:
            raise InvalidInput("file source: set `path` (a file, folder or glob)")
        paths = []
        for item in raw if isinstance(raw, list) else [raw]:
            p = allowed(resolve_path(str(item), ctx.base_dir, self.config), self.config, "file source")
            if p.is_dir():
                paths += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in FILE_KINDS)
            elif any(ch in str(item) for ch in "*?["):
                paths += sorted(Path(f) for f in glob.glob(str(p), recursive=True) if Path(f).is_file())
            elif p.is_file():
                paths.append(p)
            else:
                raise InvalidInput(f"file source: {p} does not exist")
        # every file found, too: a glob's `..` or a symlink in a folder may point outside the allowed folders
        paths = [allowed(p, self.config, "file source") for p in paths]
        docs_per_file = [read_file_documents(p) for p in paths]
        if self.config.get("per_file"):
            return {"documents": Many(docs_per_file)}
        return {"documents": [d for docs in docs_per_file for d in docs]}


@register_operator
class ListInput(Operator):
    """Emit each item of a list (a run input, or the configured JSON list) as its own message."""

    type = "list_input"
    category = "input"
    label = "List input"
    icon = "list"
    source = True
    outputs = [Port("item", "any")]
    config_schema = [
        Field("name", "string", "items", "Input name", "Key of the list in the run inputs"),
        Field("items", "json", [], "Items", "Used when the run gives no list"),
    ]

    def process(self, inputs, ctx):
        items = _run_input(ctx, self.config.get("name"), ctx.node_id)
        if items is None:
            items = self.config.get("items") or []
        if not isinstance(items, list):
            raise InvalidInput(
                f"list input: {self.config.get('name')!r} must be a list, got {type(items).__name__}"
            )
        return {"item": Many(items)}
