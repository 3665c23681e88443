"""The command line under hostile arguments: every verb, random option values, no "internal error".

``main(argv)`` runs in-process with stdin, stdout and stderr swapped for buffers, the
working directory a scratch one, and the network pointed only at a closed loopback port.
Values are the ones that broke it before (``inf``, ``1e300``, 5,000 digits, empty
strings, NUL bytes, surrogates from non-UTF-8 bytes) mixed with real files, missing
ones, directories, device nodes, a socket, and random text. The promise: exit status
0, 1 or 2, never "internal error", and the special nodes left exactly as they were.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from hypothesis import event, given, settings
from hypothesis import strategies as st

from appgw_certs import KeyType, build_test_chain
from appgw_certs._cli.main import main
from helpers.gateway import GatewayBuilder
from helpers.tls_servers import refused_port

PASSWORD = "Sweep1Pw"
#: Surrogates are how Python hands over argv bytes that are not UTF-8.
HOSTILE = [
    "", " ", "-", "--", "0", "-1", "1.5", "inf", "-inf", "nan", "1e300", "-1e300",
    "99999999999999999999", "9" * 5000, "0x10", "1_000", "²", "\x00", "a\x00b",
    "\udcff", "pw\udcff\udcfe", "\n", "\x1b[2J", "-h",
    "pass:", f"pass:{PASSWORD}", "pass:\udcff", "env:", "env:HOME", "env:\x00",
    "file:", "file:/dev/zero", "file:\x00", "fd:", "fd:99999999999999999999", "fd:²",
    "stdin", "Standard", "Standard_v2", "WAF_v2", "v1", "v2", "www.contoso.com",
    "*.contoso.com", "xn--", "a..b", "ec-p256", "pfx", "der", "cer",
]  # fmt: skip
STDIN = [b"", b"\n", f"{PASSWORD}\n".encode(), b"\xff\xfe\n", b"[1, 2]", b"{}", b"\x00" * 64]


@dataclass(frozen=True)
class World:
    """Files of every kind, and the special nodes that must never change."""

    home: Path
    paths: tuple[str, ...]
    nodes: tuple[Path, ...]
    probes: tuple[str, ...]
    gateway_json: bytes

    def fingerprints(self) -> list[tuple[int, int, int]]:
        return [(s.st_mode, s.st_rdev, s.st_ino) for s in map(os.lstat, self.nodes)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("sweep")
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    files = {
        "root.cer": chain.trusted_root_cer(),
        "chain.pem": chain.backend_chain_pem(),
        "listener.pfx": chain.listener_pfx(PASSWORD),
        "server.key": chain.server.key_pem(),
        "client.pfx": chain.issue_client("c@contoso.com").pfx(PASSWORD),
        "client-ca.cer": chain.client_ca_cer(),
        "plain.txt": b"This is not a certificate.\n",
        "empty": b"",
    }
    for name, data in files.items():
        (home / name).write_bytes(data)
    gateway = GatewayBuilder()
    gateway.listener_cert("web", [chain.server.certificate], chain.listener_pfx(PASSWORD), PASSWORD)
    gateway_json = json.dumps(gateway.cli()).encode()
    (home / "gateway.json").write_bytes(gateway_json)
    (home / "list.json").write_text(json.dumps([gateway.cli(), 42, {"name": 1}]))
    (home / "params.json").write_text('{"parameters": {"x": {"value": 1e999}}}')
    (home / "a-directory").mkdir()
    with contextlib.ExitStack() as stack:
        nodes = [home / "a-directory", *_device_nodes(home)]
        unix = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        unix.bind(str(home / "a-socket"))
        nodes.append(home / "a-socket")
        port = stack.enter_context(refused_port())
        paths = [str(home / n) for n in [*files, "gateway.json", "list.json", "params.json"]]
        paths += [str(home / "missing.pem"), str(home / "missing" / "deeper.pem")]
        paths += [str(home / "root.cer" / "below-a-file.pem"), *map(str, nodes)]
        probes = (f"127.0.0.1:{port}", f"[::1]:{port}", f"localhost:{port}", "", ":", "[")
        yield World(home, tuple(paths), tuple(nodes), probes, gateway_json)


def _device_nodes(home: Path) -> list[Path]:
    """Copies of /dev/null and /dev/zero where we may make them (root), else the real ones
    (which only root could replace): never risk the machine's own nodes."""
    if os.geteuid() != 0:
        return [Path("/dev/null"), Path("/dev/zero")]
    made = []
    for name, minor in (("null-device", 3), ("zero-device", 5)):
        os.mknod(home / name, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        made.append(home / name)
    return made


# No "/": random text never names a place outside the scratch directory.
_TEXT = st.text(st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), max_size=12)


