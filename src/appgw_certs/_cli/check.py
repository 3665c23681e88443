"""``appgw-certs check SLOT FILE --sku SKU``: the upload checks; exit 1 when there are errors."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .options import SKU_HELP, add_json, add_password, add_verb, file_name

if TYPE_CHECKING:
    from .options import Verbs
    from .passwords import Password

__all__ = ["add_parser", "run"]


def add_parser(verbs: Verbs) -> None:
    sub = add_verb(verbs, "check", "check a file for an upload slot", run)
    sub.add_argument(
        "slot", choices=("listener", "authentication", "trusted-root", "trusted-client-ca")
    )
    sub.add_argument("file", type=file_name, metavar="FILE")
    sub.add_argument("--sku", required=True, help=SKU_HELP)
    add_password(sub)
    sub.add_argument("--hostname", action="append", default=[], metavar="H")
    add_json(sub)


def run(args: argparse.Namespace) -> int:
    """Check ``args.file`` for the upload slot ``args.slot`` and print the report."""
    # deferred: keeps --help fast
    from .._upload.check import check_upload
    from .passwords import can_prompt, prompt_password, read_password
    from .shared import emit_report, is_pfx
    from .terminal import require_readable

    path = require_readable(args.file)
    if args.password is not None:
        password: Password | None = read_password(args.password)
    elif args.slot == "listener" and can_prompt() and is_pfx(path):
        password = prompt_password(f"Password for {path.name}: ") or None
    else:
        password = None
    report = check_upload(args.slot, path, sku=args.sku, password=password, hostnames=args.hostname)
    return emit_report(report, args.json, label=str(path))
