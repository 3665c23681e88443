"""The HTML report of a realistic gateway, and a headless Chromium to open it in.

These tests run on their own (``APPGW_CERTS_BROWSER_TESTS=1 python -m pytest
tests/browser``; see docs/dev/browser.md): the default collection leaves this
folder out, so the suite passes where no browser is installed. When they run,
Chromium is required: a missing browser fails them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from page_watch import CHROMIUM_ARGS, chromium_executable
from playwright.sync_api import Browser, Page, sync_playwright
from realistic_gateway import AuditedReport, audited_report

ROOT = Path(__file__).resolve().parents[2]
#: Kept by CI as artifacts for a person to look at (gitignored).
ARTIFACTS = ROOT / "artifacts"
_SAVED = pytest.StashKey[list[Path]]()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> AuditedReport:
    return audited_report(tmp_path_factory.mktemp("report"))


@pytest.fixture
def save_screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Save a full-page screenshot under ``artifacts/``; its path is printed at the end."""

    def save(page: Page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        page.screenshot(path=path, full_page=True)
        request.config.stash.setdefault(_SAVED, []).append(path)
        return path

    return save


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    for path in config.stash.get(_SAVED, []):
        terminalreporter.write_line(f"screenshot (CI artifact): {path}")
