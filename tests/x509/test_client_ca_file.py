"""client_ca_file: the mutual-TLS upload made from the CAs a user has, checked with the
upload checks and the openssl CLI as oracles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from appgw_certs import (
    ChainError,
    KeyType,
    build_test_chain,
    check_upload,
    client_ca_file,
    load_certificates,
)


@pytest.fixture(scope="module")
def chain():  # type: ignore[no-untyped-def]
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256, intermediates=2)


def test_shuffled_cas_with_a_leaf_and_a_key_become_one_ordered_chain(
    chain, tmp_path: Path, openssl: str
) -> None:  # type: ignore[no-untyped-def]
    root, first, second = chain.root, *chain.intermediates
    mixed = [second.cer(), chain.server.cer() + chain.server.key_pem(), root.cer(), first.cer()]
    data = client_ca_file(mixed)
    assert b"PRIVATE KEY" not in data
    certs = load_certificates(data)
    # Each issuing CA before the CA that issued it, the root last.
    assert certs == [second.certificate, first.certificate, root.certificate]
    assert data == chain.client_ca_cer()  # the builder's own upload, written the same way
    assert check_upload("trusted-client-ca", data, sku="Standard_v2").ok
    # The oracle: openssl verifies the client's certificate with this file alone.
    ca_file = tmp_path / "client-ca.cer"
    ca_file.write_bytes(data)
    client = tmp_path / "client.pem"
    client.write_bytes(chain.issue_client("alice@contoso.com").cer())
    done = subprocess.run(
        [openssl, "verify", "-CAfile", str(ca_file), str(client)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_two_roots_or_none_are_refused() -> None:
    one = build_test_chain(["a.contoso.com"], key_type=KeyType.EC_P256)
    other = build_test_chain(["b.contoso.com"], key_type=KeyType.EC_P256)
    with pytest.raises(ChainError, match="exactly one root"):
        client_ca_file([one.root.cer(), other.root.cer()])
    with pytest.raises(ChainError, match="exactly one root"):
        client_ca_file([one.intermediates[0].cer()])


@pytest.mark.parametrize("lone", ["root.cer", b"-----BEGIN CERTIFICATE-----", Path("root.cer")])
def test_a_lone_source_is_a_type_error(lone: object) -> None:
    with pytest.raises(TypeError, match="sequence of sources"):
        client_ca_file(lone)  # type: ignore[arg-type]
