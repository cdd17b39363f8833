"""Language detection by script and, for Latin script, by stop words."""

from __future__ import annotations

import pytest

from scamintel.classify.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("รหัส OTP ของคุณคือ 123456 ห้ามบอกรหัสนี้กับผู้อื่น", "th"),
        ("ທ່ານໄດ້ຮັບລາງວັນ ກະລຸນາຕິດຕໍ່ກັບ", "lo"),
        ("អ្នកបានឈ្នះរង្វាន់ សូមចុចតំណនេះ", "km"),
        ("သင်သည် ဆုရရှိပါသည်။ ဤလင့်ခ်ကို နှိပ်ပါ", "my"),
        ("Quý khách đã trúng thưởng, vui lòng truy cập đường link", "vi"),
        ("Quy khach co loi nhan thoai, vui long goi lai tong dai", "vi"),
        ("Selamat! Anda mendapatkan hadiah dari kami, silakan hubungi nomor ini", "id"),
        ("Tahniah! Anda menang baucar RM500, sila layari pautan ini sekarang", "ms"),
        ("Nanalo ka ng premyo! Para makuha ang iyong pera, i-click lang po ito", "tl"),
        ("Hey, are we still meeting for lunch tomorrow?", "en"),
    ],
)
def test_detects_the_language_of_a_message(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_thai_with_a_long_latin_link_is_still_thai() -> None:
    text = "คลิกเลย https://example.com/a-very-long-english-looking-path/with/many/words"
    assert detect_language(text) == "th"


def test_text_without_words_falls_back_to_english() -> None:
    assert detect_language("123456 !!! ...") == "en"
    assert detect_language("") == "en"
