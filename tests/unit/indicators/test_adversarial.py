"""Hostile input: extraction finishes on text built to make patterns backtrack, and what it
finds still points into the text. No timing is asserted; the timeout only stops a hang.

A run of the fuzz target (fuzz/extraction.py) with a bounded number of inputs is here too;
``make fuzz`` runs it for minutes.
"""

from __future__ import annotations

import random

import pytest
from fuzz.extraction import check_one_text, fuzz_extraction

from scamintel.indicators import IndicatorType, ParseContext, default_registry


def _binary_garbage(size: int) -> str:
    generator = random.Random(20261128)
    return bytes(generator.getrandbits(8) for _ in range(size)).decode("utf-8", "replace")


def _megabyte_of_scam_text() -> str:
    message = "โอนเงิน กสิกร 123-4-56789-0 โทร 081-234-5678 hxxps://kbank[.]com/x OTP 123456 "
    return (message * (1_000_000 // len(message) + 1))[:1_000_000]


_MEGABYTE = 1_000_000


def _megabyte_of(unit: str) -> str:
    return unit * (_MEGABYTE // len(unit))


# Each built against a pattern: a megabyte of it, where a pattern read again from each of its
# positions, or from each place a match may start, would take minutes.
HOSTILE = {
    "10,000 digits in a row": "1" * 10_000,
    "a million digits in a row": _megabyte_of("8"),
    "digits split by spaces": _megabyte_of("1 "),
    "nested round brackets": "(" * 500_000 + "0812345678" + ")" * 500_000,
    "nested square brackets": "[" * 500_000 + "." + "]" * 500_000,
    "one endless host name": _megabyte_of("a."),
    "one endless dashed label": _megabyte_of("a-") + ".com/",
    "defanged labels": _megabyte_of("a[.]"),
    "defanged labels before slashes": _megabyte_of("a(.)" * 100 + "a/"),
    "slashes": _megabyte_of("a/"),
    "www without end": _megabyte_of("www."),
    "at signs": _megabyte_of("a@"),
    "at signs between labels": _megabyte_of("a.b@"),
    "bracketed ats": _megabyte_of("a [at] "),
    "an address with an endless domain": "a" * 500_000 + "@" + "b." * 250_000,
    "colons": _megabyte_of("1:"),
    "IPv6-like": _megabyte_of("1:") + ":",
    "dotted digits": _megabyte_of("1."),
    "schemes without hosts": _megabyte_of("hxxp://"),
    "one endless link": "https://kbank-secure.com/login?t=" + "x" * _MEGABYTE,
    "defanged dots": _megabyte_of("[.]"),
    "spelled-out dots": _megabyte_of("a dot "),
    "zero-width between digits": _megabyte_of("0\u200b8\u200b"),
    "homoglyph labels": _megabyte_of("kbаnk."),
    "bank names without numbers": _megabyte_of("กสิกร "),
    "account words": _megabyte_of("BNI a/n X norek "),
    "platform labels": _megabyte_of("LINE ID: "),
    "messenger links": _megabyte_of("wa.me/"),
    "wallet names": _megabyte_of("TrueMoney "),
    "IMEI labels": _megabyte_of("IMEI "),
    "pluses": _megabyte_of("+"),
    "hex after 0x": "0x" + "a" * _MEGABYTE,
    "base58 run": "T" + "1" * _MEGABYTE,
    "bech32 run": "bc1" + "q" * _MEGABYTE,
    "percent signs": _megabyte_of("%"),
    "direction controls": _megabyte_of("\u202e\u2066"),
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


def test_a_link_padded_past_the_longest_link_is_still_read_as_its_domain() -> None:
    text = "ยืนยันที่ https://kbank-secure.com/login?t=" + "x" * 4_100 + " ด่วน"

    [found] = default_registry().extract(text, ParseContext("TH"))

    assert found.indicator.type is IndicatorType.DOMAIN
    assert found.indicator.value == "kbank-secure.com"
    assert found.raw == "https://kbank-secure.com"


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
