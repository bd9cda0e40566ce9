"""SAGE Studio Lab: an LLM studio inside Jupyter.

This module stays import-light: the Jupyter server imports it at start-up, so ML libraries (torch,
transformers) are imported lazily by the code that needs them.
"""

from .version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "sage-studio-lab"}]


def _jupyter_server_extension_points():
    from .server.app import SageStudioApp

    return [{"module": "sage_studio_lab", "app": SageStudioApp}]


def load_ipython_extension(ipython):
    """`%load_ext sage_studio_lab` registers the `%sage_studio` magics."""
    from .magics import load_ipython_extension as _load

    _load(ipython)
