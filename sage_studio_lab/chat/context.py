"""Notebook context for a chat turn: kernel variables, the last exception and notebook cells, each rendered as a
short text the model can read (an *attachment*: `{"kind", "name", "text"}`).

A DataFrame becomes its shape, columns with dtypes and first rows; an array its shape, dtype and a sample; any other
object a bounded `repr`; an exception its type, message and the end of its traceback; a cell its source (and, from
the Lab, its output). Every attachment is capped at `MAX_CHARS`, so one huge object cannot fill the prompt; the token
budget (chat/budget.py) counts and, if need be, trims them. Nothing here imports pandas or numpy: objects are
recognised by what they offer.
"""

from __future__ import annotations

import reprlib
import traceback
from typing import Any

from ..errors import InvalidInput

MAX_CHARS = 4000
HEAD_ROWS = 5
KINDS = ("variable", "error", "cell", "output")


def _cap(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… (+{len(text) - limit} characters)"


def describe_value(name: str, value: Any) -> dict:
    """A kernel variable as an attachment."""
    kind_name = type(value).__name__
    if hasattr(value, "dtypes") and hasattr(value, "head") and hasattr(value, "shape"):  # a DataFrame
        rows, cols = value.shape
        dtypes = "\n".join(f"  {c}: {t}" for c, t in value.dtypes.astype(str).items())
        text = f"{name}: {kind_name} with {rows} rows × {cols} columns\ncolumns:\n{dtypes}\nfirst rows:\n"
        text += value.head(HEAD_ROWS).to_string()
    elif hasattr(value, "dtype") and hasattr(value, "shape") and hasattr(value, "ravel"):  # an array
        flat = value.ravel()
        sample = ", ".join(repr(x.item() if hasattr(x, "item") else x) for x in flat[:10])
        more = f", … ({flat.shape[0] - 10} more)" if flat.shape[0] > 10 else ""
        text = f"{name}: {kind_name} shape {tuple(value.shape)} dtype {value.dtype}\nvalues: [{sample}{more}]"
    else:
        short = reprlib.Repr()
        short.maxstring, short.maxother, short.maxlist, short.maxdict = 2000, 2000, 30, 30
        text = f"{name}: {kind_name} = {short.repr(value)}"
    return {"kind": "variable", "name": name, "text": _cap(text)}


def describe_exception(exc: BaseException, name: str = "last error") -> dict:
    """An exception with the end of its traceback (where it happened matters most)."""
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(lines)
    if len(text) > MAX_CHARS:
        text = "… (traceback shortened)\n" + text[-(MAX_CHARS - 40) :]
    return {"kind": "error", "name": name, "text": text}


def describe_cell(source: str, name: str, output: str | None = None) -> dict:
    text = f"```python\n{source}\n```"
    if output:
        text += f"\noutput:\n{output}"
    return {"kind": "cell", "name": name, "text": _cap(text)}


def from_namespace(names: list[str], namespace: dict, last_error: BaseException | None = None) -> list[dict]:
    """Attachments for `names` taken from a kernel's namespace. `err` / `error` / `exception` name the last
    exception (`sys.last_value` in IPython) unless the namespace has a variable of that name; `In[n]` /
    `cell:n` a cell the kernel ran (its `In` history)."""
    out = []
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in namespace and isinstance(namespace[name], BaseException):  # `except E as err:` kept
            out.append(describe_exception(namespace[name], name))
        elif name in namespace and not name.startswith("cell:"):
            out.append(describe_value(name, namespace[name]))
        elif name in ("err", "error", "exception", "last_error"):
            if last_error is None:
                raise InvalidInput("no exception to attach: nothing has failed in this kernel yet")
            out.append(describe_exception(last_error))
        elif name.startswith(("cell:", "In[")):
            number = name.removeprefix("cell:").removeprefix("In[").rstrip("]")
            history = namespace.get("In") or []
            try:
                index = int(number)
                out.append(describe_cell(history[index], f"In[{index}]"))
            except (ValueError, IndexError):
                raise InvalidInput(
                    f"no cell {name!r}: this kernel ran {max(len(history) - 1, 0)} cells"
                ) from None
        else:
            raise InvalidInput(f"no variable {name!r} in the kernel to attach")
    return out


def checked(attachments: list[dict] | None) -> list[dict]:
    """Attachments sent by a face (the Lab panel, a widget): the known kinds, capped text."""
    out = []
    for a in attachments or []:
        if not isinstance(a, dict) or a.get("kind") not in KINDS or not isinstance(a.get("text"), str):
            raise InvalidInput(f"an attachment is {{kind: {'|'.join(KINDS)}, name, text}}, not {a!r:.80}")
        out.append(
            {"kind": a["kind"], "name": str(a.get("name") or a["kind"])[:200], "text": _cap(a["text"])}
        )
    return out


def render(attachments: list[dict]) -> str:
    """The attachments as the block a prompt carries."""
    return "\n\n".join(f"### {a['name']} ({a['kind']})\n{a['text']}" for a in attachments)
