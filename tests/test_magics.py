"""`%sage_studio` through a real IPython InteractiveShell with the extension loaded."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from sage_studio_lab.widgets.testing import recording_comms


@pytest.fixture
def ip(ipython):
    return ipython


@pytest.fixture(autouse=True)
def comms():
    with recording_comms() as made:
        yield made


def magic(ip, line, cell=None):
    if cell is None:
        return ip.run_line_magic("sage_studio", line)
    return ip.run_cell_magic("sage_studio", line, cell)


def test_help_lists_every_subcommand(ip, capsys):
    assert magic(ip, "--help") is None
    out = capsys.readouterr().out
    for sub in ("chat", "flow", "finetune", "memory", "engine", "models", "status"):
        assert sub in out
    magic(ip, "")  # no subcommand: help, not an error
    assert "usage: %sage_studio" in capsys.readouterr().out
    magic(ip, "finetune --help")
    assert "--epochs" in capsys.readouterr().out


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("bogus", "invalid choice: 'bogus'"),
        ("chat --source moon", "invalid choice: 'moon'"),
        ("finetune --model m", "the following arguments are required: --data"),
        ("finetune --data x.jsonl --epochs many", "invalid float value: 'many'"),
        ("finetune --data x.jsonl --epochs 0", "--epochs must be greater than 0"),
        ("engine explode", "invalid choice: 'explode'"),
        ("flow a.json b.json", "at most one PATH"),
        ("flow run", "exactly one flow file"),
        ("flow run x.sage-flow.json", "cell magic"),
        ('chat --session "unterminated', "No closing quotation"),
    ],
)
def test_bad_arguments_are_clear_usage_errors(ip, line, fragment):
    with pytest.raises(UsageError, match=fragment.replace("(", r"\(").replace("*", r"\*")):
        magic(ip, line)


def test_cell_magic_errors(ip):
    with pytest.raises(UsageError, match="the cell is empty"):
        magic(ip, "chat", "   \n")
    with pytest.raises(UsageError, match="flow run PATH"):
        magic(ip, "flow", "some input")


def test_models_and_status_print(ip, capsys):
    magic(ip, "models")
    assert "SmolLM2-135M-Instruct" in capsys.readouterr().out
    magic(ip, "status")
    out = capsys.readouterr().out
    assert "sessions: 0" in out and "tasks:    none" in out and "gpu:" in out


def test_memory_opens_the_panel(ip):
    from sage_studio_lab.widgets.memory_panel import MemoryPanel

    panel = magic(ip, "memory")
    assert isinstance(panel, MemoryPanel) and panel.session_id == "" and panel.config["backend"]


def test_core_errors_become_one_line(ip):
    with pytest.raises(UsageError, match="chat session 'nope' not found"):
        magic(ip, "chat --session nope")
    with pytest.raises(UsageError, match="not found"):
        magic(ip, "finetune --data x.jsonl --task missing-task")


def test_traitlets_config(ip):
    from traitlets.config import Config

    from sage_studio_lab.magics import SageStudioMagics

    cfg = Config()
    cfg.SageStudioMagics.default_source = "local"
    cfg.SageStudioMagics.default_epochs = 2.0
    m = SageStudioMagics(shell=ip, config=cfg)
    assert m.default_source == "local" and m.default_epochs == 2.0
    assert "default_source" in SageStudioMagics.class_trait_names(config=True)
