"""`sage-studio engine start|stop|restart|status|logs|models`: the local inference engine from a terminal."""

from __future__ import annotations

import json
import sys
import time


def register(sub) -> None:
    p = sub.add_parser("engine", help="start, stop and inspect the local inference engine")
    esub = p.add_subparsers(dest="engine_command", metavar="ACTION")

    s = esub.add_parser(
        "start", help="start an engine (default model, auto backend) and wait until it is ready"
    )
    s.add_argument(
        "model", nargs="?", default=None, help="catalog id or local HF folder (default: configured model)"
    )
    s.add_argument("--backend", default="auto", choices=["auto", "cpu", "vllm"])
    s.add_argument("--port", type=int, default=None, help="default: 8001 when free, else any free port")
    s.add_argument("--gpu-memory-utilization", type=float, default=0.9)
    s.add_argument("--quantization", default=None)
    s.add_argument("--timeout", type=float, default=180, help="seconds to wait for readiness")
    s.add_argument("--no-wait", action="store_true", help="return at once (status 'loading')")
    s.set_defaults(func=start)

    esub.add_parser("stop", help="stop the engine (SIGTERM, then SIGKILL after a grace period)").set_defaults(
        func=stop
    )
    esub.add_parser("restart", help="restart with the same model, backend and adapters").set_defaults(
        func=restart
    )

    st = esub.add_parser("status", help="running/loading/failed/stopped, pid, port, model, adapters, memory")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=status)

    lg = esub.add_parser("logs", help="the engine's log")
    lg.add_argument("-n", "--lines", type=int, default=200)
    lg.add_argument("-f", "--follow", action="store_true", help="keep printing new lines (Ctrl-C to stop)")
    lg.set_defaults(func=logs)

    m = esub.add_parser("models", help="the model catalog")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=list_models)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _manager():
    from ..engine import EngineManager

    return EngineManager()


def _print_status(st: dict) -> None:
    rss = f"{st['rss_bytes'] / 2**20:.0f} MiB" if st.get("rss_bytes") else "-"
    print(f"status:   {st['status']}")
    if st.get("id"):
        print(f"model:    {st['model']} ({st['backend']})")
        print(f"url:      {st['base_url'] or '-'}   port {st['port']}   pid {st['pid'] or '-'}")
        print(f"uptime:   {st['uptime_s'] if st['uptime_s'] is not None else '-'} s   rss {rss}")
        print(f"adapters: {', '.join(st['adapters']) or '-'}")
        if st["status"] == "failed":
            print(f"exit code: {st['exit_code']}   error: {st['error']}")
            print("last log lines:\n" + st["log_tail"])


def start(args) -> int:
    from ..settings import get_settings

    backend = args.backend if args.backend != "auto" else get_settings().engine_kind
    st = _manager().start(
        model=args.model,
        backend=backend,
        port=args.port,
        gpu_memory_utilization=args.gpu_memory_utilization,
        quantization=args.quantization,
        wait=not args.no_wait,
        timeout=args.timeout,
    )
    _print_status(st)
    return 0


def stop(args) -> int:
    _print_status(_manager().stop())
    return 0


def restart(args) -> int:
    _print_status(_manager().restart())
    return 0


def status(args) -> int:
    st = _manager().status()
    if args.json:
        print(json.dumps(st, indent=2, default=str))
    else:
        _print_status(st)
    return 0 if st["status"] in ("running", "loading", "stopped") else 1


def logs(args) -> int:
    mgr = _manager()
    print(mgr.logs(args.lines), end="")
    if not args.follow:
        return 0
    path = mgr.status().get("log_path")
    if not path:
        return 0
    with open(path, errors="replace") as fh:
        fh.seek(0, 2)
        while True:
            line = fh.readline()
            if line:
                sys.stdout.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.3)


def list_models(args) -> int:
    from .. import models

    catalog = [m.to_dict() for m in models.list_models()]
    if args.json:
        print(json.dumps(catalog, indent=2))
        return 0
    for m in catalog:
        print(f"{m['id']:40s} {m['type']:9s} {m['source']:9s} {m['path'] or '(not materialised yet)'}")
    return 0
