"""LLM operators: the generator (any OpenAI-compatible endpoint, default the local engine) and the router."""

from __future__ import annotations

import os
import re

from ...errors import InvalidInput, Unavailable
from ..registry import Field, Operator, Port, register_operator
from ._common import as_text


def local_engine() -> tuple[str, str | None, str | None]:
    """(base_url ending in /v1, served model, its key) of the running local engine, or Unavailable."""
    try:
        from ...engine import EngineManager
    except ImportError as exc:
        raise Unavailable("no local engine API here: set the generator's base_url") from exc
    manager = EngineManager()
    engine = manager.endpoint()
    if not engine["base_url"]:  # set only while the engine runs
        raise Unavailable(
            "the local engine is not running: start it (`sage-studio engine start`) "
            "or set the generator's base_url"
        )
    return engine["base_url"] + "/v1", engine["model"], manager.api_key(engine["id"])


def resolve_secret(value: str | None) -> str | None:
    """`env:NAME` reads the secret from the environment, so saved and exported flows need not hold it."""
    if isinstance(value, str) and value.startswith("env:"):
        name = value[4:].strip()
        if name not in os.environ:
            raise InvalidInput(f"the environment variable {name} (named by an `env:` secret) is not set")
        return os.environ[name]
    return value


def chat_completion(messages: list[dict], config: dict, on_token=None) -> str:
    """One chat completion, streamed token by token to `on_token` when config.stream is on."""
    from openai import OpenAI

    base_url, model = (config.get("base_url") or "").rstrip("/"), config.get("model") or None
    api_key = resolve_secret(config.get("api_key"))
    if not base_url:
        base_url, engine_model, engine_key = local_engine()
        model, api_key = model or engine_model, engine_key or api_key  # only the engine's own key opens it
    client = OpenAI(
        base_url=base_url,
        api_key=api_key or "not-needed",
        timeout=float(config.get("request_timeout_s") or 120),
        max_retries=0,
    )
    if not model:
        model = client.models.list().data[0].id
    kwargs = {
        "model": model,
        "messages": messages,
        "temperature": float(config.get("temperature", 0.0)),
        "max_tokens": int(config.get("max_tokens") or 128),
    }
    if config.get("seed") is not None:
        kwargs["seed"] = int(config["seed"])
    if not config.get("stream", True):
        return client.chat.completions.create(**kwargs).choices[0].message.content or ""
    parts = []
    for chunk in client.chat.completions.create(stream=True, **kwargs):
        delta = chunk.choices[0].delta.content if chunk.choices else None
        if delta:
            parts.append(delta)
            if on_token is not None:
                on_token(delta)
    return "".join(parts)


GENERATOR_FIELDS = [
    Field(
        "base_url", "string", "", "Endpoint", "OpenAI-compatible base URL (…/v1); empty = the local engine"
    ),
    Field("model", "string", "", "Model", "Empty = the engine's model"),
    Field(
        "api_key",
        "secret",
        "",
        "API key",
        "Prefer env:VARIABLE, so the key is not saved in the flow",
        secret=True,
    ),
    Field("temperature", "number", 0.0, "Temperature", min=0, max=2),
    Field("max_tokens", "integer", 128, "Max tokens", min=1, max=32_768),
    Field("seed", "integer", None, "Seed"),
    Field("stream", "boolean", True, "Stream tokens"),
]


@register_operator
class Generator(Operator):
    """Generate a reply with the local engine or any OpenAI-compatible endpoint, streaming tokens."""

    type = "generator"
    category = "llm"
    label = "Generator (LLM)"
    icon = "sparkles"
    blocking = True
    inputs = [Port("prompt", "text", required=False), Port("messages", "messages", required=False)]
    outputs = [Port("text", "text", label="reply")]
    config_schema = [*GENERATOR_FIELDS, Field("system_prompt", "text", "", "System prompt")]

    def process(self, inputs, ctx):
        messages = list(inputs.get("messages") or [])
        if inputs.get("prompt") is not None:
            messages.append({"role": "user", "content": as_text(inputs["prompt"])})
        if not messages:
            raise InvalidInput("generator: connect `prompt` or `messages`")
        if self.config.get("system_prompt") and not any(m.get("role") == "system" for m in messages):
            messages.insert(0, {"role": "system", "content": self.config["system_prompt"]})
        return {"text": chat_completion(messages, self.config, ctx.emit_token)}


def _route_names(config: dict) -> list[str]:
    names = []
    for rule in config.get("routes") or []:
        if isinstance(rule, dict) and rule.get("name") and rule["name"] not in names:
            names.append(str(rule["name"]))
    return names


@register_operator
class IntentRouter(Operator):
    """Send the input down exactly one branch: the first route whose keywords match (else `default`).

    With `use_llm`, the generator endpoint classifies the text into one of the route names instead.
    """

    type = "intent_router"
    category = "logic"
    label = "Intent router"
    icon = "git-branch"
    blocking = True
    inputs = [Port("text", "text")]
    config_schema = [
        Field(
            "routes",
            "json",
            [{"name": "question", "keywords": ["?", "what", "how", "why"]}],
            "Routes",
            "List of {name, keywords[]} (case-insensitive; a keyword matches a whole word, or a substring "
            "when it is not a word)",
            required=True,
        ),
        Field("use_llm", "boolean", False, "Classify with the LLM"),
        *[
            Field(f"llm_{f.name}", f.type, f.default, f"LLM {f.label}", secret=f.secret)
            for f in GENERATOR_FIELDS
            if f.name in ("base_url", "model", "api_key")
        ],
    ]

    @classmethod
    def output_ports(cls, config):
        return [Port(name, "text") for name in _route_names(config)] + [Port("default", "text")]

    @classmethod
    def check_config(cls, config):
        routes = config.get("routes")
        if not isinstance(routes, list) or not all(isinstance(r, dict) and r.get("name") for r in routes):
            return ["routes must be a list of {name, keywords[]}"]
        if "default" in _route_names(config):
            return ["'default' is reserved for the fallback branch"]
        return []

    def choose(self, text: str) -> str:
        lowered = text.lower()
        for rule in self.config.get("routes") or []:
            for kw in rule.get("keywords") or []:
                kw = str(kw).lower()
                hit = (
                    re.search(rf"\b{re.escape(kw)}\b", lowered) if re.fullmatch(r"\w+", kw) else kw in lowered
                )
                if kw and hit:
                    return str(rule["name"])
        return "default"

    def classify(self, text: str) -> str:
        names = _route_names(self.config)
        prompt = (
            f"Classify the message into one of: {', '.join(names + ['default'])}. "
            f"Answer with the label only.\nMessage: {text}"
        )
        cfg = {k[4:]: v for k, v in self.config.items() if k.startswith("llm_")}
        answer = chat_completion(
            [{"role": "user", "content": prompt}], {**cfg, "stream": False, "max_tokens": 8}
        )
        answer = answer.strip().lower()
        return next((n for n in names if n.lower() in answer), "default")

    def process(self, inputs, ctx):
        text = as_text(inputs.get("text"))
        route = self.classify(text) if self.config.get("use_llm") else self.choose(text)
        return {route: text}
