"""E-mail addresses: lowercased, punycoded domain, refanged, syntax and suffix checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators import email
from scamintel.indicators.email import EmailKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext

THAILAND = ParseContext("TH")


@pytest.fixture(scope="module")
def kind() -> EmailKind:
    return EmailKind()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Scam.Boss@KBank-Secure.COM", "scam.boss@kbank-secure.com"),
        ("scam[at]kbank[.]com", "scam@kbank.com"),
        ("scam (at) gmail (dot) com", "scam@gmail.com"),
        ("scam{at}kbank.co.th", "scam@kbank.co.th"),
        ("refund+th@support.kbank-secure.com", "refund+th@support.kbank-secure.com"),
        ("สมชาย@ตัวอย่าง.ไทย", "สมชาย@xn--72c1a1bt4awk9o.xn--o3cw4h"),
    ],
)
def test_address_is_lowercased_refanged_and_punycoded(
    kind: EmailKind, raw: str, canonical: str
) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.EMAIL
    assert indicator.value == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("a@b@kbank.com", "exactly one @"),
        ("kbank.com", "exactly one @"),
        ("@kbank.com", "nothing is written before the @"),
        ("a..b@kbank.com", "out of place"),
        (".a@kbank.com", "out of place"),
        ("x" * 65 + "@kbank.com", "longer than 64"),
        ("a@kbank.notatld", "does not end in a known public suffix"),
        ("a@co.th", "is a public suffix"),
        ("a@", "is not a domain name"),
    ],
)
def test_malformed_addresses_are_rejected_with_a_reason(
    kind: EmailKind, raw: str, reason: str
) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        kind.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.EMAIL


@pytest.mark.parametrize("raw", ["scam@kbank.com", "scam[at]kbank[.]com", "a.b+c@x.co.th"])
def test_looks_like_an_address(kind: EmailKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    ["line:@scam_boss", "@scam_boss", "http://user@kbank.com/", "kbank.com", "a@b", "a b@c.com"],
)
def test_looks_like_refuses_handles_links_and_domains(kind: EmailKind, raw: str) -> None:
    assert not kind.looks_like(raw)


def test_find_reads_addresses_glued_to_thai_text(kind: EmailKind) -> None:
    text = "ติดต่อscam.boss@kbank-secure.comครับ หรือ boss [at] gmail[.]com."

    found = [(f.raw, f.indicator.value, f.start, f.end) for f in kind.find(text, THAILAND)]

    assert found == [
        ("scam.boss@kbank-secure.com", "scam.boss@kbank-secure.com", 6, 32),
        ("boss [at] gmail[.]com", "boss@gmail.com", 42, 63),
    ]


def test_find_skips_addresses_under_unknown_suffixes(kind: EmailKind) -> None:
    assert list(kind.find("mail admin@intranet.local now", THAILAND)) == []


# What may come before the "@" of an address in text (ignoring case, four non-ASCII letters fold
# to ASCII ones).
_LOCAL_CHARS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-\u0130\u0131\u017f\u212a"
)
_around_an_at = st.sampled_from(
    [*"aZ09._%+-\u0130\u212a", "@", " ", "\t", "[", "(", "{", "at", "AT", " at", "é", "ก"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_around_an_at, max_size=30).map("".join))
def test_an_address_may_start_where_the_run_of_local_part_characters_before_it_starts(
    text: str,
) -> None:
    # The end of an address's local part: an "@", a bracketed "at", or the space before one.
    ends = [at.start() for at in re.finditer("@", text)]
    for bracket in re.finditer(r"[\[({](?=\s?[aA][tT])", text):
        ends.append(bracket.start())
        if bracket.start() > 0 and text[bracket.start() - 1].isspace():
            ends.append(bracket.start() - 1)

    expected = sorted({len(text[:end].rstrip(_LOCAL_CHARS)) for end in ends})

    assert email._email_starts(text) == expected


def test_find_reads_an_address_after_a_megabyte_of_at_signs(kind: EmailKind) -> None:
    text = "a@" * 500_000 + " scam@kbank-secure.com"

    [found] = kind.find(text, THAILAND)

    assert found.indicator.value == "scam@kbank-secure.com"
    assert found.start == 1_000_001
