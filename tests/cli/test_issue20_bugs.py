"""Regressions from the issue "The command line and reports, made for CI pipelines and for
people", through the installed entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.cli import run

HOST = "www.contoso.com"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("issue20") / "pki"
    result = run("chain", directory, "--hostname", HOST, "--key-type", "ec-p256")
    assert result.returncode == 0, result.output
    return directory


def test_v1_backend_details_do_not_claim_a_match_that_failed(pki: Path) -> None:
    wrong = run("backend", pki / "server-chain.pem", "--sku", "Standard",
                "--auth-cert", pki / "root.cer")  # fmt: skip
    assert wrong.returncode == 1, wrong.output
    assert "BE008" in wrong.stdout
    assert "matched exactly" not in wrong.output
    report = json.loads(
        run("backend", pki / "server-chain.pem", "--sku", "Standard",
            "--auth-cert", pki / "root.cer", "--json").stdout
    )  # fmt: skip
    assert "BE008" in {f["code"] for f in report["findings"]}
    anchors = str(report["details"]["trust anchors"])
    assert "compared byte for byte" in anchors
