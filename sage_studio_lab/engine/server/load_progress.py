"""Count the tensors transformers loads, for the engine's stage file, by wrapping the progress bars it draws.

transformers iterates over the checkpoint's tensors inside a `tqdm` ("Loading weights", and "Converting and
de-quantizing GGUF tensors" while the bundled GGUF is materialised). `counting_tensors(writer)` swaps those module
attributes for an iterator that reports `done/total tensors` and draws no bar (the bar's carriage returns only
cluttered the engine log). They are private names: when a version lacks them nothing is counted, nothing breaks.
"""

from __future__ import annotations

import contextlib
import importlib

from ..stages import StageWriter

# (module, attribute) of the tqdm each loading path calls
_TQDM_SITES = (
    ("transformers.core_model_loading", "tqdm"),
    ("transformers.modeling_gguf_pytorch_utils", "tqdm"),
)


def _counting(writer: StageWriter):
    def tqdm(iterable=None, *args, total=None, **kwargs):
        if iterable is None:  # used as a manual bar: hand back one that does nothing
            return _NoBar()
        size = total if total is not None else _len(iterable)

        def counted():
            for i, item in enumerate(iterable, 1):
                yield item
                writer.progress(i, size, "tensors")

        return counted()

    return tqdm


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False

    def update(self, *_args, **_kwargs):
        pass

    def close(self):
        pass


def _len(iterable) -> int | None:
    try:
        return len(iterable)
    except TypeError:
        return None


@contextlib.contextmanager
def counting_tensors(writer: StageWriter):
    saved = []
    for module_name, attr in _TQDM_SITES:
        try:
            module = importlib.import_module(module_name)
        except Exception:  # noqa: BLE001 - an optional hook: a module that does not import is not counted
            continue
        if hasattr(module, attr):
            saved.append((module, attr, getattr(module, attr)))
            setattr(module, attr, _counting(writer))
    try:
        yield
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)
