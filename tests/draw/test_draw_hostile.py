"""Every text field of every picture and of the findings table, hostile: the output
still parses strictly, opens no element or attribute, and shows the text as text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from appgw_certs._draw.chain_svg import chain_svg
from appgw_certs._draw.findings_table import findings_table
from appgw_certs._draw.model import Bar, CertBox, ChainView, FindingRow, Gap, TimelineView
from appgw_certs._draw.timeline_svg import timeline_svg
from helpers.markup import parsed, svg_text, svgs

_XML = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")
# Hostile and short (labels are clipped past a few dozen characters), XML-valid so that
# the round trip can be compared.
WORDS = st.one_of(
    st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a&b"]),
    st.text(max_size=20).filter(lambda s: _XML.fullmatch(s) is not None),
)
NOW = datetime(2031, 1, 1, tzinfo=UTC)
_SVG_TAGS = {"svg", "title", "text", "g", "rect", "line", "polygon"}


def _clean(markup: str) -> None:
    page = parsed(markup)
    assert not page.named("script")
    assert not page.named("img")
    assert not any(name.startswith("on") for name in page.attributes())


@settings(max_examples=60)
@given(st.tuples(WORDS, WORDS, WORDS, WORDS, WORDS, WORDS))
def test_chain_boxes_and_gaps(words: tuple[str, str, str, str, str, str]) -> None:
    subject, cn, key, role, code, why = words
    box = CertBox(subject, cn, key, role, "valid", NOW)
    markup = chain_svg(ChainView(subject, (box, Gap(code, why), box)))
    _clean(markup)
    (svg,) = svgs(markup)
    assert {e.tag.split("}")[1] for e in svg.iter()} <= _SVG_TAGS
    assert subject in svg_text(svg)  # the full subject: the box's tooltip
    assert [g.get("data-code") for g in svg.iter() if g.get("class") == "gap"] == [code]
    assert [g.get("data-role") for g in svg.iter() if g.get("class") == "cert"] == [role, role]


@settings(max_examples=60)
@given(WORDS, WORDS, WORDS)
def test_timeline_bars(title: str, label: str, group: str) -> None:
    bars = (
        Bar(label, group, NOW - timedelta(days=9), NOW + timedelta(days=9), "expiring"),
        Bar(label, group, None, None, "unknown"),
    )
    markup = timeline_svg(TimelineView(title, bars, NOW, 30))
    _clean(markup)
    (svg,) = svgs(markup)
    assert {e.tag.split("}")[1] for e in svg.iter()} <= _SVG_TAGS
    assert title in svg_text(svg)
    assert len([e for e in svg.iter() if e.get("class") == "bar"]) == 2


@settings(max_examples=60)
@given(st.tuples(WORDS, WORDS, WORDS, WORDS, WORDS, WORDS))
def test_findings_rows(words: tuple[str, str, str, str, str, str]) -> None:
    code, message, hint, cert, where, ref = words
    row = FindingRow("warning", code, message, hint, cert, where, ref, "AzureError")
    for styled in (False, True):
        markup = findings_table([row], table_id="findings", styled=styled)
        _clean(markup)
        page = parsed(markup)
        (tr,) = [a for a in page.named("tr") if a.get("class") == "finding"]
        assert tr["data-code"] == code
        text = "".join(page.text)
        assert message in text
        assert cert in text
        assert where in text
        assert hint.replace("`", "") in text.replace("`", "")
        links = page.named("a")
        assert [a["href"] for a in links] == ([ref] if ref else [])
