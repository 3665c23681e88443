"""Every argument is checked when it is parsed: a bad value is one line on stderr, exit 2,
before anything runs (no key is made, no file read, no connection tried)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs._cli.audit import MAX_DAYS
from appgw_certs._cli.chain import MAX_INTERMEDIATES
from appgw_certs._cli.main import main
from appgw_certs._cli.options import MAX_TIMEOUT_SECONDS
from appgw_certs._testpki import build

BIG = "9" * 5000  # int() refuses it (over 4,300 digits); float() makes it inf


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The one stderr line of argparse's usage error for ``argv`` (exit 2, nothing on stdout)."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    assert (exit_info.value.code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert "internal error" not in err
    return err


@pytest.mark.parametrize(
    "timeout", ["inf", "-inf", "nan", "1e300", BIG, "0", "-1", "301", "", "ten", "\x00"]
)
def test_probe_timeout_is_finite_positive_and_at_most_300(
    timeout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # 127.0.0.1:9 is never reached: the value is refused first
    argv = ["backend", "--probe", "127.0.0.1:9", "--sku", "v2", "--timeout", timeout]
    err = usage_error(argv, capsys)
    assert "--timeout" in err
    assert BIG not in err  # a long value is quoted cut short


@settings(max_examples=100)
@given(seconds=st.floats(min_value=1e-3, max_value=MAX_TIMEOUT_SECONDS))
def test_probe_timeout_takes_every_value_in_range(seconds: float) -> None:
    from appgw_certs._cli.options import timeout_seconds

    assert timeout_seconds(repr(seconds)) == seconds
    assert math.isfinite(timeout_seconds(str(seconds)))


@pytest.mark.parametrize("days", ["1000000000", "36501", BIG, "-1", "1e3", "1_000", "²", ""])
def test_days_are_0_to_36500(days: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--days" in usage_error(["audit", "-", "--days", days], capsys)


def test_days_at_the_bound_audits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gateway.json"
    path.write_text('{"name": "gw", "properties": {"sku": {"name": "Standard_v2"}}}')
    assert main(["audit", str(path), "--days", str(MAX_DAYS)]) == 0
    assert "Gateway gw" in capsys.readouterr().out


@pytest.mark.parametrize("count", ["-1", "6", "100000", BIG, "1.0", "two", ""])
def test_intermediates_are_0_to_5(
    count: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["chain", str(tmp_path / "out"), "--hostname", "a.example", "--intermediates", count]
    assert "--intermediates" in usage_error(argv, capsys)
    assert not (tmp_path / "out").exists()


def test_the_cli_bound_on_intermediates_is_the_library_s() -> None:
    assert MAX_INTERMEDIATES == build.MAX_INTERMEDIATES


@pytest.mark.parametrize("target", ["", ":", "[", "[]:1", "host:0", "host:65536", "a:²", "::1:x"])
def test_probe_target_is_checked(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "--probe" in usage_error(["backend", "--probe", target, "--sku", "v2"], capsys)


@pytest.mark.parametrize(
    ("verb", "before"),
    [
        (["inspect"], []),
        (["check", "listener"], ["--sku", "v2"]),
        (["convert", "in.pfx"], []),
        (["extract", "root"], []),
        (["audit"], []),
        (["quickstart"], []),
        (["client"], ["--client-ca", "ca.cer"]),
        (["backend"], ["--sku", "v2"]),
    ],
)
@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_file_names_are_not_empty_and_hold_no_nul(
    verb: list[str], before: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "not a file name" in usage_error([*verb, name, *before], capsys)


@pytest.mark.parametrize("option", ["--password", "--key-password", "--new-password"])
@pytest.mark.parametrize("spec", ["Secret123", "pass", "magic:Secret123", "fd:x", "fd:²", ""])
def test_password_specs_are_checked_without_echoing_them(
    option: str, spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = usage_error(["convert", "in.pfx", "out.pfx", option, spec], capsys)
    assert "pass:TEXT" in err
    assert "Secret123" not in err


def test_a_good_spec_is_read_only_when_the_verb_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A well-formed SPEC naming a missing file passes parsing; reading it is the error."""
    (tmp_path / "x.pem").write_text("not read: the password comes first")
    status = main(["inspect", str(tmp_path / "x.pem"), "--password", "file:/nonexistent/pw"])
    assert status == 2
    assert "--password: cannot read '/nonexistent/pw'" in capsys.readouterr().err
