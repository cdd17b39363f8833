"""The kinds together in the default registry: which type a bare value is detected as, and
what is extracted from a mixed Thai/English scam message."""

from __future__ import annotations

import pytest

from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.registry import IndicatorRegistry, default_registry

THAILAND = ParseContext("TH")
TRON_USDT = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"


@pytest.fixture(scope="module")
def registry() -> IndicatorRegistry:
    return default_registry()


_DETECTION_CASES = [
    ("081-234-5678", IndicatorType.PHONE, "+66812345678"),
    ("๐๘๑ ๒๓๔ ๕๖๗๘", IndicatorType.PHONE, "+66812345678"),
    ("+855 12 345 678", IndicatorType.PHONE, "+85512345678"),
    ("hxxps://kbank-secure[.]com/login", IndicatorType.URL, "https://kbank-secure.com/login"),
    ("bit.ly/abc", IndicatorType.URL, "http://bit.ly/abc"),
    ("www.kbank-th.com", IndicatorType.URL, "http://www.kbank-th.com/"),
    ("kbank-th.com", IndicatorType.DOMAIN, "kbank-th.com"),
    ("kbank-secure[.]co[.]th", IndicatorType.DOMAIN, "kbank-secure.co.th"),
    ("Scam@KBank-TH.com", IndicatorType.EMAIL, "scam@kbank-th.com"),
    ("scam[at]kbank[.]com", IndicatorType.EMAIL, "scam@kbank.com"),
    (TRON_USDT, IndicatorType.CRYPTO_WALLET, f"TRON:{TRON_USDT}"),
    (f"TRC20:{TRON_USDT}", IndicatorType.CRYPTO_WALLET, f"TRON:{TRON_USDT}"),
    ("KBANK 123-4-56789-0", IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890"),
    ("กสิกรไทย 123-4-56789-0", IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890"),
    ("TRUEMONEY:0812345678", IndicatorType.EWALLET, "TRUEMONEY:+66812345678"),
    ("GCash 0905 123 4567", IndicatorType.EWALLET, "GCASH:+639051234567"),
    ("LINE ID: scam_boss", IndicatorType.HANDLE, "line:scam_boss"),
    ("t.me/scam_boss", IndicatorType.HANDLE, "telegram:scam_boss"),
    ("wa.me/66812345678", IndicatorType.HANDLE, "whatsapp:+66812345678"),
]


@pytest.mark.parametrize(("raw", "indicator_type", "value"), _DETECTION_CASES)
def test_type_of_a_bare_value_is_detected(
    registry: IndicatorRegistry, raw: str, indicator_type: IndicatorType, value: str
) -> None:
    indicator = registry.canonicalise(raw, None, THAILAND)

    assert indicator.type is indicator_type
    assert indicator.value == value


@pytest.mark.parametrize(("raw", "indicator_type", "value"), _DETECTION_CASES)
def test_canonical_values_are_detected_as_their_own_type_and_kept(
    registry: IndicatorRegistry, raw: str, indicator_type: IndicatorType, value: str
) -> None:
    canonical = registry.canonicalise(raw, None, THAILAND)

    assert canonical.value == value
    assert registry.canonicalise(canonical.value, None, THAILAND) == canonical
    assert registry.canonicalise(canonical.value, indicator_type, THAILAND) == canonical


@pytest.mark.parametrize("raw", ["hello world", "12345", "@scam_boss", "kbank.notatld"])
def test_values_of_no_known_shape_are_refused(registry: IndicatorRegistry, raw: str) -> None:
    with pytest.raises(InvalidIndicatorError, match="does not look like any indicator type"):
        registry.canonicalise(raw, None, THAILAND)


def test_detected_phone_outside_the_plan_reports_the_phone_reason(
    registry: IndicatorRegistry,
) -> None:
    with pytest.raises(InvalidIndicatorError, match="Thailand's numbering plan"):
        registry.canonicalise("012 345 678", None, THAILAND)


def test_extraction_from_a_mixed_thai_english_message(registry: IndicatorRegistry) -> None:
    text = "โอนเงินด่วน ติดต่อ 081-234-5678 หรือ hxxps://kbank-secure[.]com/login LINE ID: scam_boss"

    found = [
        (f.indicator.type, f.indicator.value, f.raw, f.start, f.end)
        for f in registry.extract(text, THAILAND)
    ]

    assert found == [
        (IndicatorType.PHONE, "+66812345678", "081-234-5678", 19, 31),
        (
            IndicatorType.URL,
            "https://kbank-secure.com/login",
            "hxxps://kbank-secure[.]com/login",
            37,
            69,
        ),
        (IndicatorType.HANDLE, "line:scam_boss", "LINE ID: scam_boss", 70, 88),
    ]


def test_extraction_gives_each_span_to_the_most_specific_kind(registry: IndicatorRegistry) -> None:
    text = (
        f"บัญชีกสิกรไทย 123-4-56789-0 USDT {TRON_USDT} เว็บ kbank-th.com "
        "อีเมล scam@kbank-th.com t.me/scam_boss TrueMoney 0812345679"
    )

    found = [(f.indicator.type, f.indicator.value, f.raw) for f in registry.extract(text, THAILAND)]

    assert found == [
        (IndicatorType.BANK_ACCOUNT, "TH:KBANK:1234567890", "กสิกรไทย 123-4-56789-0"),
        (IndicatorType.CRYPTO_WALLET, f"TRON:{TRON_USDT}", TRON_USDT),
        (IndicatorType.DOMAIN, "kbank-th.com", "kbank-th.com"),
        (IndicatorType.EMAIL, "scam@kbank-th.com", "scam@kbank-th.com"),
        (IndicatorType.HANDLE, "telegram:scam_boss", "t.me/scam_boss"),
        (IndicatorType.EWALLET, "TRUEMONEY:+66812345679", "TrueMoney 0812345679"),
    ]
    for item in registry.extract(text, THAILAND):
        assert text[item.start : item.end] == item.raw
