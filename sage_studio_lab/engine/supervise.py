"""A tiny parent that outlives nothing: it runs the engine, forwards SIGTERM/SIGINT to it and records its exit code.

Why: the engine is detached (its own session) so it survives the Jupyter server; whoever asks later (server,
kernel, CLI) is not its parent and could not learn how it ended. This supervisor writes the exit code to a
file next to the log, so `status` can say "failed, exit -9" truthfully after a kill -9.

    python -m sage_studio_lab.engine.supervise EXIT_FILE LOG_FILE [--nice N] -- ARGV...

`--nice N` lowers the CPU priority of this session (the supervisor and the engine) by N, so a CPU engine that
keeps every core busy still lets the Jupyter server, its kernels and the chat relay run first when they wake
(measured: the latency the gateway adds to the first token drops by ~0.6 ms on 2 cores, `bench/gateway.py`).
Where the kernel groups CPU time by session (Linux autogroup), a process's own niceness only ranks it within
its session, so the session's niceness is lowered too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    exit_file, log_file, *rest = argv
    nice = 0
    if rest[:1] == ["--nice"] and len(rest) > 1 and rest[1].isdigit():
        nice, rest = int(rest[1]), rest[2:]
    sep, *command = rest or [""]
    if sep != "--" or not command:
        print("usage: supervise EXIT_FILE LOG_FILE [--nice N] -- ARGV...", file=sys.stderr)
        return 2
    if nice:
        lower_priority(nice)
    with open(log_file, "ab", buffering=0) as log:
        child = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

        def forward(signum, _frame):
            try:
                child.send_signal(signum)
            except ProcessLookupError:
                pass

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        code = child.wait()
    tmp = exit_file + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"exit_code": code, "pid": child.pid, "ended_at": time.time()}, fh)
    os.replace(tmp, exit_file)
    return 0 if code == 0 else 1


def lower_priority(nice: int) -> None:
    """Best effort: raise this process's niceness by `nice` (the engine inherits it) and, when this process
    leads its own session (the manager starts it so), the session's autogroup niceness to `nice`."""
    try:
        os.nice(nice)
    except (AttributeError, OSError):  # no os.nice on Windows
        return
    if os.getsid(0) != os.getpid():  # not our own session: never renice the user's terminal
        return
    try:
        with open("/proc/self/autogroup", "w") as fh:
            fh.write(str(nice))
    except OSError:  # no autogroup (not Linux, or a kernel built without it)
        pass


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
