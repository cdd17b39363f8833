"""Scam types by documented keyword rules per language."""

from __future__ import annotations

import pytest

from scamintel.classify.scam_types import guess_scam_type, scam_type_rules
from scamintel.reports.model import ScamType


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Your parcel could not be delivered. Pay the redelivery fee at http://x.top",
            "en",
            ScamType.PHISHING_PARCEL_UTILITY,
        ),
        ("สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ รับเครดิตฟรี 100", "th", ScamType.GAMBLING_LURE),
        (
            "Ma, ini mama. Mama minta pulsa 100rb ke nomor baru ini ya",
            "id",
            ScamType.HACKED_ACCOUNT,
        ),
        (
            "Cơ quan công an thông báo ông bà liên quan vụ án rửa tiền, lệnh bắt đã được ký",
            "vi",
            ScamType.OFFICIALS_IMPERSONATED,
        ),
        (
            "Co quan cong an thong bao ong ba lien quan vu an rua tien",
            "vi",
            ScamType.OFFICIALS_IMPERSONATED,
        ),
        (
            "Hiring part-time staff, work from home, daily income 3000 baht for simple tasks",
            "en",
            ScamType.JOB_TASK,
        ),
        ("Nanalo ka ng premyo sa raffle! I-claim na ngayon", "tl", ScamType.PRIZE_QR),
        ("Pinjaman peribadi faedah rendah, lulus segera", "ms", ScamType.LOAN),
        ("ได้รับสิทธิ์ลงทุนหุ้น ผลตอบแทน 30% ต่อเดือน", "th", ScamType.INVESTMENT),
    ],
)
def test_names_the_likely_scam_type(text: str, language: str, expected: ScamType) -> None:
    assert guess_scam_type(text, language) == expected


def test_english_words_count_in_a_local_language_message() -> None:
    assert guess_scam_type("คลิกรับ free credit casino ทันที", "th") == ScamType.GAMBLING_LURE


def test_a_message_matching_no_rule_is_other() -> None:
    assert guess_scam_type("Please call me back when you can", "en") == ScamType.OTHER


def test_latin_rules_match_whole_words_only() -> None:
    # "bet" is a gambling word; "better" must not match it.
    assert guess_scam_type("You will feel better soon", "en") == ScamType.OTHER


def test_every_rule_names_a_known_scam_type_and_covers_the_languages() -> None:
    rules = scam_type_rules()
    assert {rule.scam_type for rule in rules} == set(ScamType) - {ScamType.OTHER}
    for rule in rules:
        assert set(rule.latin) | set(rule.substrings) >= {
            "en",
            "th",
            "id",
            "vi",
            "tl",
            "ms",
            "my",
            "km",
            "lo",
        }
