"""Reading and converting: ours against the bare cryptography calls and the openssl CLI.

Goals (issue 2): ``pfx_to_cer`` and ``load_certificates`` within 1.2x of the
cryptography calls they wrap, on the same inputs; per file at least 10x faster
than ``openssl pkcs12 -nokeys -clcerts | openssl x509 -outform der`` over a
batch of 200 files.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import NameOID

from appgw_certs import load_certificates, pfx_to_cer, to_pfx
from benchmarks._harness import Comparison

PASSWORD = "Bench-Pass-1"
BATCH = 200


def _certificate(
    name: str, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] | None,
    *, ca: bool,
) -> x509.Certificate:  # fmt: skip
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer[1] if issuer else key, hashes.SHA256())
    )


def _listener_pfx(*, rsa_keys: bool) -> tuple[bytes, list[x509.Certificate]]:
    """A listener PFX: leaf, intermediate and root; "compatible" profile.

    RSA-2048 is what most listeners hold, and cryptography's RSA key check
    (primality of p and q) then dominates loading; EC P-256 shows our own
    overhead (reading the file's layout before decrypting it, matching the key
    to a certificate) plainly.
    """

    def new_key() -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        if rsa_keys:
            return rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return ec.generate_private_key(ec.SECP256R1())

    root_key = new_key()
    root = _certificate("bench root", root_key, None, ca=True)
    mid_key = new_key()
    mid = _certificate("bench intermediate", mid_key, (root, root_key), ca=True)
    leaf_key = new_key()
    leaf = _certificate("www.bench.example", leaf_key, (mid, mid_key), ca=False)
    return to_pfx(leaf_key, leaf, [mid, root], password=PASSWORD), [leaf, mid, root]


def _bare_pfx_to_cer(pfx: bytes) -> bytes:
    loaded = pkcs12.load_pkcs12(pfx, PASSWORD.encode())
    assert loaded.cert is not None
    return loaded.cert.certificate.public_bytes(serialization.Encoding.PEM)


def _pfx_comparison(label: str, pfx: bytes, number: int) -> Comparison:
    assert pfx_to_cer(pfx, PASSWORD) == _bare_pfx_to_cer(pfx)
    return Comparison(
        name=f"pfx_to_cer: listener PFX ({label}, 3 certs, compatible profile)",
        ours=lambda: pfx_to_cer(pfx, PASSWORD),
        baseline=lambda: _bare_pfx_to_cer(pfx),
        baseline_label="pkcs12.load_pkcs12 + public_bytes",
        max_ratio=1.2,
        number=number,
    )


def _batch(folder: Path) -> list[Path]:
    """200 distinct small PFX files (EC P-256, compatible profile)."""
    paths = []
    for i in range(BATCH):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _certificate(f"host{i}.bench.example", key, None, ca=False)
        path = folder / f"{i:03}.pfx"
        path.write_bytes(to_pfx(key, cert, password=PASSWORD))
        paths.append(path)
    return paths


def _openssl_der(openssl: str, path: Path) -> bytes:
    extract = subprocess.run(
        [openssl, "pkcs12", "-in", str(path), "-nokeys", "-clcerts", "-passin", f"pass:{PASSWORD}"],
        capture_output=True, check=True,
    )  # fmt: skip
    return subprocess.run(
        [openssl, "x509", "-outform", "der"], input=extract.stdout, capture_output=True, check=True
    ).stdout


def _load_comparison(label: str, data: bytes, bare: Callable[[bytes], object]) -> Comparison:
    return Comparison(
        name=f"load_certificates: {label}",
        ours=lambda: load_certificates(data),
        baseline=lambda: bare(data),
        baseline_label=f"{bare.__module__.rsplit('.', 1)[-1]}.{bare.__name__}",
        max_ratio=1.2,
        number=200,
    )


def comparisons() -> list[Comparison]:
    rsa_pfx, chain = _listener_pfx(rsa_keys=True)
    ec_pfx, _ = _listener_pfx(rsa_keys=False)
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    der = chain[0].public_bytes(serialization.Encoding.DER)
    p7 = pkcs7.serialize_certificates(chain, serialization.Encoding.DER)

    openssl = shutil.which("openssl")
    assert openssl, "the openssl CLI is the baseline of the batch comparison"
    folder = Path(tempfile.mkdtemp(prefix="bench-read-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    paths: list[Path] = []

    def make_batch() -> None:
        paths.extend(_batch(folder))
        assert pfx_to_cer(paths[0], PASSWORD, encoding="der") == _openssl_der(openssl, paths[0])

    return [
        _pfx_comparison("RSA-2048", rsa_pfx, number=5),
        _pfx_comparison("EC P-256", ec_pfx, number=20),
        _load_comparison("PEM chain of 3", pem, x509.load_pem_x509_certificates),
        _load_comparison("one DER certificate", der, x509.load_der_x509_certificate),
        _load_comparison("PKCS#7 DER bundle of 3", p7, pkcs7.load_der_pkcs7_certificates),
        Comparison(
            name=f"pfx_to_cer DER over {BATCH} PFX files",
            setup=make_batch,
            ours=lambda: [pfx_to_cer(p, PASSWORD, encoding="der") for p in paths],
            baseline=lambda: [_openssl_der(openssl, p) for p in paths],
            baseline_label="openssl pkcs12 -nokeys -clcerts | openssl x509 -outform der",
            max_ratio=0.1,
            rounds=3,
            note="goal: at least 10x faster per file",
        ),
    ]
