"""Shared retrieval parts: the bundled sentence embedder, a FAISS vector index, and a BM25 keyword index.

The memory backends and the flow operators (embedder, vector writer/retriever, BM25 retriever, reranker)
use the same pieces, so a flow can read the vectors the chat memory wrote.
"""

from .bm25 import BM25Index, tokenize
from .collection import Collection
from .embedder import Embedder, get_embedder
from .vector_index import VectorIndex

__all__ = ["BM25Index", "Collection", "Embedder", "VectorIndex", "get_embedder", "tokenize"]
