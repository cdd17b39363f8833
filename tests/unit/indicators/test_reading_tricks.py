"""How extraction reads the tricks and habits of real messages (cases from the corpus)."""

from __future__ import annotations

import pytest

from scamintel.indicators import FoundIndicator, ParseContext, default_registry
from scamintel.indicators._reading import reading_view


def found_in(text: str, region: str = "TH") -> list[tuple[str, str, str]]:
    found: list[FoundIndicator] = default_registry().extract(text, ParseContext(region))
    for item in found:
        assert item.raw == text[item.start : item.end]
    return [(item.indicator.type.value, item.indicator.value, item.raw) for item in found]


def test_zero_width_and_direction_controls_do_not_hide_a_number() -> None:
    text = "โทร 081\u200b234\u202e5678 ด่วน"

    assert found_in(text) == [("phone", "+66812345678", "081\u200b234\u202e5678")]


def test_a_link_in_full_width_letters_is_read_as_ascii() -> None:
    text = "ｈｔｔｐｓ：／／ｋｂａｎｋ－ｓｅｃｕｒｅ．ｃｏｍ／ｌｏｇｉｎ"

    assert found_in(text) == [("url", "https://kbank-secure.com/login", text)]


def test_a_homoglyph_domain_is_its_own_punycode_domain_never_the_brand() -> None:
    cyrillic_a = "\u0430"
    text = f"login at kb{cyrillic_a}nk.com now"

    assert found_in(text) == [("domain", "xn--kbnk-63d.com", f"kb{cyrillic_a}nk.com")]


def test_words_wholly_in_another_script_are_left_as_they_are() -> None:
    view = reading_view("Привет от друга: позвони")

    assert view.scanned == "Привет от друга: позвони"


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("ayapay-gift(dot)com/mm ကို ဝင်ပါ", "ayapay-gift(dot)com/mm"),
        ("go to tng-angpow[dot]com/claim", "tng-angpow[dot]com/claim"),
        ("open kbank-secure dot com/login", "kbank-secure dot com/login"),
    ],
)
def test_spelled_out_dots_are_read_in_links(text: str, raw: str) -> None:
    assert [(kind, written) for kind, _, written in found_in(text)] == [("url", raw)]


def test_a_domain_spelled_with_two_dots_is_read_and_prose_is_not() -> None:
    assert found_in("visit kbank dot co dot th today") == [
        ("domain", "kbank.co.th", "kbank dot co dot th")
    ]
    assert found_in("it was the dot com bubble") == []


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Ma giao dich 2323256250. CSKH", "VN"),
        ("Zoom ID: 848 5318 7652", "VN"),
        ("OTP 0812345678", "TH"),
        ("Order no. 0812345678", "TH"),
        ("รหัส 0812345678", "TH"),
    ],
)
def test_a_number_after_a_code_word_is_a_code_not_a_phone(text: str, region: str) -> None:
    assert found_in(text, region) == []


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Tôi đã chuyển 190.000.000 đồng cho họ", "VN"),
        ("mất 350.000.000 đ", "VN"),
        ("sudah transfer 2.500.000 ke rekening itu", "ID"),
    ],
)
def test_an_amount_with_dot_grouped_thousands_is_not_a_phone(text: str, region: str) -> None:
    assert [kind for kind, _, _ in found_in(text, region)] == []


def test_a_phone_written_with_dots_is_still_read() -> None:
    assert found_in("goi 0912.345.678 ngay", "VN") == [("phone", "+84912345678", "0912.345.678")]


def test_a_number_glued_to_a_word_is_read_when_written_in_full() -> None:
    assert found_in("Info 088980007432berlaku", "ID") == [
        ("phone", "+6288980007432", "088980007432")
    ]
    assert found_in("TsCs08714740323 1Winawk", "GB") == [("phone", "+448714740323", "08714740323")]


def test_a_parcel_code_is_not_a_glued_number() -> None:
    assert found_in("Bungkusan anda (EP123456789MY) tertahan", "MY") == []


@pytest.mark.parametrize(
    ("text", "region", "value"),
    [
        ("Viber at 09628328966", "PH", "viber:+639628328966"),
        ("WhatsApp +60 12-345 6789", "MY", "whatsapp:+60123456789"),
        ("WA 0812-3456-7890", "ID", "whatsapp:+6281234567890"),
        ("PIN BB-2A96DE82", "ID", "bbm:2A96DE82"),
    ],
)
def test_numbers_and_pins_named_as_messenger_accounts_are_handles(
    text: str, region: str, value: str
) -> None:
    assert [(kind, found) for kind, found, _ in found_in(text, region)] == [("handle", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("kunjungi: http;//gebyartelkomsel.juplo.com", "http://gebyartelkomsel.juplo.com/"),
        ("HADIAH info.www.promotri2013.jimdo.com", "http://www.promotri2013.jimdo.com/"),
        ("visit www.mymoneymantra.com.T$C apply.", "http://www.mymoneymantra.com/"),
    ],
)
def test_links_with_typos_and_glued_words_are_read(text: str, value: str) -> None:
    assert [(kind, found) for kind, found, _ in found_in(text, "ID")] == [("url", value)]


def test_a_numbered_list_in_vietnamese_is_not_a_domain() -> None:
    assert found_in("1.Thẻ mệnh giá dưới 50.000đ 2.Thẻ mệnh giá từ 50.000đ", "VN") == []


def test_a_sentence_missing_its_space_is_not_a_domain_under_a_word_tld() -> None:
    assert found_in("call by tomorrow.call me", "GB") == []
    assert found_in("daftar di situs-gacor.online sekarang", "ID") == [
        ("domain", "situs-gacor.online", "situs-gacor.online")
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("BNI ini, a/n. ISMAWATI. Rek: 0248147033", "ID:BNI:0248147033"),
        ("Mandiri aja, a/n Resti Amanda norek 9000007701999", "ID:MANDIRI:9000007701999"),
    ],
)
def test_the_holder_named_between_bank_and_number_is_skipped(text: str, value: str) -> None:
    assert [(kind, found) for kind, found, _ in found_in(text, "ID")] == [("bank_account", value)]


def test_a_bank_code_glued_to_digits_is_a_reference_not_an_account() -> None:
    assert found_in("số tài khoản: DBP07052024 tại Vietinbank", "VN") == []


@pytest.mark.parametrize(
    ("text", "region", "value"),
    [
        ("001 62 812 3456 7890", "ID", "+6281234567890"),
        ("007 62 812 3456 7890", "ID", "+6281234567890"),
        ("001 66 81 234 5678", "TH", "+66812345678"),
        ("00 95 9 420 123 456", "MM", "+959420123456"),
    ],
)
def test_carrier_and_double_zero_international_prefixes_are_read(
    text: str, region: str, value: str
) -> None:
    assert [found for _, found, _ in found_in(text, region)] == [value]


def test_a_number_in_brackets_is_read_without_the_opening_bracket() -> None:
    assert found_in("call (0812345678) now") == [("phone", "+66812345678", "0812345678")]
    assert found_in("(081) 234-5678") == [("phone", "+66812345678", "(081) 234-5678")]
