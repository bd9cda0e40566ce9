"""The steps of the Studio chat pipeline (the built-in `studio-chat` flow):

UserInput → IntentRouter → MemoryLoader → KnowledgeRAG (only when the intent needs it) → PromptBuilder
→ LLMInference (streaming) → MemorySaver + StreamOutput.

Each step is a function over a `Turn` that the flow operators (`chat/operators.py`, `memory/operators.py`) wrap;
the operators hand the `Turn` object itself from node to node. The steps that wait on the model (the intent
classifier, the answer) are async; the others are sync and the CPU-heavy ones run in worker threads.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field

from ..memory.config import MemoryConfig
from ..memory.service import MemoryService
from ..settings import get_settings
from . import budget
from .context import render as context_block
from .models import SessionSettings

log = logging.getLogger(__name__)

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
INTENT_KEYWORDS = {
    "knowledge": (
        "document",
        "docs",
        "documentation",
        "according to",
        "knowledge base",
        "manual",
        "in my notes",
        "in the notes",
        "reference",
    ),
    "recall": ("remember", "earlier", "before", "told you", "my name", "what did i", "what was", "recall"),
    "code": ("code", "python", "function", "bug", "traceback", "script", "compile"),
}
RAG_INTENTS = {"knowledge"}
INTENT_LABELS = ("knowledge", "recall", "code", "chat")
INTENT_PROMPT = (
    "Classify the user's message with exactly one label:\n"
    "knowledge - asks about the user's documents, notes or manuals\n"
    "recall - asks about something said earlier in this conversation\n"
    "code - about programming or code\n"
    "chat - anything else\n"
    "Answer with the label only: knowledge, recall, code or chat."
)
INTENT_MAX_TOKENS = 8
INTENT_TIMEOUT_S = 10.0
_LABEL_RE = re.compile(r"\b(" + "|".join(INTENT_LABELS) + r")\b", re.IGNORECASE)


@dataclass
class Turn:
    session_id: str
    text: str
    user_message_id: str
    parent_id: str | None
    settings: SessionSettings
    memory_config: MemoryConfig
    intent: str = "chat"
    intent_match: str | None = None
    intent_method: str = "keyword"  # keyword | llm | llm-fallback
    history: list[dict] = field(default_factory=list)
    memory_hits: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    rag_used: bool = False
    messages: list[dict] = field(default_factory=list)
    token_budget: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    # Routing of the LLM step and where its result goes (set by ChatService, read by the LLM operator).
    source: str | None = None
    model: str | None = None
    request_id: str | None = None
    user: str | None = None
    answer: str = ""
    # A continued answer: the stopped text the model goes on from (the LLM step's answer is appended to it)
    continue_text: str | None = None
    context: list[dict] = field(default_factory=list)  # notebook attachments (chat/context.py)
    completion: dict = field(default_factory=dict)
    memory_id: int | None = None

    def to_dict(self) -> dict:
        """A JSON-safe copy: how a run records a turn (event previews, outputs)."""
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d["settings"] = self.settings.model_dump()
        d["memory_config"] = self.memory_config.model_dump()
        return d

    @classmethod
    def from_dict(cls, d: dict | Turn) -> Turn:
        """The turn itself, or one rebuilt from its JSON form (a turn given as a run input)."""
        if isinstance(d, Turn):
            return d
        d = dict(d)
        d["settings"] = SessionSettings.model_validate(d.get("settings") or {})
        d["memory_config"] = MemoryConfig.model_validate(d.get("memory_config") or {})
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


def keyword_intent(text: str) -> tuple[str, str | None]:
    """(intent, matched keyword): knowledge (needs RAG), recall, code, else chat."""
    low = text.lower()
    for intent, words in INTENT_KEYWORDS.items():
        for w in words:
            if re.search(r"\b" + re.escape(w) + r"\b", low):
                return intent, w
    return "chat", None


def parse_intent(answer: str | None) -> str | None:
    """The first allowed label in the model's answer (e.g. "Label: recall." -> recall), else None."""
    m = _LABEL_RE.search(answer or "")
    return m.group(1).lower() if m else None


async def llm_intent(text: str, source: str | None, model: str | None) -> str | None:
    """Ask the chat upstream for the label (temperature 0, a few tokens). None when it answers no label."""
    from . import llm

    answer = await llm.complete_short(
        [{"role": "system", "content": INTENT_PROMPT}, {"role": "user", "content": text[:4000]}],
        source,
        model,
        max_tokens=INTENT_MAX_TOKENS,
        timeout_s=INTENT_TIMEOUT_S,
    )
    return parse_intent(answer)


async def intent_router(turn: Turn) -> Turn:
    """Keyword intent, or (classifier "llm", per session or `c.SageStudio.intent_classifier`) the LLM's label;
    an LLM that fails, times out or answers no known label leaves the keyword result (`llm-fallback`)."""
    turn.intent, turn.intent_match = keyword_intent(turn.text)
    turn.intent_method = "keyword"
    method = turn.settings.intent_classifier or get_settings().intent_classifier or "keyword"
    if method != "llm":
        return turn
    try:
        label = await llm_intent(
            turn.text, turn.source or turn.settings.source, turn.model or turn.settings.model
        )
    except Exception as exc:  # classification is an optimisation: never fail the turn for it
        log.info("LLM intent classification failed, using keywords: %s", exc)
        label = None
    if label is None:
        turn.intent_method = "llm-fallback"
    else:
        if label != turn.intent:  # the matched keyword no longer explains the intent
            turn.intent_match = None
        turn.intent, turn.intent_method = label, "llm"
    return turn


