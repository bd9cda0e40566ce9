"""bfloat16 linear layers on oneDNN-prepacked weights, as inductor's CPU freezing and IPEX run them.

Why: decoding a small model is bound by reading its weights once per step. torch's eager bf16 `linear` reorders
each weight into oneDNN's blocked layout on every call; prepacked once, a step of the bundled model reads the
same bytes ~1.5x faster (1 thread, batch 1: 37 -> 25 ms of matmul; batch 8: 57 -> 34 ms) with the very same
results (oneDNN computes both). float32 keeps torch's own matmul: its results are the reference numerics of a plain
`model.generate`, and oneDNN's fp32 kernels round differently.

The dense weight of a packed layer is replaced by a zero-stride placeholder of the same shape and dtype (2 bytes),
so the packed copy costs no memory, and PEFT can still wrap the layer (LoRA reads only the base layer's shape, dtype
and device; its base path calls the layer's forward). A weight shared with another module (the LM head tied to
the embeddings) is kept. `unpack` gives the dense weights back (for an adapter that reads them, e.g. DoRA).
"""

from __future__ import annotations

import torch

ATTR = "_sage_packed"


def can_pack(model) -> bool:
    return (
        torch.backends.mkldnn.is_available()
        and getattr(model, "dtype", None) == torch.bfloat16
        and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
    )


def _packed_forward(module: torch.nn.Linear, x: torch.Tensor) -> torch.Tensor:
    return torch.ops.mkldnn._linear_pointwise(x, getattr(module, ATTR), module.bias, "none", [], "")


def pack(model) -> int:
    """Prepack every bf16 `nn.Linear` of `model` (LoRA's own small layers stay as they are); returns how many."""
    if not can_pack(model):
        return 0
    shared = {
        id(p)
        for name, m in model.named_modules()
        if not isinstance(m, torch.nn.Linear)
        for p in m.parameters(recurse=False)
    }
    count = 0
    for name, module in model.named_modules():
        if (
            not isinstance(module, torch.nn.Linear)
            or hasattr(module, ATTR)
            or module.weight.dtype != torch.bfloat16
            or "lora_" in name
        ):
            continue
        weight = module.weight
        setattr(module, ATTR, torch.ops.mkldnn._reorder_linear_weight(weight.detach()))
        module.forward = _packed_forward.__get__(module)
        if id(weight) not in shared:
            placeholder = torch.zeros((), dtype=weight.dtype, device=weight.device).expand(weight.shape)
            module.weight = torch.nn.Parameter(placeholder, requires_grad=False)
        count += 1
    return count


def unpack(model) -> int:
    """Give every packed layer its dense weight and torch's own forward back; returns how many."""
    count = 0
    for module in model.modules():
        packed = module.__dict__.pop(ATTR, None)
        if packed is None:
            continue
        del module.forward
        if module.weight.stride() == (0, 0):
            module.weight = torch.nn.Parameter(packed.to_dense(), requires_grad=False)
        count += 1
    return count


def is_packed(model) -> bool:
    return any(ATTR in m.__dict__ for m in model.modules())
