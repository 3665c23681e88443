"""Command line start-up: ``appgw-certs --help`` / ``--version`` against bare Python starts,
and a verb on one small file against a bare Python start that loads the same file.

The CLI parses its arguments before it imports anything heavy (each verb
imports the library when it runs), so asking for help should cost no more
than a Python start that loads ``cryptography.x509`` (goal: within 1.5x), and
at most twice a start that loads ``argparse`` alone (the package's light
modules, the parser of every verb and argparse's help formatting are the
difference). The quickstart, the README's first command, has an absolute goal.

A verb on one small file (``inspect``, ``check trusted-root``, ``check listener``,
``extract root``) should cost no more than 1.5x a ``python -c`` that imports
cryptography and loads the same file (``load_pem_x509_certificate``, or
``pkcs12.load_key_and_certificates`` for the PFX): what the verb imports beyond
that, and the checks it runs, are the difference. The files are made once.

Every process runs with its bytecode cached, as in an installed package: under
``PYTHONDONTWRITEBYTECODE`` our modules would be compiled on every start while
the baselines' were compiled once by pip, which measures the compiler, not us.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
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


PASSWORD = "bench-Passw0rd"


@functools.cache
def _workdir() -> Path:
    """The verbs' input files' directory: one per run, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="appgw-bench-cli-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _files() -> None:
    """A v2 trusted root (PEM) and a listener PFX (3DES, full chain), written once."""
    from appgw_certs import build_test_chain

    if Path(_file("listener.pfx")).exists():
        return
    chain = build_test_chain()
    Path(_file("root.cer")).write_bytes(chain.trusted_root_cer())
    Path(_file("listener.pfx")).write_bytes(chain.listener_pfx(PASSWORD))


def _file(name: str) -> str:
    return str(_workdir() / name)


def _verb(*words: str) -> Callable[[], None]:
    def run() -> None:
        # 0: no errors, 1: findings (a test root is not well known); anything else fails
        done = subprocess.run(
            [ENTRY_POINT, *words], check=False, capture_output=True, env=BYTECODE_CACHED
        )
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{words}: exit {done.returncode}: {done.stderr[-300:]!r}")

    return run


def load_pem() -> None:
    _run(
        sys.executable,
        "-c",
        "from cryptography import x509; "
        f"x509.load_pem_x509_certificate(open({_file('root.cer')!r}, 'rb').read())",
    )


def load_pfx() -> None:
    _run(
        sys.executable,
        "-c",
        "from cryptography.hazmat.primitives.serialization import pkcs12; "
        f"pkcs12.load_key_and_certificates(open({_file('listener.pfx')!r}, 'rb').read(), "
        f"{PASSWORD.encode()!r})",
    )


def _on_a_file(name: str, ours: Callable[[], None], baseline: Callable[[], None]) -> Comparison:
    pem = baseline is load_pem
    return Comparison(
        name=name,
        ours=ours,
        baseline=baseline,
        baseline_label=(
            'python -c "from cryptography import x509; x509.load_pem_x509_certificate(...)"'
            if pem
            else 'python -c "from ...serialization import pkcs12; '
            'pkcs12.load_key_and_certificates(...)"'
        ),
        max_ratio=1.5,
        rounds=30,
        setup=_files,
        note=NEW_PROCESSES,
    )


def _verbs_on_a_file() -> list[Comparison]:
    root, pfx = _file("root.cer"), _file("listener.pfx")
    out = _file("extracted.cer")
    return [
        _on_a_file("appgw-certs inspect root.cer", _verb("inspect", root), load_pem),
        _on_a_file(
            "appgw-certs check trusted-root root.cer --sku v2",
            _verb("check", "trusted-root", root, "--sku", "v2"),
            load_pem,
        ),
        _on_a_file(
            "appgw-certs check listener listener.pfx --password pass:... --sku v2",
            _verb("check", "listener", pfx, "--password", f"pass:{PASSWORD}", "--sku", "v2"),
            load_pfx,
        ),
        _on_a_file(
            "appgw-certs extract root root.cer -o OUT --force",
            _verb("extract", "root", root, "-o", out, "--force"),
            load_pem,
        ),
    ]


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
        *_verbs_on_a_file(),
    ]
