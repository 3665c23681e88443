"""Run every benchmark side by side with its baseline; rewrite docs/performance.md.

python -m benchmarks            # all of them, rewrites the table
python -m benchmarks read trust # only bench_read.py and bench_trust.py, prints only
"""

from __future__ import annotations

import importlib
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks._harness import Comparison, run, verdict

HERE = Path(__file__).parent
PERFORMANCE = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _fmt_seconds(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _goal(c: Comparison) -> str:
    goals = []
    if c.max_ratio is not None:
        goals.append(
            f"≤ {c.max_ratio:g}×" if c.max_ratio >= 1 else f"≥ {1 / c.max_ratio:g}× faster"
        )
    if c.max_seconds is not None:
        goals.append(f"≤ {_fmt_seconds(c.max_seconds)}")
    return ", ".join(goals) or "—"


def _row(module: str, c: Comparison) -> str:
    base = c.results.get("baseline")
    ratio = c.results.get("ratio")
    return (
        f"| {module} | {c.name} | {_fmt_seconds(c.results['ours'])} "
        f"| {c.baseline_label or '—'} | {_fmt_seconds(base) if base is not None else '—'} "
        f"| {f'{ratio:.2f}×' if ratio is not None else '—'} | {_goal(c)} | {verdict(c)} |"
    )


def _machine() -> str:
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("appgw-certs", "cryptography", "pyOpenSSL", "certifi", "trustme")
    )
    openssl = subprocess.run(
        ["openssl", "version"], check=False, capture_output=True, text=True
    ).stdout.strip()
    cpu = platform.processor() or platform.machine()
    return (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {cpu}, "
        f"Python {platform.python_version()}, {versions}, {openssl}."
    )


def main(argv: list[str]) -> int:
    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    rows = [
        "| area | what | ours (median) | baseline | baseline (median) | ratio | goal | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in modules:
        area = name.removeprefix("bench_")
        if wanted and area not in wanted:
            continue
        module = importlib.import_module(f"benchmarks.{name}")
        for comparison in module.comparisons():
            run(comparison)
            rows.append(_row(area, comparison))
            print(rows[-1], flush=True)
    table = "\n".join([_machine(), "", *rows])
    if not wanted:
        text = PERFORMANCE.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        PERFORMANCE.write_text(pattern.sub(f"{BEGIN}\n{table}\n{END}", text), encoding="utf-8")
        print(f"rewrote {PERFORMANCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
