"""Flow runtime benchmarks: ratios against baselines measured in the same run (no absolute targets in tests).

1. per-node overhead: a chain of N `map` nodes over M items vs the same compiled functions called in a plain
   Python loop -> (flow - plain) / (N * M) microseconds per node per message (target <= 50 us);
2. throughput of list_input -> map -> output over 10,000 items (items/s), and the same flow on the
   reference runtime (isage-kernel's LocalEnvironment) when `bench/.venv-ref` has it (target: >= 200x the
   ~95 items/s it reached here);
3. the same flow on Ray vs local (Ray ships every activation to a worker: it is for scale, not tiny work).

    .venv/bin/python bench/flow.py [--items 10000] [--chain 10] [--ray-items 300] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from sage_studio_lab.flow import Flow
from sage_studio_lab.flow.operators.transform import compile_callable

ROOT = Path(__file__).resolve().parent
REF_PY = ROOT / ".venv-ref" / "bin" / "python"


def chain_flow(n_maps: int) -> Flow:
    f = Flow(f"chain-{n_maps}")
    prev, port = f.add_node("list_input", id="src"), "item"
    for i in range(n_maps):
        node = f.add_node("map", id=f"m{i}", expression="x + 1")
        f.connect(prev, node, port, "in")
        prev, port = node, "out"
    f.connect(prev, f.add_node("output", id="sink"), port, "in")
    return f


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def per_node_overhead(n_maps: int, items: int) -> dict:
    data = list(range(items))
    fns = [compile_callable({"expression": "x + 1"}, "map") for _ in range(n_maps)]

    def plain():
        out = []
        for x in data:
            for fn in fns:
                x = fn(x)
            out.append(x)
        return out

    flow = chain_flow(n_maps)
    expected = plain()
    result = flow.run({"items": data}, record=False)
    assert result.outputs["output"] == expected, "flow and plain chain disagree"
    t_plain = best_of(plain)
    t_flow = best_of(lambda: flow.run({"items": data}, record=False))
    return {
        "nodes": n_maps,
        "items": items,
        "plain_s": round(t_plain, 4),
        "flow_s": round(t_flow, 4),
        "overhead_us_per_node_per_item": round((t_flow - t_plain) / (n_maps * items) * 1e6, 2),
    }


def throughput(items: int, executor: str = "local") -> dict:
    f = Flow("source-map-sink")
    f.add_node("list_input", id="src")
    f.add_node("map", id="double", expression="x * 2")
    f.add_node("output", id="sink")
    f.connect("src", "double", "item", "in")
    f.connect("double", "sink", "out", "in")
    data = list(range(items))
    if executor == "ray":
        f.run({"items": [0]}, executor="ray", record=False)  # start Ray outside the timing
    t = best_of(
        lambda: f.run({"items": data}, executor=executor, record=False), repeat=1 if executor == "ray" else 3
    )
    return {"executor": executor, "items": items, "seconds": round(t, 4), "items_per_s": round(items / t, 1)}


REF_SCRIPT = r"""
import json, sys, time
from sage.kernel.api.local_environment import LocalEnvironment
from sage.common.core.functions.map_function import MapFunction
from sage.common.core.functions.sink_function import SinkFunction
N = int(sys.argv[1])
COUNT = {"n": 0}
class Double(MapFunction):
    def execute(self, x): return x * 2
class Sink(SinkFunction):
    def execute(self, x): COUNT["n"] += 1
env = LocalEnvironment("bench")
env.from_batch(list(range(N))).map(Double).sink(Sink)
t0 = time.perf_counter(); env.submit(autostop=True); dt = time.perf_counter() - t0
print(json.dumps({"items": N, "sunk": COUNT["n"], "seconds": dt, "items_per_s": N / dt}))
"""


def reference(items: int) -> dict:
    if not REF_PY.exists():
        return {
            "available": False,
            "reason": "bench/.venv-ref does not exist (pip install isage-kernel there)",
        }
    check = subprocess.run([str(REF_PY), "-c", "import sage.kernel"], capture_output=True, text=True)
    if check.returncode != 0:
        return {
            "available": False,
            "reason": "isage-kernel is not importable in bench/.venv-ref: "
            + (check.stderr.strip().splitlines() or ["?"])[-1],
        }
    out = subprocess.run(
        [str(REF_PY), "-c", REF_SCRIPT, str(items)], capture_output=True, text=True, timeout=900
    )
    if out.returncode != 0:
        return {
            "available": False,
            "reason": "reference run failed: " + (out.stderr.strip().splitlines() or ["?"])[-1],
        }
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result.pop("sunk") != items:
        return {"available": False, "reason": f"reference sink saw {result} items, expected {items}"}
    return {"available": True, **result}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--items", type=int, default=10_000)
    p.add_argument("--chain", type=int, default=10)
    p.add_argument("--ray-items", type=int, default=300)
    p.add_argument("--no-ray", action="store_true")
    p.add_argument("--no-ref", action="store_true")
    p.add_argument("--ref-items", type=int, default=0, help="items for the reference run (default: --items)")
    args = p.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report = {"cpu_count": os.cpu_count()}
    report["per_node"] = per_node_overhead(args.chain, min(args.items, 5000))
    report["throughput_local"] = throughput(args.items)
    if not args.no_ref:
        report["reference_isage_kernel"] = ref = reference(args.ref_items or args.items)
        if ref.get("available"):
            report["local_vs_reference"] = round(
                report["throughput_local"]["items_per_s"] / ref["items_per_s"], 1
            )
    report["vs_reference_95_items_s_quoted"] = round(report["throughput_local"]["items_per_s"] / 95, 1)
    if not args.no_ray:
        ray_t = throughput(args.ray_items, "ray")
        local_t = throughput(args.ray_items)
        report["ray"] = {
            **ray_t,
            "local_items_per_s": local_t["items_per_s"],
            "ray_slowdown_vs_local": round(local_t["items_per_s"] / ray_t["items_per_s"], 1),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
