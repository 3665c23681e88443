"""``appgw-certs inspect``: keys and requests, chain order, well-known roots, and live servers
(``openssl s_server`` and Python ``ssl`` on 127.0.0.1, choosing a certificate by SNI)."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from appgw_certs._cli.inspect import JSON_HELP
from helpers.cli import assert_usage_error, run
from helpers.pki import NOW, Issued, make_leaf, make_pki, pem
from helpers.tls_servers import (
    LOOPBACK_V6,
    OpenSSLServer,
    PythonTLSServer,
    choosing_by_server_name,
    refused_port,
    server_context,
)

HOST, OTHER = "www.contoso.com", "alt.contoso.com"


def _sha1(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # noqa: S303 - the portal's thumbprint


def _json(*args: str | Path) -> dict[str, object]:
    result = run("inspect", *args, "--json")
    assert result.returncode == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Issued, list[Issued]]:
    pki = make_pki(2, name="Inspect")
    leaf = make_leaf(pki.issuer, dns_names=(HOST,), ip_addresses=("10.0.0.4",),
                     ocsp_url="http://ocsp.contoso.com")  # fmt: skip
    return tmp_path_factory.mktemp("inspect"), leaf, [pki.root, *pki.intermediates]


# -- files ------------------------------------------------------------------------------


def test_a_shuffled_chain_file_is_said_to_be_out_of_order(pki_files: tuple) -> None:
    directory, leaf, (root, first, second) = pki_files
    path = directory / "shuffled.pem"
    path.write_bytes(pem(root.cert, leaf.cert, first.cert, second.cert))
    text = run("inspect", path)
    assert text.returncode == 0, text.output
    assert "NOT leaf to root as listed in the file; the chain is [2] -> [4] -> [3] -> [1]" in (
        text.stdout
    )
    data = _json(path)
    chain = data["chain"]
    assert chain == {"in_order": False, "well_known_root": None, "order": [1, 3, 2, 0]}
    certs = data["certificates"]
    assert isinstance(certs, list)
    assert [c["issuer_index"] for c in certs] == [3, 2, 0, None]
    assert certs[0]["ip_addresses"] == ["10.0.0.4"]
    assert certs[0]["ocsp_urls"] == ["http://ocsp.contoso.com"]
    assert certs[0]["extended_key_usage"] == ["serverAuth"]


def test_an_ordered_chain_file_says_so(pki_files: tuple) -> None:
    directory, leaf, (root, first, second) = pki_files
    path = directory / "ordered.pem"
    path.write_bytes(pem(leaf.cert, second.cert, first.cert, root.cert))
    text = run("inspect", path).stdout
    assert "leaf to root, as listed in the file" in text
    assert "issuer in file     [2]" in text
    assert "itself (self-signed)" in text


def test_a_key_with_its_certificate_is_matched(pki_files: tuple, openssl: str) -> None:
    directory, leaf, _ = pki_files
    path = directory / "with-key.pem"
    path.write_bytes(pem(leaf.cert) + leaf.key_pem())
    data = _json(path)
    assert data["keys"] == [
        {"kind": "private key", "key": "EC P-256", "matches": 0, "encrypted": False,
         "subject": None, "dns_names": [], "ip_addresses": [], "signature_algorithm": None,
         "signature_valid": None},
    ]  # fmt: skip
    # the oracle: openssl sees the same public key in both
    of_key = subprocess.run([openssl, "pkey", "-pubout"], input=leaf.key_pem(),
                            capture_output=True, check=True).stdout  # fmt: skip
    of_cert = subprocess.run([openssl, "x509", "-noout", "-pubkey"], input=pem(leaf.cert),
                             capture_output=True, check=True).stdout  # fmt: skip
    assert of_key == of_cert


def test_a_certifi_root_is_named_well_known(tmp_path: Path) -> None:
    bundle = Path(certifi.where()).read_bytes()
    first = bundle[bundle.index(b"-----BEGIN CERTIFICATE-----") :]
    first = first[: first.index(b"-----END CERTIFICATE-----") + 25]
    path = tmp_path / "root.pem"
    path.write_bytes(first + b"\n")
    root = x509.load_pem_x509_certificate(first)
    data = _json(path)
    assert data["chain"]["well_known_root"] == root.subject.rfc4514_string()  # type: ignore[index]
    assert data["certificates"][0]["well_known"] is True  # type: ignore[index]
    text = run("inspect", path).stdout
    assert "a root of Mozilla's store (certifi)" in text
    assert "an approximation" in text


def test_the_json_help_names_every_key(pki_files: tuple) -> None:
    directory, leaf, _ = pki_files
    path = directory / "leaf.pem"
    path.write_bytes(pem(leaf.cert))
    data = _json(path)
    help_text = " ".join(run("inspect", "--help").stdout.split())
    for key in (*data, *data["chain"]):  # type: ignore[misc]
        assert f'"{key}"' in help_text
        assert f'"{key}"' in JSON_HELP
    assert data["schema_version"] == 1
    assert data["file"] == data["input"] == str(path)


def test_a_huge_san_prints_a_few_lines(tmp_path: Path) -> None:
    pki = make_pki(0, name="Huge")
    leaf = make_leaf(pki.root, dns_names=[f"n{i}.contoso.com" for i in range(4000)])
    path = tmp_path / "huge.pem"
    path.write_bytes(pem(leaf.cert))
    text = run("inspect", path)
    assert text.returncode == 0
    assert "and 3,980 more" in text.stdout
    assert len(text.stdout) < 5000
    assert len(_json(path)["certificates"][0]["dns_names"]) == 4000  # type: ignore[index]


def test_control_characters_in_extensions_are_escaped(tmp_path: Path) -> None:
    pki = make_pki(0, name="Odd")
    key = pki.root.key
    cert = (
        x509.CertificateBuilder()
        .subject_name(pki.root.cert.subject)
        .issuer_name(pki.root.cert.subject)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(NOW)
        .not_valid_after(NOW + timedelta(days=1))
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint(
                    [x509.UniformResourceIdentifier("http://crl\x1b[2J.contoso.com")],
                    None, None, None,
                )]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    path = tmp_path / "odd.pem"
    path.write_bytes(pem(cert))
    shown = run("inspect", path).stdout
    assert "\x1b" not in shown
    assert "http://crl\\x1b[2J.contoso.com" in shown


# -- live servers ------------------------------------------------------------------------


def test_probe_shows_what_s_server_sends(openssl: str, pki_files: tuple) -> None:
    _, leaf, (_root, first, second) = pki_files
    with OpenSSLServer(openssl, leaf, [second.cert, first.cert]) as server:
        data = _json("--probe", f"127.0.0.1:{server.port}")
        text = run("inspect", f"https://127.0.0.1:{server.port}/some/path")
    certs = data["certificates"]
    assert isinstance(certs, list)
    assert [c["sha1_thumbprint"] for c in certs] == [
        _sha1(c) for c in (leaf.cert, second.cert, first.cert)
    ]
    assert data["server"] == f"127.0.0.1:{server.port}"
    assert data["server_name"] is None  # an IP address: no SNI
    assert data["file"] is None
    assert data["chain"] == {"in_order": True, "well_known_root": None, "order": [0, 1, 2]}
    assert [c["issuer_index"] for c in certs] == [1, 2, None]  # the root is not sent
    assert text.returncode == 0, text.output
    assert "leaf to root, as sent" in text.stdout
    assert "(SNI: none)" in text.stdout
    assert f"[3] intermediate: {first.cert.subject.rfc4514_string()}" in text.stdout


def test_probe_of_a_server_sending_its_chain_out_of_order(openssl: str, pki_files: tuple) -> None:
    _, leaf, (root, first, second) = pki_files
    with OpenSSLServer(openssl, leaf, [root.cert, first.cert, second.cert]) as server:
        text = run("inspect", "--probe", f"127.0.0.1:{server.port}")
    assert text.returncode == 0, text.output
    assert "NOT leaf to root as sent; the chain is [1] -> [4] -> [3] -> [2]" in text.stdout


def test_s_server_chooses_by_the_server_name_sent(openssl: str, pki_files: tuple) -> None:
    _, leaf, (_root, _first, second) = pki_files
    other = make_leaf(second, dns_names=(OTHER,))
    with OpenSSLServer(openssl, leaf, [second.cert], for_server_name=(OTHER, other)) as server:
        chosen = _json(f"https://127.0.0.1:{server.port}", "--server-name", OTHER)
        default = _json(f"https://127.0.0.1:{server.port}", "--server-name", HOST)
    assert chosen["certificates"][0]["sha1_thumbprint"] == _sha1(other.cert)  # type: ignore[index]
    assert chosen["server_name"] == OTHER
    assert default["certificates"][0]["sha1_thumbprint"] == _sha1(leaf.cert)  # type: ignore[index]


def test_a_python_server_receives_the_server_name(pki_files: tuple) -> None:
    _, leaf, (_root, first, second) = pki_files
    other = make_leaf(second, dns_names=(OTHER,))
    seen: list[str | None] = []
    chain = [second.cert, first.cert]
    context = choosing_by_server_name(
        server_context(leaf, chain), {OTHER: server_context(other, chain)}, seen
    )
    with PythonTLSServer(context) as server:
        named = _json("--probe", f"127.0.0.1:{server.port}", "--server-name", OTHER)
        unnamed = _json("--probe", f"127.0.0.1:{server.port}")
    assert seen == [OTHER, None]
    assert named["certificates"][0]["dns_names"] == [OTHER]  # type: ignore[index]
    assert unnamed["certificates"][0]["dns_names"] == [HOST]  # type: ignore[index]


def test_a_refused_connection_is_one_line() -> None:
    with refused_port() as port:
        result = run("inspect", f"https://127.0.0.1:{port}")
    assert_usage_error(result, "refused")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["https://127.0.0.1:99999"], ["https://HOST[:PORT]"]),
        (["https://"], ["https://HOST[:PORT]"]),
        (["--probe", "127.0.0.1:443", "--password", "pass:x"], ["--password"]),
        (["x.pem", "--server-name", "a"], ["--server-name"]),
    ],
)
def test_server_arguments_are_checked(args: list[str], words: list[str]) -> None:
    assert_usage_error(run("inspect", *args), *words)


def test_a_request_file_is_described_as_openssl_req_reads_it(openssl: str, tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    request = tmp_path / "r.csr"
    subprocess.run(
        [openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST},IP:10.0.0.9",
         "-out", str(request)],
        capture_output=True, check=True,
    )  # fmt: skip
    text = subprocess.run([openssl, "req", "-in", str(request), "-noout", "-text"],
                          capture_output=True, check=True).stdout.decode()  # fmt: skip
    assert "Public-Key: (2048 bit)" in text
    data = _json(request)
    assert data["certificates"] == []
    (described,) = data["keys"]  # type: ignore[misc]
    assert described["key"] == "RSA 2048"
    assert described["dns_names"] == [HOST]
    assert described["ip_addresses"] == ["10.0.0.9"]
    assert described["signature_valid"] is True
    shown = run("inspect", request)
    assert shown.returncode == 0
    assert "[key 1] certificate request: RSA 2048" in shown.stdout
    secret = [line for line in key.read_text().splitlines() if "-----" not in line]
    both = tmp_path / "both.pem"
    both.write_bytes(key.read_bytes() + request.read_bytes())
    shown = run("inspect", both)
    assert not any(line in shown.output for line in secret)  # no key material


def test_an_ipv6_url_is_read(openssl: str, pki_files: tuple) -> None:
    _, leaf, (_root, _first, second) = pki_files
    with OpenSSLServer(openssl, leaf, [second.cert], host=LOOPBACK_V6) as server:
        data = _json(f"https://[{LOOPBACK_V6}]:{server.port}")
    assert data["server"] == f"[{LOOPBACK_V6}]:{server.port}"
    assert data["server_name"] is None
    assert data["certificates"][0]["sha1_thumbprint"] == _sha1(leaf.cert)  # type: ignore[index]
