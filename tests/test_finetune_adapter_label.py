"""Use in chat records what people call the adapter (the task's name) beside the served model id, so every face
can show the task name; the engine still serves it under the task id. Fast: a fake engine, no training."""

from __future__ import annotations

import json

from sage_studio_lab.chat import default_model
from sage_studio_lab.finetune import hotswap


class FakeEngine:
    def __init__(self):
        self.loaded = []

    def status(self):
        return {"status": "running", "model": "base", "adapters": [], "id": "e1"}

    def load_adapter(self, name, path):
        self.loaded.append(name)
        return {"load_time_s": 0.01}


def test_use_adapter_records_the_task_name_as_label(tmp_path, monkeypatch):
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8}))
    engine = FakeEngine()
    monkeypatch.setattr(hotswap, "_engine", lambda: engine)

    result = hotswap.use_adapter("ft-20261206-075716-aacc59", adapter, label="password-lora")
    assert engine.loaded == ["ft-20261206-075716-aacc59"]  # served under the task id
    current = default_model.current_chat_model()
    assert current["model"] == "ft-20261206-075716-aacc59" and current["label"] == "password-lora"
    assert result["current"]["label"] == "password-lora"
    # No name given: the served id is the label.
    hotswap.use_adapter("ft-x", adapter)
    assert default_model.current_chat_model()["label"] == "ft-x"
