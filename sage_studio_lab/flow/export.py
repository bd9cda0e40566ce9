"""`flow.to_python()`: a standalone script that rebuilds the flow with the public API and runs it."""

from __future__ import annotations

import json

from .spec import FlowSpec, resolve_handles

HEADER = '''#!/usr/bin/env python
"""{name} — exported from SAGE Studio Lab.

Run:  python {{this file}} --input "..."   (or --inputs '{{"input": "..."}}', --ray for the Ray executor)
Prints the run's outputs as JSON.
"""

import argparse
import json

from sage_studio_lab.flow import Flow


def build_flow() -> Flow:
    flow = Flow(name={name_lit})
'''

FOOTER = """    return flow


def main() -> None:
    parser = argparse.ArgumentParser(description={name_lit})
    parser.add_argument("--input", help="text for the flow's input")
    parser.add_argument("--inputs", help="all run inputs as a JSON object")
    parser.add_argument("--ray", action="store_true", help="run on Ray instead of the local executor")
    args = parser.parse_args()
    inputs = json.loads(args.inputs) if args.inputs else {{}}
    if args.input is not None:
        inputs["input"] = args.input
    result = build_flow().run(inputs, executor="ray" if args.ray else "local", record=False)
    print(json.dumps(result.outputs, ensure_ascii=False, indent=2))
    if not result.ok:
        raise SystemExit(f"run {{result.status}}: {{result.error}}")


if __name__ == "__main__":
    main()
"""


def _py(value) -> str:
    """A Python literal for a JSON value (true/false/null become True/False/None)."""
    return repr(json.loads(json.dumps(value)))


def to_python(spec: FlowSpec, base_dir: str | None = None) -> str:
    """The script for a flow's spec (and the folder its relative paths resolve in). Takes the spec, not a
    `Flow`: `Flow.to_python()` calls this, so this module stays below flow.py."""
    spec = spec.model_copy(deep=True)
    resolve_handles(spec)
    name_lit = _py(spec.name)
    lines = [HEADER.format(name=spec.name.replace('"""', "'''"), name_lit=name_lit)]
    if base_dir:
        lines.append(f"    flow.base_dir = {_py(base_dir)}  # relative paths in the flow resolve here\n")
    for n in spec.nodes:
        args = [_py(n.type), f"id={_py(n.id)}"]
        if n.data.label:
            args.append(f"label={_py(n.data.label)}")
        args.append(f"position=({n.position.get('x', 0)!r}, {n.position.get('y', 0)!r})")
        cfg = n.data.config
        if all(k.isidentifier() and k not in ("type", "id", "label", "position") for k in cfg):
            args += [f"{k}={_py(v)}" for k, v in cfg.items()]
            lines.append(f"    flow.add_node({', '.join(args)})\n")
        else:
            lines.append(f"    flow.add_node({', '.join(args)}, **{_py(cfg)})\n")
    for e in spec.edges:
        lines.append(
            f"    flow.connect({_py(e.source)}, {_py(e.target)}, {_py(e.sourceHandle)}, {_py(e.targetHandle)})\n"
        )
    lines.append(FOOTER.format(name_lit=name_lit))
    return "".join(lines)
