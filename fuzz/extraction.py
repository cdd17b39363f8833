"""Fuzz target for indicator extraction and reading: no input may crash it, hang it, or make
it point outside the text.

``python -m fuzz.extraction --seconds 300`` feeds it generated inputs until the time is up:
arbitrary bytes decoded as UTF-8 (invalid sequences replaced), arbitrary Unicode, and texts
assembled from the characters and pieces the patterns care about, which reach deep into them
far more often than random text does. A failing input is printed and stored in the
Hypothesis example database (``.hypothesis/``) so the next run tries it first.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scamintel.indicators import InvalidIndicatorError, ParseContext, default_registry

REGIONS = ("TH", "MM", "KH", "LA", "VN", "MY", "SG", "ID", "PH", "GB")
# What the patterns look for: separators, brackets, defanging, scheme pieces, labels, digits
# of the region's scripts, invisible and direction controls, homoglyphs, full-width forms.
PIECES = (
    *"0123456789+-./:@()[]{}#*_~% \n\t",
    "00",
    "001",
    "+66",
    "08",
    "http",
    "hxxp",
    "://",
    "www.",
    ".com",
    "[.]",
    "(dot)",
    " dot ",
    "t.me/",
    "wa.me/",
    "line.me/ti/p/~",
    "LINE ID:",
    "WhatsApp ",
    "Viber at ",
    "BB-",
    "IMEI:",
    "TRC20:",
    "0x",
    "bc1q",
    "T",
    "กสิกร",
    "ธนาคาร",
    "KBZ",
    "Maybank",
    "a/n ",
    "norek ",
    "TrueMoney ",
    "GCash:",
    "๐๘๑",
    "၀၉",
    "០១២",
    "໐២໐",
    "１２３",
    "\u200b",
    "\u202e",
    "\ufeff",
    "а",
    "ο",
    "ı",
    "ｗｗｗ．",
    "Rp",
    "฿",
    "OTP ",
    "Ma giao dich ",
    "EP",
    "MY",
)
pieced_texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
inputs = st.one_of(
    st.binary(max_size=2_000).map(lambda data: data.decode("utf-8", "replace")),
    st.text(max_size=500),
    pieced_texts,
)


def check_one_text(text: str, region: str) -> None:
    """Extract from ``text`` and check what any finding must satisfy."""
    registry = default_registry()
    context = ParseContext(region)
    previous_end = 0
    for found in registry.extract(text, context):
        assert found.raw == text[found.start : found.end], found
        assert previous_end <= found.start < found.end <= len(text), found
        previous_end = found.end
        indicator = found.indicator
        assert registry.canonicalise(indicator.value, indicator.type, context) == indicator
    reason = None
    try:
        registry.canonicalise(text, None, context)
    except InvalidIndicatorError as error:
        reason = error.reason
    assert reason != "", "a refusal says why"


def fuzz_extraction(examples: int) -> Callable[[], None]:
    """A run of ``examples`` generated inputs through :func:`check_one_text`."""

    @settings(
        max_examples=examples,
        deadline=None,
        phases=(Phase.reuse, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(text=inputs, region=st.sampled_from(REGIONS))
    def run(text: str, region: str) -> None:
        check_one_text(text, region)

    return run


def run_for(seconds: float, examples_per_round: int = 2_000) -> int:
    """Run rounds of generated inputs until ``seconds`` have passed; the rounds run."""
    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:
        fuzz_extraction(examples_per_round)()
        rounds += 1
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="How long to fuzz")
    arguments = parser.parse_args(argv)
    started = time.monotonic()
    rounds = run_for(arguments.seconds)
    elapsed = time.monotonic() - started
    print(f"fuzzed extraction for {elapsed:.0f} s ({rounds} rounds of 2,000 inputs): no failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
