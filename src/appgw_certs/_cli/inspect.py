"""``appgw-certs inspect FILE``: describe every certificate; for a PFX, how it is encrypted."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .options import EXIT_OK, CliError, add_json, add_password, add_verb, file_name

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from pathlib import Path

    from .._formats.pfx import PfxEncryption
    from .._x509.describe import CertInfo
    from .options import Verbs
    from .terminal import Console

__all__ = ["add_parser", "run"]

_LABELS_SHOWN = 5


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(verbs, "inspect", "describe the certificates in a file", run)
    sub.add_argument("file", type=file_name, metavar="FILE")
    add_password(sub)
    add_json(sub, '{"file", "pfx": its PFX encryption or null, "certificates": each described}')


def run(args: argparse.Namespace) -> int:
    """Describe the certificates of ``args.file``, as text or JSON."""
    # deferred: keeps --help fast
    from .._formats.inputs import read_bytes
    from .._formats.pfx import read_pfx_encryption
    from .._x509.describe import describe
    from .shared import is_pfx, with_password
    from .terminal import Console, require_readable

    path = require_readable(args.file)
    encryption = read_pfx_encryption(read_bytes(path)) if is_pfx(path) else None
    infos = with_password(args.password, lambda pw: describe(path, pw), path.name)
    if not infos:
        raise CliError(f"no certificate in {path}: {_what_it_holds(path, encryption)}")
    console = Console()
    if args.json:
        console.json(_as_json(path, encryption, infos))
        return EXIT_OK
    if encryption is not None:
        console.line(console.style(f"{path}: PKCS#12 (PFX)", "bold"))
        console.table(_encryption_rows(encryption, console))
        console.line()
    for number, info in enumerate(infos, 1):
        console.line(console.style(f"[{number}] {info.role}: {info.subject}", "bold"))
        console.table(_info_rows(info))
        console.line()
    return EXIT_OK


def _what_it_holds(path: Path, encryption: PfxEncryption | None) -> str:
    """What a file without certificates holds, by PEM label or format; never its content."""
    # deferred: keeps --help fast
    from .._errors import AppGwCertError
    from .._formats.bundle import pem_blocks, sniff_format
    from .._formats.inputs import read_bytes

    if encryption is not None:
        return "the PFX holds no certificate"
    data = read_bytes(path)
    try:
        labels = list(dict.fromkeys(block.label for block in pem_blocks(data)))
    except AppGwCertError:
        labels = []
    if not labels:
        return f"it holds {sniff_format(data).upper()} data that is not a certificate"
    shown = ", ".join(f"'{label}'" for label in labels[:_LABELS_SHOWN])
    more = f" and {len(labels) - _LABELS_SHOWN} more" if len(labels) > _LABELS_SHOWN else ""
    blocks = "a PEM block" if len(labels) == 1 else "PEM blocks"
    return f"the file holds {blocks} {shown}{more}, and no 'CERTIFICATE'"


def _encryption_rows(e: PfxEncryption, console: Console) -> list[tuple[str, str]]:
    verdict = (
        console.style("yes", "ok")
        if e.azure_compatible
        else console.style(
            "no: re-export with `appgw-certs convert --profile compatible`", "warning"
        )
    )
    return [
        ("key bag", e.key_algorithm or "-"),
        ("certificate bag", e.cert_algorithm or "not encrypted"),
        ("MAC", e.mac_algorithm or "none"),
        ("iterations", str(e.iterations) if e.iterations is not None else "-"),
        ("Azure-compatible", verdict),
    ]


def _info_rows(info: CertInfo) -> list[tuple[str, str]]:
    return [
        ("issuer", info.issuer),
        ("valid", f"{_when(info.not_before)} to {_when(info.not_after)}"),
        ("dns names", ", ".join(info.dns_names) or "-"),
        ("key", info.key),
        ("signature", info.signature_algorithm),
        ("CA", "yes" if info.is_ca else "no"),
        ("self-signed", "yes" if info.is_self_signed else "no"),
        ("serial", info.serial_number),
        ("SHA-1 thumbprint", info.sha1_thumbprint),
        ("SHA-256", info.sha256_fingerprint),
    ]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _as_json(
    path: Path, encryption: PfxEncryption | None, infos: Sequence[CertInfo]
) -> dict[str, object]:
    """``{"file", "pfx", "certificates"}``; times in ISO 8601."""
    # deferred: keeps --help fast
    from dataclasses import asdict
    from datetime import datetime

    def info_dict(info: CertInfo) -> dict[str, object]:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(info).items()
        }

    return {
        "file": str(path),
        "pfx": asdict(encryption) if encryption else None,
        "certificates": [info_dict(i) for i in infos],
    }
