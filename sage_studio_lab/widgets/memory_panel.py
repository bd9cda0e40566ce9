"""`MemoryPanel`: backend, usage and the memories of one session (or all sessions)."""

from __future__ import annotations

import traitlets

from .base import StudioWidget, asset


class MemoryPanel(StudioWidget):
    _esm = asset("memory", "js")
    _css = asset("memory", "css")
    view = traitlets.Unicode("memory").tag(sync=True)
    session_id = traitlets.Unicode("").tag(sync=True)
    config = traitlets.Dict().tag(sync=True)
    stats = traitlets.List().tag(sync=True)
    memories = traitlets.List().tag(sync=True)

    def __init__(self, session: str | None = None, **kwargs):
        super().__init__(session_id=session or "", **kwargs)
        self.refresh()

    def refresh(self) -> dict:
        sid = self.session_id or None
        self.config = self.call("memory.config", session_id=sid)["config"]
        self.stats = self.call("memory.stats", session_id=sid)["sessions"]
        self.memories = self.call("memory.list", session_id=sid)["memories"] if sid else []
        return {"config": self.config, "stats": self.stats}

    def clear(self) -> int:
        if not self.session_id:
            raise ValueError("MemoryPanel has no session: MemoryPanel(session=ID) to clear one session")
        n = self.call("memory.clear", session_id=self.session_id)["deleted"]
        self.refresh()
        return n
