"""Every demo notebook runs top to bottom in a real kernel (nbclient), with no key, on CPU."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def test_the_demo_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == [
        "00-tour",
        "01-chat-and-memory",
        "02-flows",
        "03-finetune",
        "04-engine",
        "05-improve-loop",
        "06-notebook-context",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_without_error(path, tmp_path, studio_home):
    work = tmp_path / "nb"
    work.mkdir()
    shutil.copy(path, work / path.name)
    nb = nbformat.read(work / path.name, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}
    )
    try:
        client.execute()  # raises CellExecutionError naming the cell on any error
    finally:
        # Engines are detached on purpose; never leave one behind when a notebook fails half-way.
        from sage_studio_lab.engine import EngineManager

        EngineManager().stop()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(o.get("output_type") in ("display_data", "execute_result") for o in outputs)
