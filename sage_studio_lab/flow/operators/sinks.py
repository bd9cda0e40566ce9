"""Outputs: collect the results of a run, or write them to a file."""

from __future__ import annotations

import json

from ..registry import Field, Operator, Port, register_operator
from ._common import allowed, as_text, resolve_path


@register_operator
class Output(Operator):
    """Collect messages as a result of the run (under its `name`)."""

    type = "output"
    category = "output"
    label = "Output"
    icon = "log-out"
    inputs = [Port("in", "any")]
    config_schema = [Field("name", "string", "output", "Name", "Key of these results in the run outputs")]
    sink = True  # the executor records what reaches it as the run's outputs

    def process(self, inputs, ctx):
        return {}


@register_operator
class FileSink(Operator):
    """Append each message to a file (text, or one JSON object per line)."""

    type = "file_sink"
    category = "output"
    label = "File sink"
    icon = "save"
    blocking = True
    inputs = [Port("in", "any")]
    outputs = [Port("path", "text", required=False)]
    config_schema = [
        Field(
            "path",
            "string",
            "output.txt",
            "Path",
            "Relative to the flow file (the Jupyter root when the flow has no file); runs may write only "
            "inside the Jupyter root (CLI: the current directory)",
            required=True,
        ),
        Field("format", "select", "text", "Format", options=["text", "jsonl"]),
        Field("append", "boolean", True, "Append", "Off: the first message of a run truncates the file"),
    ]

    def __init__(self, config=None):
        super().__init__(config)
        self._written = False

    def process(self, inputs, ctx):
        path = resolve_path(self.config["path"], ctx.base_dir, self.config)
        path = allowed(path, self.config, "file sink", write=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "a" if self.config.get("append", True) or self._written else "w"
        value = inputs["in"]
        line = (
            json.dumps(value, ensure_ascii=False, default=str)
            if self.config.get("format") == "jsonl"
            else as_text(value)
        )
        with open(path, mode, encoding="utf-8") as f:
            f.write(line + "\n")
        self._written = True
        return {"path": str(path)}
