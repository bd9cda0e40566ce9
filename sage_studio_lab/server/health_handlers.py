"""GET /sage-studio/api/health: versions, data dir and what is available here."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform

import tornado.web

from .. import __version__, gpu, models, paths
from .base import StudioHandler


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def health_report() -> dict:
    """What the server can do. Looks packages up without importing them (keeps start-up fast)."""
    return {
        "status": "ok",
        "version": __version__,
        "python": platform.python_version(),
        "data_dir": str(paths.data_home()),
        "user": paths.current_user_name(),
        "versions": {
            d: _version(d)
            for d in ("jupyter_server", "jupyterlab", "torch", "transformers", "peft", "vllm", "ray")
        },
        "available": {
            "torch": importlib.util.find_spec("torch") is not None,
            "vllm": importlib.util.find_spec("vllm") is not None,
            "ray": importlib.util.find_spec("ray") is not None,
            "gpu": gpu.gpu_available(),
            "bundled_model": models.bundled_available(),
        },
    }


class HealthHandler(StudioHandler):
    @tornado.web.authenticated
    def get(self):
        self.write_json(health_report())


def routes():
    return [("api/health", HealthHandler)]