def memory_loader(turn: Turn, history_path: list[dict], memory: MemoryService) -> Turn:
    """Recent window of dialogs from the conversation + older memories recalled by the session's backend."""
    earlier = [m for m in history_path if m["role"] in ("user", "assistant")]
    window = turn.memory_config.window
    user_positions = [i for i, m in enumerate(earlier) if m["role"] == "user"]
    # A dialog starts at a user message: keep everything from the window-th last one on.
    if not window:
        recent = []
    elif len(user_positions) <= window:
        recent = earlier
    else:
        recent = earlier[user_positions[-window] :]
    turn.history = [{"role": m["role"], "content": m["content"]} for m in recent]
    in_window = {m["id"] for m in recent if m["role"] == "user"} | {turn.user_message_id}
    turn.memory_hits = memory.recall(
        turn.session_id, turn.text, turn.memory_config, exclude_message_ids=in_window
    )
    return turn


def knowledge_rag(turn: Turn, k: int = 3) -> Turn:
    if turn.intent in RAG_INTENTS:
        from .knowledge import search

        turn.documents = search(turn.text, k, user=turn.user)
        turn.rag_used = True
    return turn


def prompt_builder(turn: Turn) -> Turn:
    """The prompt: system prompt + recalled memories + documents + notebook context, the history and the message,
    counted with the model's tokenizer and trimmed to leave the answer its room (chat/budget.py)."""
    max_tokens = turn.settings.max_tokens or get_settings().chat_max_tokens  # what stream_chat sends
    count, exact = budget.token_counter(turn.model)
    parts = budget.Parts(
        system=turn.settings.system_prompt or DEFAULT_SYSTEM_PROMPT,
        user=turn.text,
        history=list(turn.history),
        memory=list(turn.memory_hits),
        rag=list(turn.documents),
        context=list(turn.context),
    )
    kept, report = budget.fit(parts, _context_length(turn.source), max_tokens, count)
    content = kept.system
    if kept.memory:
        content += "\n\nRelevant things from earlier in this conversation:\n" + "\n\n".join(
            h["text"] for h in kept.memory
        )
    if kept.rag:
        content += "\n\nRelevant passages from the user's documents:\n" + "\n\n".join(
            f"[{d['source']}] {d['text']}" for d in kept.rag
        )
    if kept.context:
        content += "\n\nFrom the user's notebook:\n" + context_block(kept.context)
    turn.messages = [
        {"role": "system", "content": content},
        *kept.history,
        {"role": "user", "content": turn.text},
    ]
    if (
        turn.continue_text
    ):  # left open by the chat template (continue_final_message): the model goes on from it
        turn.messages.append({"role": "assistant", "content": turn.continue_text})
    turn.token_budget = {
        **report["after"],
        "max_tokens": max_tokens,
        "estimated": not exact,
        "context_length": report["context_length"],
    }
    if report["dropped"]:
        turn.token_budget.update(before=report["before"], trimmed=report["dropped"])
    return turn


def _context_length(source: str | None) -> int | None:
    """The answering model's context (from its `/v1/models`, cached): what the prompt must fit."""
    from .upstream import context_length

    try:
        return context_length(source)
    except Exception:  # no model reachable: the LLM step says so; nothing to trim against
        return None


def prompt_tokens(budget: dict) -> int:
    """Prompt tokens of a turn: the server's count when it reported one, else the estimate of the parts."""
    if isinstance(budget.get("prompt_tokens"), int):
        return budget["prompt_tokens"]
    return sum(budget.get(k) or 0 for k in ("system", "memory", "rag", "context", "history", "user"))


def account_usage(turn: Turn) -> Turn:
    """After the LLM step: how many of the model's context tokens this turn used (prompt + answer)."""
    c, budget = turn.completion, turn.token_budget
    completion = c.get("completion_tokens")
    budget["prompt_tokens"] = c.get("prompt_tokens")
    budget["completion_tokens"] = completion if completion is not None else c.get("tokens", 0)
    budget["used"] = prompt_tokens(budget) + budget["completion_tokens"]
    budget["used_estimated"] = c.get("prompt_tokens") is None
    budget["context_length"] = c.get("context_length")
    return turn


def memory_saver(turn: Turn, answer: str, assistant_message_id: str, memory: MemoryService) -> int | None:
    """Store the dialog and what this turn recalled (shown by the memory panel)."""
    memory_id = None
    if answer.strip():
        memory_id = memory.remember(
            turn.session_id,
            turn.text,
            answer,
            {"user_message_id": turn.user_message_id, "assistant_message_id": assistant_message_id},
            config=turn.memory_config,
        )
    memory.record_turn(turn.session_id, turn.memory_hits, turn.token_budget)
    return memory_id


def timed(turn: Turn, name: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    turn.timings[name] = round(time.perf_counter() - t0, 4)
    return out


async def atimed(turn: Turn, name: str, coro):
    t0 = time.perf_counter()
    out = await coro
    turn.timings[name] = round(time.perf_counter() - t0, 4)
    return out
