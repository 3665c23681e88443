"""``appgw-certs audit FILE|-``: audit gateways from their JSON.

    az network application-gateway show -g RG -n GW | appgw-certs audit -
    az network application-gateway list | appgw-certs audit - --json
    appgw-certs audit template.json --parameters template.parameters.json --days 45

A JSON array (``az network application-gateway list``) audits each gateway,
across all cores when the list is long, with a progress line on stderr when
stderr is a terminal. Exit status: 0 no errors, 1 a gateway has errors, 2 the
input is not JSON or holds no gateway.

Imported by ``appgw-certs --help`` (argparse and the standard library only);
the library is imported when the verb runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from .._errors import AppGwCertError, CertificateFormatError
from .options import (
    DEBUG_ENV,
    EXIT_FINDINGS,
    EXIT_OK,
    CliError,
    add_report_output,
    add_verb,
    file_name,
    whole_number,
)

if TYPE_CHECKING:
    from .._gateway.audit import GatewayAudit
    from .._gateway.keyvault import KeyVaultReader
    from .._gateway.sources import GatewaySources
    from .formats import Subject
    from .options import Verbs
    from .terminal import Console

__all__ = ["add_parser", "audit_one", "run"]

#: Lists shorter than this are audited in-process: starting workers costs more.
PARALLEL_FROM = 16
#: ``--days``: a hundred years, past any certificate's validity (and inside ``datetime``).
MAX_DAYS = 36500
#: ``audit -`` reads stdin this much at a time.
_CHUNK_BYTES = 1024 * 1024


def add_parser(verbs: Verbs) -> None:
    help_ = "audit a whole gateway from its JSON (az CLI show/list, REST GET, ARM template)"
    sub = add_verb(verbs, "audit", help_, run)
    sub.add_argument(
        "file",
        type=file_name,
        metavar="FILE",
        help="the gateway's JSON, or - to read stdin (az ... | appgw-certs audit -)",
    )
    sub.add_argument(
        "--parameters",
        type=file_name,
        metavar="FILE",
        help="ARM deployment parameters file for a template (defaults are used otherwise)",
    )
    sub.add_argument(
        "--days",
        type=whole_number(0, MAX_DAYS, "days"),
        default=30,
        metavar="N",
        help="warn about certificates expiring within N days (default 30)",
    )
    sub.add_argument(
        "--key-vault",
        action="store_true",
        help="read the Key Vault secrets the gateway references and check them as Azure "
        "would (needs appgw-certs[azure] and an Azure identity with get on secrets; "
        "without it nothing contacts Azure)",
    )
    add_report_output(sub, "each audit's to_dict")


def run(args: argparse.Namespace) -> int:
    """Audit the gateway(s) in ``args.file``; the exit status."""
    # deferred: keeps --help fast
    from .._gateway.bounded import gateway_json
    from .._gateway.sources import gateway_sources

    # gateway_json shares identical small objects while parsing: memory stays near the
    # input's size even for a document of a million empty objects.
    document = gateway_json(_read_input(str(args.file)))
    parameters = _parameters(args.parameters)
    sources = gateway_sources(document)
    if not args.key_vault:
        return _run_sources(args, sources, parameters, None)
    # deferred: the azure packages load only here
    from .._gateway.keyvault import KeyVaultReader

    # One reader (one identity, one token) for the whole run: gateways are then audited
    # in this process, one after another. Without the extra: AppGwCertError naming it.
    with KeyVaultReader() as reader:
        return _run_sources(args, sources, parameters, reader)


def _run_sources(
    args: argparse.Namespace,
    sources: GatewaySources,
    parameters: Mapping[str, object] | None,
    key_vault: KeyVaultReader | None,
) -> int:
    for note in sources.notes:
        print(f"appgw-certs: note: {note}", file=sys.stderr)
    if sources.single:
        audit = audit_one(sources.items[0], parameters, int(args.days), key_vault)
        if isinstance(audit, str):  # not a gateway: exit 2 with one line, via main
            raise CertificateFormatError(audit)
        return _print(args, [audit], [None], as_list=False)
    gateways = list(sources.items)
    if not gateways and sources.kind == "terraform":
        raise CertificateFormatError("no azurerm_application_gateway in the Terraform JSON")
    if not gateways:  # `az ... list` in a resource group without gateways
        print("appgw-certs: no gateways in the list", file=sys.stderr)
    elif not any(isinstance(item, Mapping | list) for item in gateways):
        raise CertificateFormatError("a JSON list without a gateway object in it")
    labels = [_label(sources.labels, position, item) for position, item in enumerate(gateways)]
    # Each gateway on its own: one that cannot be read is a GEN001 report of its own.
    audits = [
        _unreadable(labels[position], result) if isinstance(result, str) else result
        for position, result in enumerate(
            _audit_all(gateways, parameters, int(args.days), key_vault)
        )
    ]
    return _print(args, audits, [_identity(item, labels[i]) for i, item in enumerate(gateways)],
                  as_list=True)  # fmt: skip


def _label(labels: Sequence[str], position: int, item: object) -> str:
    """How a person finds a list's element: its Terraform address, its name, or its place."""
    if position < len(labels) and labels[position]:
        return labels[position]
    name = item.get("name") if isinstance(item, Mapping) else None
    return name if isinstance(name, str) and name else f"item {position}"


