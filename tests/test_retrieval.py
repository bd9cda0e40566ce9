"""Retrieval parts with the real bundled embedder, real FAISS and rank-bm25."""

from __future__ import annotations

import numpy as np
import pytest

from sage_studio_lab.retrieval import BM25Index, VectorIndex, get_embedder


def _unit(rows):
    m = np.asarray(rows, dtype=np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_vector_index_add_search_remove_replace():
    ix = VectorIndex(None, 3)
    ix.add([10, 20, 30], _unit([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    assert len(ix) == 3
    scores, ids = ix.search(_unit([[0.9, 0.1, 0]]), 2)
    assert ids[0].tolist() == [10, 20] and scores[0][0] > scores[0][1]
    ix.add([10], _unit([[0, 0, 1]]))  # re-adding an id replaces it
    assert len(ix) == 3
    assert ix.remove([20, 999]) == 1 and len(ix) == 2
    _, ids = ix.search(_unit([[0, 0, 1], [1, 0, 0]]), 5)  # a matrix of queries; k clipped to len
    assert ids.shape == (2, 2) and set(ids[0].tolist()) == {10, 30}


def test_vector_index_persists_atomically(tmp_path):
    path = tmp_path / "sub" / "vecs.faiss"
    ix = VectorIndex(path, 4, kind="hnsw")
    ix.add(np.arange(50), _unit(np.random.default_rng(0).normal(size=(50, 4))))
    ix.remove([3])
    ix.save()
    assert [p.name for p in path.parent.iterdir()] == ["vecs.faiss"]  # no temp files left
    again = VectorIndex.load(path)
    assert len(again) == 49 and again.dim == 4 and again.kind == "hnsw" and 3 not in again.ids().tolist()
    with pytest.raises(ValueError, match="dim"):
        VectorIndex(path, 8)
    with pytest.raises(ValueError, match="expects 4"):
        again.search(np.zeros((1, 5)), 1)


def test_empty_index_search_returns_nothing():
    scores, ids = VectorIndex(None, 3).search(np.ones(3), 4)
    assert scores.shape == (1, 0) and ids.shape == (1, 0)


def test_bm25_ranks_keyword_matches():
    bm = BM25Index([("a", "The cat sat on the mat"), ("b", "Dogs chase cats"), ("c", "Paris is in France")])
    bm.add("d", "cat cat cat food")
    hits = bm.search("cat food", 5)
    assert hits[0][0] == "d" and "c" not in [h[0] for h in hits]
    assert bm.remove("d") and not bm.remove("zzz")
    assert bm.search("", 3) == [] and BM25Index().search("cat") == []


@pytest.mark.slow
def test_bundled_embedder_is_normalised_and_semantic():
    emb = get_embedder()
    assert get_embedder() is emb and emb.dim == 384
    vecs = emb.embed(
        ["The capital of France is Paris.", "Bananas are yellow fruit.", "Which city is France's capital?"]
    )
    assert vecs.dtype == np.float32 and vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    ix = VectorIndex(None, emb.dim)
    ix.add([1, 2], vecs[:2])
    _, ids = ix.search(vecs[2], 1)
    assert ids[0][0] == 1
    assert emb.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_collection_persists_documents_and_vectors():
    from sage_studio_lab.retrieval import Collection

    coll = Collection("notes")
    docs = [{"id": "a", "text": "Paris is the capital of France."}, {"id": "b", "text": "Cats purr."}]
    emb = get_embedder()
    assert coll.add(docs, emb.embed([d["text"] for d in docs])) == 2
    coll.add(docs[:1], emb.embed([docs[0]["text"]]))  # same id: replaced, not duplicated
    again = Collection("notes")
    assert len(again) == 2
    hits = again.search(emb.embed_one("What is France's capital?"), 1)
    assert hits[0]["id"] == "a" and 0 < hits[0]["score"] <= 1.0001
    again.clear()
    assert len(Collection("notes")) == 0 and Collection("notes").search(emb.embed_one("x"), 3) == []
    sneaky = Collection("../../escape")  # names are made safe: it stays inside the user's collections folder
    assert sneaky.dir.parent == coll.dir.parent
