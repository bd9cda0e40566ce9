"""Print which installed packages differ from the lock (run by `make test-latest` in its unlocked venv)."""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if m:
            pins[canonical(m[1])] = m[2]
    return pins


def main(lock_path: str) -> int:
    pins = locked(Path(lock_path))
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    rows = [
        (name, pins.get(name, "-"), installed.get(name, "-"))
        for name in sorted(set(pins) | set(installed))
        if pins.get(name) != installed.get(name) and name not in ("pip", "sage-studio-lab")
    ]
    print(f"drift against {lock_path}: {len(rows)} package(s) differ")
    if rows:
        width = max(len(r[0]) for r in rows)
        print(f"  {'package':<{width}}  {'locked':<14}  installed")
        for name, lock, now in rows:
            print(f"  {name:<{width}}  {lock:<14}  {now}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements/lock.txt"))
