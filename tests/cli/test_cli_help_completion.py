"""Every option says what it does, and the shell completes verbs and options: the installed
``appgw-certs`` is run with argcomplete's own protocol (``_ARGCOMPLETE``, ``COMP_LINE``,
``COMP_POINT``, the answer written to ``_ARGCOMPLETE_STDOUT_FILENAME``)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from appgw_certs._cli import main as main_module
from appgw_certs._cli.main import VERBS, build_parser
from helpers.cli import command, run

IFS = "\v"  # argcomplete's separator between completions


def verb_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (verbs,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(verbs.choices)


def test_every_option_of_every_verb_has_help() -> None:
    parsers = verb_parsers()
    assert len(parsers) == len(VERBS)
    missing = [
        f"{name} {'/'.join(action.option_strings)}"
        for name, parser in parsers.items()
        for action in parser._actions
        if action.option_strings and not action.help  # SUPPRESS (hidden aliases) is a text
    ]
    assert missing == []


def test_the_walk_would_catch_an_option_without_help() -> None:
    parser = verb_parsers()["chain"]
    parser.add_argument("--undocumented")
    assert [a for a in parser._actions if a.option_strings and not a.help]


def test_help_shows_the_new_options() -> None:
    shown = run("chain", "--help").stdout
    for option in ("--valid-days", "--not-before", "--ca-cert", "--ca-key", "--ca-key-password"):
        assert option in shown
    assert "--ca FILE" in run("extract", "--help").stdout
    backend = run("backend", "--help").stdout
    assert "trusted root certificate uploaded" in backend


def complete(line: str, tmp_path: Path, *, point: int | None = None) -> list[str]:
    """What the installed program answers when the shell asks for completions of ``line``."""
    answer = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": IFS,
        "COMP_LINE": line,
        "COMP_POINT": str(len(line) if point is None else point),
        "COMP_TYPE": "9",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }
    done = subprocess.run(
        command(), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [word.strip() for word in answer.read_text().split(IFS) if word.strip()]


def test_the_shell_completes_verbs(tmp_path: Path) -> None:
    assert set(complete("appgw-certs ", tmp_path)) >= {
        "quickstart", "chain", "inspect", "convert", "extract", "client-ca", "check",
        "backend", "client", "audit",
    }  # fmt: skip
    assert sorted(complete("appgw-certs ch", tmp_path)) == ["chain", "check"]


def test_the_shell_completes_options_and_choices(tmp_path: Path) -> None:
    assert sorted(complete("appgw-certs chain ./pki --ca", tmp_path)) == [
        "--ca-cert",
        "--ca-key",
        "--ca-key-password",
    ]
    assert set(complete("appgw-certs chain ./pki --key-type ", tmp_path)) == {
        "rsa2048", "rsa3072", "rsa4096", "ec-p256", "ec-p384",
    }  # fmt: skip
    assert set(complete("appgw-certs extract ", tmp_path)) >= {"auth", "root", "pubkey"}
    assert "--hostname" not in complete("appgw-certs chain ./pki --h", tmp_path)  # hidden alias


def test_completion_answers_only_when_asked(tmp_path: Path) -> None:
    """Without ``_ARGCOMPLETE`` nothing is written and argcomplete is never imported."""
    code = (
        "import sys\n"
        "from appgw_certs._cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('argcomplete' in sys.modules, 'cryptography' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "_ARGCOMPLETE"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False False"


def test_the_entry_point_carries_the_argcomplete_marker() -> None:
    path = Path(main_module.__file__ or "")
    assert "# PYTHON_ARGCOMPLETE_OK" in path.read_bytes()[:1024].decode()
