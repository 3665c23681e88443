"""The CLI's operating-system layer, in process: password SPECs, atomic file sets, colour."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from appgw_certs._cli.backend import split_host_port
from appgw_certs._cli.passwords import invent_password, read_password
from appgw_certs._cli.terminal import CliError, Console, OutputFiles, wants_colour
from appgw_certs._findings.report import Finding, Report, Severity

# Passwords of printable characters without newlines (a file's first line).
passwords = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=4, max_size=40
).filter(lambda p: p.strip() == p and len(p) >= 4)


@settings(max_examples=50)
@given(password=passwords)
def test_pass_and_env_return_the_text(password: str) -> None:
    assert read_password("pass:" + password) == password.encode()
    os.environ["APPGW_CERTS_TEST_PW"] = password
    try:
        assert read_password("env:APPGW_CERTS_TEST_PW") == password.encode()
    finally:
        del os.environ["APPGW_CERTS_TEST_PW"]


@settings(max_examples=25)
@given(password=passwords, rest=st.sampled_from(["", "\n", "\r\n", "\nsecond line\n"]))
def test_file_reads_the_first_line_only(password: str, rest: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "pw")
        path.write_bytes(password.encode() + rest.encode())
        assert read_password(f"file:{path}") == password.encode()


def test_fd_reads_the_first_line() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"Fd0Secret\nignored\n")
    os.close(write_end)
    try:
        assert read_password(f"fd:{read_end}") == b"Fd0Secret"
    finally:
        os.close(read_end)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("Secret123", ["pass:TEXT", "env:VAR"]),  # no prefix: openssl refuses it too
        ("pass", ["pass:TEXT"]),
        ("env:APPGW_CERTS_SURELY_UNSET", ["APPGW_CERTS_SURELY_UNSET", "not set"]),
        ("file:/nonexistent/pw.txt", ["/nonexistent/pw.txt"]),
        ("fd:notanumber", ["fd:N"]),
        ("magic:Secret123", ["pass:TEXT"]),
    ],
)
def test_bad_specs_name_the_source_never_the_password(spec: str, words: list[str]) -> None:
    with pytest.raises(CliError) as info:
        read_password(spec)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    assert "Secret123" not in message


@settings(max_examples=100)
@given(
    prefix=st.sampled_from(["", "Pass:", "PASS:", "passwd:", "magic:", "fd:x", "stdin:", "env"]),
    secret=passwords,
)
def test_no_malformed_spec_echoes_its_text(prefix: str, secret: str) -> None:
    spec = prefix + secret
    assume(not re.match(r"(pass|env|file|fd):|stdin$", spec))  # valid forms: tested above
    with pytest.raises(CliError) as info:
        read_password(spec)
    # The message's own words (e.g. "stdin") may contain a short secret by chance:
    # compare against the message given for a spec with nothing secret in it.
    with pytest.raises(CliError) as blank:
        read_password(prefix + "\x00" * len(secret) if prefix else "bogus:")
    assume(secret not in str(blank.value))
    assert secret not in str(info.value)


@settings(max_examples=100)
@given(
    host=st.one_of(
        st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,20}){0,3}", fullmatch=True),
        st.ip_addresses().map(str),
    ),
    port=st.one_of(st.none(), st.integers(1, 65535)),
)
def test_split_host_port_round_trips(host: str, port: int | None) -> None:
    text = host if port is None else (f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
    assert split_host_port(text) == (host, 443 if port is None else port)


@pytest.mark.parametrize(
    "text", ["", ":443", "host:0", "host:65536", "host:https", "[::1]:x", "[::1", "a:b:c", "[]:1"]
)
def test_split_host_port_refuses_nonsense(text: str) -> None:
    with pytest.raises(CliError, match="HOST"):
        split_host_port(text)


def test_empty_password_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(CliError, match="empty"):
        read_password(f"file:{tmp_path / 'empty'}")


def test_invented_passwords_fit_azure_and_differ() -> None:
    seen = {invent_password() for _ in range(200)}
    assert len(seen) == 200
    for password in seen:
        assert re.fullmatch(r"[A-Za-z0-9]{12}", password)
        assert any(c.isdigit() for c in password)
        assert any(c.isalpha() for c in password)


# --------------------------------------------------------------------------- files


def test_files_appear_only_on_commit_with_their_modes(tmp_path: Path) -> None:
    with OutputFiles() as out:
        out.add(tmp_path / "key.pem", b"secret", private=True)
        out.add(tmp_path / "cert.pem", b"public")
        visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
        assert visible == []  # nothing under its real name before commit
        out.commit()
    assert sorted(os.listdir(tmp_path)) == ["cert.pem", "key.pem"]
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "key.pem").read_bytes() == b"secret"


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_an_interruption_before_commit_leaves_nothing(
    tmp_path: Path, interruption: type[BaseException]
) -> None:
    outdir = tmp_path / "new" / "deeper"

    def write_then_fail() -> None:
        with OutputFiles() as out:
            out.make_dir(outdir)
            out.add(outdir / "a.pfx", b"x" * 10_000, private=True)
            out.add(outdir / "b.cer", b"y")
            raise interruption

    with pytest.raises(interruption):
        write_then_fail()
    assert os.listdir(tmp_path) == []  # the directories it made are gone as well


def test_existing_files_are_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "a.cer").write_bytes(b"old")
    with pytest.raises(CliError, match="--force"), OutputFiles() as out:
        out.add(tmp_path / "a.cer", b"new")
    assert (tmp_path / "a.cer").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.cer"]
    with OutputFiles(force=True) as out:
        out.add(tmp_path / "a.cer", b"new", private=True)
        out.commit()
    assert (tmp_path / "a.cer").read_bytes() == b"new"
    assert (tmp_path / "a.cer").stat().st_mode & 0o777 == 0o600


def test_a_file_that_appears_before_commit_is_not_overwritten(tmp_path: Path) -> None:
    def race() -> None:
        with OutputFiles() as out:
            out.add(tmp_path / "a.cer", b"ours")
            (tmp_path / "a.cer").write_bytes(b"someone else's")
            out.commit()

    with pytest.raises(CliError, match="--force"):
        race()
    assert (tmp_path / "a.cer").read_bytes() == b"someone else's"
    assert os.listdir(tmp_path) == ["a.cer"]


def test_a_directory_in_the_way_is_named_not_the_temp_file(tmp_path: Path) -> None:
    """`extract root chain.pem -o somedir --force`: the error names somedir."""
    (tmp_path / "out.cer").mkdir()

    def write() -> None:
        with OutputFiles(force=True) as out:
            out.add(tmp_path / "out.cer", b"new")
            out.commit()

    with pytest.raises(CliError) as caught:
        write()
    assert str(caught.value).startswith(f"cannot write {tmp_path / 'out.cer'}: "), caught.value
    assert ".tmp" not in str(caught.value)
    assert os.listdir(tmp_path) == ["out.cer"]


def test_a_directory_among_targets_replaces_nothing_with_force(tmp_path: Path) -> None:
    (tmp_path / "first.pem").write_bytes(b"old")
    (tmp_path / "second.pem").mkdir()

    def write() -> None:
        with OutputFiles(force=True) as out:
            out.add(tmp_path / "first.pem", b"new")
            out.add(tmp_path / "second.pem", b"new")
            out.commit()

    with pytest.raises(CliError, match=r"second\.pem"):
        write()
    assert (tmp_path / "first.pem").read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["first.pem", "second.pem"]


def test_a_dangling_symlink_counts_as_existing(tmp_path: Path) -> None:
    (tmp_path / "link.pem").symlink_to(tmp_path / "elsewhere.pem")
    with pytest.raises(CliError), OutputFiles() as out:
        out.add(tmp_path / "link.pem", b"key", private=True)
    assert not (tmp_path / "elsewhere.pem").exists()


# --------------------------------------------------------------------------- output


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("terminal", "no_color", "expected"),
    [(True, None, True), (True, "1", False), (True, "", True), (False, None, False)],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, no_color: str | None, expected: bool
) -> None:
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    stream = _FakeTerminal() if terminal else io.StringIO()
    assert wants_colour(stream) is expected


def _report() -> Report:
    return Report(
        "Listener certificate (PFX) for Standard_v2",
        (
            Finding("LST007", Severity.WARNING, "not compatible", hint="re-export"),
            Finding("LST002", Severity.ERROR, "wrong password", certificate="CN=x"),
        ),
        details=(("client_cert_issuer_dn", "CN=CA"),),
    )


def test_report_text_is_aligned_and_complete() -> None:
    stream = io.StringIO()
    Console(stream, colour=False).report(_report(), label="a.pfx")
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("FAILED  a.pfx: Listener certificate")
    assert "1 error(s), 1 warning(s)" in lines[0]
    finding_lines = [line for line in lines if "LST0" in line]
    columns = {line.index("LST0") for line in finding_lines}
    assert len(columns) == 1  # codes aligned
    assert any("hint: re-export" in line for line in lines)
    assert any("client cert issuer dn" in line and "CN=CA" in line for line in lines)
    assert "\x1b[" not in stream.getvalue()


def test_report_colour_marks_severities() -> None:
    stream = io.StringIO()
    Console(stream, colour=True).report(_report())
    text = stream.getvalue()
    assert "\x1b[1;31mFAILED\x1b[0m" in text
    assert "\x1b[33mwarning" in text
