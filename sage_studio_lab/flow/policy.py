"""What one run may do: run Python references or not (trust), and which folders its file operators may use.

`Flow` decides the policy when it builds the executor (flow.py) and stamps it on each node's config of the
run's own copy of the spec under `POLICY_KEY`: the config is what every executor hands the operators (the Ray
executor ships it to its workers), and a value a flow file puts under that key is always replaced. Operators
read it with `policy_of(self.config)`; without a stamp (an executor used directly) nothing is restricted.

Paths (`file_source`, `file_sink`): a relative path resolves in the flow's folder (`base_dir`), else in the
first root; a relative path that is not there but is in a shipped template's folder (the templates'
`sample_docs/`) resolves there, so templates work wherever they are opened. With `roots` set, the resolved
path (symlinks followed) must lie inside a root — or, for reading, inside a template folder — else the
operator fails with a clear error before anything is read or written.
"""

from __future__ import annotations

import functools
import glob
import importlib.resources
from dataclasses import dataclass
from pathlib import Path

from ..errors import Forbidden

POLICY_KEY = "__sage_run_policy__"


@dataclass(frozen=True)
class RunPolicy:
    trusted: bool = True
    roots: tuple[str, ...] | None = None  # folders file operators may use; None: anywhere
    read_roots: tuple[str, ...] = ()  # readable besides the roots (the shipped templates' folders)


UNRESTRICTED = RunPolicy()


def stamp(spec, policy: RunPolicy) -> None:
    """Put `policy` on every node of `spec` (the run's own copy)."""
    for node in spec.nodes:
        node.data.config[POLICY_KEY] = policy


def policy_of(config: dict) -> RunPolicy:
    policy = config.get(POLICY_KEY)
    return policy if isinstance(policy, RunPolicy) else UNRESTRICTED


@functools.cache
def template_dirs() -> tuple[str, ...]:
    """The folders on disk of the template packages (their sample documents are readable by every flow)."""
    from .templates import TEMPLATE_PACKAGES

    out = []
    for pkg in TEMPLATE_PACKAGES:
        try:
            root = importlib.resources.files(pkg)
        except ModuleNotFoundError:
            continue
        if isinstance(root, Path) and root.is_dir():
            out.append(str(root.resolve()))
    return tuple(out)


def _has_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def resolve(path: str, base_dir: str | None, policy: RunPolicy, write: bool = False) -> Path:
    """Where `path` points for this run (not yet checked against the roots: see `check`)."""
    p = Path(str(path)).expanduser()
    if p.is_absolute():
        return p
    base = base_dir or (policy.roots[0] if policy.roots else None)
    candidate = Path(base) / p if base else p
    if write or _present(candidate):
        return candidate
    for folder in template_dirs():
        shipped = Path(folder) / p
        if _present(shipped):
            return shipped
    return candidate


def _present(p: Path) -> bool:
    return bool(glob.glob(str(p), recursive=True)) if _has_glob(str(p)) else p.exists()


def check(path: Path, policy: RunPolicy, what: str, write: bool = False) -> Path:
    """`path` itself when the run may use it; Forbidden naming the path and the allowed folders otherwise."""
    if policy.roots is None:
        return path
    real = path.resolve()
    allowed = [Path(r).resolve() for r in (*policy.roots, *(() if write else policy.read_roots))]
    if any(real == a or real.is_relative_to(a) for a in allowed):
        return path
    where = ", ".join(str(Path(r)) for r in policy.roots)
    raise Forbidden(
        f"{what}: {path} is outside the folder this flow may {'write' if write else 'read'} ({where}); "
        "use a path inside it"
    )
