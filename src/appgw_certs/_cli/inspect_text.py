"""``inspect``'s text: a PFX's encryption, the chain's order and root, each certificate
with the extensions the gateway reads, each key and request. Lists are cut at
:data:`MAX_SHOWN` entries (``--json`` has them all), so a hostile SAN of thousands
of names prints a few lines.

Imported by ``inspect``'s ``run`` only (it loads the library), never for ``--help``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._x509.describe_fields import added_rows
from .._x509.extensions import MAX_SHOWN, listed
from .._x509.trust import APPROXIMATION_NOTE

if TYPE_CHECKING:
    from datetime import datetime

    from .._formats.pfx import PfxEncryption
    from .._x509.describe import CertInfo, CertInfoList
    from .terminal import Console

__all__ = ["MAX_SHOWN", "print_described"]


def print_described(
    console: Console,
    heading: str,
    encryption: PfxEncryption | None,
    infos: CertInfoList,
    *,
    presented: bool,
) -> None:
    """Print what ``infos`` say about one file or one server's chain."""
    console.line(console.style(f"{heading}: {_counts(infos)}", "bold"))
    if encryption is not None:
        console.line("PKCS#12 (PFX) encryption:")
        console.table(_encryption_rows(encryption, console))
    if infos:
        console.line("chain:")
        console.table(_chain_rows(infos, console, presented=presented))
    console.line()
    for info in infos:
        place = "?" if info.file_index is None else str(info.file_index + 1)
        console.line(console.style(f"[{place}] {info.role}: {info.subject}", "bold"))
        console.table(_info_rows(info))
        console.line()
    for count, key in enumerate(infos.keys, 1):
        console.line(console.style(f"[key {count}] {key.kind}: {key.key}", "bold"))
        console.table(key.rows())
        console.line()


def _counts(infos: CertInfoList) -> str:
    def counted(number: int, what: str) -> str:
        return f"{number} {what}{'' if number == 1 else 's'}"

    parts = [counted(len(infos), "certificate")]
    for kind in ("private key", "public key", "certificate request"):
        number = sum(1 for key in infos.keys if key.kind == kind)
        if number:
            parts.append(counted(number, kind))
    return ", ".join(parts)


def _chain_rows(infos: CertInfoList, console: Console, *, presented: bool) -> list[tuple[str, str]]:
    listed_as = "as sent" if presented else "as listed in the file"
    if infos.in_order is None:
        order = console.style("not one chain (several, or unrelated certificates)", "warning")
    elif len(infos) == 1:
        order = "one certificate"
    elif infos.in_order:
        order = console.style(f"leaf to root, {listed_as}", "ok")
    else:
        path = " -> ".join(
            f"[{info.file_index + 1}]" for info in infos if info.file_index is not None
        )
        order = console.style(f"NOT leaf to root {listed_as}; the chain is {path}", "warning")
    root = infos.well_known_root
    known = f"{root}" if root is not None else "none (the chain ends in no root of the store)"
    return [
        ("order", order),
        ("well-known root", known),
        ("", f"({APPROXIMATION_NOTE})"),
    ]


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
        ("dns names", listed(info.dns_names)),
        ("key", info.key),
        ("signature", info.signature_algorithm),
        ("self-signed", "yes" if info.is_self_signed else "no"),
        *added_rows(info),
        ("serial", info.serial_number),
        ("SHA-1 thumbprint", info.sha1_thumbprint),
        ("SHA-256", info.sha256_fingerprint),
    ]


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
