"""Passwords are bytes at the edge: every public function that takes a password, given one
that is not UTF-8 (a lone surrogate in a str, stray bytes), for a file that needs another,
raises only the library's errors, and no exception it raises or chains (``__cause__``,
``__context__``, at any depth; their args, str and repr) holds the password.

Text passwords are encoded in one place (``encode_password``): surrogate-escaped, as
Python decodes file names and arguments it cannot read as UTF-8, so a password read that
way is the bytes it was; a lone surrogate no encoding takes is refused, without it.
"""

from __future__ import annotations

import inspect
import json
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

import appgw_certs
from appgw_certs import (
    AppGwCertError,
    KeyType,
    PfxPasswordError,
    Slot,
    TestChain,
    audit_gateway,
    build_test_chain,
    cer_to_pfx,
    check_upload,
    describe,
    extract_authentication_cert,
    extract_public_key,
    extract_trusted_root,
    load_pfx,
    pfx_to_cer,
    to_pfx,
)
from appgw_certs._formats.inputs import encode_password
from helpers.gateway import GatewayBuilder

MARKER = "MARKERpw"
PASSWORDS: dict[str, str | bytes] = {
    "escaped surrogate": MARKER + "\udcff9",  # what os.fsdecode makes of b"\xff"
    "lone high surrogate": MARKER + "\ud8009",  # no codec takes it
    "stray bytes": MARKER.encode() + b"\xff\xfe9",
    "nul": MARKER + "\x00\udcff",
}
RIGHT = "Right-Pass-1"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


def texts(exc: BaseException) -> Iterator[str]:
    """Every text of an exception and of every exception it chains, at any depth."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield from map(repr, current.args)
        yield from (str(a) for a in current.args)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    yield "".join(traceback.format_exception(exc))


def read_back(tempfile: AbstractContextManager[Path]) -> bytes:
    """What a ``*_tempfile`` context manager wrote."""
    with tempfile as path:
        return path.read_bytes()


def calls(chain: TestChain, password: str | bytes) -> dict[str, Callable[[], object]]:
    """Every public function (and method) taking a password, on a file needing another."""
    pfx = chain.listener_pfx(RIGHT)
    key_pem = chain.server.key_pem(RIGHT)
    cert = chain.server.certificate
    g = GatewayBuilder(name="gw", tier="Standard_v2")
    text = password if isinstance(password, str) else password.decode("utf-8", "surrogateescape")
    g.listener_cert("web", [cert], pfx, text)
    template, parameters = g.arm(), g.arm_parameters()
    return {
        "load_pfx": lambda: load_pfx(pfx, password),
        "pfx_to_cer": lambda: pfx_to_cer(pfx, password),
        "describe": lambda: describe(pfx, password),
        "extract_authentication_cert": lambda: extract_authentication_cert(pfx, password),
        "extract_trusted_root": lambda: extract_trusted_root(pfx, password),
        "extract_public_key": lambda: extract_public_key(pfx, password),
        "check_upload": lambda: check_upload(Slot.LISTENER, pfx, sku="v2", password=password),
        "to_pfx": lambda: to_pfx(chain.server.private_key, cert, password=password),
        "cer_to_pfx key_password": lambda: cer_to_pfx(
            chain.server.cer(), key_pem, password=RIGHT, key_password=password
        ),
        "cer_to_pfx password": lambda: cer_to_pfx(
            chain.server.cer(), chain.server.key_pem(), password=password
        ),
        "Credential.key_pem": lambda: chain.server.key_pem(password),
        "Credential.pfx": lambda: chain.server.pfx(password),
        "Credential.pem_tempfile": lambda: read_back(chain.server.pem_tempfile(password=password)),
        "Credential.pfx_tempfile": lambda: read_back(chain.server.pfx_tempfile(password)),
        "TestChain.listener_pfx": lambda: chain.listener_pfx(password),
        "audit_gateway": lambda: audit_gateway(template, parameters=parameters).to_json(),
        "audit_gateway REST": lambda: audit_gateway(g.rest(put=True)).to_json(),
    }


def test_every_password_parameter_is_swept(chain: TestChain) -> None:
    """The sweep covers each public function and method with a ``password`` parameter."""
    swept = set(calls(chain, "x"))
    for name in appgw_certs.__all__:
        value = getattr(appgw_certs, name)
        members = [(name, value)] if callable(value) and not inspect.isclass(value) else []
        if inspect.isclass(value):
            members += [(f"{name}.{m}", f) for m, f in vars(value).items() if not m.startswith("_")]
        for label, member in members:
            if not callable(member):
                continue
            parameters = inspect.signature(member).parameters
            if any("password" in p for p in parameters):
                assert any(s.split(" ")[0] == label for s in swept), label


@pytest.mark.parametrize("kind", sorted(PASSWORDS))
def test_a_non_utf8_password_is_never_in_an_error(kind: str, chain: TestChain) -> None:
    password = PASSWORDS[kind]
    outcomes: dict[str, str] = {}
    for name, call in calls(chain, password).items():
        try:
            result: Any = call()
        except AppGwCertError as exc:
            outcomes[name] = type(exc).__name__
            leaked = [t for t in texts(exc) if MARKER in t]
            assert not leaked, f"{name}: {leaked[0][:300]}"
        except Exception as exc:
            pytest.fail(f"{name} raised {type(exc).__name__}, not an AppGwCertError")
        else:
            outcomes[name] = "returned"
            shown = result if isinstance(result, bytes | str) else repr(result) + str(result)
            assert MARKER.encode() not in (shown if isinstance(shown, bytes) else shown.encode())
    # the wrong password is refused as one where it is a password for this file
    assert outcomes["load_pfx"] == outcomes["pfx_to_cer"] == "PfxPasswordError"


def test_encode_password_is_the_one_place() -> None:
    assert encode_password("pässwort") == "pässwort".encode()
    assert encode_password(MARKER + "\udcff") == MARKER.encode() + b"\xff"  # as it was read
    assert encode_password(b"raw\xff") == b"raw\xff"
    assert encode_password(None) is None
    with pytest.raises(PfxPasswordError) as raised:
        encode_password(MARKER + "\ud800")
    assert not [t for t in texts(raised.value) if MARKER in t]
    assert raised.value.__context__ is None
    assert raised.value.__cause__ is None
    with pytest.raises(TypeError, match="password"):
        encode_password(12345)  # type: ignore[arg-type]


def test_a_surrogate_escaped_password_opens_the_file_written_with_its_bytes(
    chain: TestChain,
) -> None:
    """A password read from a non-UTF-8 terminal or file is the bytes typed: the PFX
    written with those bytes opens with the text Python made of them."""
    raw = b"Caf\xe9-1"  # Latin-1, as an old terminal sends it
    key_pem = chain.server.key_pem(raw)
    text = raw.decode("utf-8", "surrogateescape")
    assert json.dumps(text)  # a str, as sys.argv would hold
    assert cer_to_pfx(chain.server.cer(), key_pem, password=RIGHT, key_password=text)
