"""Shared fixtures: every test gets its own Studio home; the materialised bundled model is cached once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sage_studio_lab import settings as settings_mod
from sage_studio_lab.store import reset_stores

REPO = Path(__file__).resolve().parents[1]
MODELS_CACHE = os.environ.get("SAGE_STUDIO_TEST_MODELS_CACHE", str(REPO / ".cache" / "models"))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

pytest_plugins = ["pytest_jupyter.jupyter_server", "report_guard"]


@pytest.fixture(autouse=True)
def studio_home(tmp_path, monkeypatch):
    """An empty data dir per test (SAGE_STUDIO_HOME), sharing the model cache across tests."""
    home = tmp_path / "studio-home"
    monkeypatch.setenv("SAGE_STUDIO_HOME", str(home))
    monkeypatch.setenv("SAGE_STUDIO_MODELS_CACHE", MODELS_CACHE)
    monkeypatch.delenv("SAGE_STUDIO_USER", raising=False)
    reset_stores()
    settings_mod._current = None
    yield home
    reset_stores()
    settings_mod._current = None


@pytest.fixture
def jp_server_config():
    """pytest-jupyter isolates config dirs, so the installed server-config json is not read: enable here."""
    return {"ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}}}


@pytest.fixture(scope="session")
def ipython():
    """The one test IPython shell with the extension loaded (IPython's `globalipapp.get_ipython()` answers only its
    first caller: later calls return None, so every test that needs a shell shares this one)."""
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    start_ipython()
    shell = get_ipython()
    shell.run_line_magic("load_ext", "sage_studio_lab")
    return shell
