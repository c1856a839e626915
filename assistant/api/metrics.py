"""Prometheus metrics (prometheus-client): requests and latency per route, retrieval and answer timings,
index size, ingest counts and failures.

Each app gets its own registry (several apps may live in one test process). With several worker
processes, set PROMETHEUS_MULTIPROC_DIR (`assistant serve --workers N` does) and /metrics adds up
every worker's counters and histograms.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class IndexCollector:
    """Index size, read from the live snapshot at scrape time (so every worker reports the same)."""

    def __init__(self, service):
        self.service = service

    def collect(self):
        try:
            snap = self.service.snapshot()
        except Exception:  # an unreadable index is reported by /readyz, not by failing the scrape
            return
        docs = GaugeMetricFamily("assistant_index_documents", "Documents in the live index version")
        docs.add_metric([], len(snap.documents))
        passages = GaugeMetricFamily("assistant_index_passages", "Passages in the live index version")
        passages.add_metric([], len(snap.passages))
        info = InfoMetricFamily("assistant_index", "The live index version")
        info.add_metric([], {"version": snap.version})
        yield from (docs, passages, info)


class Metrics:
    def __init__(self, service):
        self.registry = CollectorRegistry(auto_describe=True)
        self.index = IndexCollector(service)
        r = self.registry
        self.requests = Counter("assistant_http_requests", "HTTP requests by route, method and status",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("assistant_http_request_duration_seconds", "HTTP request latency by route",
                                 ["method", "route"], buckets=LATENCY_BUCKETS, registry=r)
        self.retrieval = Histogram("assistant_retrieval_seconds", "Retrieval time (dense + BM25 + fusion)",
                                   ["endpoint"], buckets=LATENCY_BUCKETS, registry=r)
        self.answer = Histogram("assistant_answer_seconds", "Answer composition time", buckets=LATENCY_BUCKETS,
                                registry=r)
        self.ingest_files = Counter("assistant_ingest_files", "Files through ingest (uploads) by outcome",
                                    ["status"], registry=r)
        self.ingest_failures = Counter("assistant_ingest_failures", "Uploads or deletes that failed", ["reason"],
                                       registry=r)
        self.ingest_seconds = Histogram("assistant_ingest_seconds", "Upload ingest time", buckets=LATENCY_BUCKETS,
                                        registry=r)
        self.rate_limited = Counter("assistant_rate_limited", "Requests refused with 429", registry=r)
        self.auth_failures = Counter("assistant_auth_failures", "Requests with no or an unknown API key",
                                     registry=r)
        self.auth_blocked = Counter("assistant_auth_blocked", "Requests refused with 429 after too many failed "
                                    "authentications from the address", registry=r)
        self.registry.register(self.index)

    def exposition(self) -> tuple[bytes, str]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(self.index)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request under its route template (not the raw path)."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, label, str(status["code"])).inc()
            self.metrics.latency.labels(method, label).observe(time.perf_counter() - started)
