"""`Chat`: a streaming chat bound to a session (history in the store, shared with the Lab chat panel)."""

from __future__ import annotations

import threading

import traitlets

from .base import StudioWidget, asset
from .chat_methods import kernel_context, send_turn, service
from .transport import plain


class Chat(StudioWidget):
    _esm = asset("chat", "js")
    _css = asset("chat", "css")
    view = traitlets.Unicode("chat").tag(sync=True)
    session_id = traitlets.Unicode("").tag(sync=True)
    source = traitlets.Unicode("auto").tag(sync=True)
    model = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    messages = traitlets.List().tag(sync=True)  # the active branch, refreshed after each turn
    streaming = traitlets.Unicode("").tag(sync=True)  # the answer so far while a Python-side send streams

    def __init__(
        self,
        session: str | None = None,
        source: str = "auto",
        model: str | None = None,
        settings: dict | None = None,
        title: str | None = None,
        **kwargs,
    ):
        """`session`: an existing session id (else a new session with `title` and `settings`, e.g.
        `{"max_tokens": 64, "system_prompt": "..."}`)."""
        if source not in ("auto", "local", "cloud"):
            raise ValueError(f"source must be 'auto', 'local' or 'cloud', not {source!r}")
        super().__init__(source=source, model=model, **kwargs)
        sessions = service().sessions
        if session:
            self.session_id = sessions.summary(session)["id"]  # NotFound for an unknown id
        else:
            self.session_id = sessions.create(title=title, settings=settings)["id"]
        self.refresh()

    def refresh(self) -> list[dict]:
        self.messages = plain(service().sessions.get(self.session_id)).get("messages", [])
        return self.messages

    def after_operation(self, name: str) -> None:
        # A turn sent, an answer rated or corrected, a branch switched from the view: `messages` follows.
        if name in ("chat.send", "chat.rate", "chat.ideal_answer", "sessions.switch"):
            self.refresh()

    def send(self, text: str, on_token=None, context: list[str] | str | None = None) -> str:
        """Ask from Python: streams into the view (and `on_token`) and returns the answer's text.

        `context`: names of this kernel's variables to attach (a DataFrame goes as its schema and first rows, an
        array as shape/dtype/sample), `"err"` for the last exception, `"In[3]"` for a cell this kernel ran; e.g.
        `chat.send("Why does this fail?", context=["df", "err"])`. The attachments show on the message and count in
        its token budget; they go only to the chat's source (a cloud source sends them off the machine)."""
        if not text or not text.strip():
            raise ValueError("the message is empty: pass the text to send")
        attachments = kernel_context(context)
        self.status, self.streaming, self.error = "streaming", "", ""
        parts: list[str] = []

        def emit(event):
            if event.get("type") == "token":
                parts.append(event.get("text", ""))
                self.streaming = "".join(parts)
                if on_token:
                    on_token(event.get("text", ""))

        try:
            message = send_turn(
                self.session_id,
                text,
                emit,
                threading.Event(),
                source=self.source,
                model=self.model,
                context=attachments,
            )
        except Exception as exc:
            self.status, self.error = "error", str(exc)
            raise
        self.status, self.streaming = "ready", ""
        self.refresh()
        return (message or {}).get("content") or "".join(parts)

    @property
    def history(self) -> list[dict]:
        return self.refresh()
