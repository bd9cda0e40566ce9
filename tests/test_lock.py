"""The lock pins the whole environment within pyproject's ranges, and every install path goes through it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"
sys.path.insert(0, str(REPO / "requirements"))
from drift import locked  # noqa: E402


def pins() -> dict[str, Version]:
    return {canonicalize_name(k): Version(v) for k, v in locked(LOCK).items()}


def wanted() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lines = project["dependencies"] + extras["test"] + extras["ray"] + extras["pdf"]
    tools = (REPO / "requirements" / "tools.in").read_text().splitlines()
    return [Requirement(line) for line in lines + tools if line.strip() and not line.startswith("#")]


def test_every_requirement_is_pinned_inside_its_range():
    locked_versions = pins()
    for req in wanted():
        name = canonicalize_name(req.name)
        assert name in locked_versions, f"{req.name} is not in the lock: run `make lock`"
        assert req.specifier.contains(locked_versions[name], prereleases=True), (
            f"the lock's {req.name}=={locked_versions[name]} is outside pyproject's {req}: run `make lock`"
        )


def test_every_pin_is_exact_and_torch_is_the_cpu_build():
    lines = [line for line in LOCK.read_text().splitlines() if line and not line.startswith((" ", "#"))]
    assert all(re.match(r"^[A-Za-z0-9._-]+==\S+$", line) for line in lines), (
        "every lock line is name==version"
    )
    assert str(pins()["torch"]) == "2.13.0+cpu"
    assert not any(name.startswith("nvidia-cu") or name == "llama-cpp-python" for name in pins())


def test_every_install_path_uses_the_lock():
    makefile = (REPO / "Makefile").read_text()
    assert "PIP_LOCKED := $(PIP) install -q -c $(LOCK)" in makefile
    install_lines = [
        line for line in makefile.splitlines() if re.search(r"\$\(PIP\) install|pip install", line)
    ]
    assert install_lines and all("-c $(LOCK)" in line for line in install_lines if "LATEST_VENV" not in line)
    assert "make test" in (REPO / ".ci" / "run").read_text()
    post = (REPO / "binder" / "postBuild").read_text()
    installs = [line for line in post.splitlines() if line.startswith("pip_locked ")]
    assert len(installs) == 4 and 'pip install --no-cache-dir -c "$LOCK"' in post
    assert "jlpm install --immutable" in makefile
    assert "enableImmutableInstalls: true" in (REPO / "labextension" / ".yarnrc.yml").read_text()
