"""The OpenAPI 3.1 document of every operation, built from the declarations (served at `api/openapi.json`).

`python -m sage_studio_lab.api FILE` writes it; the labextension's TypeScript types are generated from
that file (`jlpm gen:api`), and a test checks that the checked-in copy is current.
"""

from __future__ import annotations

from typing import Any

from ..version import __version__
from .registry import OPERATIONS, FileResult, Operation
from .schemas import REF, add_schema, schema_of
from .streams import STREAMS

ERROR = {
    "type": "object",
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["status", "message"],
    "description": "Every error: the HTTP status and a message that says what to fix (+ details).",
}


def _args_schema(op: Operation, schemas: dict) -> dict:
    # Inline (not a component): path args are removed from it, so it is not the model's own schema.
    schema = op.args.model_json_schema(mode="validation", ref_template=REF)
    for name, sub in schema.pop("$defs", {}).items():
        add_schema(schemas, name, sub)
    return schema


def _parameters(op: Operation, args: dict) -> list[dict]:
    props, required = args.get("properties", {}), set(args.get("required", []))
    in_query = op.verb in ("GET", "DELETE")
    params = []
    for name, schema in props.items():
        if name in op.path_args or in_query:
            where = "path" if name in op.path_args else "query"
            params.append(
                {"name": name, "in": where, "required": where == "path" or name in required, "schema": schema}
            )
    return params


def _operation(op: Operation, schemas: dict) -> dict:
    args = _args_schema(op, schemas)
    doc: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "tags": list(op.tags),
        "parameters": _parameters(op, args),
    }
    if op.verb not in ("GET", "DELETE"):
        if op.body:
            body = args["properties"][op.body]
            doc["x-sage-body"] = op.body  # the whole JSON body is this one argument
        else:
            body = {
                **args,
                "properties": {k: v for k, v in args.get("properties", {}).items() if k not in op.path_args},
            }
            body["required"] = [r for r in args.get("required", []) if r not in op.path_args]
        doc["requestBody"] = {
            "required": bool(body.get("required")),
            "content": {"application/json": {"schema": body}},
        }
    codes = [op.status] if isinstance(op.status, int) else [200, 202]
    if op.result is FileResult:  # a download: only bytes of its media type
        content = {op.media_type: {"schema": {"type": "string", "format": "binary"}}}
    else:
        content = {"application/json": {"schema": schema_of(op.result, "serialization", schemas)}}
    if op.media_type != "application/json" and op.result is not FileResult:
        content[op.media_type] = {"schema": {"type": "string"}}  # e.g. JSON or Markdown by its `format`
    doc["responses"] = {
        str(code): {"description": "No content"} if code == 204 else {"description": "OK", "content": content}
        for code in codes
    }
    for code, what in (
        (400, "invalid arguments"),
        (403, "not allowed (e.g. an untrusted flow's Python reference)"),
        (404, "not found"),
        (409, "conflict"),
        (503, "unavailable"),
    ):
        doc["responses"][str(code)] = {
            "description": what,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
    return doc


def document() -> dict:
    """The OpenAPI document; paths are relative to `<base_url>/sage-studio/`."""
    schemas: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, dict] = {}
    for op in sorted(OPERATIONS.values(), key=lambda o: (o.path, o.verb)):
        paths.setdefault("/" + op.path, {})[op.verb.lower()] = _operation(op, schemas)
    for stream in STREAMS:
        paths.setdefault("/" + stream.path, {})[stream.verb.lower()] = stream.openapi(schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SAGE Studio Lab",
            "version": __version__,
            "description": "Every operation of the Studio. Paths are relative to <base_url>/sage-studio/; "
            "authenticate with the Jupyter token (Authorization: token …) or the Lab's cookie and XSRF header.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"jupyterToken": {"type": "apiKey", "in": "header", "name": "Authorization"}},
        },
        "security": [{"jupyterToken": []}],
    }
