"""Secrets never leak: one realistic session with KNOWN passwords and keys, through the
library and the CLI, collecting every exception message (with chained causes), report,
repr, log record and CLI output, then searching all of it for every password and every
private-key byte sequence (DER, PEM body lines, base64 of the DER, the secret numbers).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from appgw_certs import (
    KeyType,
    Slot,
    audit_gateway,
    build_self_signed,
    build_test_chain,
    cer_to_pfx,
    check_backend,
    check_client,
    check_upload,
    describe,
    extract_authentication_cert,
    extract_public_key,
    extract_trusted_root,
    load_certificates,
    load_pfx,
    pfx_to_cer,
    to_cer,
    to_pfx,
)
from appgw_certs._formats.bundle import load_bundle, load_private_key
from helpers.gateway import GatewayBuilder
from helpers.hostile import mutated

PFX_PASSWORD = "Pfx7Secret"
KEY_PASSWORD = "Key9Hidden"
NEW_PASSWORD = "New4Covert"
ENV_PASSWORD = "Env2Masked"
WRONG_PASSWORDS = ("Guess1Wrong", "Typo7Pfx7Secret", "x\x00Nul5Pass")
LONG_PASSWORD = "Very long passphrase with spaces, 2026!"


@dataclass
class Session:
    """What the session produced for people to read, and the secrets it used."""

    passwords: set[str] = field(default_factory=set)
    keys: list[Any] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)

    def see(self, label: str, *values: object) -> None:
        """Record the str and repr of values (reports also as JSON and HTML)."""
        for value in values:
            self.texts.append((f"{label}: str", str(value)))
            self.texts.append((f"{label}: repr", repr(value)))
            for method in ("to_json", "_repr_html_"):
                render = getattr(value, method, None)
                if callable(render):
                    self.texts.append((f"{label}: {method}", str(render())))
            for name in ("findings", "certificates", "chain", "report"):
                inner = getattr(value, name, None)
                if isinstance(inner, tuple | list):
                    self.texts += [(f"{label}.{name}", repr(item)) for item in inner]

    def run(self, label: str, call: Callable[[], object]) -> object:
        """Call; record the result, or every text of the exception and its causes."""
        try:
            result = call()
        except Exception as exc:
            self.texts += [(f"{label}: exception", text) for text in exception_texts(exc)]
            return exc
        if not isinstance(result, bytes):  # bytes are the product (a PFX, a key file)
            self.see(label, result)
        return result


def exception_texts(exc: BaseException) -> Iterator[str]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        yield from map(repr, current.args)
        current = current.__cause__ or current.__context__
    yield "".join(traceback.format_exception(exc))


# --- the secret forms -----------------------------------------------------------------------


def _secret_numbers(key: Any) -> list[int]:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return [key.private_numbers().private_value]
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        return [n.d, n.p, n.q, n.dmp1, n.dmq1, n.iqmp]
    raise AssertionError(type(key))


def key_forms(key: Any) -> Iterator[tuple[str, str]]:
    """Every way key bytes could show up in text."""
    formats = {
        "PKCS#8": serialization.PrivateFormat.PKCS8,
        "traditional": serialization.PrivateFormat.TraditionalOpenSSL,
    }
    for name, fmt in formats.items():
        der = key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())
        pem = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())
        yield f"{name} DER base64", base64.b64encode(der).decode()
        yield f"{name} DER hex", der.hex()
        for line in pem.decode().splitlines():
            if not line.startswith("-----"):
                yield f"{name} PEM line", line
    for number in _secret_numbers(key):
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        yield "secret number (decimal)", str(number)
        for start in range(0, len(raw) - 8, 4):  # any 8-byte stretch of the secret
            window = raw[start : start + 8]
            yield "secret bytes (hex)", window.hex()
            yield "secret bytes (HEX)", window.hex().upper()
            yield "secret bytes (repr)", repr(window)[2:-1]
            yield "secret bytes (base64)", base64.b64encode(raw[start : start + 9]).decode()


# --- the session ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("secrets")


def library_session(s: Session, workdir: Path) -> dict[str, Path]:
    web = build_test_chain(["www.contoso.com"], key_type=KeyType.RSA_2048)
    clients = build_test_chain(["unused.example"], key_type=KeyType.EC_P256)
    client = clients.issue_client("client1@contoso.com")
    lone = build_self_signed(["lone.contoso.com"], key_type=KeyType.EC_P384)
    s.keys += [
        web.root.private_key,
        web.intermediates[0].private_key,
        web.server.private_key,
        clients.root.private_key,
        client.private_key,
        lone.private_key,
    ]
    s.passwords |= {PFX_PASSWORD, KEY_PASSWORD, NEW_PASSWORD, LONG_PASSWORD, *WRONG_PASSWORDS}
    s.see("objects", web, web.server, web.root, clients, client, lone)

    listener = web.listener_pfx(PFX_PASSWORD)
    modern = web.listener_pfx(LONG_PASSWORD, profile="modern")
    key_pem = web.server.key_pem(KEY_PASSWORD)
    plain_key_pem = web.server.key_pem()
    client_pfx = client.pfx(PFX_PASSWORD, chain=[clients.issuer.certificate])
    unprotected = to_pfx(web.server.private_key, web.server.certificate, password=None)
    files = {
        "listener.pfx": listener,
        "modern.pfx": modern,
        "server.key": key_pem,
        "server-plain.key": plain_key_pem,
        "server.cer": web.server.cer(),
        "client.pfx": client_pfx,
        "client-ca.cer": clients.client_ca_cer(),
        "backend.pem": web.backend_chain_pem(),
        "root.cer": web.trusted_root_cer(),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = workdir / name
        paths[name].write_bytes(data)

    for password in (None, PFX_PASSWORD, LONG_PASSWORD, *WRONG_PASSWORDS):
        for name, data in (("listener", listener), ("modern", modern), ("client", client_pfx)):
            s.run(f"load_pfx {name}", lambda d=data, p=password: load_pfx(d, p))
            s.run(f"describe {name}", lambda d=data, p=password: describe(d, p))
            s.run(f"load_bundle {name}", lambda d=data, p=password: load_bundle(d, p))
            s.run(f"pfx_to_cer {name}", lambda d=data, p=password: pfx_to_cer(d, p).decode())
            s.run(f"extract pubkey {name}", lambda d=data, p=password: extract_public_key(d, p))
            s.run(
                f"extract auth {name}", lambda d=data, p=password: extract_authentication_cert(d, p)
            )
            s.run(f"extract root {name}", lambda d=data, p=password: extract_trusted_root(d, p))
            for sku in ("v1", "v2"):
                s.run(
                    f"check_upload listener {name} {sku}",
                    lambda d=data, p=password, k=sku: check_upload(
                        Slot.LISTENER, d, sku=k, password=p, hostnames=["www.contoso.com"]
                    ),
                )
        s.run("load_private_key", lambda p=password: load_private_key(key_pem, p))
        s.run(
            "cer_to_pfx",
            lambda p=password: cer_to_pfx(
                web.server.cer(), key_pem, password=NEW_PASSWORD, key_password=p
            ),
        )
    # key material where a certificate is expected, and damaged key material
    for slot in Slot:
        for data in (plain_key_pem, key_pem, unprotected, plain_key_pem + web.server.cer()):
            s.run(
                f"check_upload {slot.value} with a key",
                lambda d=data, sl=slot: check_upload(sl, d, sku="v2"),
            )
    for cut in (40, 100, 200, len(plain_key_pem) - 30):
        damaged = plain_key_pem[:cut] + b"A" + plain_key_pem[cut + 1 :]
        s.run("damaged key", lambda d=damaged: load_private_key(d))
        s.run(
            "damaged key to pfx",
            lambda d=damaged: cer_to_pfx(web.server.cer(), d, password=NEW_PASSWORD),
        )
        s.run("damaged key certs", lambda d=damaged: load_certificates(d))
    for cut in range(0, len(unprotected), max(1, len(unprotected) // 25)):
        for data in (unprotected[:cut], unprotected[:cut] + b"\x00" + unprotected[cut + 1 :]):
            s.run("damaged unprotected pfx", lambda d=data: load_pfx(d))
            s.run(
                "damaged unprotected pfx check",
                lambda d=data: check_upload(Slot.LISTENER, d, sku="v2"),
            )
            s.run("damaged unprotected pfx to_cer", lambda d=data: to_cer(d))
    s.run(
        "check_backend",
        lambda: check_backend(
            web.backend_chain_pem(), sku="v2", host_name="www.contoso.com",
            trusted_roots=[web.trusted_root_cer()],
        ),
    )  # fmt: skip
    s.run("check_client", lambda: check_client(client_pfx, clients.client_ca_cer()))

    # an ARM template whose parameters hold a PFX and its password
    g = GatewayBuilder(name="gw", tier="Standard_v2")
    g.listener_cert("web-cert", [web.server.certificate], listener, PFX_PASSWORD)
    g.listener_cert("modern-cert", [web.server.certificate], modern, LONG_PASSWORD)
    g.add(
        "httpListeners", "web", protocol="Https", hostName="www.contoso.com",
        sslCertificate=g.ref("sslCertificates", "web-cert"),
    )  # fmt: skip
    template, parameters = g.arm(), g.arm_parameters()
    wrong = json.loads(json.dumps(parameters).replace(PFX_PASSWORD, WRONG_PASSWORDS[0]))
    for params in (parameters, wrong, None):
        audit = s.run("audit_gateway", lambda p=params: audit_gateway(template, parameters=p))
        if not isinstance(audit, Exception):
            s.see("audit.to_dict", getattr(audit, "to_dict", lambda: None)())
    s.run("audit_gateway put body", lambda: audit_gateway(g.rest(put=True)))
    paths["template.json"] = workdir / "template.json"
    paths["template.json"].write_text(json.dumps(template))
    for name, params in (("params.json", parameters), ("wrong-params.json", wrong)):
        paths[name] = workdir / name
        paths[name].write_text(json.dumps(params))
    return paths


def cli(s: Session, label: str, *argv: str | Path, stdin: str | None = None, cwd: Path) -> int:
    env = {**os.environ, "APPGW_TEST_PASSWORD": ENV_PASSWORD, "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "appgw_certs", *map(str, argv)],
        input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip
    s.texts += [(f"cli {label}: stdout", result.stdout), (f"cli {label}: stderr", result.stderr)]
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode


def cli_session(s: Session, paths: dict[str, Path], workdir: Path) -> None:
    s.passwords.add(ENV_PASSWORD)
    (workdir / "pw.txt").write_text(PFX_PASSWORD + "\n")
    (workdir / "wrong.txt").write_text(WRONG_PASSWORDS[0] + "\n")
    pfx = paths["listener.pfx"]
    specs = {
        "pass": (f"pass:{PFX_PASSWORD}", None),
        "pass wrong": (f"pass:{WRONG_PASSWORDS[1]}", None),
        "file": (f"file:{workdir / 'pw.txt'}", None),
        "file wrong": (f"file:{workdir / 'wrong.txt'}", None),
        "env": ("env:APPGW_TEST_PASSWORD", None),  # the wrong one for this file
        "stdin": ("stdin", PFX_PASSWORD + "\n"),
        "stdin wrong": ("stdin", WRONG_PASSWORDS[0] + "\n"),
    }
    statuses = {}
    for label, (spec, stdin) in specs.items():
        statuses[label] = cli(
            s, f"inspect {label}", "inspect", pfx, "--password", spec, stdin=stdin, cwd=workdir
        )
        if label not in ("pass", "file", "stdin wrong"):
            continue
        cli(
            s,
            f"inspect json {label}",
            "inspect",
            pfx,
            "--json",
            "--password",
            spec,
            stdin=stdin,
            cwd=workdir,
        )
        cli(
            s,
            f"check {label}",
            "check",
            "listener",
            pfx,
            "--sku",
            "v2",
            "--password",
            spec,
            "--json",
            stdin=stdin,
            cwd=workdir,
        )
        cli(
            s,
            f"extract {label}",
            "extract",
            "pubkey",
            pfx,
            "--password",
            spec,
            stdin=stdin,
            cwd=workdir,
        )
        out = workdir / f"out-{label.replace(' ', '-')}.cer"
        cli(
            s,
            f"convert {label}",
            "convert",
            pfx,
            out,
            "--to",
            "cer",
            "--password",
            spec,
            stdin=stdin,
            cwd=workdir,
        )
    assert statuses["pass"] == statuses["file"] == statuses["stdin"] == 0
    assert statuses["pass wrong"] == statuses["file wrong"] == statuses["env"] == 2
    for key_spec in (f"pass:{KEY_PASSWORD}", f"pass:{WRONG_PASSWORDS[0]}"):
        cli(
            s, "convert to pfx", "convert", paths["server.cer"],
            workdir / f"new-{len(key_spec)}.pfx", "--key", paths["server.key"],
            "--key-password", key_spec, "--password", f"pass:{NEW_PASSWORD}", cwd=workdir,
        )  # fmt: skip
    cli(s, "pfx to pfx", "convert", pfx, workdir / "re.pfx", "--password", f"pass:{PFX_PASSWORD}",
        "--new-password", f"pass:{NEW_PASSWORD}", cwd=workdir)  # fmt: skip
    cli(s, "client", "client", paths["client.pfx"], "--client-ca", paths["client-ca.cer"],
        "--password", f"pass:{PFX_PASSWORD}", cwd=workdir)  # fmt: skip
    for params in ("params.json", "wrong-params.json"):
        cli(
            s,
            f"audit {params}",
            "audit",
            paths["template.json"],
            "--parameters",
            paths[params],
            cwd=workdir,
        )
        cli(
            s,
            f"audit json {params}",
            "audit",
            paths["template.json"],
            "--parameters",
            paths[params],
            "--json",
            cwd=workdir,
        )

    # files the CLI writes hold new keys and invented passwords: those are secrets too
    assert (
        cli(s, "quickstart", "quickstart", workdir / "qs", "--key-type", "ec-p256", cwd=workdir)
        == 0
    )
    chain_argv: list[str | Path] = [
        "chain",
        workdir / "chain",
        "--hostname",
        "app.contoso.com",
        "--key-type",
    ]
    chain_argv += ["ec-p256", "--password", f"pass:{PFX_PASSWORD}"]
    assert cli(s, "chain", *chain_argv, cwd=workdir) == 0
    for line in (workdir / "qs" / "passwords.txt").read_text().splitlines():
        if ": " in line and not line.startswith("#"):
            s.passwords.add(line.split(": ", 1)[1].strip())
    for written in [*(workdir / "qs").iterdir(), *(workdir / "chain").iterdir()]:
        s.keys += keys_in(written, s.passwords)
    assert len(s.passwords) >= 10


def keys_in(path: Path, passwords: set[str]) -> list[Any]:
    """The private keys a written file holds (trying every known password)."""
    for password in (None, *sorted(passwords)):
        try:
            bundle = load_bundle(path, password)
        except Exception:  # noqa: S112 - not this password, or not a key file
            continue
        if bundle.private_key is not None:
            return [bundle.private_key]
    return []


def test_no_password_or_key_material_in_any_output(
    workdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    s = Session()
    paths = library_session(s, workdir)
    cli_session(s, paths, workdir)
    for record in caplog.records:
        s.texts.append(("log", record.getMessage()))
        s.texts.append(("log args", repr(record.args)))
        if record.exc_info:
            s.texts.append(("log exc", "".join(traceback.format_exception(*record.exc_info))))

    assert len(s.keys) >= 10
    assert len(s.texts) > 2000
    secrets = [(f"password #{i}", p) for i, p in enumerate(sorted(s.passwords))]
    assert all(len(p) >= 6 for _, p in secrets)  # long enough not to match by chance
    for key in s.keys:
        secrets += [(label, form) for label, form in key_forms(key)]
    leaks = [
        f"{what} in {where}"
        for where, text in s.texts
        for what, secret in secrets
        if secret in text
    ]
    assert not leaks, "\n".join(leaks[:20])


def test_the_search_finds_what_it_looks_for() -> None:
    """The detector is not vacuous: a repr that printed a key or a password is caught."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    leaky = [pem, f"ValueError({raw[5:40]!r})", raw[3:20].hex(), f"<key {raw.hex()}>"]
    forms = [form for _, form in key_forms(key)]
    for text in leaky:
        assert any(form in text for form in forms), text


@pytest.mark.parametrize("password", [PFX_PASSWORD, b"Raw8Bytes", None])
def test_private_keys_never_in_a_repr(password: str | bytes | None) -> None:
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    pfx = load_pfx(chain.listener_pfx(password), password)
    bundle = load_bundle(chain.server.key_pem() + chain.server.cer())
    forms = [form for _, form in key_forms(chain.server.private_key)]
    for value in (chain, chain.server, chain.root, pfx, bundle):
        text = repr(value)
        assert "PrivateKey object" not in text  # not even the object
        assert not [form for form in forms if form in text]
        if password is not None:
            assert str(password) not in text


def test_mutated_key_files_never_echo_key_bytes() -> None:
    """Damaged unencrypted keys: the error says what is wrong, not what the bytes were."""
    from hypothesis import given, settings

    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    forms = [form for _, form in key_forms(key)]

    @settings(max_examples=150)
    @given(mutated(der))
    def run(data: bytes) -> None:
        for call in (load_private_key, load_certificates, describe, load_pfx):
            try:
                call(data)
            except Exception as exc:
                texts = list(exception_texts(exc))
                assert not [f for f in forms for t in texts if f in t]

    run()
