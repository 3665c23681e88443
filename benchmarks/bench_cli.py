"""Command line start-up: ``appgw-certs --help`` / ``--version`` against importing cryptography.

The CLI parses its arguments before it imports anything heavy (each verb
imports the library when it runs), so asking for help should cost no more
than a Python start that loads ``cryptography.x509`` (goal: within 1.5x).
The quickstart, the README's first command, has an absolute goal instead.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks._harness import Comparison

ENTRY_POINT = str(Path(sys.executable).parent / "appgw-certs")


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def help_() -> None:
    _run(ENTRY_POINT, "--help")


def version() -> None:
    _run(ENTRY_POINT, "--version")


def import_cryptography_x509() -> None:
    _run(sys.executable, "-c", "import cryptography.x509")


def quickstart() -> None:
    with tempfile.TemporaryDirectory(prefix="appgw-bench-") as workdir:
        _run(ENTRY_POINT, "quickstart", str(Path(workdir, "qs")))


def comparisons() -> list[Comparison]:
    baseline_label = 'python -c "import cryptography.x509"'
    note = "both are new processes; the difference is what gets imported"
    return [
        Comparison(
            name="appgw-certs --help",
            ours=help_,
            baseline=import_cryptography_x509,
            baseline_label=baseline_label,
            max_ratio=1.5,
            rounds=20,
            note=note,
        ),
        Comparison(
            name="appgw-certs --version",
            ours=version,
            baseline=import_cryptography_x509,
            baseline_label=baseline_label,
            max_ratio=1.5,
            rounds=20,
            note=note,
        ),
        Comparison(
            name="appgw-certs quickstart (RSA-2048, 5 keys, 9 files, 7 checks)",
            ours=quickstart,
            max_seconds=3.0,
            rounds=5,
            note="key generation dominates (RSA-2048 about 35 ms a key, at random)",
        ),
    ]
