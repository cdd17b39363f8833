"""Messaging and social accounts: ``<platform>:<id>``; the platform must be named."""

from __future__ import annotations

import pytest

from scamintel.indicators.handle import HandleKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext

THAILAND = ParseContext("TH")


@pytest.fixture(scope="module")
def kind() -> HandleKind:
    return HandleKind()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("line:@abc", "line:abc"),
        ("LINE ID: Scam_Boss", "line:scam_boss"),
        ("Line id scam.boss", "line:scam.boss"),
        ("ไลน์ scam_boss", "line:scam_boss"),
        ("line.me/ti/p/~Scam.Boss", "line:scam.boss"),
        ("https://line.me/R/ti/p/%40kbank-th", "line:kbank-th"),
        ("telegram:@Scam_Boss", "telegram:scam_boss"),
        ("Telegram @scam_boss", "telegram:scam_boss"),
        ("t.me/Scam_Boss", "telegram:scam_boss"),
        ("https://t.me/scam_boss/", "telegram:scam_boss"),
        ("WeChat: ScamBoss88", "wechat:ScamBoss88"),
        ("ig: Scam.Shop", "instagram:scam.shop"),
        ("facebook.com/Scam.Page", "facebook:scam.page"),
        ("tiktok.com/@scammer", "tiktok:scammer"),
    ],
)
def test_named_handles_and_profile_links_become_platform_and_id(
    kind: HandleKind, raw: str, canonical: str
) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.HANDLE
    assert indicator.value == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "wa.me/66812345678",
        "https://wa.me/+66812345678",
        "WhatsApp: 081-234-5678",
        "wa: +66812345678",
    ],
)
def test_whatsapp_ids_are_e164_numbers(kind: HandleKind, raw: str) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.value == "whatsapp:+66812345678"
    assert indicator.country == "TH"


def test_zalo_and_viber_numbers_are_e164_too_but_usernames_stay(kind: HandleKind) -> None:
    assert kind.canonicalise("zalo 0912345678", ParseContext("VN")).value == "zalo:+84912345678"
    assert kind.canonicalise("viber: ScamBoss", THAILAND).value == "viber:ScamBoss"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("@scam_boss", "an @name alone does not say which platform"),
        ("scam_boss", "name the platform"),
        ("whatsapp:scam_boss", "a WhatsApp account is a phone number"),
        ("whatsapp: 012 345 678", "phone number is not valid"),
        ("telegram:abc", "not a valid telegram account name"),
        ("line:bad name!", "not a valid line account name"),
    ],
)
def test_handle_rejections_say_why(kind: HandleKind, raw: str, reason: str) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        kind.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.HANDLE


@pytest.mark.parametrize(
    "raw",
    [
        "line:@abc",
        "LINE ID: abc",
        "t.me/scam_boss",
        "wa.me/66812345678",
        "whatsapp: +66 81 234 5678",
    ],
)
def test_looks_like_a_named_platform_or_profile_link(kind: HandleKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "@scam_boss",
        "0812345678",
        "kbank.com",
        "https://t.me/joinchat/abc",
        "line busy",
        "Signal strength",
    ],
)
def test_looks_like_refuses_bare_names_and_other_values(kind: HandleKind, raw: str) -> None:
    assert not kind.looks_like(raw)


def test_find_reads_named_handles_and_profile_links(kind: HandleKind) -> None:
    text = "ติดต่อ LINE ID: scam_boss หรือ t.me/Boss_TH. wa.me/66812345678 ไลน์ boss99"

    found = sorted(
        ((f.raw, f.indicator.value, f.start, f.end) for f in kind.find(text, THAILAND)),
        key=lambda item: item[2],
    )

    expected = [
        ("LINE ID: scam_boss", "line:scam_boss"),
        ("t.me/Boss_TH", "telegram:boss_th"),
        ("wa.me/66812345678", "whatsapp:+66812345678"),
        ("ไลน์ boss99", "line:boss99"),
    ]
    assert found == [
        (raw, value, text.index(raw), text.index(raw) + len(raw)) for raw, value in expected
    ]


def test_find_needs_an_id_word_colon_or_at_after_a_latin_platform_name(kind: HandleKind) -> None:
    text = "the line is busy, send a signal later, @someone"

    assert list(kind.find(text, THAILAND)) == []
