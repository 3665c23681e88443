"""docs/troubleshooting.md: generated from the registry and up to date; keyed by every Azure
error code and every text users see; those texts are the ones the verdicts print; and every
command it gives parses."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appgw_certs import KeyType, Report, build_test_chain, check_backend, check_client
from appgw_certs._cli.main import build_parser
from appgw_certs._findings import seen
from appgw_certs._findings.rules import RULES, render_sources, render_troubleshooting
from appgw_certs._findings.seen import Where, where_seen
from appgw_certs._verdicts import backend

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "troubleshooting.md"


def test_docs_troubleshooting_page_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == render_troubleshooting(), (
        "docs/troubleshooting.md is out of date: run "
        "`python -m appgw_certs._findings.rules troubleshooting > docs/troubleshooting.md`"
    )
    out = subprocess.run(
        [sys.executable, "-m", "appgw_certs._findings.rules", "troubleshooting"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert out == render_troubleshooting()


def test_the_page_is_in_the_docs_table_of_contents() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    toctrees = re.findall(r"```\{toctree\}(.*?)```", index, flags=re.DOTALL)
    assert any(re.search(r"^troubleshooting$", t, flags=re.MULTILINE) for t in toctrees)


def _section(page: str, heading: str) -> list[str]:
    part = page.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in part.splitlines() if line.startswith("| ") and "---" not in line][1:]


def test_every_verb_that_checks_is_offered() -> None:
    verbs = {command.split()[1] for command in _check_commands()}
    assert verbs == {"check", "backend", "client", "audit"}


def test_every_azure_error_code_is_a_row_with_its_rules() -> None:
    rows = _section(render_troubleshooting(), "Azure error codes")
    codes = {rule.azure_code for rule in RULES.values() if rule.azure_code}
    assert len(rows) == len(codes) >= 9
    for code in codes:
        (row,) = [row for row in rows if row.startswith(f"| `{code}` |")]
        for rule in RULES.values():
            assert (f"[{rule.code}](" in row) == (rule.azure_code == code)
            if rule.azure_code == code:
                assert rule.azure_code_reference in row
                assert rule.hint.replace("|", "\\|") in row
    assert all(f"`{code}`" in render_sources() for code in codes)


_HEADINGS = {
    Where.PORTAL: "Portal and deployment messages",
    Where.BACKEND_HEALTH: "Backend health",
    Where.SSL_CLIENT_VERIFY: "sslClientVerify (mutual TLS)",
}


def test_every_text_users_see_is_one_row_of_its_section() -> None:
    page = render_troubleshooting()
    texts = {text for rule in RULES.values() for text in rule.seen_as}
    assert len(texts) >= 25
    for where, heading in _HEADINGS.items():
        rows = _section(page, heading)
        mine = {text for text in texts if where_seen(text) is where}
        assert len(rows) == len(mine)
        for text in mine:
            (row,) = [row for row in rows if row.startswith(f"| {text} |")]
            for rule in RULES.values():
                assert (f"[{rule.code}](" in row) == (text in rule.seen_as), (text, rule.code)
    assert where_seen(seen.NO_CLIENT_CERTIFICATE) is Where.SSL_CLIENT_VERIFY
    assert "NONE" in RULES["MT001"].seen_as


def test_the_texts_are_the_verdicts_own() -> None:
    """The registry keeps a copy of the verdicts' texts (they sit a layer above it)."""
    names = [name for name in vars(backend) if name.startswith("MSG_")]
    assert len(names) >= 13
    for name in names:
        assert getattr(seen, name.removeprefix("MSG_")) == getattr(backend, name), name


def _verdicts() -> list[Report]:
    """Backend and client verdicts on real chains, one per rule the texts belong to."""
    now = datetime.now(UTC)
    web = build_test_chain(["backend.contoso.com"], key_type=KeyType.EC_P256)
    other = build_test_chain(["backend.contoso.com"], key_type=KeyType.EC_P256)
    old = build_test_chain(
        ["backend.contoso.com"], key_type=KeyType.EC_P256, not_before=now - timedelta(days=40)
    )
    leaf, (inter,), root = web.server.certificate, web.intermediates, web.root
    full = [leaf, inter.certificate, root.certificate]
    v2 = {"sku": "v2", "host_name": "backend.contoso.com", "trusted_roots": [root.certificate]}
    client = web.issue_client("alice", key_type=KeyType.EC_P256)
    stranger = other.issue_client("bob", key_type=KeyType.EC_P256)
    return [
        check_backend([inter.certificate], **v2),  # BE001
        check_backend([inter.certificate, leaf], **v2),  # BE002
        check_backend([leaf], **v2),  # BE003
        check_backend(full, **{**v2, "trusted_roots": [other.root.certificate]}),  # BE004
        check_backend(full[:2], **{**v2, "trusted_roots": [other.root.certificate]}),  # BE005
        check_backend(full, sku="v2", host_name="backend.contoso.com", use_well_known=True),
        check_backend(full, **{**v2, "host_name": "www.fabrikam.com"}),  # BE007 (v2)
        check_backend(
            full,
            sku="v1",
            host_name="www.fabrikam.com",
            authentication_certs=[other.server.certificate],
        ),  # BE007 (v1), BE008
        check_backend(
            [old.server.certificate, *(c.certificate for c in old.intermediates)],
            sku="v2",
            host_name="backend.contoso.com",
            trusted_roots=[old.root.certificate],
            now=now + timedelta(days=400),
        ),  # GEN002
        check_client([stranger.certificate], web.client_ca_cer()),  # MT002
        check_client([leaf, inter.certificate], web.client_ca_cer()),  # MT003
        check_client(  # MT004
            [client.certificate], other.client_ca_cer() + web.client_ca_cer(), verify_issuer_dn=True
        ),
        check_client([client.certificate], web.client_ca_cer(), now=now + timedelta(days=4000)),
    ]


def test_the_verdicts_say_what_the_registry_says_users_see() -> None:
    covered = set()
    for report in _verdicts():
        for f in report.findings:
            texts = RULES[f.code].seen_as
            if f.code.startswith(("BE", "MT")) or (f.code == "GEN002" and texts):
                if not texts:
                    continue
                assert any(f.message.startswith(t) for t in texts), (f.code, f.message)
                covered.add(f.code)
    expected = {f"BE00{i}" for i in range(1, 9)} | {"MT002", "MT003", "MT004", "GEN002"}
    assert covered >= expected, expected - covered


def _check_commands() -> list[str]:
    """The commands of the page's "check with" column (the third cell of every row)."""
    commands: set[str] = set()
    for line in render_troubleshooting().splitlines():
        cells = re.split(r"(?<!\\)\|", line)
        if line.startswith("| ") and len(cells) > 4 and "`appgw-certs " in cells[3]:
            commands.update(re.findall(r"`(appgw-certs [^`]+)`", cells[3]))
    return sorted(commands)


@pytest.mark.parametrize("command", _check_commands())
def test_every_check_command_on_the_page_parses(command: str) -> None:
    args = shlex.split(command.replace("SLOT", "listener").replace("SKU", "v2"))[1:]
    parsed = build_parser().parse_args(args)  # a usage error exits (SystemExit 2)
    assert parsed.verb == args[0] in {"check", "backend", "client", "audit"}
    assert callable(parsed.run)
