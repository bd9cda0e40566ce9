"""One SQLite database per user (WAL mode), shared by the Jupyter server and notebook kernels.

Each capability owns its tables in `sage_studio_lab/<area>/schema.py` (a `MIGRATIONS` list of SQL scripts);
the `schema_version` table records how many of each area's scripts were applied. Migrations run under an
exclusive write lock, so two processes opening a fresh database at once apply them exactly once.
The schema files are read, not imported: importing `<area>.schema` would first run the area package's
`__init__` (engine manager, fine-tune service, flow runtime), and opening the store runs nothing but SQL.
"""

from __future__ import annotations

import functools
import json
import os
import runpy
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import paths

# Order matters only for readability; areas do not reference each other's tables with foreign keys.
SCHEMA_AREAS = ("engine", "chat", "memory", "finetune", "flow")
SCHEMA_FILES = {area: Path(__file__).with_name(area) / "schema.py" for area in SCHEMA_AREAS}
BUSY_TIMEOUT_MS = 30_000


def now() -> float:
    return time.time()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None, default: Any = None) -> Any:
    if text is None or text == "":
        return default
    return json.loads(text)


class Store:
    """Thread-safe handle: one sqlite3 connection per thread, all on the same file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    # -- connections -------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction. BEGIN IMMEDIATE takes the write lock up front, so there is no
        upgrade deadlock between processes; busy_timeout makes the other side wait, not fail."""
        conn = self.conn
        if conn.in_transaction:  # nested use joins the outer transaction
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def query_one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        with self.tx() as conn:
            return conn.execute(sql, params)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- migrations --------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self.tx() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (area TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            for area in SCHEMA_AREAS:
                scripts = migrations(area)
                row = conn.execute("SELECT version FROM schema_version WHERE area=?", (area,)).fetchone()
                done = row[0] if row else 0
                for script in scripts[done:]:
                    for statement in _split_sql(script):
                        conn.execute(statement)
                if len(scripts) != done:
                    conn.execute(
                        "INSERT OR REPLACE INTO schema_version(area, version) VALUES (?, ?)",
                        (area, len(scripts)),
                    )

    def schema_versions(self) -> dict[str, int]:
        return {r["area"]: r["version"] for r in self.query("SELECT area, version FROM schema_version")}


@functools.cache
def migrations(area: str) -> tuple[str, ...]:
    """The `MIGRATIONS` of `<area>/schema.py` (plain data: the file imports nothing)."""
    return tuple(runpy.run_path(str(SCHEMA_FILES[area]))["MIGRATIONS"])


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (executescript would COMMIT our transaction)."""
    statements, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        joined = "\n".join(buf)
        if joined.rstrip().endswith(";") and sqlite3.complete_statement(joined):
            statements.append(joined.strip())
            buf = []
    if "".join(buf).strip():
        statements.append("\n".join(buf).strip())
    return statements


_stores: dict[Path, Store] = {}
# (SAGE_STUDIO_HOME, user) -> store: found again without a filesystem call
_by_home: dict[tuple[str, str], Store] = {}
_stores_lock = threading.Lock()


def db_path(user: str | None = None) -> Path:
    return paths.user_dir(user) / "studio.sqlite3"


def get_store(user: str | None = None) -> Store:
    """The store of `user` (default: the current user), one instance per database file and process.

    With $SAGE_STUDIO_HOME set (always in the server and the kernels it starts) a store found before is
    returned without resolving its path again: the chat gateway looks it up on every request."""
    home = os.environ.get("SAGE_STUDIO_HOME")
    key = (home, user or paths.current_user_name()) if home else None
    store = _by_home.get(key) if key else None
    if store is not None:
        return store
    path = db_path(user).resolve()
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = Store(path)
        if key:
            _by_home[key] = store
        return store


def reset_stores() -> None:
    """Forget cached handles (tests that switch SAGE_STUDIO_HOME call this)."""
    with _stores_lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
        _by_home.clear()
