"""`%sage_studio rate`, `%%sage_studio ideal` and `%sage_studio dataset build|list` through a real IPython shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.finetune import datasets
from sage_studio_lab.widgets.testing import recording_comms


@pytest.fixture
def ip(ipython):
    with recording_comms():
        yield ipython


def magic(ip, line, cell=None):
    if cell is None:
        return ip.run_line_magic("sage_studio", line)
    return ip.run_cell_magic("sage_studio", line, cell)


def test_rate_correct_and_build_from_a_notebook(ip, capsys):
    store = SessionStore()
    sid = store.create("nb")["id"]
    store.add_message(sid, "user", "What is 2+2?")
    answer = store.add_message(sid, "assistant", "5")
    magics = ip.magics_manager.registry["SageStudioMagics"]
    magics.chat_session = sid  # as after a `%%sage_studio chat` cell

    magic(ip, "rate down --comment 'wrong sum'")
    assert "rated down" in capsys.readouterr().out
    assert store.message(answer["id"])["metadata"]["rating"]["comment"] == "wrong sum"
    magic(ip, "ideal", "4\n")
    assert "ideal answer stored" in capsys.readouterr().out
    ideal_id = store.message(answer["id"])["metadata"]["rejected_by"]
    assert store.message(ideal_id)["content"] == "4"

    magic(ip, f"dataset build --name nb --session {sid} --eval-ratio 0")
    out = capsys.readouterr().out
    assert "nb v1: dataset ds-" in out and "1 train / 0 eval rows from 1 session(s)" in out
    assert [d["name"] for d in datasets.list_datasets()] == ["nb v1"]
    magic(ip, "dataset list")
    assert "nb v1  sft" in capsys.readouterr().out

    magic(ip, f"rate clear --session {sid} --message {answer['id']}")
    assert "rating" not in store.message(answer["id"])["metadata"]


def test_magic_errors_are_one_line(ip):
    magics = ip.magics_manager.registry["SageStudioMagics"]
    magics.chat_session = None
    with pytest.raises(UsageError, match="no chat in this notebook yet"):
        magic(ip, "rate up")
    sid = SessionStore().create("empty")["id"]
    with pytest.raises(UsageError, match="has no answer yet"):
        magic(ip, f"rate up --session {sid}")
    with pytest.raises(UsageError, match="write the ideal answer in the cell"):
        magic(ip, f"ideal --session {sid}", "  ")
    with pytest.raises(UsageError, match="not found"):
        magic(ip, f"rate up --session {sid} --message nope")
    with pytest.raises(UsageError, match="no rated or corrected answers"):
        magic(ip, "dataset build")
    with pytest.raises(UsageError, match="invalid choice: 'meh'"):
        magic(ip, "rate meh")
