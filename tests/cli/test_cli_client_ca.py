"""``appgw-certs client-ca``: the mutual-TLS upload from the CA files a user has."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from appgw_certs import KeyType, build_test_chain, load_certificates
from appgw_certs._cli.main import main


def test_client_ca_writes_the_ordered_upload_and_names_the_issuer_dn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], openssl: str
) -> None:
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256, intermediates=2)
    files = []
    for name, data in [
        ("second.pem", chain.intermediates[1].cer()),
        ("root.pem", chain.root.cer()),
        ("first-and-leaf.pem", chain.intermediates[0].cer() + chain.server.cer()),
    ]:
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    out = tmp_path / "client-ca.cer"
    assert main(["client-ca", *files, "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert out.read_bytes() == chain.client_ca_cer()
    assert [c.subject for c in load_certificates(out)][-1] == chain.root.certificate.subject
    issuing = chain.intermediates[1].certificate.subject.rfc4514_string()
    assert f"issuer DN the gateway extracts: {issuing}" in err
    client = tmp_path / "client.pem"
    client.write_bytes(chain.issue_client("alice@contoso.com").cer())
    verified = subprocess.run(
        [openssl, "verify", "-CAfile", str(out), str(client)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_two_roots_are_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = build_test_chain(["a.contoso.com"], key_type=KeyType.EC_P256)
    other = build_test_chain(["b.contoso.com"], key_type=KeyType.EC_P256)
    (tmp_path / "a.pem").write_bytes(one.root.cer())
    (tmp_path / "b.pem").write_bytes(other.root.cer())
    code = main(["client-ca", str(tmp_path / "a.pem"), str(tmp_path / "b.pem")])
    err = capsys.readouterr().err
    assert code == 2
    assert "exactly one root" in err
    assert len(err.strip().splitlines()) == 1
