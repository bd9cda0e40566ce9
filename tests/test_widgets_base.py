"""The widget transport (kernel side) through the real ipywidgets comm protocol, no browser."""

from __future__ import annotations

import threading

import pytest
import traitlets

from sage_studio_lab.errors import NotFound
from sage_studio_lab.widgets.base import StudioWidget, rpc
from sage_studio_lab.widgets.testing import frontend_call, frontend_set, recording_comms


class Echo(StudioWidget):
    _esm = "export default { render() {} };"
    text = traitlets.Unicode("").tag(sync=True)
    curve = traitlets.Bytes(b"").tag(sync=True)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.started = threading.Event()

    @rpc("echo")
    def _echo(self, value=None):
        return {"value": value, "text": self.text}

    @rpc("missing")
    def _missing(self, name):
        raise NotFound(f"no such thing {name!r}")

    @rpc("count", stream=True)
    def _count(self, call, upto: int = 3, block: bool = False):
        for i in range(upto):
            call.emit({"type": "tick", "n": i})
        self.started.set()
        if block:  # stream until the view cancels
            while not call.cancelled.wait(0.01):
                pass
            return {"cancelled": True}
        return {"done": upto}

    @rpc("binary")
    def _binary(self, buffers=()):
        return {"sizes": [len(b) for b in buffers]}, [b"\x00\x01\x02"]


@pytest.fixture
def comms():
    with recording_comms() as made:
        yield made


def test_call_result_and_state_both_ways(comms):
    w = Echo(text="hi")
    assert w.view == "" and w.comm in comms
    result, events = frontend_call(w, "echo", {"value": 3})
    assert result == {"type": "result", "id": result["id"], "ok": True, "value": {"value": 3, "text": "hi"}}
    assert events == []
    frontend_set(w, text="from the view")  # view -> Python trait
    assert w.text == "from the view"
    w.text = "from python"  # Python -> view update message
    assert any(s.get("text") == "from python" for s in w.comm.states())


def test_errors_are_results_with_status(comms):
    w = Echo()
    result, _ = frontend_call(w, "missing", {"name": "x"})
    assert result["ok"] is False and result["error"]["status"] == 404 and "x" in result["error"]["message"]
    result, _ = frontend_call(w, "nope")
    assert result["error"]["status"] == 404 and "echo" in result["error"]["message"]
    result, _ = frontend_call(w, "echo", {"bogus": 1})  # wrong argument -> 400, kernel unharmed
    assert result["ok"] is False and result["error"]["status"] == 400


def test_streaming_runs_in_background_and_events_arrive(comms):
    w = Echo()
    result, events = frontend_call(w, "count", {"upto": 4})
    assert result["value"] == {"done": 4}
    assert [e["n"] for e in events] == [0, 1, 2, 3]
    assert all(e["type"] == "tick" for e in events)


def test_cancel_stops_a_stream(comms):
    w = Echo()
    w.comm.receive(
        {
            "method": "custom",
            "content": {"type": "call", "id": "c1", "method": "count", "args": {"upto": 1, "block": True}},
        }
    )
    assert w.started.wait(10)  # the kernel thread returned while the stream runs
    w.comm.receive({"method": "custom", "content": {"type": "cancel", "id": "c1"}})
    result = w.comm.wait_for(lambda ms: next((m for m, _ in ms if m.get("type") == "result"), None), 10)
    assert result == {"type": "result", "id": "c1", "ok": True, "value": {"cancelled": True}}


def test_binary_buffers_both_ways(comms):
    w = Echo()
    result, _ = frontend_call(w, "binary", buffers=[b"abcd"])
    assert result["value"] == {"sizes": [4]}
    _, buffers = next((m, b) for m, b in w.comm.custom() if m.get("type") == "result")
    assert buffers == [b"\x00\x01\x02"]
    w.curve = b"\x01\x02"  # bytes traits sync as buffers, not JSON
    update = [
        m
        for m in w.comm.sent
        if m["data"].get("method") == "update" and "curve" in m["data"]["buffer_paths"][0]
    ]
    assert update and update[-1]["buffers"] == [b"\x01\x02"]


def test_python_side_call_uses_the_same_table(comms):
    w = Echo()
    seen = []
    assert w.call("count", upto=2, on_event=seen.append) == {"done": 2}
    assert [e["n"] for e in seen] == [0, 1]
    with pytest.raises(NotFound):
        w.call("missing", name="y")


def test_import_is_lazy_and_never_fails():
    import sage_studio_lab
    import sage_studio_lab.widgets as widgets

    assert "StudioWidget" in dir(widgets)
    assert widgets.StudioWidget is StudioWidget
    with pytest.raises(AttributeError):
        widgets.NoSuchWidget  # noqa: B018
    assert sage_studio_lab.__version__
