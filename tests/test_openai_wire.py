"""The one OpenAI wire module: the bytes the engine and the gateway send, and what it may import."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sage_studio_lab import openai_wire as wire


def test_every_error_object_has_openais_four_keys():
    """The gateway's in-band stream error used to lack `param`; OpenAI's (and vLLM's) error objects have all four."""
    engine = wire.ApiError("nope", 404, "lora_name").body()
    gateway = wire.error_object("the model server stopped sending (read timeout)", "upstream_timeout", 504)
    for body in (engine, gateway):
        assert list(body) == ["error"]
        assert list(body["error"]) == ["message", "type", "param", "code"]
    assert engine["error"] == {"message": "nope", "type": "NotFoundError", "param": "lora_name", "code": 404}
    assert wire.ApiError("x", 418).body()["error"]["type"] == "BadRequestError"


def test_sse_framing_bytes():
    assert wire.SSE_DONE == b"data: [DONE]\n\n"
    assert wire.sse_data(b'{"a":1}') == b'data: {"a":1}\n\n'
    assert wire.sse_event({"a": [1, 2]}) == b'data: {"a":[1,2]}\n\n'  # the gateway: compact
    assert wire.sse_event({"a": [1, 2]}, compact=False) == b'data: {"a": [1, 2]}\n\n'  # the engine, as always


def test_chunks_keep_vllms_field_order():
    chunk = wire.chat_chunk("chatcmpl-1", "m", 7, {"content": "hi"}, None, with_usage=True)
    assert json.dumps(chunk, separators=(",", ":")) == (
        '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":'
        '[{"index":0,"delta":{"content":"hi"},"logprobs":null,"finish_reason":null}],"usage":null}'
    )
    text = wire.completion_chunk("cmpl-1", "m", 7, "hi", "stop")
    assert text["object"] == "text_completion" and "usage" not in text
    assert text["choices"] == [{"index": 0, "text": "hi", "logprobs": None, "finish_reason": "stop"}]
    tail = wire.choiceless_chunk("r", None, 7, x_sage={"source": "local"})
    assert list(tail) == ["id", "object", "created", "model", "choices", "x_sage"] and tail["choices"] == []
    used = wire.usage(3, 2, cached=1)
    assert used == {
        "prompt_tokens": 3,
        "completion_tokens": 2,
        "total_tokens": 5,
        "prompt_tokens_details": {"cached_tokens": 1},
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"error": {"message": "bad model", "type": "BadRequestError"}}', "bad model"),
        (b'{"object": "error", "message": "old vLLM"}', "old vLLM"),
        (b"plain text", "plain text"),
        (b"", "HTTP 502"),
    ],
)
def test_error_message_reads_any_openai_style_body(body, message):
    assert wire.error_message(502, body) == message


def test_request_bodies_validate_like_vllm():
    req = wire.ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}], "stop": "x", "foo": 1}
    )
    assert req.messages[0].text() == "hi" and req.stop == ["x"]
    assert wire.CompletionRequest.model_validate({"prompt": ["one"]}).prompt == "one"
    with pytest.raises(ValueError):
        wire.CompletionRequest.model_validate({"prompt": ["one", "two"]})


def test_the_wire_module_imports_nothing_of_the_package_nor_jupyter():
    code = (
        "import sys, sage_studio_lab; before = set(sys.modules); import sage_studio_lab.openai_wire; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(('sage_studio_lab.', 'jupyter', "
        "'tornado', 'torch', 'starlette')) and m != 'sage_studio_lab.openai_wire'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
