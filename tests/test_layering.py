"""The package is layered: no import cycle between its modules (module-level, in-function and type-only
imports all count, and importing a module runs its packages' `__init__` too), the core imports nothing of
Jupyter, and no module grows past a size one can read."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sage_studio_lab"
ROOT = PACKAGE.name
# The faces: only these may import the Jupyter stack.
FACES = ("server", "widgets", "commands", "api", "magics.py", "cli.py")
JUPYTER = ("jupyter_server", "tornado", "ipywidgets", "anywidget", "IPython")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict) -> list[tuple[str, int]]:
    """(imported name, line) for every import in the file, wherever it is; `importlib.import_module("x")`
    with a literal name too. Names are absolute; `from pkg import sub` names the submodule."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in modules else base, node.lineno))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.lineno))
    return found


def _graph() -> dict[str, dict[str, int]]:
    """module -> {module it makes Python import: line}. Importing `a.b.c` also runs `a.b`'s `__init__`
    (unless the importer is inside `a.b` already, which has run by then)."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {m: {} for m in modules}
    for name, path in modules.items():
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        for target, line in _imports(name, path, modules):
            if not target.startswith(ROOT):
                continue
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                dep = ".".join(parts[:i])
                if dep in modules and dep != name and (dep == target or dep not in own):
                    graph[name].setdefault(dep, line)
    return graph


def _cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import cycle as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _is_face(name: str) -> bool:
    rel = name.split(".")[1:]
    return bool(rel) and (rel[0] in FACES or f"{rel[0]}.py" in FACES)


def test_no_import_cycle():
    graph = _graph()
    cycle = _cycle(graph)
    assert cycle is None, (
        "import cycle: "
        + " -> ".join(f"{a} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False))
        + f" -> {cycle[-1]}"
    )


def test_the_core_imports_nothing_of_jupyter():
    modules = _modules()
    offenders = [
        f"{name}:{line} imports {target}"
        for name, path in modules.items()
        if not _is_face(name)
        for target, line in _imports(name, path, modules)
        if target.split(".")[0] in JUPYTER
    ]
    assert offenders == [], "core modules importing Jupyter (move the code to a face):\n" + "\n".join(
        offenders
    )


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them by responsibility): {long}"


def test_the_checker_sees_cycles_through_lazy_imports_and_package_inits(tmp_path, monkeypatch):
    """The graph itself: an in-function import and an `__init__` that re-exports both make edges."""
    pkg = tmp_path / ROOT
    (pkg / "area").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "area" / "__init__.py").write_text("from .service import Service\n")
    (pkg / "area" / "service.py").write_text("def f():\n    from ..low import x\n")
    (pkg / "low.py").write_text("from .area.schema import T\n")
    (pkg / "area" / "schema.py").write_text("T = 1\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    cycle = _cycle(_graph())
    assert cycle == [f"{ROOT}.area", f"{ROOT}.area.service", f"{ROOT}.low", f"{ROOT}.area"]
