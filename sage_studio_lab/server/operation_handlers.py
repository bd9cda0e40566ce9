"""REST face of the operations (`sage_studio_lab/api/`): one authenticated handler per path, derived, plus
`GET api/openapi.json`.

A request's arguments are its query string, its JSON body (an object, or the one `body` argument) and the path
segments, validated by the operation's model; the answer is the operation's result as JSON (or text of its
media type), its errors the core's `StudioError`s as `{"status", "message"}`.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import tornado.web

from ..api import OPERATIONS, Operation, document
from ..api.registry import VERBS, FileResult
from ..errors import InvalidInput, MethodNotAllowed
from .base import StudioHandler


class OperationHandler(StudioHandler):
    operations: dict[str, Operation] = {}

    def _arguments(self, op: Operation, path_kwargs: dict) -> dict:
        raw: dict = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        if op.upload and self.request.headers.get("Content-Type", "").startswith("multipart/form-data"):
            raw.update(self._upload(op.upload))
        elif op.verb in ("POST", "PUT", "PATCH") and self.request.body:
            body = self.json_body()
            if op.body:
                raw[op.body] = body
            elif isinstance(body, dict):
                raw.update(body)
            else:
                raise InvalidInput("the request body must be a JSON object of arguments")
        raw.update(path_kwargs)
        return raw

    def _upload(self, field: str) -> dict:
        """A multipart form: its fields, the `file` part's text as argument `field` (its filename as `name`)."""
        raw = {k: self.get_body_argument(k) for k in self.request.body_arguments}
        files = self.request.files.get("file") or []
        if not files:
            raise InvalidInput("no file in the upload: send it in a multipart field named 'file'")
        try:
            raw[field] = files[0]["body"].decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput(f"{files[0]['filename']} is not UTF-8 text") from None
        raw.setdefault("name", files[0]["filename"])
        return raw

    async def _run(self, **path_kwargs):
        op = self.operations[self.request.method]
        result = await op.acall(op.validate(self._arguments(op, path_kwargs)))
        status = op.status_of(result)
        if status == 204:
            self.set_status(204)
            self.finish()
        elif isinstance(result, FileResult):
            self.set_status(status)
            self.set_header("Content-Type", result.media_type)
            self.set_header("Content-Disposition", attachment(result.filename))
            tornado.web.RequestHandler.finish(self, result.content)
        elif op.media_type != "application/json" and isinstance(result, str):
            self.set_status(status)
            self.set_header("Content-Type", f"{op.media_type}; charset=utf-8")
            # Not APIHandler.finish(): it would re-label the text as JSON.
            tornado.web.RequestHandler.finish(self, result)
        else:
            self.write_json(result, status)


def attachment(filename: str) -> str:
    """`Content-Disposition` of a download (RFC 6266): an ASCII `filename` and the exact one as `filename*`."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@tornado.web.authenticated
async def _verb(self, **path_kwargs):
    await self._run(**path_kwargs)


@tornado.web.authenticated
async def _other_verb(self, **path_kwargs):
    """A verb the path does not take: 405 saying what it takes (and what to send), and where this verb goes."""
    ops, method = self.operations, self.request.method
    path = next(iter(ops.values())).path
    takes = " ".join(
        f"{verb}: {op.name}, {_summary(op)}" + (f"; send the {op.body} as the JSON body." if op.body else ".")
        for verb, op in sorted(ops.items())
    )
    leaf = path.rsplit("/", 1)[-1]
    elsewhere = "".join(
        f" {_summary(op, lower=False)}: {method} {op.path}."
        for op in OPERATIONS.values()
        if op.verb == method and op.path != path and op.path.rsplit("/", 1)[-1] == leaf
    )
    raise MethodNotAllowed(f"{method} is not allowed on {path}. {takes}{elsewhere}", allow=sorted(ops))


def _summary(op: Operation, lower: bool = True) -> str:
    text = op.summary.rstrip(".")
    return text[0].lower() + text[1:] if lower else text


def _pattern(op: Operation) -> str:
    """The tornado route of `op.path`: `{arg}` matches what the argument's own pattern allows, else one segment."""

    def segment(match: re.Match) -> str:
        name = match[1]
        pattern = next(
            (m.pattern for m in op.args.model_fields[name].metadata if getattr(m, "pattern", None)), None
        )
        inner = pattern.removeprefix("^").removesuffix("$") if pattern else "[^/]+"
        return f"(?P<{name}>{inner})"

    return re.sub(r"\{(\w+)\}", segment, op.path)


class OpenApiHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        self.write_json(document())


def routes():
    by_path: dict[str, dict[str, Operation]] = {}
    for op in OPERATIONS.values():
        verbs = by_path.setdefault(_pattern(op), {})
        if op.verb in verbs:
            raise ValueError(f"{op.name} and {verbs[op.verb].name} both answer {op.verb} {op.path}")
        verbs[op.verb] = op
    table = [("api/openapi.json", OpenApiHandler)]
    for pattern, verbs in by_path.items():
        methods = {verb.lower(): _verb if verb in verbs else _other_verb for verb in VERBS}
        name = "".join(part.title() for part in re.findall(r"[a-z]+", pattern)) + "Handler"
        table.append((pattern, type(name, (OperationHandler,), {"operations": verbs, **methods})))
    return table
