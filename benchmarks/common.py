"""Shared helpers for the benchmarks: machine description, percentiles, indexes per size, RESULTS.md sections."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
RESULTS_JSON = ROOT / "benchmarks" / "results"
SECTION_TITLE = "## Performance and scale (issue 6)"


def machine() -> str:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {gpu}; Python {platform.python_version()}, "
            f"torch {torch.__version__}")


def load() -> str:
    """Load average now: other work on the machine makes the figures noisy, so every result records it."""
    a, b, c = os.getloadavg()
    return f"{a:.2f} / {b:.2f} / {c:.2f}"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else float("nan")


def summary_ms(values_s: list[float]) -> dict:
    ms = [v * 1000 for v in values_s]
    return {"p50": round(pct(ms, 50), 2), "p95": round(pct(ms, 95), 2), "p99": round(pct(ms, 99), 2),
            "mean": round(float(np.mean(ms)), 2) if ms else None, "n": len(ms)}


def index_dir(size: int, backend: str = "torch") -> Path:
    return CACHE / f"index-{size}-{backend}"


def settings_for(size: int, backend: str = "torch", index_backend: str | None = None, **overrides):
    """Settings over the scale index of `size`; `index_backend` serves an index built by another backend
    (e.g. onnx query embeddings over the torch-built vectors: the two agree to cosine > 0.999)."""
    from assistant.config import Settings
    from benchmarks.scale_corpus import build

    return Settings(corpus_dir=build(size), index_dir=index_dir(size, index_backend or backend), embed_backend=backend,
                    **overrides)


def index_ready(size: int, backend: str = "torch") -> bool:
    return (index_dir(size, backend) / "CURRENT").is_file()


def fresh_index(size: int, backend: str = "torch") -> None:
    shutil.rmtree(index_dir(size, backend), ignore_errors=True)


def peak_rss_mb(pid: int | str = "self") -> float:
    """VmHWM: the most resident memory the process has held since it started."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def save_json(name: str, data: dict) -> Path:
    RESULTS_JSON.mkdir(parents=True, exist_ok=True)
    path = RESULTS_JSON / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def write_section(key: str, markdown: str) -> None:
    """Replace (or add) the block `key` inside this issue's section of RESULTS.md; other sections are untouched.

    The file is re-read right before the write, since other benchmarks write their own sections of it.
    """
    start, end = f"<!-- perf:{key} start -->", f"<!-- perf:{key} end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else "# Benchmark results\n"
    if start in text and end in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        if SECTION_TITLE not in text:
            text = text.rstrip() + f"\n\n{SECTION_TITLE}\n"
        # append at the end of our section (before the next '## ' heading, if any)
        at = text.index(SECTION_TITLE) + len(SECTION_TITLE)
        nxt = text.find("\n## ", at)
        if nxt == -1:
            text = text.rstrip() + "\n\n" + block + "\n"
        else:
            text = text[:nxt].rstrip() + "\n\n" + block + "\n" + text[nxt:]
    RESULTS_MD.write_text(text, encoding="utf-8")


def publish(kind: str, backend: str, index_backend: str | None, rows: list[dict], markdown, write: bool) -> None:
    """Save a benchmark's rows as JSON and write (or print) its RESULTS.md section."""
    key = f"{kind}-{backend}" + (f"-over-{index_backend}" if index_backend else "")
    save_json(key, {"rows": rows})
    if write:
        write_section(key, markdown(rows, f"{backend} query embeddings" + (
            f" over the {index_backend}-built index" if index_backend else "")))
    else:
        print(markdown(rows))


def header(title: str) -> str:
    return (f"### {title}\n\n_Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()}; "
            f"load average at the end {load()} (1/5/15 min)._\n")


def verdict(value: float, target: float, lower_is_better: bool = True) -> str:
    ok = value <= target if lower_is_better else value >= target
    if ok:
        return "**met**"
    ratio = value / target if lower_is_better else target / value
    return f"**missed** ({ratio:.2f}× the target)"
