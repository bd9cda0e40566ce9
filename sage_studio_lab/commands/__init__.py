"""CLI subcommands. Each module has `register(subparsers)`; they translate arguments into core calls."""
