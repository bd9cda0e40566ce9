"""A failing test is named in the report even when `ast.parse` breaks while pytest formats it (CPython gh-106905)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BROKEN = """
import ast
import sys

def test_fails_while_the_ast_constructor_is_broken(monkeypatch):
    real = ast.parse

    def parse(*args, **kwargs):  # broken only for pytest's own source reading, as the race breaks it
        if sys._getframe(1).f_globals.get("__name__") == "_pytest._code.source":
            raise SystemError("AST constructor recursion depth mismatch (before=129, after=143)")
        return real(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", parse)
    assert 1 == 2, "the failure's own message"

def test_runs_after_it():
    assert sum([1, 2]) == 3  # a passing test after the broken one: the run goes on
"""


def run(tmp_path: Path, *plugins: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_broken.py").write_text(BROKEN)
    args = [arg for name in plugins for arg in ("-p", name)]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short", *args, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(Path(__file__).parent), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_without_the_guard_pytest_dies_with_internalerror(tmp_path):
    out = run(tmp_path)
    assert out.returncode == 3 and "INTERNALERROR" in out.stdout + out.stderr


def test_the_guard_names_the_failure_and_runs_the_rest(tmp_path):
    out = run(tmp_path, "report_guard")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "INTERNALERROR" not in out.stdout + out.stderr
    assert "FAILED test_broken.py::test_fails_while_the_ast_constructor_is_broken" in out.stdout
    assert "the failure's own message" in out.stdout
    assert "1 failed, 1 passed" in out.stdout
