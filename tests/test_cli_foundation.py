"""`sage-studio lab` builds the right Jupyter command; `sage-studio doctor` reports what is installed."""

from __future__ import annotations

import json
import subprocess
import sys

from sage_studio_lab.cli import main


def test_lab_dry_run_builds_a_jupyter_lab_command(capsys, tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00-tour.ipynb").write_text("{}")
    code = main(
        [
            "lab",
            "--dry-run",
            "--port",
            "9999",
            "--ip",
            "0.0.0.0",
            "--llm-model",
            "my-model",
            "--notebook-dir",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "jupyter lab" in out and "--port=9999" in out and "--ip=0.0.0.0" in out
    assert "--ServerApp.port_retries=0" in out
    assert "--SageStudio.default_model=my-model" in out
    assert "--SageStudio.auto_start_engine=True" in out
    assert "--LabApp.default_url=/lab/tree/notebooks/00-tour.ipynb" in out


def test_lab_no_llm_does_not_start_engine(capsys):
    assert main(["lab", "--dry-run", "--no-llm"]) == 0
    assert "auto_start_engine" not in capsys.readouterr().out


def test_use_finetuned_without_any_is_a_clear_error(capsys):
    assert main(["lab", "--dry-run", "--use-finetuned"]) == 1
    assert "no fine-tuned model" in capsys.readouterr().err


def test_doctor_reports_extensions_and_availability():
    res = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab", "doctor", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["available"]["torch"] is True
    assert data["available"]["bundled_model"] is True
    assert data["extensions"]["server_extension"]["enabled"] is True


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "sage-studio" in capsys.readouterr().out
