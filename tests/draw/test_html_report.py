"""The gateway's timeline, the fleet's, and the standalone page: the DOM contract, the
CSP hashes, and hostile names that stay text."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs import GatewayAudit, KeyType, TestChain, audit_gateway, build_test_chain
from appgw_certs._cli.formats import Subject
from appgw_certs._cli.html_report import SCRIPT, STYLE, audit_page
from appgw_certs._draw.timeline_svg import MAX_BARS
from appgw_certs._gateway.pictures import FLEET_BARS, MAX_CHAINS, fleet_timeline
from helpers.chain import issue, name
from helpers.gateway import GatewayBuilder, b64
from helpers.markup import Page, of_class, parsed, svg_text, svgs

NOW = datetime(2031, 3, 1, tzinfo=UTC)
EVIL_GATEWAY = '"><img src=x onerror=alert(1)>'
DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def chain() -> TestChain:
    start = NOW - timedelta(days=100)
    return build_test_chain(["www.contoso.com"], key_type=KeyType.EC_P256, not_before=start)


def _der(chain: TestChain) -> str:
    return b64(chain.root.certificate.public_bytes(serialization.Encoding.DER))


def _gateway(chain: TestChain, name: str = EVIL_GATEWAY) -> GatewayBuilder:
    g = GatewayBuilder(name=name)
    g.listener_cert("web-cert", [chain.server.certificate, chain.intermediates[0].certificate])
    g.listener_cert("kv-cert", key_vault="https://v.vault.azure.net/secrets/web")
    g.add("trustedRootCertificates", "root-a", data=_der(chain))
    return g


def _audit(chain: TestChain, name: str = EVIL_GATEWAY, days: int = 30) -> GatewayAudit:
    return audit_gateway(_gateway(chain, name).rest(), now=NOW, expiry_warning_days=days)


def _page(audits: list[GatewayAudit], source: str | None = "gw.json") -> str:
    subjects = [Subject(a.gateway, a.report) for a in audits]
    return audit_page(source, audits, subjects, as_list=len(audits) > 1)


def _timelines(markup: str) -> list[object]:
    return [s for s in svgs(markup) if s.get("class") == "timeline"]


def test_the_timeline_has_one_bar_per_certificate_object(chain: TestChain) -> None:
    audit = _audit(chain)
    (timeline,) = [s for s in svgs(audit._repr_html_()) if s.get("class") == "timeline"]
    bars = of_class(timeline, "rect", "bar")
    assert len(bars) == len(audit.certificates) == 3
    assert sorted(b.get("data-validity") for b in bars) == ["unknown", "valid", "valid"]
    assert len(of_class(timeline, "line", "now")) == 1
    (window,) = of_class(timeline, "rect", "warning-window")
    assert float(window.get("width", "0")) > 0
    words = svg_text(timeline)
    assert "listener certificates" in words
    assert "v2 trusted roots" in words


def test_the_warning_window_is_the_audits_days(chain: TestChain) -> None:
    widths = []
    for days in (30, 300):
        timeline = svgs(_audit(chain, days=days).pictures_html())[0]
        (window,) = of_class(timeline, "rect", "warning-window")
        widths.append(float(window.get("width", "0")))
    assert widths[1] > widths[0] * 5


def test_the_audit_draws_each_objects_chain_with_its_role(chain: TestChain) -> None:
    audit = _audit(chain)
    chains = [s for s in svgs(audit._repr_html_()) if s.get("class") == "chain"]
    roles = [[g.get("data-role") for g in of_class(svg, "g", "cert")] for svg in chains]
    assert ["intermediate", "listener-leaf"] in roles
    assert ["trusted-root"] in roles
    assert len(chains) == 2  # the Key Vault object has no certificates to draw


def test_the_fleet_lists_the_soonest_expiries_across_gateways(chain: TestChain) -> None:
    soon = build_test_chain(["soon.contoso.com"], key_type=KeyType.EC_P256,
                            not_before=NOW - timedelta(days=360))  # fmt: skip
    audits = [_audit(chain, "a"), _audit(soon, "b"), _audit(chain, "c")]
    (timeline,) = _timelines(fleet_timeline(audits, 30, NOW))
    bars = of_class(timeline, "rect", "bar")
    assert len(bars) == min(FLEET_BARS, sum(len(a.certificates) for a in audits))
    first = next(iter(timeline.iter("{http://www.w3.org/2000/svg}rect")), None)
    assert first is not None
    assert "b / web-cert" in svg_text(timeline)
    assert bars[0].get("data-validity") == "expiring"  # gateway b's leaf: 5 days left


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _policy(page: Page) -> dict[str, str]:
    (meta,) = [m for m in page.named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    content = meta["content"] or ""
    return {d.split()[0]: d.split(" ", 1)[1] for d in (p.strip() for p in content.split(";"))}


def test_the_page_keeps_the_dom_contract_and_its_policy(chain: TestChain) -> None:
    audit = _audit(chain)
    markup = _page([audit])
    page = parsed(markup)
    assert page.texts("title")[0] == "appgw-certs report: gw.json"
    assert "gw.json" in page.texts("h1")[0]
    assert page.named("section")[0].get("id") == "summary"
    rows = [a for a in page.named("tr") if a.get("class") == "finding"]
    assert len(rows) == len(audit.report.findings)
    assert {r["data-code"] for r in rows} == audit.report.codes
    assert {r["data-severity"] for r in rows} <= {"error", "warning", "info"}
    codes_shown = "".join(page.texts("code"))
    assert all(code in codes_shown for code in audit.report.codes)
    boxes = [a for a in page.named("input") if a.get("class") == "severity-filter"]
    assert [b["value"] for b in boxes] == ["error", "warning", "info"]
    assert all("checked" in b for b in boxes)
    (select,) = page.named("select")
    assert select["id"] == "code-filter"
    assert page.named("option")[0]["value"] == ""
    links = page.named("a")
    assert links
    assert all(a.get("rel") == "noreferrer" for a in links)
    assert {a["href"] for a in links} == {f.reference for f in audit.report.findings}
    # self-contained: no other resource, no inline style attribute, one script: ours
    for tag in ("img", "link", "iframe", "object", "embed"):
        assert not page.named(tag)
    assert not any("src" in attrs for _, attrs in page.tags)
    assert "style" not in page.attributes()
    assert page.texts("script")[0] == SCRIPT
    assert page.texts("style")[0] == STYLE
    assert not any(a.get("hidden") is not None for a in rows)  # without scripts all show
    policy = _policy(page)
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == _hash(page.texts("script")[0])
    assert policy["style-src"] == _hash(page.texts("style")[0])
    assert "unsafe-inline" not in markup


def test_a_hostile_gateway_name_and_common_name_stay_text(chain: TestChain) -> None:
    evil_cn = "<script>alert(1)</script>"
    evil = issue(name(evil_cn)).cert  # a self-signed CA: a trusted root object
    g = _gateway(chain)
    g.add("trustedRootCertificates", evil_cn, data=b64(evil.public_bytes(DER)))
    audit = audit_gateway(g.rest(), now=NOW)
    for markup in (_page([audit], source=EVIL_GATEWAY), audit._repr_html_()):
        page = parsed(markup)
        assert not page.named("img")
        assert "onerror" not in page.attributes()
        assert len(page.named("script")) == (1 if markup.startswith("<!DOCTYPE") else 0)
        assert EVIL_GATEWAY in "".join(page.text)
        for svg in svgs(markup):
            assert not list(svg.iter("script"))
        assert any(evil_cn in svg_text(svg) for svg in svgs(markup))
    page = parsed(_page([audit], source=EVIL_GATEWAY))
    assert page.texts("h1")[0] == f"appgw-certs report: {EVIL_GATEWAY}"


_XML = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


@settings(max_examples=25)
@given(st.text(min_size=1, max_size=40).filter(lambda s: _XML.fullmatch(s) is not None))
def test_any_gateway_name_round_trips_as_text(name: str) -> None:
    audit = audit_gateway(GatewayBuilder(name=name).rest(), now=NOW)
    for markup in (_page([audit], source=name), audit._repr_html_()):
        page = parsed(markup)
        assert "onerror" not in page.attributes()
        assert {tag for tag, _ in page.tags} <= _OUR_TAGS
        for svg in svgs(markup):
            assert audit.gateway.replace("\r", "\n") in svg_text(svg).replace("\r", "\n")
    page = parsed(_page([audit], source=name))
    assert page.texts("title")[0] == f"appgw-certs report: {name}"


_OUR_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "section", "p", "ul", "li",
    "svg", "text", "rect", "line", "g", "polygon", "table", "thead", "tbody", "tr", "th", "td",
    "span", "code", "small", "br", "a", "label", "input", "select", "option", "noscript",
    "script", "div", "strong",
}  # fmt: skip


def test_thousands_of_objects_render_in_bounded_size(chain: TestChain) -> None:
    g = GatewayBuilder(name="big")
    for position in range(1500):
        g.add("trustedRootCertificates", f"root-{position}", data=_der(chain))
    audit = audit_gateway(g.rest(), now=NOW)
    markup = _page([audit])
    (timeline,) = _timelines(markup)
    assert len(of_class(timeline, "rect", "bar")) == MAX_BARS
    assert f"{1500 - MAX_BARS} more" in svg_text(timeline)
    assert len([s for s in svgs(markup) if s.get("class") == "chain"]) == MAX_CHAINS
    assert len(markup) < 2_000_000
