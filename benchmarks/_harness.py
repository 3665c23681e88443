"""A tiny side-by-side timing harness: ours against a baseline, in one run.

Each ``benchmarks/bench_*.py`` defines ``comparisons() -> list[Comparison]``.
``python -m benchmarks`` runs them all, interleaving ours and the baseline so
that both see the same machine state, and rewrites the table in
``docs/performance.md``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Comparison:
    """One measurement: ``ours`` against ``baseline`` (``None`` for an absolute goal).

    ``max_ratio`` is the goal for median(ours) / median(baseline) ("at least
    10x faster" is ``max_ratio=0.1``);
    ``max_seconds`` a goal on median(ours) alone. ``setup`` runs once first.
    """

    name: str
    ours: Callable[[], object]
    baseline: Callable[[], object] | None = None
    baseline_label: str = ""
    max_ratio: float | None = None
    max_seconds: float | None = None
    rounds: int = 30
    number: int = 1  # calls per round (for sub-millisecond functions)
    setup: Callable[[], object] | None = None
    note: str = ""
    results: dict[str, float] = field(default_factory=dict)


def _time(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def run(comparison: Comparison) -> Comparison:
    """Measure one comparison, interleaving rounds of ours and the baseline."""
    if comparison.setup is not None:
        comparison.setup()
    comparison.ours()  # warm caches and imports for both sides
    if comparison.baseline is not None:
        comparison.baseline()
    ours: list[float] = []
    base: list[float] = []
    for _ in range(comparison.rounds):
        ours.append(_time(comparison.ours, comparison.number))
        if comparison.baseline is not None:
            base.append(_time(comparison.baseline, comparison.number))
    comparison.results["ours"] = statistics.median(ours)
    if base:
        comparison.results["baseline"] = statistics.median(base)
        comparison.results["ratio"] = comparison.results["ours"] / comparison.results["baseline"]
    return comparison


def verdict(c: Comparison) -> str:
    """'met' or 'missed' against the comparison's goals."""
    ok = True
    ratio = c.results.get("ratio")
    if c.max_ratio is not None and ratio is not None:
        ok = ok and ratio <= c.max_ratio
    if c.max_seconds is not None:
        ok = ok and c.results["ours"] <= c.max_seconds
    return "met" if ok else "missed"
