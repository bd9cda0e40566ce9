"""Fine-tuning center: datasets, LoRA training in detached subprocesses, progress events, hot-swap into chat.

Heavy libraries (torch, transformers, peft) are imported only inside the functions that need them.
"""

from .service import FinetuneService

__all__ = ["FinetuneService"]