def _values(world: World) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE), st.sampled_from(world.paths), _TEXT).filter(
        lambda v: not v.startswith("fd:") or not v[3:].isdigit() or len(v) > 15
    )  # never a real descriptor of the test process (pytest's, xdist's)


PW = f"pass:{PASSWORD}"
#: Each verb's arguments: (option, or None for a positional; always given?; good values).
#: A good value is a real file or a sensible setting; each may be swapped for a hostile one.
SLOTS: dict[str, list[tuple[str | None, bool, list[str]]]] = {
    "quickstart": [
        (None, True, ["out-quickstart"]),
        ("--hostname", False, ["www.contoso.com", "*.contoso.com"]),
        ("--backend-hostname", False, ["backend.contoso.com"]),
        ("--key-type", False, ["ec-p384"]),
    ],
    "chain": [
        (None, True, ["out-chain"]),
        ("--hostname", True, ["www.contoso.com"]),
        ("--intermediates", False, ["0", "2"]),
        ("--client", False, ["client1"]),
        ("--password", False, [PW, "stdin"]),
    ],
    "inspect": [
        (None, True, ["root.cer", "listener.pfx", "chain.pem", "server.key", "plain.txt"]),
        ("--password", False, [PW, "stdin"]),
    ],
    "convert": [
        (None, True, ["listener.pfx", "root.cer", "chain.pem"]),
        (None, True, ["out.cer", "out.pfx", "out.der"]),
        ("--to", False, ["cer", "der", "pfx"]),
        ("--key", False, ["server.key"]),
        ("--key-password", False, [PW]),
        ("--chain", False, ["chain.pem"]),
        ("--password", False, [PW, "stdin"]),
        ("--new-password", False, ["pass:New1Pw"]),
        ("--profile", False, ["modern", "compatible"]),
    ],
    "extract": [
        (None, True, ["auth", "root", "pubkey"]),
        (None, True, ["listener.pfx", "chain.pem", "root.cer"]),
        ("-o", False, ["out-extract.cer"]),
        ("--password", False, [PW]),
    ],
    "check": [
        (None, True, ["listener", "authentication", "trusted-root", "trusted-client-ca"]),
        (None, True, ["listener.pfx", "root.cer", "client-ca.cer", "chain.pem"]),
        ("--sku", True, ["v1", "v2", "Standard_v2"]),
        ("--password", False, [PW, "stdin"]),
        ("--hostname", False, ["www.contoso.com"]),
    ],
    "backend": [
        (None, True, ["chain.pem", "root.cer"]),
        ("--sku", True, ["v1", "v2"]),
        ("--host-name", False, ["www.contoso.com"]),
        ("--trusted-root", False, ["root.cer"]),
        ("--auth-cert", False, ["chain.pem"]),
        ("--timeout", True, ["0.5", "2"]),
    ],
    "client": [
        (None, True, ["client.pfx", "chain.pem"]),
        ("--client-ca", True, ["client-ca.cer"]),
        ("--password", False, [PW]),
    ],
    "audit": [
        (None, True, ["gateway.json", "list.json", "-"]),
        ("--parameters", False, ["params.json"]),
        ("--days", False, ["0", "30", "36500"]),
    ],
}
FLAGS = {
    "quickstart": ["--show-passwords", "--force", "--json"],
    "chain": ["--force"],
    "inspect": ["--json"],
    "convert": ["--no-password", "--include-chain", "--force"],
    "extract": ["--der", "--force"],
    "check": ["--json"],
    "backend": ["--well-known", "--json"],
    "client": ["--verify-issuer-dn", "--ocsp", "--json"],
    "audit": ["--json"],
}
#: Key generation is the slow part of these two: fewer examples, and EC keys only.
EXAMPLES = {"quickstart": 40, "chain": 60}


