"""Text operators: the chunker (characters or tokens) and the Jinja2 prompt template (sandboxed)."""

from __future__ import annotations

import functools

from ...errors import InvalidInput
from ..registry import Field, Operator, Port, register_operator
from ._common import as_documents, as_text, doc_id


@functools.lru_cache(maxsize=4)
def _tokenizer(name: str):
    from transformers import AutoTokenizer

    if name in ("", "embedding"):
        from ...models import embedding_model_dir

        name = str(embedding_model_dir())
    return AutoTokenizer.from_pretrained(name, local_files_only=True)


def split_characters(text: str, size: int, overlap: int) -> list[str]:
    """Windows of `size` characters, `overlap` shared, cut at the last whitespace when there is one."""
    chunks, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind(" ", start + size // 2, end)
            cut = max(cut, text.rfind("\n", start + size // 2, end))
            if cut > start:
                end = cut
        piece = text[start:end].strip()
        if piece:
            chunks.append(piece)
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
    return chunks


def split_tokens(text: str, size: int, overlap: int, tokenizer_name: str) -> list[str]:
    """Windows of `size` tokens; the chunk text is cut from the original by the token offsets, so case and
    spacing survive even with an uncased tokenizer (decode would lower-case MiniLM's)."""
    tok = _tokenizer(tokenizer_name)
    step = max(1, size - overlap)
    fast = getattr(tok, "is_fast", False)
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=fast)
    n = len(enc["input_ids"])
    starts = []
    for i in range(0, n, step):  # the last window reaches the end; no tail chunk inside the previous one
        starts.append(i)
        if i + size >= n:
            break
    if fast:
        offsets = enc["offset_mapping"]
        return [text[offsets[i][0] : offsets[min(i + size, n) - 1][1]].strip() for i in starts]
    return [tok.decode(enc["input_ids"][i : i + size]).strip() for i in starts]


@register_operator
class Chunker(Operator):
    """Split documents into overlapping chunks by characters or by tokens."""

    type = "chunker"
    category = "retrieval"
    label = "Chunker"
    icon = "scissors"
    blocking = True
    inputs = [Port("documents", "documents")]
    outputs = [Port("documents", "documents", label="chunks")]
    config_schema = [
        Field("mode", "select", "character", "Split by", options=["character", "token"]),
        Field(
            "chunk_size", "integer", 500, "Chunk size", "Characters or tokens per chunk", min=1, max=100_000
        ),
        Field("overlap", "integer", 50, "Overlap", min=0, max=50_000),
        Field(
            "tokenizer",
            "string",
            "embedding",
            "Tokenizer",
            "For token mode: 'embedding' or a local model folder",
        ),
    ]

    @classmethod
    def check_config(cls, config):
        size, overlap = config.get("chunk_size"), config.get("overlap")
        if isinstance(size, int) and isinstance(overlap, int) and overlap >= size:
            return ["overlap must be smaller than chunk_size"]
        return []

    def process(self, inputs, ctx):
        size, overlap = int(self.config["chunk_size"]), int(self.config["overlap"])
        if overlap >= size:
            raise InvalidInput("chunker: overlap must be smaller than chunk_size")
        out = []
        for doc in as_documents(inputs.get("documents")):
            if self.config["mode"] == "token":
                pieces = split_tokens(doc["text"], size, overlap, self.config.get("tokenizer") or "embedding")
            else:
                pieces = split_characters(doc["text"], size, overlap)
            for i, piece in enumerate(pieces):
                meta = {**doc.get("metadata", {}), "chunk": i, "parent": doc.get("id")}
                out.append({"id": doc_id(piece, meta), "text": piece, "metadata": meta})
        return {"documents": out}


@functools.lru_cache(maxsize=1)
def _jinja_env():
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
    env.filters["text"] = as_text
    return env


@register_operator
class PromptTemplate(Operator):
    """Render a Jinja2 template (sandboxed) from its inputs: `{{ question }}`, `{{ context | text }}`."""

    type = "prompt_template"
    category = "prompt"
    label = "Prompt template"
    icon = "file-code"
    inputs = [
        Port("question", "text", required=False),
        Port("context", "any", required=False),
        Port("history", "messages", required=False),
        Port("extra", "any", required=False),
    ]
    outputs = [Port("text", "text", label="prompt"), Port("messages", "messages")]
    config_schema = [
        Field(
            "template",
            "code",
            "{{ question }}",
            "Template",
            "Jinja2; variables: question, context, history, extra",
            required=True,
        ),
        Field("system_prompt", "text", "", "System prompt", "Put first in the messages output"),
    ]

    @classmethod
    def check_config(cls, config):
        from jinja2 import TemplateSyntaxError

        try:
            _jinja_env().from_string(config.get("template") or "")
        except TemplateSyntaxError as exc:
            return [f"template: {exc.message} (line {exc.lineno})"]
        return []

    def process(self, inputs, ctx):
        template = _jinja_env().from_string(self.config["template"])
        variables = {
            "question": "",
            "context": "",
            "history": [],
            "extra": None,
            "inputs": ctx.inputs,
            **inputs,
        }
        if isinstance(
            variables["context"], list
        ):  # documents render as their texts unless the template loops
            variables["context_text"] = as_text(variables["context"])
        prompt = template.render(**variables)
        messages = []
        if self.config.get("system_prompt"):
            messages.append({"role": "system", "content": self.config["system_prompt"]})
        messages += [
            m for m in (inputs.get("history") or []) if isinstance(m, dict) and m.get("role") != "system"
        ]
        messages.append({"role": "user", "content": prompt})
        return {"text": prompt, "messages": messages}
