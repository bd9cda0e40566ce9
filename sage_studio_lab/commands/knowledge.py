"""`sage-studio knowledge list|add FILE|rm NAME`: the documents chat's KnowledgeRAG step searches."""

from __future__ import annotations

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("knowledge", help="documents chat answers from (.md, .txt, .rst)")
    ksub = p.add_subparsers(dest="knowledge_command", metavar="ACTION")

    ls = ksub.add_parser("list", help="list the documents")
    ls.add_argument("--json", action="store_true", help="print them as JSON")
    ls.set_defaults(func=list_docs)

    add = ksub.add_parser("add", help="add (or replace) a document")
    add.add_argument("file", help="a UTF-8 .md, .txt or .rst file")
    add.add_argument("--name", default=None, help="store it under this name (default: the file's name)")
    add.set_defaults(func=add_doc)

    rm = ksub.add_parser("rm", help="remove a document")
    rm.add_argument("name")
    rm.set_defaults(func=rm_doc)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def list_docs(args) -> int:
    from ..chat.knowledge import list_documents

    docs = list_documents()
    if args.json:
        print(json.dumps(docs, indent=2))
    elif not docs:
        print("no knowledge documents: add one with `sage-studio knowledge add FILE`")
    for d in [] if args.json else docs:
        print(f"{d['name']}  {d['size']:>9} B  {d['chunks']:>4} chunks  {d['modified']}")
    return 0


def add_doc(args) -> int:
    from ..chat.knowledge import add_document
    from ..errors import InvalidInput

    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"no such file: {args.file}")
    d = add_document(args.name or path.name, path.read_bytes())
    print(f"added {d['name']} ({d['size']} B, {d['chunks']} chunks)")
    return 0


def rm_doc(args) -> int:
    from ..chat.knowledge import delete_document

    delete_document(args.name)
    print(f"removed {args.name}")
    return 0
