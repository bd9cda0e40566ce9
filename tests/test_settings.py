"""One declaration per setting: the server's traits, the environment reader and the magics' defaults are
derived from `Settings`, and every path validates (a bad `SAGE_*` value names the variable)."""

from __future__ import annotations

import pytest
from traitlets import TraitError
from traitlets.config import Config

from sage_studio_lab.server.app import SageStudio
from sage_studio_lab.settings import Settings, SettingsError


def test_every_setting_is_a_trait_with_its_declared_default_and_help():
    traits = SageStudio.class_traits(config=True)
    for name, info in Settings.model_fields.items():
        assert traits[name].default_value == info.default, name
        assert traits[name].help.startswith(info.description), name
    assert "$SAGE_CHAT_SOURCE" in traits["default_source"].help
    assert {"data_dir", "auto_start_engine"} <= set(traits)  # the server's own
    assert SageStudio().to_settings() == Settings()
    assert SageStudio(
        config=Config({"SageStudio": {"default_source": "cloud"}})
    ).to_settings().default_source == ("cloud")
    with pytest.raises(TraitError):
        SageStudio(config=Config({"SageStudio": {"memory_backend": "telepathy"}}))


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("SAGE_CHAT_SOURCE", "foo", "SAGE_CHAT_SOURCE must be one of auto, local, cloud, not 'foo'"),
        (
            "SAGE_MEMORY_BACKEND",
            "telepathy",
            "SAGE_MEMORY_BACKEND must be one of short_term, vector, kv, not .telepathy.",
        ),
        ("SAGE_MEMORY_WINDOW", "many", "SAGE_MEMORY_WINDOW must be a whole number, not 'many'"),
        ("SAGE_MEMORY_TOP_K", "0", "SAGE_MEMORY_TOP_K must be between 1 and 100, not '0'"),
        ("SAGE_CHAT_MAX_TOKENS", "0", "SAGE_CHAT_MAX_TOKENS must be between 1 and 32768, not '0'"),
        ("SAGE_STUDIO_MAX_TRAININGS", "0", "SAGE_STUDIO_MAX_TRAININGS must be at least 1, not '0'"),
    ],
)
def test_a_bad_environment_value_is_refused_naming_the_variable(monkeypatch, var, value, message):
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=message + ": fix or unset it"):
        Settings.from_env()


def test_every_env_var_reaches_its_setting(monkeypatch):
    values = {
        "SAGE_STUDIO_LLM_MODEL": ("default_model", "m", "m"),
        "SAGE_STUDIO_ENGINE_KIND": ("engine_kind", "cpu", "cpu"),
        "SAGE_STUDIO_ENGINE_NICE": ("engine_nice", "0", 0),
        "SAGE_STUDIO_ENGINE_THREADS": ("engine_threads", "1", 1),
        "SAGE_CHAT_SOURCE": ("default_source", "local", "local"),
        "SAGE_CHAT_MAX_TOKENS": ("chat_max_tokens", "64", 64),
        "SAGE_CHAT_REPETITION_PENALTY": ("chat_repetition_penalty", "1.25", 1.25),
        "SAGE_CHAT_TURN_RUNS": ("chat_turn_runs", "5", 5),
        "SAGE_INTENT_CLASSIFIER": ("intent_classifier", "llm", "llm"),
        "SAGE_MEMORY_BACKEND": ("memory_backend", "kv", "kv"),
        "SAGE_MEMORY_WINDOW": ("memory_window", "3", 3),
        "SAGE_MEMORY_TOP_K": ("memory_top_k", "2", 2),
        "SAGE_STUDIO_MAX_TRAININGS": ("max_concurrent_trainings", "2", 2),
        "SAGE_STUDIO_FILES_ROOT": ("files_root", "/srv/data", "/srv/data"),
    }
    assert set(Settings.env_vars().values()) == set(values)
    for var, (_, raw, _) in values.items():
        monkeypatch.setenv(var, raw)
    s = Settings.from_env()
    assert {name: getattr(s, name) for name, _, _ in values.values()} == {n: v for n, _, v in values.values()}


def test_the_magics_defaults_come_from_the_same_declaration():
    from sage_studio_lab.magics import SageStudioMagics

    traits = SageStudioMagics.class_traits(config=True)
    assert traits["default_source"].values == ["auto", "local", "cloud"]
    assert traits["default_backend"].values == ["auto", "cpu", "vllm"]
    assert traits["default_source"].default_value == Settings().default_source
