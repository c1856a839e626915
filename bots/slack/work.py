"""The bot's worker threads: how long a question may take, counted from when work on it starts.

Two lanes. The answer workers run the full question (the language model's answer when one is configured);
they are few because the model is slow. A question that arrives while every answer worker is busy does not
queue behind the model: it runs its fallback (the extractive answer, about 0.1 s) on the quick workers, which
also run "More sources" searches. The timeout budget starts when a worker picks the question up, so time
spent queued is never counted against the work; a question that no worker picks up within the budget gets
an honest "busy" reply, as does one that arrives while `max_pending` are already waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any


class Busy(Exception):
    """Too many questions at once: said to the asker as such (never as "took too long")."""


class TimedOut(Exception):
    """The work ran past the budget after it started. `lane`: "answer" or "quick"."""

    def __init__(self, lane: str, seconds: float):
        super().__init__(f"{lane} work took longer than {seconds:g} s")
        self.lane, self.seconds = lane, seconds


class ShuttingDown(Exception):
    """The pools are closed."""


class AnswerWorkers:
    def __init__(self, workers: int, max_pending: int, timeout_s: float):
        self.workers = max(1, workers)
        self.max_pending = max_pending
        self.timeout_s = timeout_s
        self._answer = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="slack-answer")
        self._quick = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="slack-quick")
        self._lock = threading.Lock()
        self.pending = 0                            # questions submitted and not finished, both lanes
        self.busy = {"answer": 0, "quick": 0}       # of those, per lane (queued or running)

    def run(self, fn: Callable[[], Any], *, fallback: Callable[[], Any] | None = None,
            lane: str = "answer") -> tuple[Any, bool]:
        """Run `fn` on `lane` and wait for it -> (its result, False). When lane is "answer", every answer worker
        is busy and a `fallback` is given, run the fallback on the quick workers instead -> (its result, True).
        Raises Busy, TimedOut, ShuttingDown, or what the work raised."""
        with self._lock:
            if self.pending >= self.max_pending:
                raise Busy(f"{self.pending} questions pending")
            used_fallback = lane == "answer" and fallback is not None and self.busy["answer"] >= self.workers
            if used_fallback and fallback is not None:
                fn, lane = fallback, "quick"
            queued = self.busy[lane] >= self.workers
            self.pending += 1
            self.busy[lane] += 1
        started = threading.Event()
        began = [0.0]

        def work():
            began[0] = time.monotonic()
            started.set()
            return fn()

        try:
            future = (self._answer if lane == "answer" else self._quick).submit(work)
        except RuntimeError:
            self._finished(lane)
            raise ShuttingDown() from None
        future.add_done_callback(lambda _f: self._finished(lane))
        return self._wait(future, started, began, lane, queued), used_fallback

    def _wait(self, future: Future, started: threading.Event, began: list[float], lane: str, queued: bool):
        # a question that found a free worker starts at once; one that queued waits at most the budget
        if queued and not started.wait(self.timeout_s) and future.cancel():
            raise Busy(f"not started within {self.timeout_s:g} s")
        while not started.wait(0.05):
            if future.cancelled():  # the pools closed before it started
                raise ShuttingDown()
        remaining = self.timeout_s - (time.monotonic() - began[0])
        try:
            return future.result(timeout=max(0.0, remaining))
        except FuturesTimeout:
            raise TimedOut(lane, self.timeout_s) from None

    def _finished(self, lane: str) -> None:
        with self._lock:
            self.pending -= 1
            self.busy[lane] -= 1

    def close(self) -> None:
        self._answer.shutdown(wait=False, cancel_futures=True)
        self._quick.shutdown(wait=False, cancel_futures=True)
