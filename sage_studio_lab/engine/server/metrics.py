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
        self.model_name = model_name

    def set_queue(self, running: int, waiting: int) -> None:
        self._running.labels(self.model_name).set(running)
        self._waiting.labels(self.model_name).set(waiting)

    def prompt_tokens(self, n: int) -> None:
        self._prompt.labels(self.model_name).inc(n)

    def prefix_cache(self, queried: int, hit: int) -> None:
        self._pc_queries.labels(self.model_name).inc(queried)
        self._pc_hits.labels(self.model_name).inc(hit)

    def generation_tokens(self, n: int) -> None:
        self._generation.labels(self.model_name).inc(n)

    def ttft(self, seconds: float) -> None:
        self._ttft.labels(self.model_name).observe(seconds)

    def finished(self, reason: str) -> None:
        self._success.labels(self.model_name, reason).inc()

    def iteration(self, tokens: int) -> None:
        self._iteration.labels(self.model_name).observe(tokens)

    def render(self) -> bytes:
        return generate_latest(self.registry)
