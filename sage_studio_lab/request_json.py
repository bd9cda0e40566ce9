"""The one parser of JSON request bodies (Studio REST, the gateway, the engine's own routes): a body that is not
acceptable is a 400 (413 when too large) whose message names the problem, and the field when it is known —
never a 500 later, when a value that JSON allows but the rest of the stack does not reaches sqlite or a path.

Limits, checked while parsing and in one walk of the result (no recursion of ours):
- size: `MAX_BODY_BYTES` (32 MiB) → 413;
- text: strict UTF-8; no lone surrogate (`"\\ud800"`: JSON accepts it, UTF-8 cannot encode it);
- nesting: `MAX_DEPTH` (64) arrays/objects deep;
- numbers: integers of at most `MAX_INT_DIGITS` (100) digits (Python refuses to convert more than 4,300
  digits at all), finite floats (no `NaN`, `Infinity`, `1e999`);
- object keys: at most `MAX_KEY_CHARS` (1 KiB).

String values are not capped here, because some fields are large by nature (a chat message, a document's text, a
flow's prompt template): a body as a whole is bounded by `MAX_BODY_BYTES`. Fields that name something — ids,
titles, request ids — are declared with `Name` (at most `NAME_MAX_CHARS`, 4 KiB), and those that may be looked up
as a path — model names, adapter and docs folders — with `PathName` (also: no NUL, no part over 255 bytes), so
pydantic answers a 400 naming the field before a megabyte "model name" reaches the filesystem or the catalog.

Imports only the errors module, so the engine process uses it as well.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from .errors import InvalidInput, TooLarge

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_KEY_CHARS = 1024
NAME_MAX_CHARS = 4096
PATH_PART_MAX_BYTES = 255

Name = Annotated[str, StringConstraints(max_length=NAME_MAX_CHARS)]
"""A string that names something (an id, a title, a request id): at most 4 KiB."""


def _path_like(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    longest = max(len(part.encode("utf-8", "surrogatepass")) for part in re.split(r"[/\\]", value))
    if longest > PATH_PART_MAX_BYTES:
        raise ValueError(f"a path component is {longest} bytes long (at most {PATH_PART_MAX_BYTES})")
    return value


PathName = Annotated[Name, AfterValidator(_path_like)]
"""A name that may be looked up as a file path (a model id or folder, an adapter folder, a docs folder): a `Name`
without NUL and whose parts fit a file name (255 bytes), so the filesystem answers "no such file" rather than
raising."""

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused(ValueError):
    """Raised from inside json's hooks; becomes InvalidInput."""


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _Refused(f"an integer has {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} is out of range")
    return value


def _constant(name: str):
    raise _Refused(f"{name} is not a JSON number")


def _field(path: list) -> str:
    return ".".join(str(p) for p in path) or "body"


def _check_values(value: Any, surrogates: bool) -> None:
    """Nesting depth, keys' length and (when the text escapes a surrogate) lone surrogates: one walk, no
    recursion."""
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, (dict, list)) and len(path) >= MAX_DEPTH:
            where = _field(path[:8]) + ("…" if len(path) > 8 else "")
            raise InvalidInput(
                f"the request body nests arrays/objects more than {MAX_DEPTH} deep (at {where})", field=where
            )
        if isinstance(item, dict):
            for key, sub in item.items():
                if len(key) > MAX_KEY_CHARS:
                    raise InvalidInput(
                        f"{_field(path)}: an object key is {len(key)} characters long (at most {MAX_KEY_CHARS})",
                        field=_field(path),
                    )
                if surrogates and _SURROGATE.search(key):
                    raise InvalidInput(
                        f"{_field(path)}: a key holds a lone surrogate (\\ud800-\\udfff)", field=_field(path)
                    )
                stack.append((sub, (*path, key)))
        elif isinstance(item, list):
            stack.extend((sub, (*path, i)) for i, sub in enumerate(item))
        elif surrogates and isinstance(item, str) and _SURROGATE.search(item):
            raise InvalidInput(
                f"{_field(path)}: the text holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text",
                field=_field(path),
            )


def parse_json(body: bytes | str | None, *, empty: Any = None, max_bytes: int | None = None) -> Any:
    """`body` parsed as JSON within the limits above; `empty` for an empty body. InvalidInput (400) or TooLarge
    (413) with a message naming the problem (and `field` in its details when known) otherwise."""
    if body is None or len(body) == 0:
        return empty
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else bytes(body)
    max_bytes = MAX_BODY_BYTES if max_bytes is None else max_bytes
    if len(data) > max_bytes:
        raise TooLarge(f"the request body is {len(data)} bytes: the limit is {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"the request body is not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Refused as exc:
        raise InvalidInput(f"request body refused: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInput(f"the request body nests arrays/objects more than {MAX_DEPTH} deep") from None
    except ValueError as exc:  # any other conversion json may refuse
        raise InvalidInput(f"request body refused: {exc}") from None
    _check_values(value, surrogates=bool(_SURROGATE_ESCAPE.search(data)))
    return value


__all__ = [
    "MAX_BODY_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "NAME_MAX_CHARS",
    "Name",
    "PathName",
    "parse_json",
]
