"""Wall time and peak memory of one selector call.

What is measured (and why not something else):

- ``wall_time_s``: ``time.perf_counter`` around ``method.select`` only (the fold
  preprocessing is timed separately), so methods are compared on selection cost alone.
- ``peak_rss_delta_mb``: the process's peak resident set size during the call minus its RSS just
  before, sampled every 10 ms by a background thread (plus one sample at the end). RSS sees
  numpy, torch-CPU and BLAS buffers alike; ``tracemalloc`` would miss torch's and BLAS's
  allocations and slow the timed call down, and ``ru_maxrss`` is a lifetime peak that
  cannot be reset between calls. The baseline is taken after the untimed warm-up fit of
  ``seqattn.evaluate.selection.warm_up``, so imported libraries do not count. Limits: a
  spike shorter than 10 ms can be missed, and memory an allocator already holds (torch's
  caching allocator, glibc arenas) and reuses is not counted, so small selectors read ~0.
- ``peak_rss_mb``: the absolute peak RSS during the call (data and libraries included):
  what a cluster job running this selector needs, not what the selector itself adds.
- ``gpu_peak_allocated_mb``: ``torch.cuda.max_memory_allocated`` during the call when torch has
  initialised CUDA, else absent.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

_MB = 1024.0**2


def current_rss_bytes() -> int:
    """Resident set size of this process in bytes (0 when it cannot be read)."""
    try:
        import psutil

        return int(psutil.Process(os.getpid()).memory_info().rss)
    except ImportError:  # pragma: no cover - psutil is a dependency
        pass
    try:  # pragma: no cover - Linux fallback
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover
        return 0


class _RssSampler(threading.Thread):
    def __init__(self, interval_s: float) -> None:
        super().__init__(daemon=True)
        self.interval_s = interval_s
        self.peak = current_rss_bytes()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            self.peak = max(self.peak, current_rss_bytes())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, current_rss_bytes())
        return self.peak


def _cuda_in_use() -> bool:
    torch = sys.modules.get("torch")  # never import torch just to measure
    return bool(torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized())


@contextlib.contextmanager
def measure(interval_s: float = 0.01) -> Iterator[dict[str, Any]]:
    """Measure the enclosed block; the yielded dict is filled in when the block ends.

    Keys: ``wall_time_s``, ``peak_rss_delta_mb``, ``peak_rss_mb`` and, with CUDA in use,
    ``gpu_peak_allocated_mb``.
    """
    cost: dict[str, Any] = {}
    baseline = current_rss_bytes()
    sampler = _RssSampler(interval_s)
    sampler.start()
    cuda_at_start = _cuda_in_use()
    if cuda_at_start:
        sys.modules["torch"].cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    try:
        yield cost
    finally:
        cost["wall_time_s"] = time.perf_counter() - start
        peak = sampler.stop()
        cost["peak_rss_delta_mb"] = max(peak - baseline, 0) / _MB
        cost["peak_rss_mb"] = peak / _MB
        if cuda_at_start or _cuda_in_use():
            torch = sys.modules["torch"]
            cost["gpu_peak_allocated_mb"] = torch.cuda.max_memory_allocated() / _MB