@st.composite
def argv_for(draw: st.DrawFn, verb: str, world: World) -> list[str]:
    hostile = _values(world)
    argv = [verb]
    if verb in ("quickstart", "chain"):
        argv += ["--key-type", "ec-p256"]  # an RSA key per example would be slow
    for option, always, good in SLOTS[verb]:
        if not always and not draw(st.booleans()):
            continue
        # good three times in four: runs that reach the library are common, not rare
        value = draw(st.sampled_from(good) if draw(st.integers(0, 3)) else hostile)
        if option == "--key-type" and value not in good:
            value = draw(st.sampled_from(["", "rsa1024", "\x00", "EC-P256"]))
        if verb == "backend" and option is None and draw(st.booleans()):
            argv += ["--probe", draw(st.sampled_from(world.probes))]  # only closed ports
        else:
            argv += [value] if option is None else [option, value]
    return argv + draw(st.lists(st.sampled_from(FLAGS[verb]), max_size=2, unique=True))


def _run(argv: list[str], stdin: bytes, home: Path) -> tuple[int, str]:
    """``main(argv)`` in ``home`` with these bytes on stdin; its exit status and stderr."""
    # as Python sets up a process's streams: stdout strict, stderr backslashreplace
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    saved_stdin, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with contextlib.chdir(home), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):  # fmt: skip
            try:
                status = main(argv)
            except SystemExit as exc:  # argparse: --help, --version, usage errors
                status = exc.code if isinstance(exc.code, int) else 2
            out.flush()
            err.flush()
    finally:
        sys.stdin = saved_stdin
    assert isinstance(err.buffer, io.BytesIO)
    return status, err.buffer.getvalue().decode("utf-8", "replace")


@pytest.mark.parametrize("verb", list(SLOTS))
def test_every_argument_is_a_usage_error_or_a_run_never_an_internal_error(
    verb: str, world: World
) -> None:
    before = world.fingerprints()

    @settings(max_examples=EXAMPLES.get(verb, 200))
    @given(argv=argv_for(verb, world), stdin=st.sampled_from([*STDIN, world.gateway_json]))
    def sweep(argv: list[str], stdin: bytes) -> None:
        status, stderr = _run(argv, stdin, world.home)
        event(f"exit {status}")  # --hypothesis-show-statistics: how often each verb ran
        assert status in (0, 1, 2), (status, stderr)
        assert "internal error" not in stderr, stderr
        assert "Traceback" not in stderr, stderr
        assert world.fingerprints() == before  # no device, socket or directory replaced

    sweep()


# --------------------------------------------------------------------------- non-UTF-8 passwords

#: Two unique halves around bytes that are not UTF-8 (argv and the environment hand them
#: to Python as surrogate escapes). Neither half may appear in anything printed.
MARKER = b"Mk7q\xff\xfeZx9w"


