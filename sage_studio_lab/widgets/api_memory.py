"""Memory methods of the transport (`memory.*`), answered by the memory core in the kernel."""

from __future__ import annotations

from .transport import plain, rpc


def _service():
    from ..memory.service import MemoryService

    return MemoryService()


class MemoryApi:
    @rpc("memory.config")
    def rpc_memory_config(self, session_id: str | None = None):
        from .. import store

        config = plain(_service().get_config(session_id))
        sessions = store.get_store().query_one("SELECT COUNT(*) AS n FROM sessions")["n"]
        return {**config, "total_sessions": sessions}

    @rpc("memory.stats")
    def rpc_memory_stats(self, session_id: str | None = None):
        service = _service()
        if session_id:
            ids = [session_id]
        else:
            from .. import store

            ids = [
                r["session_id"]
                for r in store.get_store().query(
                    "SELECT DISTINCT session_id FROM memories ORDER BY session_id"
                )
            ]
        return {"sessions": [_stats_row(service.stats(i)) for i in ids]}

    @rpc("memory.list")
    def rpc_memory_list(self, session_id: str):
        return {"memories": plain(_service().list(session_id))}

    @rpc("memory.delete")
    def rpc_memory_delete(self, id: int, session_id: str | None = None):
        session_id = session_id or getattr(self, "session_id", None)
        _service().delete(session_id, int(id))
        return {"deleted": id}

    @rpc("memory.clear")
    def rpc_memory_clear(self, session_id: str):
        return {"cleared": _service().clear(session_id)}

    @rpc("memory.cleanup")
    def rpc_memory_cleanup(self, max_age_minutes: float):
        """Delete sessions idle for longer than `max_age_minutes` with their memory (the REST route's action)."""
        from ..chat.sessions import SessionStore

        return {"deleted": SessionStore().cleanup(float(max_age_minutes))}


def _stats_row(stats: dict) -> dict:
    """The core's stats with the field names the views read (TRANSPORT.md)."""
    row = dict(stats)
    row.setdefault("usage_pct", stats.get("usage_percent"))
    row.setdefault("index_size", stats.get("index_size_bytes"))
    return plain(row)
