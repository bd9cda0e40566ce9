"""Where Studio keeps its data. Computed lazily on every call so tests can isolate HOME / env."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from pathlib import Path

_SAFE = re.compile(r"[^A-Za-z0-9_.@-]+")


def jupyter_data_dir() -> Path:
    """Jupyter's per-user data dir, by jupyter_core's rules, without importing Jupyter."""
    if os.environ.get("JUPYTER_DATA_DIR"):
        return Path(os.environ["JUPYTER_DATA_DIR"]).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg).expanduser() / "jupyter"


def data_home() -> Path:
    """Root of all Studio data: $SAGE_STUDIO_HOME, else <jupyter data dir>/sage_studio."""
    env = os.environ.get("SAGE_STUDIO_HOME")
    root = Path(env).expanduser() if env else jupyter_data_dir() / "sage_studio"
    root.mkdir(parents=True, exist_ok=True)
    return root


def current_user_name() -> str:
    """The Studio user: $SAGE_STUDIO_USER, JupyterHub's user, else 'anonymous' (token-only auth has no name)."""
    name = os.environ.get("SAGE_STUDIO_USER") or os.environ.get("JUPYTERHUB_USER") or "anonymous"
    return safe_name(name)


def safe_name(name: str) -> str:
    """A name that is safe as one path component (no traversal, no separators)."""
    cleaned = _SAFE.sub("_", name).strip("._") or "anonymous"
    return cleaned[:64]


def user_dir(user: str | None = None) -> Path:
    path = data_home() / "users" / safe_name(user or current_user_name())
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_cache_dir() -> Path:
    """Shared (not per-user) cache of materialised models, e.g. the bundled GGUF as an HF folder.
    $SAGE_STUDIO_MODELS_CACHE moves it (tests share one cache across isolated homes)."""
    env = os.environ.get("SAGE_STUDIO_MODELS_CACHE")
    path = Path(env).expanduser() if env else data_home() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def area_dir(area: str, user: str | None = None) -> Path:
    """Per-user artefact folder for one capability: engines/, finetune/, datasets/, flows/, memory/."""
    path = user_dir(user) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def child_path(root: Path, name: str) -> Path:
    """root/name, refusing anything that would escape root (path traversal in ids from requests)."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"invalid name {name!r}: use letters, digits, '-', '_' or '.'")
    path = (root / name).resolve()
    if path.parent != root.resolve():
        raise ValueError(f"invalid name {name!r}")
    return path


def secret_key(name: str, user: str | None = None) -> bytes:
    """A random per-user secret (32 bytes) in `<user dir>/<name>`, made once with mode 0600 (as the notebook
    notary's `notebook_secret`): who can read it can sign for the user. A file left readable by others is
    made private again. Created complete or not at all (written beside it, then hard-linked in), so a
    process reading it never sees half a key."""
    import secrets

    path = child_path(user_dir(user), name)
    if not path.exists():
        tmp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            os.link(tmp, path)  # fails if another process made it first: theirs is kept
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            if not path.exists():
                os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return bytes.fromhex(path.read_text().strip())


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive advisory lock on `path` (created if missing), shared by every process of the user:
    the server, notebook kernels and the CLI. Released on exit, and by the OS if the holder dies."""
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
