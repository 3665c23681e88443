"""JSON text in: a gateway's JSON read from text, bytes or a file, within its limits.

>>> load_json(b'{"name": "gw"}')
{'name': 'gw'}
"""

from __future__ import annotations

import json
import os

from .._errors import CertificateFormatError

__all__ = ["MAX_INT_DIGITS", "MAX_JSON_BYTES", "json_int", "load_json", "read_json_file"]

#: A gateway at every Azure limit is a few MiB; anything over this is not one.
MAX_JSON_BYTES = 256 * 1024 * 1024


def load_json(source: bytes | str | os.PathLike[str]) -> object:
    """Parse JSON text, bytes or a JSON file; anything else is ``CertificateFormatError``."""
    if isinstance(source, os.PathLike):
        source = read_json_file(source)
    size = len(source)
    if size > MAX_JSON_BYTES:
        raise CertificateFormatError(
            f"the JSON is {size:,} bytes, over the {MAX_JSON_BYTES:,}-byte limit for a gateway"
        )
    try:
        return json.loads(source, parse_int=json_int)
    except (ValueError, RecursionError) as exc:
        raise CertificateFormatError(
            f"not JSON ({_first_line(exc)}): pass the output of "
            "'az network application-gateway show', a REST GET body or an ARM template"
        ) from exc


#: Longer integer literals are kept as text: no gateway field holds one, and int()
#: refuses more than 4,300 digits (a ValueError that would sink the whole document).
MAX_INT_DIGITS = 64


def json_int(text: str) -> int | str:
    """``parse_int`` for gateway JSON: an int, or text for a literal too long to be one."""
    if len(text) > MAX_INT_DIGITS:
        return text[:MAX_INT_DIGITS] + f"… ({len(text):,} digits)"
    return int(text)


def read_json_file(path: os.PathLike[str]) -> bytes:
    """The file's bytes, one past the limit at most; CertificateFormatError if unreadable."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            return handle.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise CertificateFormatError(f"cannot read {name}: {exc.strerror or exc}") from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
