"""`sage-studio flow run|trust|export|validate|templates|operators`: flows from the command line.

A flow file runs trusted (its Python references may run) when this user saved or trusted it before, or with
`run --trust` / `flow trust FILE` (as `jupyter trust`). Runs use files only inside `--root` (default: the current
directory); the shipped templates' sample documents are readable too.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("flow", help="run, validate or export flows (.sage-flow.json)")
    fsub = p.add_subparsers(dest="flow_command", metavar="ACTION")

    r = fsub.add_parser("run", help="run a flow file and print its outputs as JSON")
    r.add_argument("file", help="a .sage-flow.json file, or template:<id>")
    r.add_argument("--input", help="text for the flow's `input`")
    r.add_argument("--inputs", help="all run inputs as a JSON object")
    r.add_argument("--ray", action="store_true", help="run on Ray (local, or $SAGE_RAY_ADDRESS)")
    r.add_argument("--events", action="store_true", help="print every event (JSON lines) to stderr")
    r.add_argument("--no-record", action="store_true", help="do not record the run in the history")
    r.add_argument(
        "--trust",
        action="store_true",
        help="trust the file (sign it for you, as `flow trust`) so its Python references (module:function) "
        "may run; without it a file runs trusted only when you saved or trusted it before",
    )
    r.add_argument("--root", help="the folder file sources/sinks may use (default: the current directory)")
    r.set_defaults(func=run)

    tr = fsub.add_parser(
        "trust", help="trust flow files: their Python references may run (as `jupyter trust`)"
    )
    tr.add_argument("files", nargs="+", metavar="FILE")
    tr.set_defaults(func=trust)

    e = fsub.add_parser("export", help="write the flow as a standalone Python script")
    e.add_argument("file")
    e.add_argument("-o", "--output", help="script path (default: stdout)")
    e.set_defaults(func=export)

    v = fsub.add_parser("validate", help="list the flow's problems (exit 1 when there are any)")
    v.add_argument("file")
    v.set_defaults(func=validate)

    t = fsub.add_parser("templates", help="list the shipped templates")
    t.set_defaults(func=templates)

    o = fsub.add_parser("operators", help="list the operator palette")
    o.set_defaults(func=operators)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _load(file: str):
    from ..flow import Flow

    if file.startswith("template:"):
        return Flow.template(file.split(":", 1)[1])
    return Flow.load(Path(file))


def run(args) -> int:
    from ..aio import run_sync

    flow = _load(args.file)
    if args.trust:
        flow.trust()
    flow.root_dir = os.path.abspath(args.root or os.getcwd())
    inputs = json.loads(args.inputs) if args.inputs else {}
    if args.input is not None:
        inputs["input"] = args.input

    async def go():
        last = None
        async for ev in flow.stream(
            inputs, executor="ray" if args.ray else "local", record=not args.no_record
        ):
            if args.events:
                print(json.dumps(ev, default=str), file=sys.stderr, flush=True)
            elif ev["type"] == "token":
                print(ev["token"], end="", file=sys.stderr, flush=True)
            elif ev["type"] == "node_failed":
                print(f"\nnode {ev['node_id']} failed: {ev['error']}", file=sys.stderr)
            last = ev
        return last

    last = run_sync(go())
    if not args.events:
        print(file=sys.stderr)
    print(json.dumps(last["outputs"], ensure_ascii=False, indent=2))
    if last["status"] != "succeeded":
        print(f"run {last['status']}: {last.get('error')}", file=sys.stderr)
        return 1
    return 0


def trust(args) -> int:
    for file in args.files:
        flow = _load(file)
        flow.trust()
        print(f"trusted: {file}", file=sys.stderr)
    return 0


def export(args) -> int:
    script = _load(args.file).to_python()
    if args.output:
        Path(args.output).write_text(script, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(script)
    return 0


def validate(args) -> int:
    issues = _load(args.file).validate()
    for i in issues:
        where = i["node_id"] or i["edge_id"] or "flow"
        print(f"{i['severity']}: {where}: {i['message']}")
    if not issues:
        print("ok: no problems")
    return 1 if any(i["severity"] == "error" for i in issues) else 0


def templates(args) -> int:
    from ..flow.templates import list_templates

    for t in list_templates():
        print(f"{t['id']:28} {t['name']} — {t['description']}")
    return 0


def operators(args) -> int:
    from ..flow.registry import palette

    for op in palette():
        print(f"{op['category']:10} {op['type']:18} {op['description']}")
    return 0
