"""The memory widget's cleanup does what the REST route does: old sessions go, recent ones stay."""

from __future__ import annotations

from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.store import get_store
from sage_studio_lab.widgets.testing import frontend_call, recording_comms


def test_memory_cleanup_from_the_view_deletes_only_idle_sessions():
    from sage_studio_lab.widgets.memory_panel import MemoryPanel

    sessions = SessionStore()
    old, fresh = sessions.create(title="old")["id"], sessions.create(title="fresh")["id"]
    get_store().execute("UPDATE sessions SET updated_at = updated_at - 3600 WHERE id = ?", (old,))
    with recording_comms():
        panel = MemoryPanel()
        result, _ = frontend_call(panel, "memory.cleanup", {"max_age_minutes": 30})
    assert result["ok"] is True and result["value"] == {"deleted": [old]}
    assert [s["id"] for s in sessions.list()] == [fresh]
    bad, _ = frontend_call(panel, "memory.cleanup", {"max_age_minutes": -1})
    assert bad["ok"] is False and bad["error"]["status"] == 400
