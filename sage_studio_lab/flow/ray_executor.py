"""The Ray executor: the same DAG scheduling and events as the local executor, but every operator
activation runs as a Ray task (a worker process, or a node of a cluster with `address=`).

Generator tokens cannot cross processes live here; a task returns its tokens and the driver emits them
as `token` events, so a run records the same events and results as a local run. `output` sinks stay
in the driver (they only record results).
"""

from __future__ import annotations

import asyncio
import os

from ..aio import run_sync
from ..errors import Unavailable
from .executor import LocalExecutor, _Node
from .registry import RunContext, get_operator


def _remote_process(op_type: str, config: dict, inputs: dict, ctx_fields: dict, run_inputs: dict):
    tokens: list[str] = []
    op = get_operator(op_type)(config)
    ctx = RunContext(**ctx_fields, inputs=run_inputs, on_token=tokens.append)
    result = op.process(inputs, ctx)
    if asyncio.iscoroutine(result):  # an async operator (the chat LLM step): the worker has no loop running
        result = run_sync(result)
    return result or {}, tokens


def ensure_ray(address: str | None = None, num_cpus: int | None = None):
    try:
        import ray
    except ImportError as exc:
        raise Unavailable("the Ray executor needs ray: pip install 'sage_studio_lab[ray]'") from exc
    if not ray.is_initialized():
        if address:
            ray.init(address=address, ignore_reinit_error=True, log_to_driver=False)
        else:
            env = {
                k: os.environ[k]
                for k in (
                    "SAGE_STUDIO_HOME",
                    "SAGE_STUDIO_MODELS_CACHE",
                    "SAGE_STUDIO_USER",
                    "HF_HUB_OFFLINE",
                    "TRANSFORMERS_OFFLINE",
                )
                if k in os.environ
            }
            ray.init(
                num_cpus=num_cpus or min(2, os.cpu_count() or 1),
                include_dashboard=False,
                ignore_reinit_error=True,
                log_to_driver=False,
                configure_logging=False,
                runtime_env={"env_vars": env},
            )
    return ray


class RayExecutor(LocalExecutor):
    kind = "ray"

    def __init__(
        self,
        spec,
        base_dir=None,
        queue_size: int = 64,
        user=None,
        address: str | None = None,
        num_cpus: int | None = None,
    ):
        super().__init__(spec, base_dir=base_dir, queue_size=queue_size, user=user)
        self.address, self.num_cpus = address or os.environ.get("SAGE_RAY_ADDRESS"), num_cpus
        self._task = None
        self._inputs_ref = None

    async def setup(self) -> None:
        # ray.init wants the main thread (signal handlers; from a worker thread the driver dies under pytest), so
        # it blocks the loop, once per process
        ray = ensure_ray(self.address, self.num_cpus)
        self._ray = ray
        self._task = ray.remote(_remote_process).options(max_retries=0)

    async def invoke(self, node: _Node, inputs: dict, ctx: RunContext) -> dict:
        if node.is_sink:
            return node.op.process(inputs, ctx)
        fields = {"run_id": ctx.run_id, "node_id": ctx.node_id, "base_dir": ctx.base_dir, "user": ctx.user}
        if self._inputs_ref is None:  # the run inputs go to the object store once, not with every task
            self._inputs_ref = self._ray.put(ctx.inputs)
        ref = self._task.remote(type(node.op).type, node.config, inputs, fields, self._inputs_ref)
        try:
            # ref.future() is a concurrent future, not bound to one event loop (the caller's, whichever it is)
            result, tokens = await asyncio.wrap_future(ref.future())
        except asyncio.CancelledError:
            self._ray.cancel(ref, force=True)
            raise
        except self._ray.exceptions.RayTaskError as exc:
            cause = exc.cause if getattr(exc, "cause", None) is not None else exc
            raise cause from None
        for tok in tokens:
            self._emit("token", node_id=node.id, token=tok)
        return result
