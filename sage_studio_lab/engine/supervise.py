"""A tiny parent that outlives nothing: it runs the engine, forwards SIGTERM/SIGINT to it and records its exit code.

Why: the engine is detached (its own session) so it survives the Jupyter server; whoever asks later (server,
kernel, CLI) is not its parent and could not learn how it ended. This supervisor writes the exit code to a
file next to the log, so `status` can say "failed, exit -9" truthfully after a kill -9.

    python -m sage_studio_lab.engine.supervise EXIT_FILE LOG_FILE -- ARGV...
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    exit_file, log_file, sep, *command = argv
    if sep != "--" or not command:
        print("usage: supervise EXIT_FILE LOG_FILE -- ARGV...", file=sys.stderr)
        return 2
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
