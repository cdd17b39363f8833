"""Browser fixtures: one served demonstration node per test session (per xdist worker), and
Debian's Chromium driven by pytest-playwright; never a downloaded browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from tests.browser.axe import AXE_SCRIPT
from tests.browser.node import CHROMIUM, CHROMIUM_ARGS, DemoNode, chromium_available, demo_node

# A phone held upright: the pages are built mobile first.
PHONE_VIEWPORT = {"width": 390, "height": 844}
# Demonstration reports a test node loads: a node with history, ready in seconds.
DEMO_COUNT = 200


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tool(reason: str) -> None:
    # In CI a missing browser is a broken environment, never a reason to skip.
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed() -> None:
    # Session scope: it must run before pytest-playwright launches the browser.
    if not chromium_available():
        missing_tool(
            f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-core (see .ci/run)"
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], _chromium_installed: None
) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium, headless, offline-minded."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": list(CHROMIUM_ARGS),
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE_VIEWPORT, "locale": "en-GB"}


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoNode]:
    """``scamintel serve`` on a SQLite node with demonstration data and a listed number."""
    with demo_node(tmp_path_factory.mktemp("browser-node"), DEMO_COUNT) as served:
        yield served


@pytest.fixture(scope="session")
def base_url(node: DemoNode) -> str:
    """Pages open relative to the served node (``page.goto("/check")``). Defined here also
    because pytest-playwright's own fallback fixture is deprecated under pytest 9."""
    return node.base_url


@pytest.fixture
def no_script_page(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    """A page in a context with JavaScript switched off, as some phones and readers run."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_context(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[BrowserContext]:
    """A context that may inject axe-core despite the pages' strict Content-Security-Policy
    (which, rightly, refuses any script the node did not serve)."""
    if not AXE_SCRIPT.exists():
        missing_tool(f"{AXE_SCRIPT} is missing: run `make install` (npm ci)")
    context = browser.new_context(**browser_context_args, bypass_csp=True)
    yield context
    context.close()
