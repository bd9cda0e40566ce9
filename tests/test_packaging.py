"""`pip install` of the built wheel alone enables both the server extension and the labextension."""

from __future__ import annotations

import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_into_fresh_venv_enables_both_extensions(tmp_path):
    assert (REPO / "sage_studio_lab" / "labextension" / "package.json").exists(), (
        "build the labextension first (make)"
    )
    # Build the wheel as pip would (the jupyter-builder hook skips the npm build when the output exists).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = (tmp_path / "dist").glob("sage_studio_lab-*.whl")
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(fresh)], check=True, timeout=300)
    py = fresh / "bin" / "python"
    # Dependencies come from the dev venv through a .pth file (no network; so their console scripts are absent and
    # the jupyter commands run as modules); the project itself comes only from the wheel.
    fresh_site = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    dev_site = sysconfig.get_paths()["purelib"]
    (fresh_site / "zz_dev_deps.pth").write_text(dev_site + "\n" + "\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)
    # Run from outside the checkout, or `import sage_studio_lab` would find the source tree in the cwd.
    where = subprocess.check_output(
        [str(py), "-c", "import sage_studio_lab; print(sage_studio_lab.__file__)"], text=True, cwd=tmp_path
    )
    assert str(fresh) in where
    labext = fresh / "share" / "jupyter" / "labextensions" / "sage-studio-lab"
    assert (labext / "package.json").exists()
    assert (labext / "schemas" / "sage-studio-lab" / "plugin.json").exists()  # the panels' settings
    assert (fresh / "etc" / "jupyter" / "jupyter_server_config.d" / "sage_studio_lab.json").exists()
    server = subprocess.run(
        [str(py), "-m", "jupyter_server.extension.serverextension", "list"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    text = server.stdout + server.stderr
    assert "sage_studio_lab" in text and "enabled" in text and "OK" in text, text
    lab = subprocess.run(
        [str(py), "-m", "jupyterlab.labextensions", "list"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    lines = [ln for ln in (lab.stdout + lab.stderr).splitlines() if "sage-studio-lab" in ln]
    assert lines and "enabled" in lines[0] and "OK" in lines[0], lab.stdout + lab.stderr
