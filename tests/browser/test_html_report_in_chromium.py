"""The standalone HTML report, opened in a real headless Chromium.

The oracle for what the page must hold is the same audit printed as JSON by the
same CLI; the oracle for what the page does is the browser itself: console,
page errors, dialogs, every request, and the Content-Security-Policy violation
events an injected script or handler would cause.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from page_watch import PageWatch, Served, read_png_size, serving, visible_codes, watch_page
from playwright.sync_api import Browser, Page
from realistic_gateway import IMG_NAME, SCRIPT_CN, AuditedReport

SEVERITIES = ("error", "warning", "info")
#: What injected markup would leave in the DOM: an image or frame, an ``on…`` handler
#: attribute, a script calling ``alert``.
NO_INJECTED_MARKUP = """() => ({
  images: document.querySelectorAll("img, image, iframe, object, embed").length,
  handlers: [...document.querySelectorAll("*")].flatMap(
    (e) => [...e.attributes].filter((a) => a.name.startsWith("on")).map((a) => a.name)),
  scriptsCalling: [...document.scripts].filter((s) => s.textContent.includes("alert")).length,
})"""


@pytest.fixture(scope="module")
def served(report: AuditedReport) -> Iterator[Served]:
    with serving(report.html.read_bytes()) as address:
        yield address


@pytest.fixture
def watched(browser: Browser, served: Served) -> Iterator[PageWatch]:
    watch = watch_page(browser, served.url)
    yield watch
    watch.page.context.close()


def _flat(text: str) -> str:
    """Text as read: backticks (code spans) dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", text.replace("`", "")).strip()


def test_the_report_loads_clean_and_is_photographed(
    watched: PageWatch,
    served: Served,
    report: AuditedReport,
    save_screenshot: Callable[[Page, str], Path],
) -> None:
    page = watched.page
    watched.assert_clean()
    assert watched.requests == [served.url]
    assert served.asked == ["/report.html"]  # not even a favicon
    assert report.input_name in page.title()
    assert report.input_name in page.locator("h1").inner_text()
    assert page.locator("section#summary").is_visible()
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert csp is not None
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    path = save_screenshot(page, "html-report.png")
    width, height = read_png_size(path)
    assert width == 1280
    assert height >= 900


def test_every_finding_is_a_visible_row_with_its_code_hint_and_source(
    watched: PageWatch, report: AuditedReport
) -> None:
    page = watched.page
    rows = page.locator("#findings tr.finding")
    assert rows.count() == len(report.findings)
    assert Counter(visible_codes(page)) == Counter(f["code"] for f in report.findings)
    shown = Counter(str(rows.nth(i).get_attribute("data-severity")) for i in range(rows.count()))
    assert shown == Counter(f["severity"] for f in report.findings)
    assert set(shown) == set(SEVERITIES)  # the gateway was built to have all three
    for finding in report.findings:
        row = page.locator(f'#findings tr.finding[data-code="{finding["code"]}"]').filter(
            has=page.locator(f'a[href="{finding["reference"]}"]')
        )
        assert row.count() >= 1, finding["code"]
        texts = [_flat(row.nth(i).inner_text()) for i in range(row.count())]
        assert any(finding["code"] in t and _flat(finding["hint"]) in t for t in texts), finding
        link = row.first.locator(f'a[href="{finding["reference"]}"]')
        assert link.is_visible()
        assert "noreferrer" in str(link.get_attribute("rel"))


def test_the_timeline_has_one_bar_per_certificate_object(
    watched: PageWatch, report: AuditedReport
) -> None:
    page = watched.page
    timeline = page.locator("svg.timeline")
    assert timeline.count() == 1
    bars = timeline.locator("rect.bar")
    assert bars.count() == len(report.certificate_objects) == 8
    frame = timeline.bounding_box()
    assert frame is not None
    for i in range(bars.count()):
        box = bars.nth(i).bounding_box()
        assert box is not None, f"bar {i} is not rendered"
        assert box["width"] > 0
        assert box["height"] > 0
        assert frame["x"] <= box["x"]
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    assert timeline.locator("line.now").count() == 1
    assert timeline.locator("rect.warning-window").count() == 1
    assert timeline.locator("rect.warning-window").bounding_box() is not None


def test_chain_diagrams_draw_boxes_and_gaps_the_report_names(
    watched: PageWatch, report: AuditedReport
) -> None:
    page = watched.page
    boxes = page.locator("svg.chain g.cert")
    validities = {boxes.nth(i).get_attribute("data-validity") for i in range(boxes.count())}
    assert validities <= {"valid", "expiring", "expired", "not-yet-valid"}
    assert {"valid", "expiring", "expired"} <= validities  # web-cert, api-cert, old-root
    assert all(boxes.nth(i).get_attribute("data-role") for i in range(boxes.count()))
    # one diagram per object, named (its SVG <title>) by where the findings place it
    sizes = {_location(o): len(o["certificates"]) for o in report.certificate_objects}  # type: ignore[arg-type]
    chains = page.locator("svg.chain")
    drawn = {}
    for i in range(chains.count()):
        chain = chains.nth(i)
        label = chain.locator(":scope > title").text_content()
        gaps = chain.locator("g.gap")
        drawn[label] = chain.locator("g.cert").count()
        here = {f["code"] for f in report.findings if f["location"] == label}
        gap_codes = {gaps.nth(j).get_attribute("data-code") for j in range(gaps.count())}
        # a gap is a missing link some finding reports for this very object
        assert gap_codes <= here, f"{label}: gaps {gap_codes}, findings {here}"
    assert drawn == sizes


def _location(certificate_object: dict[str, object]) -> str:
    """``sslCertificates[name]``, as the audit's findings name an object."""
    collection = {
        "listener": "sslCertificates",
        "authentication": "authenticationCertificates",
        "trusted-root": "trustedRootCertificates",
        "trusted-client-ca": "trustedClientCertificates",
    }[str(certificate_object["slot"])]
    return f"{collection}[{certificate_object['name']}]"


@pytest.mark.parametrize("severity", SEVERITIES)
def test_the_severity_filter_hides_and_shows_rows(
    watched: PageWatch, report: AuditedReport, severity: str
) -> None:
    page = watched.page
    everything = Counter(f["code"] for f in report.findings)
    others = Counter(f["code"] for f in report.findings if f["severity"] != severity)
    box = page.locator(f'input.severity-filter[value="{severity}"]')
    assert box.is_checked()
    box.uncheck()
    assert Counter(visible_codes(page)) == others
    hidden = page.locator(f'#findings tr.finding[data-severity="{severity}"]')
    assert all(hidden.nth(i).get_attribute("hidden") is not None for i in range(hidden.count()))
    box.check()
    assert Counter(visible_codes(page)) == everything
    watched.assert_clean()


def test_the_code_filter_shows_one_code_then_all(watched: PageWatch, report: AuditedReport) -> None:
    page = watched.page
    select = page.locator("select#code-filter")
    assert select.locator("option").first.get_attribute("value") == ""
    everything = Counter(f["code"] for f in report.findings)
    for code in everything:
        select.select_option(code)
        assert Counter(visible_codes(page)) == Counter({code: everything[code]})
    select.select_option("")
    assert Counter(visible_codes(page)) == everything


def test_injected_names_are_shown_as_text_and_never_run(watched: PageWatch) -> None:
    page = watched.page
    text = page.evaluate("document.documentElement.textContent")
    assert IMG_NAME in text  # the object's name, and the input file's
    assert SCRIPT_CN in text  # the subject's CN labels its chain box
    assert IMG_NAME in page.title()
    assert page.evaluate(NO_INJECTED_MARKUP) == {"images": 0, "handlers": [], "scriptsCalling": 0}
    page.locator("select#code-filter").select_option("")
    page.mouse.move(10, 10)
    page.mouse.wheel(0, 5000)  # scroll past everything: nothing lazy wakes up
    watched.assert_clean()


def test_without_javascript_every_row_is_shown(
    browser: Browser, served: Served, report: AuditedReport
) -> None:
    watch = watch_page(browser, served.url, javascript=False)
    try:
        assert Counter(visible_codes(watch.page)) == Counter(f["code"] for f in report.findings)
        assert watch.page.locator("svg.timeline rect.bar").count() == len(
            report.certificate_objects
        )
        assert watch.page.evaluate(NO_INJECTED_MARKUP)["images"] == 0
        watch.assert_clean()
    finally:
        watch.page.context.close()


def test_opened_from_disk_as_a_user_would(browser: Browser, report: AuditedReport) -> None:
    watch = watch_page(browser, report.html.as_uri())
    try:
        watch.assert_clean()
        assert watch.requests == [report.html.as_uri()]
        watch.page.locator('input.severity-filter[value="info"]').uncheck()
        assert "info" not in {
            watch.page.locator("#findings tr.finding").nth(i).get_attribute("data-severity")
            for i in range(watch.page.locator("#findings tr.finding").count())
            if watch.page.locator("#findings tr.finding").nth(i).is_visible()
        }
    finally:
        watch.page.context.close()
