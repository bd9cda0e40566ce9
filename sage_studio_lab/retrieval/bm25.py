"""Keyword retrieval: rank-bm25's Okapi BM25 over a small tokenizer, with string/int ids per document."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text or "")]


class BM25Index:
    """Documents (id, text); the BM25 model is rebuilt lazily after changes (rank-bm25 is not incremental)."""

    def __init__(self, docs: Iterable[tuple[Hashable, str]] = ()):
        self._ids: list[Hashable] = []
        self._texts: list[str] = []
        self._model = None
        for id_, text in docs:
            self.add(id_, text)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, id_: Hashable, text: str) -> None:
        if id_ in self._ids:
            self._texts[self._ids.index(id_)] = text
        else:
            self._ids.append(id_)
            self._texts.append(text)
        self._model = None

    def remove(self, id_: Hashable) -> bool:
        if id_ not in self._ids:
            return False
        i = self._ids.index(id_)
        del self._ids[i], self._texts[i]
        self._model = None
        return True

    def text(self, id_: Hashable) -> str:
        return self._texts[self._ids.index(id_)]

    def search(self, query: str, k: int = 5) -> list[tuple[Hashable, float]]:
        """Top-k (id, score), best first; documents sharing no term with the query are left out."""
        terms = tokenize(query)
        if not self._ids or not terms:
            return []
        if self._model is None:
            from rank_bm25 import BM25Okapi

            # Tokens get a sentinel so an all-empty corpus does not divide by zero inside rank-bm25.
            self._model = BM25Okapi([tokenize(t) or ["\x00"] for t in self._texts])
        scores = self._model.get_scores(terms)
        term_set = set(terms)
        ranked = sorted(
            (
                (self._ids[i], float(s))
                for i, s in enumerate(scores)
                if term_set & set(tokenize(self._texts[i]))
            ),
            key=lambda p: p[1],
            reverse=True,
        )
        return ranked[: max(0, int(k))]
