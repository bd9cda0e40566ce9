"""Flow operators of the chat area: the nodes of the built-in `studio-chat` flow (besides the memory
ones in `memory/operators.py`). Each wraps one step of `chat.pipeline`, so editing the flow on the canvas
changes what a chat turn does, and ChatService runs the flow a session points at.

The `turn` port carries the `chat.pipeline.Turn` object itself from node to node (no JSON in between); a run
records it in its JSON form (`Turn.to_dict`, through the executor's previews and `flow.jsonable`)."""

from __future__ import annotations

from ..flow.registry import Field, Operator, Port, register_operator


def _turn(value):
    from .pipeline import Turn

    return Turn.from_dict(value)  # the Turn as it came (rebuilt only from a run's JSON inputs)


@register_operator
class StudioChatInput(Operator):
    """The chat turn handed to the flow by ChatService (run input `turn`)."""

    type = "studio_chat_input"
    category = "chat"
    label = "User input (chat turn)"
    icon = "message-square"
    source = True
    outputs = [Port("turn", "json")]
    config_schema = [Field("name", "string", "turn", "Input name", "Key of the turn in the run inputs")]

    def process(self, inputs, ctx):
        turn = ctx.inputs.get(self.config.get("name") or "turn")
        if turn is None:
            from ..errors import InvalidInput

            raise InvalidInput("the studio-chat flow needs a `turn` input (run it through ChatService)")
        return {"turn": _turn(turn)}


@register_operator
class StudioIntentRouter(Operator):
    """Intent of the user's message: knowledge (needs RAG), recall, code or chat. Keyword rules, or a short
    LLM classification when the session's / studio's `intent_classifier` is "llm"."""

    type = "studio_intent_router"
    category = "chat"
    label = "Intent router (chat)"
    icon = "git-branch"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json")]

    async def process(self, inputs, ctx):  # the LLM classifier awaits its HTTP call on the loop
        from . import pipeline as p

        turn = _turn(inputs["turn"])
        await p.atimed(turn, "intent_router", p.intent_router(turn))
        return {"turn": turn}


@register_operator
class KnowledgeRAG(Operator):
    """Passages from the user's documents (`<user dir>/knowledge/`), only when the intent needs them."""

    type = "knowledge_rag"
    category = "chat"
    label = "Knowledge RAG"
    icon = "book-open"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json")]
    config_schema = [Field("top_k", "integer", 3, "Top k", min=1, max=20)]
    blocking = True

    def process(self, inputs, ctx):
        from . import pipeline as p

        turn = _turn(inputs["turn"])
        p.timed(turn, "knowledge_rag", p.knowledge_rag, turn, int(self.config.get("top_k") or 3))
        return {"turn": turn}


@register_operator
class StudioPromptBuilder(Operator):
    """System prompt + recalled memories + documents + notebook context + recent history + the user's message,
    trimmed to the model's context (chat/budget.py)."""

    type = "studio_prompt_builder"
    category = "chat"
    label = "Prompt builder (chat)"
    icon = "file-text"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json")]
    blocking = True  # counts with the model's tokenizer and may look up its context length: off the loop

    def process(self, inputs, ctx):
        from . import pipeline as p

        turn = _turn(inputs["turn"])
        p.timed(turn, "prompt_builder", p.prompt_builder, turn)
        return {"turn": turn}


@register_operator
class StudioLLM(Operator):
    """Streams the answer from the local engine / cloud / auto (the turn's source), token by token."""

    type = "studio_llm"
    category = "chat"
    label = "LLM inference (chat)"
    icon = "cpu"
    inputs = [Port("turn", "json")]
    outputs = [Port("turn", "json"), Port("text", "text", label="answer")]

    async def process(self, inputs, ctx):  # awaits the stream on the loop: no thread per answer
        from . import cancel as cancel_mod
        from . import pipeline as p
        from .llm import stream_chat

        turn = _turn(inputs["turn"])
        s = turn.settings
        sampling = {
            "temperature": s.temperature,
            "top_p": s.top_p,
            "max_tokens": s.max_tokens,
            "repetition_penalty": s.repetition_penalty,
        }
        if turn.continue_text:  # vLLM's way to go on from the last (assistant) message
            sampling |= {"continue_final_message": True, "add_generation_prompt": False}
        completion = await p.atimed(
            turn,
            "llm_inference",
            stream_chat(
                turn.messages,
                turn.source or s.source,
                turn.model or s.model,
                sampling,
                on_token=ctx.emit_token,
                cancel=cancel_mod.find(turn.request_id),
            ),
        )
        turn.answer, turn.completion = (turn.continue_text or "") + completion.text, completion.to_dict()
        p.account_usage(turn)
        return {"turn": turn, "text": completion.text}
