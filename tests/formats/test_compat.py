"""DSA certificates, which cryptography 51 deprecates, read without its warning.

An openssl-made DSA chain goes through every public path that reads a public key
with every warning turned into an error: a caller running ``-W error`` gets the
library's findings, never cryptography's ``CryptographyDeprecationWarning`` raised
(on cryptography 51 and later; on earlier releases nothing warns, and the paths
must still read DSA).
"""

from __future__ import annotations

import subprocess
import warnings
from pathlib import Path

import pytest
from cryptography import x509

from appgw_certs import check_backend, check_client, check_upload, describe, order_chain
from appgw_certs._formats.compat import public_key_of
from appgw_certs._formats.keys import key_description

HOST = "dsa.contoso.com"


@pytest.fixture(scope="module")
def dsa_chain(openssl: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """leaf.pem, ca.pem, chain.pem and leaf.csr: a DSA root and a DSA leaf, by openssl."""
    d = tmp_path_factory.mktemp("dsa")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=d, check=True, capture_output=True)

    run("dsaparam", "-out", "p.pem", "2048")
    run("gendsa", "-out", "ca.key", "p.pem")
    run("gendsa", "-out", "leaf.key", "p.pem")
    run("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=DSA Root", "-days", "30",
        "-addext", "basicConstraints=critical,CA:TRUE", "-out", "ca.pem")  # fmt: skip
    run("req", "-new", "-key", "leaf.key", "-subj", f"/CN={HOST}", "-out", "leaf.csr")
    (d / "ext.cnf").write_text(f"subjectAltName=DNS:{HOST}\n")
    run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-days", "20",
        "-extfile", "ext.cnf", "-out", "leaf.pem")  # fmt: skip
    (d / "chain.pem").write_bytes((d / "leaf.pem").read_bytes() + (d / "ca.pem").read_bytes())
    return d


def test_public_key_of_reads_dsa_without_a_warning(dsa_chain: Path) -> None:
    cert = x509.load_pem_x509_certificate((dsa_chain / "ca.pem").read_bytes())
    request = x509.load_pem_x509_csr((dsa_chain / "leaf.csr").read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert key_description(public_key_of(cert)) == "DSA 2048"
        assert key_description(public_key_of(request)) == "DSA 2048"


def test_every_path_reads_a_dsa_chain_with_warnings_as_errors(dsa_chain: Path) -> None:
    chain, ca = dsa_chain / "chain.pem", dsa_chain / "ca.pem"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        infos = describe(chain)
        assert [i.key for i in infos] == ["DSA 2048", "DSA 2048"]
        assert infos.in_order
        root = check_upload("trusted-root", ca, sku="v2")
        assert "GEN005" in root.codes  # a key Azure is not known to take
        assert check_backend(chain, sku="v2", host_name=HOST, trusted_roots=[ca]).codes <= {
            "GEN004",
            "GEN005",
        }
        assert "MT002" not in check_client(dsa_chain / "leaf.pem", ca).codes
        assert [c.subject.rfc4514_string() for c in order_chain(chain)] == [
            f"CN={HOST}",
            "CN=DSA Root",
        ]
        assert "DSA 2048" in str(describe(dsa_chain / "leaf.csr"))
