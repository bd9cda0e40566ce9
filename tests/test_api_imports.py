"""The operations import the core modules they use at module level, never inside a function.

A first import of a package inside an operation can happen in two threads at once (the event loop runs quick
operations, a worker runs blocking ones); Python then hands one of them a half-initialised module (`ImportError:
cannot import name 'FlowSpec' from partially initialized module`, `KeyError: 'sage_studio_lab.flow'`) and the
request answers 500: this left the flow palette empty in a browser test. Heavy libraries (torch, transformers) stay
lazy inside the core modules, so importing the API stays cheap (checked below).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sage_studio_lab.api as api

API = Path(api.__file__).parent


def test_no_function_level_imports_of_the_project_in_operations():
    late = []
    for path in sorted(API.glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.level > 0:
                    late.append(f"{path.name}:{node.lineno} from {'.' * node.level}{node.module or ''}")
    assert not late, f"import these at the top of the module: {late}"


def test_importing_the_api_does_not_load_torch_or_transformers():
    code = "import sys, sage_studio_lab.api; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
