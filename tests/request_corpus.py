"""The fixed corpus of bad request bodies the fuzz tests send (tests/test_request_fuzz.py): malformed JSON, JSON the
body parser refuses, and per-field probes built from a route's pydantic model (a wrong type, a 1 MiB string, an
integer too large to convert, a missing required field) on top of a body that is otherwise valid."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

HUGE = "m" * (1024 * 1024 + 1)  # a 1 MiB "model name" / "path" / "id": must be refused
LONG = "m" * 4096  # as long as a name may be (request_json.NAME_MAX_CHARS), longer than a file name may be
ODD = ["x1\x00y", "../../../../etc/passwd", "\U0001f600" * 100, " ", "x1/" * 200]  # NUL, traversal, …
WRONG = [[{}]]  # no field of ours takes a list of lists of objects
BIG_INT = b"9" * 5000  # Python refuses to convert more than 4,300 digits (ValueError)
INT_100 = 10**99  # the largest integer the parser lets through: 100 digits

# Generic bodies, the same for every route (labels are for the report).
RAW: list[tuple[str, bytes]] = [
    ("not JSON", b"{not json"),
    ("truncated JSON", b'{"a": '),
    ("arrays 100k deep", b"[" * 100_000 + b"]" * 100_000),
    ("objects 5k deep", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("arrays 65 deep", b"[" * 65 + b"]" * 65),
    ("5000-digit integer", BIG_INT),
    ("5000-digit integer in an object", b'{"n": ' + BIG_INT + b"}"),
    ("non-UTF-8 bytes", b'{"name": "\xff\xfe\xfd"}'),
    ("truncated UTF-8", b'{"name": "\xc3"}'),
    ("lone surrogate", b'"\\ud800"'),
    ("lone surrogate value", b'{"name": "\\ud800", "model": "\\udfff"}'),
    ("lone surrogate key", b'{"\\ud800": 1}'),
    ("NaN", b'{"n": NaN}'),
    ("Infinity", b'{"n": Infinity}'),
    ("1e999", b'{"n": 1e999}'),
    ("null", b"null"),
    ("empty array", b"[]"),
    ("array", b"[1, 2, 3]"),
    ("array of objects", b'[{"name": "x"}]'),
    ("string", b'"hello"'),
    ("number", b"42"),
    ("true", b"true"),
    ("8 KiB key", b'{"' + b"k" * 8192 + b'": 1}'),
    ("BOM", b"\xef\xbb\xbf{}"),
    ("NUL bytes", b"\x00\x00\x00"),
    ("two documents", b'{"a": 1}{"b": 2}'),
]

# Fields that are large by nature (a message, a document): a long string there is a legitimate request.
LARGE_FIELDS = {"text", "content", "markdown", "messages", "prompt", "system_prompt", "inputs"}


def _resolve(schema: dict, defs: dict) -> dict:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def fill(schema: dict, defs: dict) -> Any:
    """A plausible valid value for a JSON schema (the first enum value, the minimum, required fields…)."""
    schema = _resolve(schema, defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return fill(options[0], defs) if options else None
    kind = schema.get("type")
    if kind == "string":
        return "x1" * max(1, (schema.get("minLength") or 1) // 2 + 1)
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        value = low + 1 if kind == "integer" else low + 0.25
        return min(value, schema.get("maximum", value), schema.get("exclusiveMaximum", value + 1) - 0.01)
    if kind == "boolean":
        return False
    if kind == "array":
        return [fill(schema.get("items", {}), defs)] if schema.get("minItems") else []
    if kind == "object":
        props = schema.get("properties", {})
        return {k: fill(props[k], defs) for k in schema.get("required", [])}
    return {}


def takes_string(schema: dict, defs: dict) -> bool:
    schema = _resolve(schema, defs)
    if schema.get("type") == "string" and "enum" not in schema and "const" not in schema:
        return True
    return any(takes_string(o, defs) for o in schema.get("anyOf", []))


def takes_number(schema: dict, defs: dict) -> bool:
    schema = _resolve(schema, defs)
    if schema.get("type") in ("integer", "number"):
        return True
    return any(takes_number(o, defs) for o in schema.get("anyOf", []))


def _with(base: dict, field: str, raw_value: bytes) -> bytes:
    """`base` with `field` set to an already-encoded JSON value (one the encoder could not write itself)."""
    marker = "\x00marker\x00"
    text = json.dumps({**base, field: marker}).encode()
    return text.replace(json.dumps(marker).encode(), raw_value)


def field_probes(model: type[BaseModel], base: dict, skip: tuple[str, ...] = ()) -> list[tuple[str, bytes]]:
    """Bodies that differ from the valid `base` in one field: each must be refused."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    props = {k: v for k, v in schema.get("properties", {}).items() if k not in skip}
    probes: list[tuple[str, bytes]] = []
    for name, sub in props.items():
        resolved = _resolve(sub, defs)
        if not resolved or resolved == {"description": resolved.get("description")}:
            continue  # `Any`: every JSON value is its type
        probes.append((f"{name}: wrong type", json.dumps({**base, name: WRONG}).encode()))
        probes.append((f"{name}: 5000-digit integer", _with(base, name, BIG_INT)))
        probes.append((f"{name}: lone surrogate", _with(base, name, b'"\\udc80"')))
        if takes_number(sub, defs):
            probes.append(
                (f"{name}: maybe valid 100-digit integer", json.dumps({**base, name: INT_100}).encode())
            )
        if takes_string(sub, defs) and name not in LARGE_FIELDS:
            probes.append((f"{name}: 1 MiB string", json.dumps({**base, name: HUGE}).encode()))
            for i, odd in enumerate([LONG, *ODD]):  # may be valid: never a 5xx
                probes.append(
                    (f"{name}: maybe valid odd string {i}", json.dumps({**base, name: odd}).encode())
                )
    for name in schema.get("required", []):
        if name in props:
            probes.append(
                (f"{name}: missing", json.dumps({k: v for k, v in base.items() if k != name}).encode())
            )
    return probes


def base_body(model: type[BaseModel], overrides: dict | None = None, skip: tuple[str, ...] = ()) -> dict:
    """The smallest valid body of `model` (path arguments in `skip` left out)."""
    schema = model.model_json_schema()
    body = fill(schema, schema.get("$defs", {}))
    body.update(overrides or {})
    return {k: v for k, v in body.items() if k not in skip}
