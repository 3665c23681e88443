"""``appgw-certs client-ca CA [CA ...] [-o OUT]``: the mutual-TLS upload, made from the
CA files a user has: CAs only, in order, exactly one root; what the gateway will read
from it (its issuer DN) and its upload checks said on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .options import EXIT_FINDINGS, EXIT_OK, add_force, add_verb, file_name

if TYPE_CHECKING:
    from .options import Verbs

__all__ = ["add_parser", "run"]


def add_parser(verbs: Verbs) -> None:
    help_ = "make the trusted client CA file (mutual TLS) from CA certificates"
    sub = add_verb(verbs, "client-ca", help_, run)
    sub.add_argument(
        "cas",
        type=file_name,
        nargs="+",
        metavar="CA",
        help="files holding the root CA and its intermediates (leaves and keys are dropped)",
    )
    sub.add_argument(
        "-o", "--output", type=file_name, metavar="OUT", help="write here (default: stdout)"
    )
    add_force(sub)


def run(args: argparse.Namespace) -> int:
    """Write the client CA file, say the issuer DN Azure extracts, and check the upload."""
    # deferred: keeps --help fast
    from pathlib import Path

    from .._upload.check import check_upload
    from .._verdicts.client import client_issuer_dn
    from .._x509.extract import client_ca_file
    from .shared import write_one
    from .terminal import OutputFiles, require_readable, terminal_text

    sources = [require_readable(name) for name in args.cas]
    if args.output:
        OutputFiles(force=args.force).refuse_existing([Path(args.output)])
    data = client_ca_file(sources)
    report = check_upload("trusted-client-ca", data, sku="Standard_v2")
    issuer = client_issuer_dn(data).rfc4514_string()
    if args.output:
        write_one(Path(args.output), data, private=False, force=args.force)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    print(f"issuer DN the gateway extracts: {terminal_text(issuer)}", file=sys.stderr)
    for finding in report.findings:
        print(f"{finding.severity.value}: {finding.code}: {terminal_text(finding.message)}",
              file=sys.stderr)  # fmt: skip
    return EXIT_OK if report.ok else EXIT_FINDINGS
