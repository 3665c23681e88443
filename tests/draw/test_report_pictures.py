"""A report draws the chain its check read: check_upload, check_backend and check_client
reports show it in Jupyter with the slot's roles and the gap their own findings name."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta

import pytest

from appgw_certs import (
    KeyType,
    Report,
    TestChain,
    build_test_chain,
    check_backend,
    check_client,
    check_upload,
)
from helpers.chain import issue, name
from helpers.markup import of_class, parsed, svg_text, svgs


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], intermediates=1, key_type=KeyType.EC_P256)


def _boxes(report: Report) -> list[dict[str, str]]:
    (svg,) = [s for s in svgs(report._repr_html_()) if s.get("class") == "chain"]
    return [dict(g.attrib) for g in of_class(svg, "g", "cert")]


def _gaps(report: Report) -> list[str]:
    (svg,) = [s for s in svgs(report._repr_html_()) if s.get("class") == "chain"]
    return [g.attrib["data-code"] for g in of_class(svg, "g", "gap")]


def test_a_listener_report_draws_its_pfx_with_the_listener_role(chain: TestChain) -> None:
    report = check_upload(
        "listener", chain.listener_pfx("Passw0rd1"), sku="Standard_v2", password="Passw0rd1"
    )
    assert report.ok
    roles = [b["data-role"] for b in _boxes(report)]
    assert roles == ["root", "intermediate", "listener-leaf"]
    assert _gaps(report) == []


def test_a_listener_without_its_intermediate_draws_the_gap_lst008_reports(
    chain: TestChain,
) -> None:
    pfx = chain.server.pfx("Passw0rd1", chain=[])
    report = check_upload("listener", pfx, sku="Standard_v2", password="Passw0rd1")
    assert "LST008" in report.codes
    assert _gaps(report) == ["LST008"]
    assert [b["data-role"] for b in _boxes(report)] == ["listener-leaf"]


def test_a_trusted_root_report_marks_the_root(chain: TestChain) -> None:
    report = check_upload("root-cert", chain.trusted_root_cer(), sku="WAF_v2")
    assert [b["data-role"] for b in _boxes(report)] == ["trusted-root"]


def test_validity_is_judged_at_the_checks_own_moment(chain: TestChain) -> None:
    later = chain.server.certificate.not_valid_after_utc - timedelta(days=10)
    report = check_upload("auth-cert", chain.authentication_cer(), sku="Standard", now=later)
    assert "GEN003" in report.codes
    [box] = _boxes(report)
    assert box["data-validity"] == "expiring"
    quiet = check_upload(
        "auth-cert",
        chain.authentication_cer(),
        sku="Standard",
        now=later,
        expiry_warning_days=5,
    )
    assert "GEN003" not in quiet.codes
    assert [b["data-validity"] for b in _boxes(quiet)] == ["valid"]


def test_a_backend_missing_its_intermediate_shows_the_gap_be003(chain: TestChain) -> None:
    report = check_backend(
        chain.server.cer(),
        sku="Standard_v2",
        host_name="www.contoso.com",
        trusted_roots=[chain.trusted_root_cer()],
    )
    assert "BE003" in report.codes
    assert _gaps(report) == ["BE003"]
    whole = check_backend(
        chain.backend_chain_pem(),
        sku="Standard_v2",
        host_name="www.contoso.com",
        trusted_roots=[chain.trusted_root_cer()],
    )
    assert whole.ok
    assert len(_boxes(whole)) == 2
    assert _gaps(whole) == []


def test_a_client_report_draws_the_presented_client_chain(chain: TestChain) -> None:
    client = chain.issue_client("alice")
    report = check_client(client.cer(), chain.client_ca_cer())
    assert report.ok, report
    assert len(_boxes(report)) == 1
    assert "alice" in svg_text(svgs(report._repr_html_())[0])


def test_a_report_without_certificates_draws_nothing() -> None:
    report = check_upload("trusted-root", b"not a certificate", sku="v2")
    assert not report.ok
    assert svgs(report._repr_html_()) == []


def test_the_chain_is_not_part_of_a_reports_value(chain: TestChain) -> None:
    now = datetime.now(UTC)
    one = check_upload("trusted-root", chain.trusted_root_cer(), sku="v2", now=now)
    two = Report(one.title, one.findings, one.details)
    assert one == two
    assert hash(one) == hash(two)
    assert "chain" not in one.to_dict()


def test_a_script_in_a_subject_stays_text_in_a_reports_picture() -> None:
    hostile = "<script>alert(1)</script>"
    cert = issue(name(hostile), ca=True).cert
    report = check_upload("trusted-root", [cert], sku="v2")
    markup = report._repr_html_()
    assert not parsed(markup).named("script")
    assert hostile in svg_text(svgs(markup)[0])


def test_a_report_with_its_chain_pickles(chain: TestChain) -> None:
    report = check_upload(
        "listener", chain.listener_pfx("Passw0rd1"), sku="v2", password="Passw0rd1"
    )
    back = pickle.loads(pickle.dumps(report))  # noqa: S301 - our own bytes
    assert back == report
    assert back.chain == report.chain
    assert back._repr_html_() == report._repr_html_()
