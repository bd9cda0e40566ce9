"""Retrieval operators over the shared retrieval parts (bundled MiniLM, FAISS collections, BM25)."""

from __future__ import annotations

import numpy as np

from ...retrieval import BM25Index, Collection, get_embedder
from ..registry import Field, Operator, Port, register_operator
from ._common import as_documents, as_text


def _embed_docs(docs: list[dict]) -> np.ndarray:
    have = [d.get("embedding") for d in docs]
    if docs and all(v is not None for v in have):
        return np.asarray(have, dtype=np.float32)
    return get_embedder().embed([d["text"] for d in docs])


@register_operator
class Embedder(Operator):
    """Attach embeddings (bundled all-MiniLM-L6-v2, normalised) to documents."""

    type = "embedder"
    category = "retrieval"
    label = "Embedder"
    icon = "cpu"
    blocking = True
    inputs = [Port("documents", "documents")]
    outputs = [Port("documents", "documents")]

    def process(self, inputs, ctx):
        docs = as_documents(inputs.get("documents"))
        vecs = get_embedder().embed([d["text"] for d in docs])
        return {"documents": [{**d, "embedding": v} for d, v in zip(docs, vecs, strict=True)]}


@register_operator
class VectorWriter(Operator):
    """Write documents into a named vector collection (the store the vector memory uses too)."""

    type = "vector_writer"
    category = "retrieval"
    label = "Vector index writer"
    icon = "database"
    blocking = True
    inputs = [Port("documents", "documents", collect=True)]
    outputs = [Port("count", "number")]
    config_schema = [
        Field("collection", "string", "default", "Collection", required=True),
        Field("reset", "boolean", False, "Reset first", "Empty the collection before writing"),
    ]

    def process(self, inputs, ctx):
        docs = as_documents(inputs.get("documents"))
        coll = Collection(self.config["collection"], ctx.user)
        if self.config.get("reset"):
            coll.clear()
        return {"count": coll.add(docs, _embed_docs(docs)) if docs else 0}


@register_operator
class VectorRetriever(Operator):
    """Top-k documents of a collection most similar to the query. Wire `after` to a writer to wait for it."""

    type = "vector_retriever"
    category = "retrieval"
    label = "Vector retriever"
    icon = "search"
    blocking = True
    inputs = [Port("query", "query"), Port("after", "any", required=False, collect=True)]
    outputs = [Port("documents", "documents")]
    config_schema = [
        Field("collection", "string", "default", "Collection", required=True),
        Field("top_k", "integer", 4, "Top k", min=1, max=100),
        Field("min_score", "number", None, "Min score", "Drop hits scoring below this", min=-1, max=1),
    ]

    def process(self, inputs, ctx):
        query = as_text(inputs.get("query"))
        hits = Collection(self.config["collection"], ctx.user).search(
            get_embedder().embed_one(query), int(self.config["top_k"])
        )
        if self.config.get("min_score") is not None:
            hits = [h for h in hits if h["score"] >= float(self.config["min_score"])]
        return {"documents": hits}


@register_operator
class BM25Retriever(Operator):
    """Keyword (BM25) top-k over the given documents, or over a collection's documents."""

    type = "bm25_retriever"
    category = "retrieval"
    label = "Keyword retriever (BM25)"
    icon = "key"
    blocking = True  # reads a collection and builds the index
    inputs = [Port("query", "query"), Port("documents", "documents", required=False, collect=True)]
    outputs = [Port("documents", "documents")]
    config_schema = [
        Field("collection", "string", "", "Collection", "Used when no documents are wired in"),
        Field("top_k", "integer", 4, "Top k", min=1, max=100),
    ]

    def process(self, inputs, ctx):
        if inputs.get("documents") is not None:
            docs = as_documents(inputs["documents"])
        elif self.config.get("collection"):
            docs = list(Collection(self.config["collection"], ctx.user).documents().values())
        else:
            docs = []
        by_id = {d["id"]: d for d in docs}
        index = BM25Index((d["id"], d["text"]) for d in docs)
        hits = index.search(as_text(inputs.get("query")), int(self.config["top_k"]))
        return {
            "documents": [
                {**{k: v for k, v in by_id[i].items() if k != "embedding"}, "score": s} for i, s in hits
            ]
        }


@register_operator
class Reranker(Operator):
    """Re-order documents by embedding similarity to the query and keep the top k."""

    type = "reranker"
    category = "retrieval"
    label = "Reranker"
    icon = "list-ordered"
    blocking = True
    inputs = [Port("query", "query"), Port("documents", "documents")]
    outputs = [Port("documents", "documents")]
    config_schema = [Field("top_k", "integer", 3, "Top k", min=1, max=100)]

    def process(self, inputs, ctx):
        docs = as_documents(inputs.get("documents"))
        if not docs:
            return {"documents": []}
        emb = get_embedder()
        scores = emb.embed([d["text"] for d in docs]) @ emb.embed_one(as_text(inputs.get("query")))
        order = np.argsort(-scores)[: int(self.config["top_k"])]
        return {
            "documents": [
                {**{k: v for k, v in docs[i].items() if k != "embedding"}, "score": float(scores[i])}
                for i in order
            ]
        }
