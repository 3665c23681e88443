"""A verb on one small file imports what it needs and no more (the start-up guard).

Each verb runs in a fresh interpreter, as ``appgw-certs`` would, and the modules it
loaded are listed from ``sys.modules``: no other verb's module, no layer it does not
use, no drawing code unless a picture is asked for, and no PFX decoders for a PEM file.
Timings belong in docs/performance.md (``python -m benchmarks cli``), never here.

Some standard modules are loaded anyway, and are not in these lists:
``email`` and ``calendar`` by ``cryptography.x509`` itself, ``inspect`` and ``ast``
by ``dataclasses``, and ``zipfile`` by ``certifi.where()`` (importlib.resources)
for the well-known-root lookup.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from appgw_certs import build_test_chain
from appgw_certs._cli.main import VERBS, build_parser

PASSWORD = "Passw0rd"  # a test PFX's password

_PROBE = (
    "import json, sys\n"
    "from appgw_certs._cli.main import main\n"
    "status = main(sys.argv[1:])\n"
    "print(json.dumps([status, sorted(sys.modules)]), file=sys.stderr)\n"
)

#: Never needed by a verb on one upload file.
NEVER = (
    "appgw_certs._gateway",
    "appgw_certs._verdicts",
    "appgw_certs._testpki",
    "appgw_certs._findings.rules_page",
    "appgw_certs._findings.troubleshooting_page",
    "appgw_certs._cli.audit",
    "appgw_certs._cli.quickstart",
    "appgw_certs._cli.html_report",
    "appgw_certs._cli.sarif",
    "appgw_certs._cli.junit",
    "OpenSSL",
    "pyasn1",
    "pyasn1_modules",
    # cryptography's PKCS#7 module, and the email package's S/MIME writers it loads
    "cryptography.hazmat.primitives.serialization.pkcs7",
    "email.generator",
    "email.message",
    "email.policy",
)
#: Pictures: only ``--format html`` (and a notebook) draws.
DRAWING = ("appgw_certs._draw", "appgw_certs._x509.pictures", "html")
#: The PFX decoders: for a PFX only.
PFX = (
    "appgw_certs._formats.pfx",
    "appgw_certs._formats.pfx_layout",
    "appgw_certs._formats.pfx_der",
    "appgw_certs._formats.pbe",
    "appgw_certs._formats.rc2",
    "appgw_certs._upload.listener",
    "appgw_certs._upload.listener_file",
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    chain = build_test_chain(key_type="ec-p256")
    (folder / "root.cer").write_bytes(chain.trusted_root_cer())
    (folder / "listener.pfx").write_bytes(chain.listener_pfx(PASSWORD))
    return folder


def loaded(*argv: str) -> set[str]:
    """The modules a fresh interpreter holds after ``appgw-certs ARGV`` (exit 0 or 1)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    status, modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert status in (0, 1), done.stderr
    return set(modules)


def found(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def other_verbs(verb: str, *allowed: str) -> tuple[str, ...]:
    return tuple(
        f"appgw_certs._cli.{module}"
        for name, module in VERBS.items()
        if name != verb and module not in allowed
    )


def test_verbs_names_every_verb_of_the_parser() -> None:
    parser = build_parser()
    (verbs,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(verbs.choices) == list(VERBS)


def test_a_named_verb_builds_its_own_parser_only() -> None:
    parser = build_parser("check")
    (verbs,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(verbs.choices) == ["check"]


def test_check_trusted_root(files: Path) -> None:
    modules = loaded("check", "trusted-root", str(files / "root.cer"), "--sku", "v2")
    assert "appgw_certs._upload.public_files" in modules  # the probe sees the check's modules
    assert found(modules, NEVER + DRAWING + PFX + other_verbs("check")) == []


def test_inspect(files: Path) -> None:
    modules = loaded("inspect", str(files / "root.cer"))
    assert "appgw_certs._x509.describe" in modules
    # inspect's --probe option is checked by the backend verb's parsing function
    assert found(modules, NEVER + DRAWING + PFX + other_verbs("inspect", "backend")) == []


def test_extract_root(files: Path) -> None:
    out = files / "extracted.cer"
    modules = loaded("extract", "root", str(files / "root.cer"), "-o", str(out), "--force")
    assert out.read_bytes() == (files / "root.cer").read_bytes()
    assert found(modules, NEVER + DRAWING + PFX + other_verbs("extract")) == []


def test_check_listener(files: Path) -> None:
    pfx = str(files / "listener.pfx")
    modules = loaded("check", "listener", pfx, "--password", f"pass:{PASSWORD}", "--sku", "v2")
    assert "appgw_certs._formats.pfx" in modules
    assert found(modules, NEVER + DRAWING + other_verbs("check") + ("zipfile", "certifi")) == []


def test_html_output_loads_the_drawing_code(files: Path) -> None:
    """The guard's other side: a picture asked for loads what draws it."""
    root = str(files / "root.cer")
    modules = loaded("check", "trusted-root", root, "--sku", "v2", "--format", "html")
    assert found(modules, DRAWING) != []
    assert "appgw_certs._cli.html_report" in modules
