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
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from .._errors import AppGwCertError, CertificateFormatError
from .options import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_json, add_verb

if TYPE_CHECKING:
    from .._gateway.audit import GatewayAudit
    from .options import Verbs

__all__ = ["add_parser", "audit_one", "run"]

#: Lists shorter than this are audited in-process: starting workers costs more.
PARALLEL_FROM = 16


def add_parser(verbs: Verbs) -> None:
    help_ = "audit a whole gateway from its JSON (az CLI show/list, REST GET, ARM template)"
    sub = add_verb(verbs, "audit", help_, run)
    sub.add_argument(
        "file",
        metavar="FILE",
        help="the gateway's JSON, or - to read stdin (az ... | appgw-certs audit -)",
    )
    sub.add_argument(
        "--parameters",
        metavar="FILE",
        help="ARM deployment parameters file for a template (defaults are used otherwise)",
    )
    sub.add_argument(
        "--days",
        type=_days,
        default=30,
        metavar="N",
        help="warn about certificates expiring within N days (default 30)",
    )
    add_json(sub, "each audit's to_dict")


def _days(text: str) -> int:
    """A whole number of days, 0 or more (argparse reports the error as a usage error)."""
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, not {text!r}") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more days, not {days}")
    return days


def run(args: argparse.Namespace) -> int:
    """Audit the gateway(s) in ``args.file``; the exit status."""
    # deferred: keeps --help fast
    from .._gateway.document import load_json

    document = load_json(_read_input(str(args.file)))
    parameters = _parameters(args.parameters)
    gateways = _gateway_list(document)
    if gateways is None:
        audit = audit_one(document, parameters, int(args.days))
        if isinstance(audit, str):  # not a gateway: exit 2 with one line, via main
            raise CertificateFormatError(audit)
        _print([audit], as_json=bool(args.json), as_list=False)
        return EXIT_OK if audit.report.ok else EXIT_FINDINGS
    if not gateways:  # `az ... list` in a resource group without gateways
        print("appgw-certs: no gateways in the list", file=sys.stderr)
    results = list(_audit_all(gateways, parameters, int(args.days)))
    audits = [r for r in results if not isinstance(r, str)]
    for position, problem in enumerate(results):
        if isinstance(problem, str):
            print(f"appgw-certs: error: item {position}: {problem}", file=sys.stderr)
    _print(audits, as_json=bool(args.json), as_list=True)
    if len(audits) < len(results):
        return EXIT_USAGE
    return EXIT_FINDINGS if any(not a.report.ok for a in audits) else EXIT_OK


def _gateway_list(document: object) -> list[object] | None:
    """The gateways of ``az ... list`` output; None for one gateway, or for a list of
    one gateway's objects (``az network application-gateway ssl-cert list``)."""
    # deferred: keeps --help fast
    from .._gateway.document import subresource_collection

    if not isinstance(document, list):
        return None
    if document and subresource_collection(document[0]) is not None:
        return None
    return document


def _read_input(name: str) -> bytes | os.PathLike[str]:
    if name == "-":
        return sys.stdin.buffer.read()
    # deferred: keeps --help fast
    from pathlib import Path

    return Path(name)


def _parameters(name: str | None) -> Mapping[str, object] | None:
    if name is None:
        return None
    # deferred: keeps --help fast
    from pathlib import Path

    from .._gateway.document import load_json

    values = load_json(Path(name))
    if not isinstance(values, Mapping):
        raise CertificateFormatError(f"{name}: a parameters file is a JSON object")
    return values


def audit_one(
    item: object, parameters: Mapping[str, object] | None, days: int
) -> GatewayAudit | str:
    """One gateway's audit, or the reason it is not a gateway (for worker processes)."""
    # deferred: keeps --help fast
    from .._gateway.audit import audit_gateway

    if not isinstance(item, Mapping | list):
        return f"a JSON {type(item).__name__}, not a gateway object"
    try:
        source = cast("Mapping[str, object]", item)  # or a list of one gateway's objects
        return audit_gateway(source, parameters=parameters, expiry_warning_days=days)
    except AppGwCertError as exc:
        return str(exc)


def _audit_all(
    items: Sequence[object], parameters: Mapping[str, object] | None, days: int
) -> Iterator[GatewayAudit | str]:
    progress = _Progress(len(items)) if len(items) > 1 and _stderr_is_terminal() else None
    workers = min(os.cpu_count() or 1, len(items))
    if len(items) < PARALLEL_FROM or workers < 2:
        results: Iterator[GatewayAudit | str] = (audit_one(i, parameters, days) for i in items)
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

    chunk = max(1, len(items) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(
            partial(audit_one, parameters=parameters, days=days), items, chunksize=chunk
        )


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """``audited 12/1000 gateways`` on one stderr line, rewritten in place."""

    def __init__(self, total: int) -> None:
        self.total = total

    def update(self, done: int) -> None:
        print(f"\raudited {done}/{self.total} gateways", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        print(file=sys.stderr, flush=True)


def _print(audits: Sequence[GatewayAudit], *, as_json: bool, as_list: bool) -> None:
    # deferred: keeps --help fast
    from .terminal import Console

    console = Console()
    if as_json:
        dicts = [a.to_dict() for a in audits]
        console.json(dicts if as_list else dicts[0])
        return
    for position, audit in enumerate(audits):
        if position:
            console.line()
        for line in audit.overview().splitlines():
            console.line(line)
        console.report(audit.report)
