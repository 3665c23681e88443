"""Upload checks: a .cer slot against an absolute goal, a listener PFX against load_pfx.

- ``check_upload`` of a v2 trusted root .cer (RSA-2048 root, PEM): goal a median
  of at most 1 ms. Baseline for scale: cryptography parsing the same PEM.
- ``check_upload`` of a listener PFX (RSA-2048 leaf, intermediate, root; 3DES,
  SHA-1 MAC, 2048 iterations) against ``load_pfx`` of the same file: goal within
  1.3x (the key derivation dominates both and is unavoidable).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from appgw_certs import check_upload, load_pfx
from benchmarks._harness import Comparison

PASSWORD = b"Secret123"
NOW = datetime.now(UTC)


def _cert(
    cn: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    *,
    ca: bool,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def _files() -> tuple[bytes, bytes]:
    keys = [rsa.generate_private_key(65537, 2048) for _ in range(3)]
    root = _cert("Bench Root", keys[0], None, ca=True)
    inter = _cert("Bench Issuing CA", keys[1], (root, keys[0]), ca=True)
    leaf = _cert("www.contoso.com", keys[2], (inter, keys[1]), ca=False)
    compatible = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .kdf_rounds(2048)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - what Application Gateway imports
        .build(PASSWORD)
    )
    pfx = pkcs12.serialize_key_and_certificates(
        b"listener", keys[2], leaf, [inter, root], compatible
    )
    return root.public_bytes(serialization.Encoding.PEM), pfx


def comparisons() -> list[Comparison]:
    """The two goals of issue 5."""
    root_pem, pfx = _files()
    return [
        Comparison(
            name="check_upload: v2 trusted root .cer",
            ours=lambda: check_upload("trusted-root", root_pem, sku="Standard_v2"),
            baseline=lambda: x509.load_pem_x509_certificate(root_pem),
            baseline_label="cryptography: parse the PEM only",
            max_seconds=0.001,
            rounds=50,
            number=20,
            note="goal: median at most 1 ms; the baseline is for scale only",
        ),
        Comparison(
            name="check_upload: listener PFX (3DES, full chain)",
            ours=lambda: check_upload(
                "listener",
                pfx,
                sku="Standard_v2",
                password=PASSWORD,
                hostnames=["www.contoso.com"],
            ),
            baseline=lambda: load_pfx(pfx, PASSWORD),
            baseline_label="appgw_certs.load_pfx on the same file",
            max_ratio=1.3,
            rounds=30,
            number=3,
            note="key derivation dominates both",
        ),
    ]
