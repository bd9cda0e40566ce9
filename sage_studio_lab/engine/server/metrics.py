"""Prometheus metrics with vLLM's names, so dashboards and the Studio status page read either backend."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

TTFT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class EngineMetrics:
    def __init__(self, model_name: str):
        self.registry = CollectorRegistry()
        labels = ["model_name"]
        r = self.registry
        self._running = Gauge("vllm:num_requests_running", "Requests in the decode batch", labels, registry=r)
        self._waiting = Gauge(
            "vllm:num_requests_waiting", "Requests waiting to join the batch", labels, registry=r
        )
        self._prompt = Counter("vllm:prompt_tokens", "Prefill tokens processed", labels, registry=r)
        self._generation = Counter("vllm:generation_tokens", "Tokens generated", labels, registry=r)
        self._pc_queries = Counter(
            "vllm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache", labels, registry=r
        )
        self._pc_hits = Counter(
            "vllm:prefix_cache_hits", "Prompt tokens served from the prefix cache", labels, registry=r
        )
        self._ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "Time to first token",
            labels,
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self._success = Counter(
            "vllm:request_success", "Finished requests", labels + ["finished_reason"], registry=r
        )
        # Tokens per decode step (batch size) — >1 proves requests are decoded together.
        self._iteration = Histogram(
            "vllm:iteration_tokens_total",
            "Tokens per decode step",
            labels,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=r,
        )
        # Ours (no vLLM equivalent): how the CPU engine runs its steps.
        self._threads = Gauge(
            "sage_studio:engine_threads", "torch intra-op threads of the decode loop", labels, registry=r
        )
        self._forwards = Counter(
            "sage_studio:engine_forwards",
            "Forward passes by path: plain (no adapter loaded), base (adapters loaded, LoRA layers off), "
            "adapter (one adapter for every row), routed (PEFT per-row adapter routing)",
            labels + ["path"],
            registry=r,
        )
        self.model_name = model_name
        # Labelled children looked up once: these are called for every token.
        self._generation_child = self._generation.labels(model_name)
        self._running_child = self._running.labels(model_name)
        self._waiting_child = self._waiting.labels(model_name)
        self._iteration_child = self._iteration.labels(model_name)
        self._forward_children = {
            p: self._forwards.labels(model_name, p) for p in ("plain", "base", "adapter", "routed")
        }

    def set_queue(self, running: int, waiting: int) -> None:
        self._running_child.set(running)
        self._waiting_child.set(waiting)

    def watch_threads(self, threads) -> None:
        """`threads()`: the decode loop's thread count, read when metrics are scraped."""
        self._threads.labels(self.model_name).set_function(threads)

    def forward(self, path: str) -> None:
        self._forward_children[path].inc()

    def prompt_tokens(self, n: int) -> None:
        self._prompt.labels(self.model_name).inc(n)

    def prefix_cache(self, queried: int, hit: int) -> None:
        self._pc_queries.labels(self.model_name).inc(queried)
        self._pc_hits.labels(self.model_name).inc(hit)

    def generation_tokens(self, n: int) -> None:
        self._generation_child.inc(n)

    def ttft(self, seconds: float) -> None:
        self._ttft.labels(self.model_name).observe(seconds)

    def finished(self, reason: str) -> None:
        self._success.labels(self.model_name, reason).inc()

    def iteration(self, tokens: int) -> None:
        self._iteration_child.observe(tokens)

    def render(self) -> bytes:
        return generate_latest(self.registry)