def _identity(item: object, label: str) -> str:
    """The element's Azure resource id when it has one, else its label (the JSON output's
    ``id``: what ties a report to its gateway across a fleet)."""
    found = item.get("id") if isinstance(item, Mapping) else None
    return found if isinstance(found, str) and found.strip() else label


def _read_input(name: str) -> bytes | os.PathLike[str]:
    if name == "-":
        return _read_stdin()
    # deferred: keeps --help fast
    from pathlib import Path

    return Path(name)


def _read_stdin() -> bytes:
    """All of stdin, read in chunks and never more than one byte past the JSON limit."""
    # deferred: keeps --help fast
    from .._gateway.json_text import MAX_JSON_BYTES

    if sys.stdin is None:
        raise CliError("standard input is closed: give the gateway's JSON as FILE, or pipe it")
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_JSON_BYTES:
        chunk = sys.stdin.buffer.read(min(_CHUNK_BYTES, MAX_JSON_BYTES + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise CliError(
        f"standard input holds more than {MAX_JSON_BYTES:,} bytes, the limit for a "
        "gateway's JSON: check what is piped in"
    )


def _parameters(name: str | None) -> Mapping[str, object] | None:
    if name is None:
        return None
    # deferred: keeps --help fast
    from pathlib import Path

    from .._gateway.json_text import load_json

    values = load_json(Path(name))
    if not isinstance(values, Mapping):
        raise CertificateFormatError(f"{name}: a parameters file is a JSON object")
    return values


def audit_one(
    item: object,
    parameters: Mapping[str, object] | None,
    days: int,
    key_vault: KeyVaultReader | None = None,
) -> GatewayAudit | str:
    """One gateway's audit, or the reason it cannot be audited (for worker processes)."""
    # deferred: keeps --help fast
    from .._gateway.audit import audit_gateway

    if not isinstance(item, Mapping | list):
        return f"a JSON {_json_type(item)}, not a gateway object"
    try:
        source = cast("Mapping[str, object]", item)  # or a list of one gateway's objects
        return audit_gateway(
            source, parameters=parameters, expiry_warning_days=days, key_vault=key_vault
        )
    except AppGwCertError as exc:
        return str(exc)
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        # A bug of the library's, met on this gateway only: the others are still audited.
        # Its message is not shown: it could quote the JSON (a password).
        return f"internal error ({type(exc).__name__}); please report it"


def _unreadable(label: str, reason: str) -> GatewayAudit:
    """The report of a list's element that cannot be audited: one GEN001 error."""
    # deferred: keeps --help fast
    from .._findings.report import Report
    from .._findings.rules import finding
    from .._gateway.audit import GatewayAudit

    problem = finding(
        "GEN001",
        f"{label} of the list cannot be audited: {reason}",
        location=label,
        hint="Each element of the list is one gateway's JSON, as "
        "`az network application-gateway list` prints it.",
    )
    return GatewayAudit(label, None, (), Report(f"Audit of gateway {label}", [problem]))


def _json_type(value: object) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _audit_all(
    items: Sequence[object],
    parameters: Mapping[str, object] | None,
    days: int,
    key_vault: KeyVaultReader | None,
) -> Iterator[GatewayAudit | str]:
    progress = _Progress(len(items)) if len(items) > 1 and _stderr_is_terminal() else None
    workers = min(os.cpu_count() or 1, len(items))
    if len(items) < PARALLEL_FROM or workers < 2 or key_vault is not None:
        results: Iterator[GatewayAudit | str] = (
            audit_one(i, parameters, days, key_vault) for i in items
        )
    else:
        results = _in_parallel(items, parameters, days, workers)
    for done, result in enumerate(results, 1):
        if progress is not None:
            progress.update(done)
        yield result
    if progress is not None:
        progress.finish()


def _in_parallel(
    items: Sequence[object], parameters: Mapping[str, object] | None, days: int, workers: int
) -> Iterator[GatewayAudit | str]:
    # deferred: keeps --help fast
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from .terminal import holding_ctrl_c

    chunk = max(1, len(items) // (workers * 8))
    audit = partial(audit_one, parameters=parameters, days=days)
    # Ctrl-C reaches the workers too (one process group): they leave it to this process,
    # which stops the pool, instead of each printing a traceback. It is held back while
    # they start, so that none reaches one before it ignores Ctrl-C.
    with ProcessPoolExecutor(max_workers=workers, initializer=_leave_ctrl_c_to_parent) as pool:
        with holding_ctrl_c():
            results = pool.map(audit, items, chunksize=chunk)  # starts the workers
        yield from results


def _leave_ctrl_c_to_parent() -> None:
    """In a worker: ignore Ctrl-C, then stop holding it back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform != "win32":
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


#: Headers over the rows of ``GatewayAudit.overview()``: its first three columns have
#: fixed widths (a date, days right-aligned in 5, the slot in 17); the others are free.
_CERTIFICATE_HEADERS = "  ".join(
    ("", "expires".ljust(10), "days".rjust(5), "slot".ljust(17), "name", "subject", "used by")
)


class _Progress:
    """``audited 12/1000 gateways`` on one stderr line, rewritten in place."""

    def __init__(self, total: int) -> None:
        self.total = total

    def update(self, done: int) -> None:
        print(f"\raudited {done}/{self.total} gateways", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr, flush=True)


def _print(
    args: argparse.Namespace,
    audits: Sequence[GatewayAudit],
    identities: Sequence[str | None],
    *,
    as_list: bool,
) -> int:
    """Print the audits in ``args.format``; the exit status ``args.fail_on`` gives them."""
    # deferred: keeps --help fast
    import json
    from pathlib import Path

    from .formats import fails, render, with_input
    from .html_report import audit_page
    from .shared import write_one
    from .terminal import Console

    console = Console()
    source = None if args.file == "-" else str(args.file)
    status = EXIT_FINDINGS if fails((a.report for a in audits), args.fail_on) else EXIT_OK
    if args.format == "json":
        dicts = [with_input(a.to_dict(), str(args.file)) for a in audits]
        if as_list:  # one report per gateway, each with the id that ties it to its gateway
            dicts = [{"id": identity, **d} for identity, d in zip(identities, dicts, strict=True)]
        if args.output is None:
            console.json(dicts if as_list else dicts[0])
            return status
        text = json.dumps(dicts if as_list else dicts[0], indent=2, ensure_ascii=False)
    elif args.format == "html":
        text = audit_page(source, audits, [_subject(a) for a in audits], as_list=as_list)
    elif args.format != "text":
        text = render(args.format, source, [_subject(audit) for audit in audits])
    elif args.output is not None:
        text = "\n\n".join(str(audit) for audit in audits)
    else:
        _print_text(console, audits)
        return status
    if args.output is None:
        print(text)
    else:
        write_one(Path(args.output), text.encode("utf-8"), private=False, force=args.force)
    return status


def _print_text(console: Console, audits: Sequence[GatewayAudit]) -> None:
    for position, audit in enumerate(audits):
        if position:
            console.line()
        title, *rows = audit.overview().splitlines()
        console.line(title)
        if rows:
            console.line(_CERTIFICATE_HEADERS)
        for line in rows:
            console.line(line)
        console.report(audit.report)


def _subject(audit: GatewayAudit) -> Subject:
    """A gateway as the formats show it: its certificate objects are named as the
    findings' locations name them (``sslCertificates[web]``)."""
    # deferred: keeps --help fast
    from .._gateway.objects import SLOT_COLLECTIONS
    from .formats import Subject

    collections = {slot: name for name, slot in SLOT_COLLECTIONS.items()}
    objects = tuple(f"{collections[c.slot]}[{c.name}]" for c in audit.certificates)
    return Subject(audit.gateway, audit.report, objects)
