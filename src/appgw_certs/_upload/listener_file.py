"""A listener file, opened once: what it is, and the PFX in it when the password opens it.

The listener checks judge a :class:`ListenerFile`; a caller that needs the
PFX's certificates too (the gateway audit) opens the file with
:func:`open_listener_file` and hands the result to the checks, so the PFX is
decrypted once.

    >>> opened = open_listener_file(pfx_bytes, "Secret123")
    >>> opened.format, opened.certificates[0].subject.rfc4514_string()
    ('pkcs12', 'CN=www.contoso.com')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509

from .._errors import CertificateFormatError, PfxPasswordError
from .._formats.bundle import sniff_format, unwrap_base64
from .._formats.inputs import Password

if TYPE_CHECKING:
    from .._formats.pfx import Pfx
    from .._formats.pfx_layout import Layout

__all__ = ["ListenerFile", "open_listener_file"]


@dataclass(frozen=True)
class ListenerFile:
    """One listener file as read: its format, and the PFX or why it did not open.

    ``data`` is the PFX itself when the file was base64 text of one
    (``base64_text``). ``pfx`` and ``layout`` are set when the password opened
    it; else ``refused`` says why the password did not, or ``unreadable`` why
    the bytes are not a PFX that can be read (the errors' texts: the exceptions
    themselves are not kept, nor anything of the password).
    """

    data: bytes = field(repr=False)
    format: str
    base64_text: bool = False
    pfx: Pfx | None = None
    layout: Layout | None = field(default=None, repr=False)
    refused: str | None = None
    unreadable: str | None = None

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        """The PFX's certificates, its leaf first; none when it did not open."""
        if self.pfx is None:
            return ()
        leaf = (self.pfx.certificate,) if self.pfx.certificate is not None else ()
        return (*leaf, *self.pfx.chain)


def open_listener_file(data: bytes, password: Password) -> ListenerFile:
    """Sniff ``data`` and, when it is a PFX (or base64 text of one), decrypt it once."""
    fmt = sniff_format(data)
    inner = unwrap_base64(data) if fmt == "base64" else None
    wrapped = inner is not None and sniff_format(inner) == "pkcs12"
    if wrapped and inner is not None:
        data, fmt = inner, "pkcs12"
    if fmt != "pkcs12":
        return ListenerFile(data, fmt)
    from .._formats.pfx import load_pfx_with_layout  # deferred: the PFX decoders, for a PFX only

    try:
        pfx, layout = load_pfx_with_layout(data, password)
    except PfxPasswordError as exc:
        return ListenerFile(data, fmt, wrapped, refused=str(exc))
    except CertificateFormatError as exc:
        return ListenerFile(data, fmt, wrapped, unreadable=str(exc))
    return ListenerFile(data, fmt, wrapped, pfx, layout)
