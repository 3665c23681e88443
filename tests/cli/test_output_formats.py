"""``--format`` (json, sarif, junit, markdown) and ``--fail-on`` on the verbs that report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from appgw_certs import KeyType, TestChain, build_test_chain
from appgw_certs._cli.formats import SCHEMA_VERSION, markdown_cell
from appgw_certs._cli.main import main
from appgw_certs._findings.rules import RULES
from helpers.gateway import GatewayBuilder

PASSWORD = "Formats1Pw"


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256)


@pytest.fixture(scope="module")
def aes_pfx(chain: TestChain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A listener PFX encrypted with AES (OpenSSL 3's default): LST007, a warning."""
    path = tmp_path_factory.mktemp("pfx") / "modern.pfx"
    path.write_bytes(chain.listener_pfx(PASSWORD, profile="modern"))
    return path


@pytest.fixture(scope="module")
def gateway_json(chain: TestChain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gateway whose listener's host name the certificate does not cover (GW001)."""
    g = GatewayBuilder(name="gw")
    full = [chain.server.certificate, *(c.certificate for c in chain.intermediates)]
    g.listener_cert("web-cert", full, chain.listener_pfx(PASSWORD), PASSWORD)
    g.add(
        "httpListeners",
        "web",
        protocol="Https",
        hostName="api.fabrikam.com",
        sslCertificate=g.ref("sslCertificates", "web-cert"),
    )
    path = tmp_path_factory.mktemp("gw") / "gw.json"
    path.write_text(json.dumps(g.rest()))
    return path


def check(pfx: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    args = ["check", "listener", str(pfx), "--sku", "v2", "--password", f"pass:{PASSWORD}"]
    status = main([*args, *options])
    return status, capsys.readouterr().out


def audit(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main(["audit", str(path), *options])
    return status, capsys.readouterr().out


# ------------------------------------------------------------------------------ --fail-on


def test_a_warning_fails_only_when_asked(aes_pfx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check(aes_pfx, capsys)
    assert (status, "LST007" in out) == (0, True)
    assert check(aes_pfx, capsys, "--fail-on", "error")[0] == 0
    assert check(aes_pfx, capsys, "--fail-on", "warning")[0] == 1
    assert check(aes_pfx, capsys, "--fail-on", "info")[0] == 1


def test_fail_on_takes_only_severities(aes_pfx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        check(aes_pfx, capsys, "--fail-on", "fatal")
    assert exited.value.code == 2


def test_audit_fail_on_applies_to_each_gateway(
    gateway_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = audit(gateway_json, capsys, "--json")
    severities = {f["severity"] for f in json.loads(out)["report"]["findings"]}
    assert "error" in severities
    assert status == 1
    assert audit(gateway_json, capsys, "--fail-on", "warning")[0] == 1


# ---------------------------------------------------------------------------------- JSON


def test_json_carries_input_and_schema_version(
    aes_pfx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, alias = check(aes_pfx, capsys, "--json")
    _, spelled = check(aes_pfx, capsys, "--format", "json")
    assert alias == spelled
    data = json.loads(alias)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["input"] == str(aes_pfx)
    assert [f["code"] for f in data["findings"]] == ["LST007"]


def test_json_and_another_format_are_a_usage_error(
    aes_pfx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        check(aes_pfx, capsys, "--json", "--format", "sarif")
    assert exited.value.code == 2


def test_audit_json_carries_input(gateway_json: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(audit(gateway_json, capsys, "--format", "json")[1])
    assert (data["schema_version"], data["input"], data["gateway"]) == (
        SCHEMA_VERSION,
        str(gateway_json),
        "gw",
    )


# --------------------------------------------------------------------------------- SARIF
# The SARIF 2.1.0 JSON schema, as Microsoft's SARIF SDK embeds it (tests/data/sarif/README.md
# says where it comes from). SARIF 2.1.0: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
_SARIF_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text(
        "utf-8-sig"
    )
)


def _sarif_checked(text: str) -> dict[str, object]:
    """The log, validated against the SARIF 2.1.0 schema, and what we promise of each result."""
    log = json.loads(text)
    jsonschema.Draft202012Validator(_SARIF_SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "appgw-certs"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    for rule in rules:
        assert rule["helpUri"].startswith("https://")
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].title
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
    return log


def test_sarif_of_a_check(aes_pfx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = check(aes_pfx, capsys, "--format", "sarif", "--fail-on", "warning")
    assert status == 1
    [run] = _sarif_checked(out)["runs"]  # type: ignore[misc]
    [result] = run["results"]
    assert (result["ruleId"], result["level"]) == ("LST007", "warning")
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == aes_pfx.as_uri()
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["helpUri"] == RULES["LST007"].source


def test_sarif_of_an_audit_names_the_gateway_object(
    gateway_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = audit(gateway_json, capsys, "--format", "sarif")
    assert status == 1
    [run] = _sarif_checked(out)["runs"]  # type: ignore[misc]
    gw001 = [r for r in run["results"] if r["ruleId"] == "GW001"]
    assert gw001
    assert gw001[0]["level"] == "error"
    [location] = gw001[0]["locations"]
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "httpListeners[web]"
    assert location["physicalLocation"]["artifactLocation"]["uri"] == gateway_json.as_uri()


def test_sarif_from_stdin_has_no_file(
    gateway_json: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with gateway_json.open("rb") as stdin:
        monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": stdin})())
        status = main(["audit", "-", "--format", "sarif"])
    [run] = _sarif_checked(capsys.readouterr().out)["runs"]  # type: ignore[misc]
    assert status == 1
    assert "artifacts" not in run
    assert all("physicalLocation" not in loc for r in run["results"] for loc in r["locations"])


# --------------------------------------------------------------------------------- JUnit


def test_junit_of_a_check_reports_warnings_as_output(
    aes_pfx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = check(aes_pfx, capsys, "--format", "junit")
    root = ET.fromstring(out)  # noqa: S314 -- our own output, not a stranger's
    [case] = root.iter("testcase")
    assert case.get("name") == str(aes_pfx)
    assert case.find("failure") is None
    assert "WARNING LST007" in (case.findtext("system-out") or "")
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


def test_junit_of_an_audit_has_a_case_per_certificate_object(
    gateway_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = audit(gateway_json, capsys, "--format", "junit")
    root = ET.fromstring(out)  # noqa: S314 -- our own output, not a stranger's
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"gw", "sslCertificates[web-cert]"}
    failures = [f.get("type") for f in cases["gw"].iter("failure")]
    assert "GW001" in failures
    assert root.get("failures") == str(len(list(root.iter("failure"))))


# ------------------------------------------------------------------------------ Markdown


def test_markdown_table_of_a_check(aes_pfx: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = check(aes_pfx, capsys, "--format", "markdown")
    lines = out.splitlines()
    assert lines[0].startswith("**appgw-certs** checked 1 report")
    assert "1 warning" in lines[0]
    assert lines[2] == "| Code | Severity | Location | Message |"
    [row] = [line for line in lines if line.startswith("| LST007 ")]
    assert row.count(" | ") == 3  # four cells: nothing in the message split the row


def test_markdown_cells_cannot_break_the_table() -> None:
    assert markdown_cell("CN=a|b\nO=<script>") == "CN=a\\|b<br>O=&lt;script&gt;"
    assert "\x1b" not in markdown_cell("evil\x1b[2J")


# -------------------------------------------------------------------- backend and client


@pytest.mark.parametrize("verb", ["backend", "client"])
def test_backend_and_client_print_every_format(
    verb: str, chain: TestChain, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same findings in JSON, SARIF and JUnit XML, and the same exit status."""
    presented = tmp_path / "presented.pem"
    if verb == "backend":  # no trusted root on v2: the gateway does not trust it
        presented.write_bytes(chain.backend_chain_pem())
        args = ["backend", str(presented), "--sku", "v2"]
    else:  # a client of another chain's CA: mutual TLS refuses it
        other = build_test_chain(["other.contoso.com"], key_type=KeyType.EC_P256)
        presented.write_bytes(other.issue_client("alice").cer())
        (tmp_path / "ca.cer").write_bytes(chain.client_ca_cer())
        args = ["client", str(presented), "--client-ca", str(tmp_path / "ca.cer")]
    statuses: list[int] = []
    outputs: dict[str, str] = {}
    for fmt in ("json", "sarif", "junit", "markdown"):
        statuses.append(main([*args, "--format", fmt]))
        outputs[fmt] = capsys.readouterr().out
    errors = [
        f["code"] for f in json.loads(outputs["json"])["findings"] if f["severity"] == "error"
    ]
    assert errors
    assert statuses == [1] * 4
    [run] = _sarif_checked(outputs["sarif"])["runs"]  # type: ignore[misc]
    assert [r["ruleId"] for r in run["results"] if r["level"] == "error"] == errors
    root = ET.fromstring(outputs["junit"])  # noqa: S314 -- our own output, not a stranger's
    assert [f.get("type") for f in root.iter("failure")] == errors
    assert all(f"| {code} | error |" in outputs["markdown"] for code in errors)


def test_junit_reads_back_with_junitparser(
    gateway_json: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import junitparser  # a test dependency (pyproject.toml, the test extra)

    report = tmp_path / "audit.xml"
    report.write_text(audit(gateway_json, capsys, "--format", "junit")[1])
    suites = junitparser.JUnitXml.fromfile(str(report))
    [suite] = list(suites)
    cases = {case.name: case for case in suite}
    assert set(cases) == {"gw", "sslCertificates[web-cert]"}
    assert "GW001" in [result.type for result in cases["gw"].result]
    assert suite.failures == len(cases["gw"].result)


def test_the_sarif_schema_rejects_what_sarif_forbids(
    aes_pfx: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The vendored schema is live: a level SARIF does not have is refused."""
    _, out = check(aes_pfx, capsys, "--format", "sarif", "--fail-on", "warning")
    log = json.loads(out)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError, match="fatal"):
        jsonschema.Draft202012Validator(_SARIF_SCHEMA).validate(log)
