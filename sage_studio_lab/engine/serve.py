"""`python -m sage_studio_lab.engine.serve [--model M] [--port P] …`: the CPU engine's command.

A stable path (backends.py, `sage-studio serve` and running engines' argv name it); the process itself is
the `engine/server/` package.
"""

from .server.api_server import main
from .server.cli_args import parse_args

__all__ = ["main", "parse_args"]

if __name__ == "__main__":
    main()