@pytest.fixture(scope="module")
def pfx_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("marker")
    chain = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)
    files = {
        "listener.pfx": chain.listener_pfx(PASSWORD),
        "chain.pem": chain.backend_chain_pem(),
        "server.key": chain.server.key_pem(),
        "pw.txt": MARKER + b"\n",
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return {name: directory / name for name in files}


def _marker_runs(f: dict[str, Path], out: Path) -> list[list[bytes | Path]]:
    spec = b"pass:" + MARKER
    return [
        [b"inspect", f["listener.pfx"], b"--password", spec],
        [b"inspect", f["listener.pfx"], b"--password", b"env:APPGW_MARKER"],
        [b"inspect", f["listener.pfx"], b"--password", b"file:" + bytes(f["pw.txt"])],
        [b"check", b"listener", f["listener.pfx"], b"--sku", b"v2", b"--password", spec],
        [b"check", b"listener", f["listener.pfx"], b"--sku", b"v2", b"--json", b"--password",
         spec],
        [b"extract", b"root", f["listener.pfx"], b"--password", spec],
        [b"convert", f["chain.pem"], out / "new.pfx", b"--key", f["server.key"], b"--password",
         spec],
        [b"convert", f["listener.pfx"], out / "re.pfx", b"--password",
         f"pass:{PASSWORD}".encode(), b"--new-password", spec],
        [b"chain", out / "chain", b"--hostname", b"a.example", b"--key-type", b"ec-p256",
         b"--password", spec],
    ]  # fmt: skip


def test_a_password_that_is_not_utf8_never_appears_in_output(
    pfx_files: dict[str, Path], tmp_path: Path
) -> None:
    environment = {**os.environb, b"APPGW_MARKER": MARKER}
    for argv in _marker_runs(pfx_files, tmp_path):
        done = subprocess.run(
            [sys.executable, "-m", "appgw_certs", *argv],
            capture_output=True, env=environment, timeout=120, check=False,
        )  # fmt: skip
        printed = done.stdout + done.stderr
        assert done.returncode in (0, 1, 2), (argv, done.stderr)
        for leak in (MARKER, b"Mk7q", b"Zx9w", b"\\udcff", b"\\xff\\xfe"):
            assert leak not in printed, (argv, leak)
        for word in (b"internal error", b"Traceback", b"codec"):
            assert word not in done.stderr, (argv, done.stderr)


# --------------------------------------------------------------------------- probe

#: Two ways to spoil a certificate that OpenSSL still serves and cryptography refuses on
#: load: the version written out although DER leaves a default out (a ValueError), and
#: a version X.509 does not have (cryptography's InvalidVersion, not a ValueError).
SPOILED_VERSIONS = {"v1-written-out": b"\xa0\x03\x02\x01\x00", "v4": b"\xa0\x03\x02\x01\x03"}


@contextlib.contextmanager
def serving(openssl: str, cert_der: bytes, key_pem: bytes, where: Path) -> Iterator[int]:
    """``openssl s_server`` on 127.0.0.1 presenting exactly these bytes; yields its port."""
    (where / "cert.der").write_bytes(cert_der)
    (where / "key.pem").write_bytes(key_pem)
    server = subprocess.Popen(
        [openssl, "s_server", "-accept", "127.0.0.1:0", "-certform", "DER",
         "-cert", str(where / "cert.der"), "-key", str(where / "key.pem"),
         "-no-CAfile", "-no-CApath", "-no-CAstore"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith(b"ACCEPT"):
                break
        else:
            raise AssertionError("openssl s_server did not start")
        yield int(line.rsplit(b":", 1)[1])
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.mark.parametrize("spoil", list(SPOILED_VERSIONS))
def test_a_probed_certificate_that_cannot_be_parsed_is_one_line(
    spoil: str, openssl: str, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    credential = build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256).server
    der = credential.certificate.public_bytes(Encoding.DER)
    version_v3 = b"\xa0\x03\x02\x01\x02"
    assert der.count(version_v3) == 1
    spoiled = der.replace(version_v3, SPOILED_VERSIONS[spoil])
    with pytest.raises((ValueError, x509.InvalidVersion)):  # the premise: cryptography refuses it
        x509.load_der_x509_certificate(spoiled)
    with serving(openssl, spoiled, credential.key_pem(), tmp_path) as port:
        done = subprocess.run(
            [sys.executable, "-m", "appgw_certs", "backend", "--probe", f"127.0.0.1:{port}",
             "--sku", "v2", "--timeout", "10"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == (
        f"appgw-certs: error: 127.0.0.1:{port} presents a certificate that cannot be parsed "
        "as X.509\n"
    )
