"""`sage-studio chat "prompt" [--session ID] [--source local|cloud|auto]`: a chat turn streamed to the terminal.

With `--session` (or `--new`) the turn runs the Studio chat pipeline and is stored in that session (the same
store the Lab panel and notebook widgets use); without, it is a single stateless completion.
"""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("chat", help="chat with the local engine or the cloud endpoint (streams the answer)")
    p.add_argument("prompt", nargs="?", help="what to say (omit with --list)")
    p.add_argument("--session", default=None, help="session id: the turn is stored there, with memory")
    p.add_argument(
        "--new", metavar="TITLE", default=None, help="create a session with this title for the turn"
    )
    p.add_argument(
        "--source",
        choices=["local", "cloud", "auto"],
        default=None,
        help="where to send it (default: the session's setting, else auto)",
    )
    p.add_argument(
        "--model", default=None, help="model or fine-tuned adapter name (default: the engine's model)"
    )
    p.add_argument("--system", default=None, help="system prompt for a stateless turn")
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--temperature", type=float, default=None)
    p.add_argument("--list", action="store_true", help="list sessions (newest first) and exit")
    p.add_argument("--json", action="store_true", help="print the stored answer with its metadata as JSON")
    p.set_defaults(func=run)


def _print_token(token: str) -> None:
    sys.stdout.write(token)
    sys.stdout.flush()


def run(args) -> int:
    from ..chat.sessions import SessionStore
    from ..errors import InvalidInput

    store = SessionStore()
    if args.list:
        for s in store.list():
            print(f"{s['id']}  {s['message_count']:>4} msgs  {s['title']}")
        return 0
    if not args.prompt:
        raise InvalidInput('give a prompt: sage-studio chat "Hello" (or --list)')
    session_id = args.session
    if args.new is not None:
        settings = {
            k: v
            for k, v in {
                "max_tokens": args.max_tokens,
                "temperature": args.temperature,
                "system_prompt": args.system,
            }.items()
            if v is not None
        }
        session_id = store.create(args.new or None, settings)["id"]
        print(f"[session {session_id}]", file=sys.stderr)
    if session_id:
        from ..chat.service import ChatService

        message = ChatService().send(
            session_id,
            args.prompt,
            source=args.source,
            model=args.model,
            on_token=None if args.json else _print_token,
        )
        meta = message["metadata"]
        if args.json:
            print(json.dumps(message, indent=2, default=str))
        else:
            print()
            print(
                f"[{meta['source']} · {meta['model']} · {meta['tokens']} tokens · intent {meta['intent']} · "
                f"{len(meta['memory_hits'])} memory hits]",
                file=sys.stderr,
            )
        return 0
    from ..aio import run_sync
    from ..chat.llm import stream_chat

    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": args.prompt}
    ]
    result = run_sync(
        stream_chat(
            messages,
            args.source,
            args.model,
            {"max_tokens": args.max_tokens, "temperature": args.temperature},
            on_token=None if args.json else _print_token,
        )
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print()
        print(f"[{result.source} · {result.model} · {result.tokens} tokens]", file=sys.stderr)
    return 0
