"""Watch everything a page does in headless Chromium: what it logs, opens, loads and breaks.

A :class:`PageWatch` is attached to a fresh browser context before the page
loads. It records console messages, uncaught page errors, dialogs (dismissed at
once), every request the page makes (anything but the page itself is aborted,
so nothing is ever fetched), and, through an init script (which runs outside
the page's Content-Security-Policy), every ``securitypolicyviolation`` event:
the trace an injected ``<script>`` or ``onerror=`` leaves when the policy stops
it. The page is served by :func:`serving`, a loopback HTTP server that answers
one path and remembers every path it was asked for.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Dialog, Page, Route

#: Flags for Chromium in a container with no display, no GPU and no network to talk to.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: Collects the page's CSP violation events where the test can read them.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}: ${event.sample}`
  );
}, true);
"""


def chromium_executable() -> str:
    """Debian's ``chromium``: required when the browser tests run, never skipped."""
    path = shutil.which("chromium")
    assert path, "the browser tests need Chromium: apt-get install -y chromium"
    return path


@dataclass
class PageWatch:
    """One page in its own context, and everything it did."""

    page: Page
    allowed: str
    console: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, context: BrowserContext, url: str) -> PageWatch:
        """Attach every watcher, then load ``url`` (the one address allowed to load)."""
        context.add_init_script(_CSP_LISTENER)
        watch = cls(context.new_page(), url)
        context.route("**/*", watch._route)
        watch.page.on("console", watch._console)
        watch.page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        watch.page.on("dialog", watch._dialog)
        watch.page.on("request", lambda request: watch.requests.append(request.url))
        watch.page.goto(url, wait_until="load")
        return watch

    def csp_violations(self) -> list[str]:
        """The CSP violations seen so far (empty when scripts are disabled: none can run)."""
        found: Any = self.page.evaluate("window.__cspViolations || []")
        return [str(v) for v in found]

    def trouble(self) -> dict[str, list[str]]:
        """Everything that must be empty for a clean page."""
        return {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "dialogs": self.dialogs,
            "resources loaded besides the page": self.blocked,
            "CSP violations": self.csp_violations(),
        }

    def assert_clean(self) -> None:
        """Nothing went wrong: every list of :meth:`trouble` is empty."""
        trouble = self.trouble()
        assert not any(trouble.values()), {k: v for k, v in trouble.items() if v}

    def _route(self, route: Route) -> None:
        if route.request.url == self.allowed:
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")
        if message.type == "error":
            self.console_errors.append(message.text)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


def watch_page(browser: Browser, url: str, *, javascript: bool = True) -> PageWatch:
    """A fresh context (no cookies, no cache) with scripts on or off, and the page in it."""
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    return PageWatch.open(context, url)


def visible_codes(page: Page) -> list[str]:
    """The ``data-code`` of each findings row the reader sees, in order."""
    rows = page.locator("#findings tr.finding")
    return [
        str(rows.nth(i).get_attribute("data-code"))
        for i in range(rows.count())
        if rows.nth(i).is_visible()
    ]


@dataclass
class Served:
    """The loopback server's address for the page, and every path it was asked for."""

    url: str
    asked: list[str]


@contextmanager
def serving(page: bytes, path: str = "/report.html") -> Iterator[Served]:
    """Serve ``page`` at ``path`` on 127.0.0.1 (an ephemeral port); 404 for anything else."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            found = self.path == path
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(page)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the requests are in ``asked``."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}{path}", asked)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def read_png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the screenshot is a real image)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
