"""``appgw-certs quickstart``: the main job, a complete, checked test PKI for one gateway.

One private root and intermediate sign four things: the listener's server
certificate (PFX), the backend's server certificate (PEM chain and key), and a
client certificate (PFX) for mutual TLS. From them come the three public uploads
(v1 authentication certificate, v2 trusted root, trusted client CA). Every file
is written atomically, then read back from disk and checked against the slot it
is for; a README in the directory says what goes where, with the ``az`` commands.
The files themselves are described in :mod:`.quickstart_files`.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .options import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_force,
    add_host_name,
    add_json,
    add_key_type,
    add_verb,
    file_name,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .._findings.report import Report
    from .options import Verbs
    from .quickstart_files import Passwords, PkiFile
    from .terminal import Console

__all__ = ["add_parser", "run"]


def add_parser(verbs: Verbs) -> None:
    help_ = "write a complete, checked test PKI for one gateway, with a README of what goes where"
    sub = add_verb(verbs, "quickstart", help_, run)
    sub.add_argument(
        "outdir",
        nargs="?",
        type=file_name,
        default="appgw-certs-quickstart",
        metavar="OUTDIR",
        help="directory to write (default: ./appgw-certs-quickstart)",
    )
    add_host_name(
        sub,
        "--host-name",
        "hostname",
        action="append",
        metavar="H",
        help="listener host name (repeatable; default www.contoso.com)",
    )
    add_host_name(
        sub,
        "--backend-host-name",
        "backend_hostname",
        default="backend.contoso.com",
        metavar="H",
        help="host name the backend certificate is for (default backend.contoso.com)",
    )
    add_key_type(sub)
    sub.add_argument(
        "--show-passwords",
        action="store_true",
        help="also print the invented passwords (they are always in passwords.txt, 0600)",
    )
    add_force(sub)
    add_json(sub, "the files written and each one's check report")


def run(args: argparse.Namespace) -> int:
    """Build, write, check and explain the quickstart PKI; exit 1 if a check fails."""
    # deferred: keeps --help fast
    from pathlib import Path

    from .._testpki.build import build_test_chain
    from .passwords import invent_password
    from .quickstart_files import FILE_NAMES, Passwords, check_files, pki_files
    from .terminal import Console, OutputFiles, write_files

    outdir = Path(args.outdir)
    OutputFiles(force=args.force).refuse_existing([outdir / name for name in FILE_NAMES])
    hostnames: list[str] = args.hostname or ["www.contoso.com"]
    chain = build_test_chain([args.backend_hostname], intermediates=1, key_type=args.key_type)
    passwords = Passwords(invent_password(), invent_password())
    files = pki_files(chain, hostnames, args.backend_hostname, passwords)
    write_files(outdir, [(f.name, f.data, f.private) for f in files], force=args.force)
    checks = check_files(outdir, hostnames, args.backend_hostname, passwords)
    ok = all(report.ok for _, report in checks)
    _print(Console(), args, outdir=outdir, files=files, checks=checks, pw=passwords)
    return EXIT_OK if ok else EXIT_FINDINGS


def _print(
    console: Console,
    args: argparse.Namespace,
    *,
    outdir: Path,
    files: list[PkiFile],
    checks: list[tuple[str, Report]],
    pw: Passwords,
) -> None:
    if args.json:
        console.json(
            {
                "outdir": str(outdir),
                "files": [
                    {"name": f.name, "purpose": f.purpose, "private": f.private} for f in files
                ],
                "checks": [{"file": name, "report": r.to_dict()} for name, r in checks],
                "passwords": (
                    {"listener.pfx": pw.listener, "client.pfx": pw.client}
                    if args.show_passwords
                    else None
                ),
            }
        )
        return
    console.line(console.style(f"Wrote a test PKI for one gateway to {outdir}/", "bold"))
    console.table([(f.name, f.purpose + (" (0600)" if f.private else "")) for f in files])
    console.line()
    console.line(console.style("Checks (each file read back from disk):", "bold"))
    for name, report in checks:
        console.report(report, label=name)
    console.line()
    if args.show_passwords:
        console.table([("listener.pfx password", pw.listener), ("client.pfx password", pw.client)])
    console.line(f"Passwords: {outdir / 'passwords.txt'} (0600).")
    console.line(f"Next: read {outdir / 'README.md'} for the az commands.")
