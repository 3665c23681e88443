"""Command line start-up: ``appgw-certs --help`` / ``--version`` against bare Python starts.

The CLI parses its arguments before it imports anything heavy (each verb
imports the library when it runs), so asking for help should cost no more
than a Python start that loads ``cryptography.x509`` (goal: within 1.5x), and
at most twice a start that loads ``argparse`` alone (the package's light
modules, the parser of every verb and argparse's help formatting are the
difference). The quickstart, the README's first command, has an absolute goal.

Every process runs with its bytecode cached, as in an installed package: under
``PYTHONDONTWRITEBYTECODE`` our modules would be compiled on every start while
the baselines' were compiled once by pip, which measures the compiler, not us.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks._harness import Comparison

ENTRY_POINT = str(Path(sys.executable).parent / "appgw-certs")
NEW_PROCESSES = "both are new processes; the difference is what gets imported"
#: The environment of every run: bytecode written to (and read from) one cache of our own.
BYTECODE_CACHED = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir(), "appgw-certs-bench-pycache")),
}


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, env=BYTECODE_CACHED)


def help_() -> None:
    _run(ENTRY_POINT, "--help")


def version() -> None:
    _run(ENTRY_POINT, "--version")


def import_argparse() -> None:
    _run(sys.executable, "-c", "import argparse")


def import_cryptography_x509() -> None:
    _run(sys.executable, "-c", "import cryptography.x509")


def quickstart() -> None:
    with tempfile.TemporaryDirectory(prefix="appgw-bench-") as workdir:
        _run(ENTRY_POINT, "quickstart", str(Path(workdir, "qs")))


def _start_up(
    name: str,
    ours: Callable[[], None],
    baseline: Callable[[], None],
    label: str,
    max_ratio: float,
) -> Comparison:
    return Comparison(
        name=name,
        ours=ours,
        baseline=baseline,
        baseline_label=label,
        max_ratio=max_ratio,
        rounds=20,
        note=NEW_PROCESSES,
    )


def comparisons() -> list[Comparison]:
    argparse_label = 'python -c "import argparse"'
    x509_label = 'python -c "import cryptography.x509"'
    return [
        _start_up("appgw-certs --help", help_, import_argparse, argparse_label, 2.0),
        _start_up("appgw-certs --help", help_, import_cryptography_x509, x509_label, 1.5),
        _start_up("appgw-certs --version", version, import_cryptography_x509, x509_label, 1.5),
        Comparison(
            name="appgw-certs quickstart (RSA-2048, 5 keys, 9 files, 7 checks)",
            ours=quickstart,
            max_seconds=3.0,
            rounds=5,
            note="key generation dominates (five RSA-2048 keys, each of random cost)",
        ),
    ]
