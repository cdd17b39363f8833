"""Phone-size screenshots of each public page in English, Thai and Burmese, saved under
docs/screenshots/ as ``<page>-<language>.png``. Serves a demonstration node of its own and
drives Debian's Chromium, as the browser tests do.

    .venv/bin/python -m tests.browser.screenshots
    .venv/bin/python -m tests.browser.screenshots --languages en th my km --output /tmp/shots
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import Browser, ViewportSize, sync_playwright
from tests.browser.node import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LISTED_NUMBER,
    SCAM_MESSAGE,
    chromium_available,
    demo_node,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "docs" / "screenshots"
DEFAULT_LANGUAGES = ("en", "th", "my")
PHONE: ViewportSize = {"width": 390, "height": 844}
# A page up to one and a half screens long is taken whole; a longer one shows its first screen,
# as a phone does: the files stay small enough to keep in git.
FULL_PAGE_UP_TO = PHONE["height"] * 3 // 2
DEMO_COUNT = 500

# name in the file -> the page and its query (the language is added to the query)
PAGES: dict[str, tuple[str, dict[str, str]]] = {
    "home": ("/", {}),
    "check": ("/check", {"q": LISTED_NUMBER}),
    "check-message": ("/check", {"q": SCAM_MESSAGE}),
    "report": ("/report", {}),
    "alerts": ("/alerts", {}),
    "learn": ("/learn", {}),
    "learn-spot": ("/learn/spot", {"n": "0", "answer": "scam"}),
    "dispute": ("/dispute", {}),
}


def save_screenshots(
    browser: Browser, base_url: str, languages: Sequence[str], output: Path
) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    for language in languages:
        # A context per language, so no language cookie carries over from another.
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, base_url=base_url)
        page = context.new_page()
        for name, (path, query) in PAGES.items():
            response = page.goto(f"{path}?{urlencode({**query, 'lang': language})}")
            if response is None or response.status >= 400:
                status = response.status if response else "no answer"
                print(f"  skipped {name} in {language}: {path} answered {status}")
                continue
            # Wait for the web fonts of the system (Thai, Burmese...) before the picture.
            page.evaluate("async () => { await document.fonts.ready; }")
            height = int(page.evaluate("document.documentElement.scrollHeight"))
            target = output / f"{name}-{language}.png"
            page.screenshot(path=target, full_page=height <= FULL_PAGE_UP_TO)
            saved.append(target)
            print(
                f"  {target.relative_to(REPO_ROOT) if target.is_relative_to(REPO_ROOT) else target}"
            )
        context.close()
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.browser.screenshots", description=__doc__
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--languages", nargs="+", default=list(DEFAULT_LANGUAGES))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not chromium_available():
        print(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-core", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="scamintel-screenshots-") as folder:
        print(f"serving a demonstration node ({DEMO_COUNT} reports) ...")
        with demo_node(Path(folder), DEMO_COUNT) as node, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
            )
            saved = save_screenshots(browser, node.base_url, args.languages, args.output)
            browser.close()
    print(f"{len(saved)} screenshots in {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
