"""Regressions from the issue about the command line and reports: hints in Jupyter."""

from __future__ import annotations

from html.parser import HTMLParser

from appgw_certs import Finding, Report, Severity, check_upload


class _Codes(HTMLParser):
    """The text inside <code> elements, and all the text."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self.text: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_code = self._in_code or tag == "code"
        if tag == "code":
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.codes[-1] += data


def _parsed(report: Report) -> _Codes:
    parser = _Codes()
    parser.feed(report._repr_html_())
    return parser


def test_a_real_hint_shows_its_code_as_code_without_backticks() -> None:
    # an authentication certificate on v2: GEN006, whose hint names a command in backticks
    report = check_upload("authentication", b"not a certificate", sku="Standard_v2")
    hints = [f.hint for f in report.findings if "`" in f.hint]
    assert hints, report
    parsed = _parsed(report)
    assert "`" not in "".join(parsed.text)
    assert "appgw-certs extract root chain.pem -o root.cer" in parsed.codes


def test_a_code_span_is_escaped_before_it_becomes_code() -> None:
    hostile = Finding("GEN001", Severity.ERROR, "m", hint="run `<b>x</b> & y` then `</code><i>`")
    parsed = _parsed(Report("t", [hostile]))
    assert parsed.codes[-2:] == ["<b>x</b> & y", "</code><i>"]  # shown as text, not markup
    assert "run <b>x</b> & y then </code><i>" in "".join(parsed.text)
    html = Report("t", [hostile])._repr_html_()
    assert "<b>" not in html
    assert "<i>" not in html
