"""The store: migrations recorded once, WAL mode, and two processes writing at once lose nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sage_studio_lab import paths
from sage_studio_lab.store import SCHEMA_AREAS, Store, db_path, get_store


def test_store_is_per_user_wal_and_migrated(studio_home):
    store = get_store()
    assert store.path == db_path().resolve()
    assert store.path.is_relative_to(studio_home / "users" / "anonymous")
    assert store.query_one("PRAGMA journal_mode")["journal_mode"] == "wal"
    versions = store.schema_versions()
    assert set(versions) == set(SCHEMA_AREAS) and all(v >= 1 for v in versions.values())
    # Re-opening applies nothing twice (a second migration run would fail on CREATE TABLE).
    again = Store(store.path)
    assert again.schema_versions() == versions


def test_users_get_separate_databases(monkeypatch):
    monkeypatch.setenv("SAGE_STUDIO_USER", "alice/../bob")
    assert paths.current_user_name() == "alice_.._bob"  # never a path traversal
    assert "alice" in str(db_path())
    monkeypatch.setenv("SAGE_STUDIO_USER", "carol")
    assert db_path() != get_store("alice").path


def test_transaction_rolls_back_on_error():
    store = get_store()
    with pytest.raises(RuntimeError):
        with store.tx() as conn:
            conn.execute(
                "INSERT INTO flows(id, name, data, created_at, updated_at) VALUES ('f1', 'x', '{}', 0, 0)"
            )
            raise RuntimeError("boom")
    assert store.query("SELECT * FROM flows") == []


WRITER = textwrap.dedent(
    """
    import sys
    from sage_studio_lab.store import get_store
    store = get_store()
    tag, n = sys.argv[1], int(sys.argv[2])
    for i in range(n):
        with store.tx() as conn:
            conn.execute("INSERT INTO memories(session_id, kind, text, created_at) VALUES (?, 'note', ?, 0)", (tag, str(i)))
            # read-modify-write: a lost update would show as a wrong final count
            row = conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0]
            conn.execute("INSERT OR REPLACE INTO schema_version(area, version) VALUES ('counter', ?)", (row,))
    """
)


def test_two_processes_write_concurrently_without_loss(studio_home):
    get_store()  # create + migrate first, as the server would
    n = 150
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, tag, str(n)]) for tag in ("server", "kernel")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    store = get_store()
    counts = {
        r["session_id"]: r["c"]
        for r in store.query("SELECT session_id, COUNT(*) c FROM memories GROUP BY session_id")
    }
    assert counts == {"server": n, "kernel": n}
    assert store.query_one("SELECT version FROM schema_version WHERE area='counter'")["version"] == 2 * n


def test_opening_the_store_imports_no_area_package(studio_home):
    """Migrations are read from each area's schema file: opening the store runs no area's `__init__`."""
    code = (
        "import sys; from sage_studio_lab.store import get_store; get_store(); "
        "print(sorted(m for m in sys.modules if m.startswith('sage_studio_lab.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert eval(out) == ["sage_studio_lab.paths", "sage_studio_lab.store", "sage_studio_lab.version"]


def test_a_database_behind_on_one_area_gets_only_that_areas_new_scripts(studio_home):
    store = get_store()
    with store.tx() as conn:  # as if created before memory's second script existed
        conn.execute("DROP TABLE memory_sessions")
        conn.execute("UPDATE schema_version SET version=1 WHERE area='memory'")
    before = store.schema_versions()
    again = Store(store.path)
    assert again.schema_versions() == {**before, "memory": 2}
    assert again.query("SELECT * FROM memory_sessions") == []
