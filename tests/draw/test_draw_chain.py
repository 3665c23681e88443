"""Chain diagrams: one box per certificate, roles, validity by GEN002/GEN003's own
thresholds (the upload checks are the oracle), gaps with the rule that reports them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from appgw_certs import (
    KeyType,
    TestChain,
    build_self_signed,
    build_test_chain,
    check_upload,
    describe,
)
from appgw_certs._draw.chain_svg import MAX_BOXES, chain_svg
from appgw_certs._draw.model import CertBox, ChainView
from appgw_certs._x509.describe import cert_info
from appgw_certs._x509.pictures import chain_html, chain_view
from helpers.chain import issue, name
from helpers.markup import of_class, parsed, svg_text, svgs


@pytest.fixture(scope="module")
def chain() -> TestChain:
    return build_test_chain(["www.contoso.com"], intermediates=2, key_type=KeyType.EC_P256)


def _boxes(markup: str) -> list[dict[str, str]]:
    (svg,) = [s for s in svgs(markup) if s.get("class") == "chain"]
    return [dict(g.attrib) for g in of_class(svg, "g", "cert")]


def test_a_test_chain_draws_its_azure_roles_root_at_the_top(chain: TestChain) -> None:
    boxes = _boxes(chain._repr_html_())
    assert [b["data-role"] for b in boxes] == [
        "trusted-root",
        "intermediate",
        "intermediate",
        "listener-leaf",
    ]
    assert {b["data-validity"] for b in boxes} == {"valid"}
    (svg,) = svgs(chain._repr_html_())
    words = svg_text(svg)
    assert "v2 trusted root, client CA" in words
    assert "listener leaf, v1 authentication certificate" in words
    assert "EC P-256" in words
    assert "www.contoso.com" in words
    assert len(of_class(svg, "g", "signed")) == 3  # one arrow per link


def test_describe_draws_one_box_per_certificate_and_keeps_its_table(chain: TestChain) -> None:
    pfx = chain.listener_pfx("Secret123")
    infos = describe(pfx, "Secret123")
    markup = infos._repr_html_()
    assert markup.startswith("<table>")
    boxes = _boxes(markup)
    assert len(boxes) == len(infos) == 4
    assert [b["data-role"] for b in boxes] == ["root", "intermediate", "intermediate", "leaf"]
    assert not of_class(svgs(markup)[0], "g", "gap")


def test_an_absent_intermediate_is_a_gap_with_the_code_that_reports_it(chain: TestChain) -> None:
    # the leaf and the root, the intermediates left out: the check names the rule (LST008)
    pfx = chain.server.pfx("Secret123", chain=[chain.root.certificate])
    report = check_upload("listener", pfx, sku="v2", password="Secret123")
    assert "LST008" in report.codes
    infos = describe(pfx, "Secret123")
    markup = infos._repr_html_()
    (svg,) = svgs(markup)
    gaps = of_class(svg, "g", "gap")
    assert [g.get("data-code") for g in gaps] == ["LST008"]
    assert len(of_class(svg, "g", "cert")) == 2


def test_an_open_top_is_a_gap_only_when_a_rule_says_so(chain: TestChain) -> None:
    infos = describe(chain.backend_chain_pem())  # a backend sends no root: not a gap
    assert not of_class(svgs(chain_svg(chain_view(infos, title="t")))[0], "g", "gap")
    view = chain_view(infos, title="t", open_top="BE003")
    (svg,) = svgs(chain_svg(view))
    assert [g.get("data-code") for g in of_class(svg, "g", "gap")] == ["BE003"]
    assert svg[2].get("class") == "gap"  # above the top box (after the title elements)


def _validity(
    start: datetime, days: int, now: datetime, warning: int
) -> tuple[str, frozenset[str]]:
    cert = build_self_signed(["v.example"], not_before=start, valid_days=days, key_type="ec-p256")
    infos = describe([cert.certificate])
    (box,) = _boxes(chain_svg(chain_view(infos, title="t", now=now, warning_days=warning)))
    cer = cert.cer()
    codes = check_upload("trusted-root", cer, sku="v1", now=now, expiry_warning_days=warning).codes
    return box["data-validity"], codes & {"GEN002", "GEN003"}


@pytest.mark.parametrize(
    ("offset_days", "valid_days", "warning", "expected", "rule"),
    [
        (-10, 365, 30, "valid", frozenset()),
        (-10, 35, 30, "expiring", frozenset({"GEN003"})),
        (-10, 35, 20, "valid", frozenset()),  # the window is --days, not a fixed 30
        (-100, 50, 30, "expired", frozenset({"GEN002"})),
        (5, 365, 30, "not-yet-valid", frozenset({"GEN002"})),
    ],
)
def test_validity_colours_use_the_expiry_rules_thresholds(
    offset_days: int, valid_days: int, warning: int, expected: str, rule: frozenset[str]
) -> None:
    now = datetime(2031, 5, 1, 12, tzinfo=UTC)
    start = now + timedelta(days=offset_days)
    state, codes = _validity(start, valid_days, now, warning)
    assert state == expected
    assert codes == rule  # the check's own verdict on the same certificate and moment


def test_the_boundary_day_agrees_with_gen003() -> None:
    now = datetime(2031, 5, 1, 12, tzinfo=UTC)
    cert = build_self_signed(["v.example"], not_before=now - timedelta(days=1), valid_days=31)
    end = cert.certificate.not_valid_after_utc
    for moment in (end - timedelta(days=30, seconds=1), end - timedelta(days=30)):
        (box,) = _boxes(chain_svg(chain_view(describe([cert.certificate]), title="t", now=moment)))
        codes = check_upload("trusted-root", cert.cer(), sku="v1", now=moment).codes
        assert (box["data-validity"] == "expiring") == ("GEN003" in codes)


def test_a_long_chain_is_capped_and_counted() -> None:
    box = CertBox(
        "CN=x", "x", "RSA 2048", "intermediate", "valid", datetime(2030, 1, 1, tzinfo=UTC)
    )
    markup = chain_svg(ChainView("long", (box,) * (MAX_BOXES + 7)))
    (svg,) = svgs(markup)
    assert len(of_class(svg, "g", "cert")) == MAX_BOXES
    assert "7 more" in svg_text(svg)


def test_a_script_in_a_common_name_stays_text() -> None:
    hostile = "<script>alert(1)</script>"
    cert = issue(name(hostile), ca=False).cert
    markup = describe([cert])._repr_html_()
    page = parsed(markup)
    assert not page.named("script")
    (svg,) = svgs(markup)
    assert hostile in svg_text(svg)  # shown as text, in the box and its tooltip
    pem = cert.public_bytes(serialization.Encoding.PEM)
    assert "<script" not in describe(pem)._repr_html_()


def test_a_broken_signature_is_a_gap() -> None:
    intermediate = issue("Intermediate")
    impostor = issue("Impostor")  # signs a leaf that names the intermediate as its issuer
    leaf = issue("leaf.example", issuer=impostor, issuer_name=intermediate.cert.subject, ca=False)
    infos = describe([leaf.cert, intermediate.cert])
    (svg,) = svgs(chain_svg(chain_view(infos, title="t")))
    gaps = of_class(svg, "g", "gap")
    assert [g.get("data-code") for g in gaps] == ["LST008"]
    assert "not signed by the key of CN=Intermediate" in svg_text(gaps[0])
    genuine = issue("leaf.example", issuer=intermediate, ca=False)
    (svg,) = svgs(chain_svg(chain_view(describe([genuine.cert, intermediate.cert]), title="t")))
    assert not of_class(svg, "g", "gap")


def test_a_chain_from_an_existing_ca_draws_the_real_root_at_the_top() -> None:
    company = build_test_chain(["unused.contoso.com"], intermediates=1)
    chain = build_test_chain(
        ["www.contoso.com"],
        ca=company.intermediates[0],
        ca_chain=[company.root.certificate],
        intermediates=0,
    )
    boxes = _boxes(chain._repr_html_())
    assert [b["data-role"] for b in boxes] == ["trusted-root", "intermediate", "listener-leaf"]
    (svg,) = svgs(chain._repr_html_())
    assert len(of_class(svg, "g", "signed")) == 2


def test_a_chain_listed_leaf_root_intermediate_is_drawn_whole(chain: TestChain) -> None:
    """Certificates in no order (a PKCS#7 of an audit): the walker's order, no gap that no
    rule reports."""
    leaf, inter1, inter2, root = (
        chain.server.certificate,
        chain.intermediates[1].certificate,
        chain.intermediates[0].certificate,
        chain.root.certificate,
    )
    infos = [cert_info(c) for c in (leaf, root, inter2, inter1)]
    (svg,) = svgs(chain_html(infos, title="an audit's object"))
    assert of_class(svg, "g", "gap") == []
    roles = [g.get("data-role") for g in of_class(svg, "g", "cert")]
    assert roles == ["root", "intermediate", "intermediate", "leaf"]
