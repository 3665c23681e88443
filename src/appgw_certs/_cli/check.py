"""``appgw-certs check SLOT FILE --sku SKU``: the upload checks; exit 1 when there are errors."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .options import (
    SKU_HELP,
    add_host_name,
    add_password,
    add_report_output,
    add_verb,
    file_name,
    whole_number,
)

if TYPE_CHECKING:
    from .options import Verbs
    from .passwords import Password

__all__ = ["add_parser", "run"]


class _Intermixed(argparse.ArgumentParser):
    """Parses options and positionals in any order: FILE is optional here (a Key Vault
    secret may stand for it), and Python 3.11's argparse leaves an optional positional
    empty when an option comes between it and the slot (``check listener --sku v2 F``)."""

    _mixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._mixing:  # the intermixed parse calls this method itself
            return super().parse_known_args(args, namespace)
        self._mixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._mixing = False


#: The slots, and the az CLI's names for them (``az network application-gateway ssl-cert``).
SLOTS = (
    "listener",
    "authentication",
    "trusted-root",
    "trusted-client-ca",
    "ssl-cert",
    "auth-cert",
    "root-cert",
    "client-cert",
)


#: The listener slot's names among them.
_LISTENER = ("listener", "ssl-cert")


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(verbs, "check", "check a file for an upload slot", run)
    # The verb's parser keeps its own error handling (its class), and parses intermixed.
    sub.__class__ = type("_CheckParser", (_Intermixed, type(sub)), {})
    sub.add_argument(
        "slot",
        choices=SLOTS,
        metavar="SLOT",
        help="listener, authentication, trusted-root or trusted-client-ca (also the az CLI's "
        "names: ssl-cert, auth-cert, root-cert, client-cert)",
    )
    sub.add_argument(
        "file", type=file_name, metavar="FILE", nargs="?", help="the file you would upload"
    )
    sub.add_argument("--sku", required=True, help=SKU_HELP)
    sub.add_argument(
        "--key-vault-secret-id",
        metavar="URL",
        help="check the listener certificate a Key Vault secret holds instead of a FILE "
        "(needs appgw-certs[azure] and an Azure identity with get on secrets)",
    )
    add_password(sub)
    sub.add_argument(
        "--days",
        type=whole_number(0, 36500, "days"),
        default=30,
        metavar="N",
        help="warn about certificates expiring within N days (default 30), as audit does",
    )
    add_host_name(
        sub,
        "--host-name",
        "hostname",
        action="append",
        default=[],
        metavar="H",
        help="a host name of the listener, which the certificate must cover (repeatable)",
    )
    add_report_output(sub)


def run(args: argparse.Namespace) -> int:
    """Check ``args.file`` for the upload slot ``args.slot`` and print the report."""
    # deferred: keeps --help fast
    from .._upload.check import check_upload
    from .options import CliError
    from .passwords import can_prompt, prompt_password, read_password
    from .shared import chain_pictures, emit_report, is_pfx
    from .terminal import require_readable

    if args.key_vault_secret_id is not None:
        return _check_key_vault_secret(args)
    if args.file is None:
        raise CliError("give the FILE to check (or --key-vault-secret-id URL for a listener)")
    path = require_readable(args.file)
    if args.password is not None:
        password: Password | None = read_password(args.password)
    elif args.slot in _LISTENER and can_prompt() and is_pfx(path):
        password = prompt_password(f"Password for {path.name}: ") or None
    else:
        password = None
    report = check_upload(
        args.slot,
        path,
        sku=args.sku,
        password=password,
        hostnames=args.hostname,
        expiry_warning_days=args.days,
    )
    return emit_report(
        report,
        args,
        label=str(path),
        pictures=chain_pictures(report),
    )


def _check_key_vault_secret(args: argparse.Namespace) -> int:
    """``check listener --key-vault-secret-id URL``: the secret read and checked as the
    gateway reads it (KV001/KV005 from the id, KV002-KV004 and the listener checks)."""
    # deferred: keeps --help fast (and the azure packages load only here)
    from datetime import UTC, datetime

    from .._findings.report import Report
    from .._findings.sku import Sku
    from .._gateway.keyvault import KeyVaultReader
    from .._gateway.keyvault_ids import key_vault_id_findings
    from .options import CliError
    from .shared import emit_report

    if args.slot not in _LISTENER or args.file is not None:
        raise CliError("--key-vault-secret-id checks a listener certificate, without a FILE")
    url = str(args.key_vault_secret_id)
    sku = Sku.parse(args.sku)
    found = key_vault_id_findings(url)
    if not any(f.code == "KV001" for f in found):  # Azure refuses such an id: nothing to read
        with KeyVaultReader() as reader:  # AppGwCertError naming the extra when missing
            check = reader.check(url, sku=sku, now=datetime.now(UTC), hostnames=args.hostname)
        found += check.findings
    report = Report(f"Key Vault listener certificate ({sku.value})", found)
    return emit_report(report, args, label=url)
