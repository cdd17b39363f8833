"""Hostile input: extraction finishes on text built to make patterns backtrack, and what it
finds still points into the text. No timing is asserted; the timeout only stops a hang.

A run of the fuzz target (fuzz/extraction.py) with a bounded number of inputs is here too;
``make fuzz`` runs it for minutes.
"""

from __future__ import annotations

import random

import pytest
from fuzz.extraction import check_one_text, fuzz_extraction

from scamintel.indicators import ParseContext, default_registry


def _binary_garbage(size: int) -> str:
    generator = random.Random(20261128)
    return bytes(generator.getrandbits(8) for _ in range(size)).decode("utf-8", "replace")


def _megabyte_of_scam_text() -> str:
    message = "โอนเงิน กสิกร 123-4-56789-0 โทร 081-234-5678 hxxps://kbank[.]com/x OTP 123456 "
    return (message * (1_000_000 // len(message) + 1))[:1_000_000]


HOSTILE = {
    "10,000 digits in a row": "1" * 10_000,
    "100,000 digits in a row": "8" * 100_000,
    "digits split by spaces": "1 " * 50_000,
    "nested round brackets": "(" * 50_000 + "0812345678" + ")" * 50_000,
    "nested square brackets": "[" * 50_000 + "." + "]" * 50_000,
    "one endless host name": "a." * 100_000,
    "one endless dashed label": "a-" * 100_000 + ".com/",
    "slashes": "a/" * 100_000,
    "www without end": "www." * 50_000,
    "at signs": "a@" * 100_000,
    "an address with an endless domain": "a" * 50_000 + "@" + "b." * 50_000,
    "colons": "1:" * 100_000,
    "IPv6-like": "1:" * 50_000 + ":",
    "dotted digits": "1." * 100_000,
    "schemes without hosts": "hxxp://" * 30_000,
    "defanged dots": "[.]" * 50_000,
    "spelled-out dots": "a dot " * 40_000,
    "zero-width between digits": "0\u200b8\u200b" * 50_000,
    "homoglyph labels": "kbаnk." * 50_000,
    "bank names without numbers": "กสิกร " * 50_000,
    "account words": "BNI a/n X norek " * 20_000,
    "platform labels": "LINE ID: " * 30_000,
    "messenger links": "wa.me/" * 30_000,
    "wallet names": "TrueMoney " * 30_000,
    "IMEI labels": "IMEI " * 30_000,
    "pluses": "+" * 100_000,
    "hex after 0x": "0x" + "a" * 100_000,
    "base58 run": "T" + "1" * 100_000,
    "bech32 run": "bc1" + "q" * 100_000,
    "percent signs": "%" * 100_000,
    "direction controls": "\u202e\u2066" * 50_000,
    "binary garbage": _binary_garbage(300_000),
    "a megabyte of scam messages": _megabyte_of_scam_text(),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_is_read_to_the_end(text: str) -> None:
    found = default_registry().extract(text, ParseContext("TH"))

    for item in found:
        assert item.raw == text[item.start : item.end]


def test_a_megabyte_of_messages_yields_every_indicator_in_it() -> None:
    text = _megabyte_of_scam_text()
    messages = text.count("OTP 123456")

    found = default_registry().extract(text, ParseContext("TH"))

    # Each whole message holds an account, a number and a link; the last may be cut short.
    assert len(found) >= 3 * messages - 3
    assert {item.indicator.value for item in found} == {
        "TH:KBANK:1234567890",
        "+66812345678",
        "https://kbank.com/x",
    }


@pytest.mark.timeout(300)
def test_the_fuzz_target_holds_for_a_bounded_run() -> None:
    fuzz_extraction(examples=300)()


@pytest.mark.parametrize(
    "text",
    ["", "\x00", "\ufffd" * 10, "\U0001f600" * 1000, "\r\n" * 1000, "๐" * 5000],
    ids=["empty", "NUL", "replacement characters", "emoji", "line breaks", "Thai zeros"],
)
def test_odd_texts_hold_the_fuzz_invariants(text: str) -> None:
    check_one_text(text, "TH")
