"""Red flags: each kind found in every language's wording, with its span and an explanation in
the reader's language; links on shorteners and lookalike domains; genuine messages stay quiet."""

from __future__ import annotations

import json
import re

import pytest

from scamintel.classify.redflags import (
    INDICATOR_FLAGS,
    NEGATABLE,
    RULE_LANGUAGES,
    TEXT_FLAGS,
    FlagCode,
    RedFlag,
    fold,
    language_region,
    load_indicator_flags,
    load_rules,
    read_rule_file,
    rule_files,
    rule_language,
    rules_folder,
)
from scamintel.classify.redflags import (
    find_red_flags as _find_red_flags,
)
from scamintel.indicators.model import FoundIndicator

U = FlagCode.URGENCY
IM = FlagCode.IMPERSONATION
P = FlagCode.PAYMENT_REQUEST
C = FlagCode.CREDENTIAL_REQUEST
A = FlagCode.APP_INSTALL
M = FlagCode.MOVE_TO_CHAT
G = FlagCode.TOO_GOOD_TO_BE_TRUE
T = FlagCode.THREAT

# (language, kind, message, the words that show it): every kind in every language, in the
# wording of that language (not the English rules that run alongside).
EXAMPLES: list[tuple[str, FlagCode, str, str]] = [
    ("en", U, "URGENT: reply within 24 hours or lose access.", "URGENT"),
    ("en", IM, "This is the Royal Thai Police cyber unit calling.", "Royal Thai Police"),
    ("en", P, "Please transfer the money to this safe account now.", "transfer the money"),
    ("en", C, "Send me the OTP you just received, it's for the refund.", "Send me the OTP"),
    ("en", A, "Install this app to receive your refund: refund-th.apk", "Install this app"),
    ("en", M, "For details add me on WhatsApp.", "WhatsApp"),
    ("en", G, "Congratulations! You have won a cash prize.", "Congratulations"),
    ("en", T, "An arrest warrant has been issued in your name.", "arrest warrant"),
    ("th", U, "ด่วน! ติดต่อกลับภายใน 24 ชั่วโมง", "ภายใน 24 ชั่วโมง"),
    ("th", IM, "สวัสดีค่ะ ติดต่อจากกรมสอบสวนคดีพิเศษ", "กรมสอบสวนคดีพิเศษ"),
    ("th", P, "กรุณาโอนเงินเข้าบัญชีปลอดภัยเพื่อตรวจสอบ", "กรุณาโอนเงินเข้าบัญชีปลอดภัย"),
    ("th", C, "กรุณาแจ้งรหัส OTP ที่ได้รับทาง SMS", "แจ้งรหัส"),
    ("th", A, "ให้ดาวน์โหลดแอปตามลิงก์นี้เพื่อรับเงินคืน", "ดาวน์โหลดแอป"),
    ("th", M, "สนใจแอดไลน์ @loan99 ได้เลย", "แอดไลน์"),
    ("th", G, "แจกฟรีเครดิต 300 ทุกยูส ฝาก 100 รับ 500", "ฝาก 100 รับ 500"),
    ("th", T, "บัญชีของท่านเกี่ยวข้องกับการฟอกเงิน จะถูกดำเนินคดี", "ฟอกเงิน"),
    ("my", U, "၂၄ နာရီအတွင်း ဆက်သွယ်ပါ", "၂၄ နာရီအတွင်း"),
    ("my", IM, "ရဲစခန်းမှ ဆက်သွယ်ခြင်းဖြစ်ပါသည်", "ရဲစခန်း"),
    ("my", P, "ဒီအကောင့်ကို ငွေလွှဲပေးပါ", "ငွေလွှဲပေး"),
    ("my", C, "OTP ကုဒ်ကို ပို့ပေးပါ", "ကုဒ်ကို ပို့ပေး"),
    ("my", A, "ဒီအက်ပ်ဒေါင်းလုဒ်ဆွဲပါ", "အက်ပ်ဒေါင်းလုဒ်"),
    ("my", M, "တယ်လီဂရမ်မှာ ဆက်ပြောရအောင်", "တယ်လီဂရမ်"),
    ("my", G, "ဂုဏ်ယူပါတယ် ဆုမဲပေါက်ပါတယ်", "ဆုမဲ"),
    ("my", T, "သင့်ကို ဖမ်းဆီးပါမည်", "ဖမ်းဆီး"),
    ("km", U, "សូមទាក់ទងមកវិញជាបន្ទាន់", "ជាបន្ទាន់"),
    ("km", IM, "នេះជាការជូនដំណឹងពីប៉ូលីស", "ប៉ូលីស"),
    ("km", P, "សូមផ្ទេរប្រាក់មកគណនីនេះ", "ផ្ទេរប្រាក់មក"),
    ("km", C, "សូមផ្ញើលេខកូដ OTP មកខ្ញុំ", "ផ្ញើលេខកូដ"),
    ("km", A, "សូមទាញយកកម្មវិធីនេះ", "ទាញយកកម្មវិធី"),
    ("km", M, "ទាក់ទងតាមតេឡេក្រាម", "តេឡេក្រាម"),
    ("km", G, "អ្នកបានឈ្នះរង្វាន់", "ឈ្នះរង្វាន់"),
    ("km", T, "អ្នកនឹងត្រូវចាប់ខ្លួន", "ចាប់ខ្លួន"),
    ("lo", U, "ກະລຸນາຕິດຕໍ່ດ່ວນ", "ດ່ວນ"),
    ("lo", IM, "ນີ້ແມ່ນຕຳຫຼວດ", "ຕຳຫຼວດ"),
    ("lo", P, "ກະລຸນາໂອນເງິນມາບັນຊີນີ້", "ໂອນເງິນມາ"),
    ("lo", C, "ກະລຸນາບອກລະຫັດ OTP", "ບອກລະຫັດ"),
    ("lo", A, "ກະລຸນາຕິດຕັ້ງແອັບນີ້", "ຕິດຕັ້ງແອັບ"),
    ("lo", M, "ລົມຕໍ່ທາງວັອດແອັບ", "ວັອດແອັບ"),
    ("lo", G, "ທ່ານຖືກລາງວັນ", "ຖືກລາງວັນ"),
    ("lo", T, "ທ່ານຈະຖືກຈັບ", "ຖືກຈັບ"),
    ("vi", U, "Canh bao lan cuoi, de nghi lien he", "Canh bao lan cuoi"),
    ("vi", IM, "Bộ Công an thông báo ông/bà có liên quan", "Bộ Công an"),
    ("vi", P, "Vui lòng chuyển khoản vào tài khoản sau", "chuyển khoản vào"),
    ("vi", C, "Vui lòng cung cấp mã OTP để xác thực", "cung cấp mã"),
    ("vi", A, "Tải app theo đường link để nhận quà", "Tải app"),
    ("vi", M, "Kết bạn Zalo 0912345678 để được hỗ trợ", "Kết bạn Zalo"),
    ("vi", G, "Chúc mừng bạn đã trúng thưởng xe máy SH", "trúng thưởng"),
    ("vi", T, "Tai khoan cua ban lien quan den rua tien", "rua tien"),
    ("id", U, "Harap segera hubungi kami", "segera"),
    ("id", IM, "Pesan resmi dari PT Telkomsel", "Pesan resmi"),
    ("id", P, "Uangnya ditransfer ke rek BNI a/n Budi", "ditransfer ke"),
    ("id", C, "Tolong kirim kode yang masuk ke HP kamu", "kirim kode"),
    ("id", A, "Silakan unduh aplikasi untuk cek resi paket Anda", "unduh aplikasi"),
    ("id", M, "Info lebih lanjut hubungi WA 0812 3456 7890", "hubungi WA"),
    ("id", G, "Selamat! Anda mendapatkan hadiah cek tunai", "Selamat"),
    ("id", T, "Nomor Anda akan diblokir", "diblokir"),
    ("ms", U, "Sila hubungi kami dengan segera", "dengan segera"),
    ("ms", IM, "Ini pegawai polis dari Bukit Aman", "pegawai polis"),
    ("ms", P, "Sila pindahkan wang ke akaun selamat", "pindahkan wang"),
    ("ms", C, "Sila berikan nombor TAC yang diterima", "berikan nombor TAC"),
    ("ms", A, "Sila muat turun aplikasi ini", "muat turun aplikasi"),
    ("ms", M, "Sila tambah Telegram saya", "tambah Telegram"),
    ("ms", G, "Tahniah, anda telah memenangi hadiah", "Tahniah"),
    ("ms", T, "Akaun anda akan dibekukan", "dibekukan"),
    ("tl", U, "Kailangan mong magbayad ngayon din", "ngayon din"),
    ("tl", IM, "Ito ay mula sa PNP Anti-Cybercrime Group", "PNP"),
    ("tl", P, "Magpadala ng pera sa numerong ito", "Magpadala ng pera"),
    ("tl", C, "Paki-send ang OTP mo para ma-verify", "OTP mo"),
    ("tl", A, "I-download ang app para makuha ang premyo", "I-download ang app"),
    ("tl", M, "I-message sa Telegram para sa detalye", "I-message sa Telegram"),
    ("tl", G, "Nanalo ka ng premyo sa raffle", "Nanalo ka"),
    ("tl", T, "Aarestuhin ka kung hindi ka magbabayad", "Aarestuhin"),
]


def find_red_flags(
    text: str,
    language: str | None,
    reader_language: str | None = "en",
    found_indicators: list[FoundIndicator] | None = None,
) -> list[RedFlag]:
    return _find_red_flags(text, language, reader_language, found_indicators)


def codes(flags: list[RedFlag]) -> list[FlagCode]:
    return [flag.code for flag in flags]


def own_rules_only(language: str, text: str) -> set[FlagCode]:
    """The kinds the language's own phrases and patterns show in ``text`` (not English's)."""
    rules = load_rules(language)
    assert rules is not None
    folded = fold(text)
    found = set()
    for code, category in rules.categories.items():
        for phrase in category.phrases:
            if fold(phrase) in folded or "".join(fold(phrase).split()) in folded:
                found.add(code)
        for pattern in category.patterns:
            if re.search(pattern, folded):
                found.add(code)
    return found


@pytest.mark.parametrize(("language", "code", "text", "words"), EXAMPLES)
def test_each_kind_is_found_in_the_wording_of_each_language(
    language: str, code: FlagCode, text: str, words: str
) -> None:
    flags = find_red_flags(text, language)
    matching = [flag for flag in flags if flag.code is code]
    assert matching, f"{code.value} not found in {text!r}: {flags}"
    assert any(words in flag.raw for flag in matching), [flag.raw for flag in matching]
    assert code in own_rules_only(language, text)


def test_the_examples_cover_every_kind_in_every_language() -> None:
    covered = {(language, code) for language, code, _, _ in EXAMPLES}
    assert covered == {(language, code) for language in RULE_LANGUAGES for code in TEXT_FLAGS}


@pytest.mark.parametrize(("language", "code", "text", "words"), EXAMPLES)
def test_every_span_is_the_raw_text_it_points_at_in_reading_order(
    language: str, code: FlagCode, text: str, words: str
) -> None:
    flags = find_red_flags(text, language)
    for flag in flags:
        assert flag.raw == text[flag.start : flag.end]
        assert flag.start < flag.end
    assert [(flag.start, flag.end) for flag in flags] == sorted(
        (flag.start, flag.end) for flag in flags
    )


def test_overlapping_phrases_of_one_kind_are_one_flag() -> None:
    text = "กรุณาโอนเงินเข้าบัญชีปลอดภัย"
    flags = [flag for flag in find_red_flags(text, "th") if flag.code is P]
    assert [flag.raw for flag in flags] == [text]


def test_a_phrase_matches_with_or_without_vietnamese_diacritics_and_in_any_case() -> None:
    with_marks = find_red_flags("Yêu cầu CHUYỂN KHOẢN VÀO tài khoản an toàn", "vi")
    without = find_red_flags("Yeu cau chuyen khoan vao tai khoan an toan", "vi")
    assert codes(with_marks) == codes(without) == [P, P]
    assert with_marks[0].raw == "CHUYỂN KHOẢN VÀO"


def test_latin_phrases_match_whole_words_and_thai_phrases_anywhere() -> None:
    assert find_red_flags("Our online store is open", "en") == []
    assert find_red_flags("ร้านค้าออนไลน์ของเรา", "th") == []
    glued = find_red_flags("ด่วนที่สุดแอดไลน์ได้เลย", "th")
    assert codes(glued) == [U, M]


def test_english_rules_run_on_messages_in_other_languages() -> None:
    flags = find_red_flags("คุณได้รับ free credit 300 บาท", "th")
    assert [(flag.code, flag.raw) for flag in flags] == [(G, "free credit")]


# --- explanations ---------------------------------------------------------------------------


def test_the_explanation_is_in_the_readers_language() -> None:
    text = "ด่วน! กรุณาแจ้งรหัส OTP"
    thai = load_rules("th")
    vietnamese = load_rules("vi")
    assert thai is not None
    assert vietnamese is not None
    for flag in find_red_flags(text, "th", "th"):
        assert flag.explanation == thai.categories[flag.code].explanation["th"]
    for flag in find_red_flags(text, "th", "vi-VN"):
        assert flag.explanation == vietnamese.categories[flag.code].explanation["vi"]
    for flag in find_red_flags(text, "th", "en"):
        assert flag.explanation == thai.categories[flag.code].explanation["en"]


@pytest.mark.parametrize("reader", ["fr", "zh-Hant", None, ""])
def test_a_reader_language_without_explanations_gets_english(reader: str | None) -> None:
    english = load_rules("en")
    assert english is not None
    flags = find_red_flags("URGENT: send the OTP", "en", reader)
    assert codes(flags) == [U, C]
    for flag in flags:
        assert flag.explanation == english.categories[flag.code].explanation["en"]


def test_a_message_in_a_language_without_rules_is_read_with_the_english_ones() -> None:
    flags = find_red_flags("紧急 urgent: send the OTP now", "zh", "th")
    assert codes(flags) == [U, C]


# --- links ------------------------------------------------------------------------------------


def test_a_link_on_a_shortener_is_flagged_with_its_span() -> None:
    text = "รับเครดิตฟรี กด bit.ly/3IWzgdt เลย"
    flags = [flag for flag in find_red_flags(text, "th", "th") if flag.code in INDICATOR_FLAGS]
    assert [(flag.code, flag.raw) for flag in flags] == [
        (FlagCode.SHORTENED_LINK, "bit.ly/3IWzgdt")
    ]
    assert "bit.ly" in flags[0].explanation
    assert flags[0].explanation.startswith("ลิงก์นี้")


def test_a_lookalike_domain_is_flagged_with_the_brand_it_imitates() -> None:
    text = "KBank: your account is locked, log in at https://kasikornbank-th.com/login"
    flags = [flag for flag in find_red_flags(text, "en") if flag.code is FlagCode.LOOKALIKE_DOMAIN]
    assert [flag.raw for flag in flags] == ["https://kasikornbank-th.com/login"]
    assert "Kasikornbank" in flags[0].explanation
    assert "kasikornbank.com" in flags[0].explanation
    assert "{" not in flags[0].explanation


def test_indicators_already_extracted_are_used_as_given() -> None:
    text = "Click bit.ly/3IWzgdt"
    assert codes(find_red_flags(text, "en", found_indicators=[])) == []
    assert codes(find_red_flags(text, "en")) == [FlagCode.SHORTENED_LINK]


@pytest.mark.parametrize(
    ("language", "region"),
    [
        *[("th", "TH"), ("my", "MM"), ("km", "KH"), ("lo", "LA"), ("vi", "VN"), ("id", "ID")],
        *[("ms", "MY"), ("tl", "PH"), ("fil", "PH"), ("en", "SG"), ("zh", "SG"), (None, "SG")],
    ],
)
def test_numbers_are_read_in_the_region_of_the_messages_language(
    language: str | None, region: str
) -> None:
    assert language_region(language, "SG") == region


def test_language_codes_are_read_loosely() -> None:
    assert rule_language("th-TH") == "th"
    assert rule_language("FIL") == "tl"
    assert rule_language("zsm") == "ms"
    assert rule_language("fr") is None


# --- genuine messages -----------------------------------------------------------------------

# A genuine one-time-password notice names the code and warns "do not share it": that warning
# is not a request, so it is not a flag (a negation just before a request cancels it). Nor is
# "enter the code within 5 minutes": the deadline rules take hours and days, not the minutes
# every OTP is valid for.
GENUINE = [
    ("en", "Hi mum, I'll be home late tonight, save me some dinner. Love you!"),
    ("en", "Your KBank OTP is 482913 (Ref: ABCD). Do not share this code with anyone."),
    ("en", "We will never ask for your PIN or OTP. Never share your password."),
    ("en", "Your verification code is 860066. It expires in 5 minutes."),
    ("th", "แม่จ๋า วันนี้กลับบ้านดึกนะ ไม่ต้องรอกินข้าว"),
    ("th", "รหัส OTP 192472 (Ref: QHSQ) ห้ามบอกรหัสนี้แก่ผู้อื่นทุกกรณี กรุณากรอกรหัสภายใน 5 นาที"),
    ("th", "Lazada: อย่าเปิดเผยรหัสนี้กับผู้อื่น OTP ลงชื่อเข้าใช้ของคุณคือ 218314"),
    ("th", "เงินโอนเข้าบัญชี xxx-x-x1234-x จำนวน 500.00 บาท คงเหลือ 1,520.00 บาท"),
    ("th", "ธนาคารไม่มีนโยบายขอรหัส OTP ทางโทรศัพท์"),
    ("vi", "Ma OTP cua Quy khach la 123456. Tuyet doi khong cung cap ma OTP cho bat ky ai."),
    ("vi", "Con oi, toi nay me ve muon, con an com truoc nhe"),
    ("id", "JANGAN BERIKAN kode ini kepada siapa pun. Kode OTP Anda 123456."),
    ("ms", "Jangan kongsi TAC anda dengan sesiapa. TAC: 123456"),
    ("tl", "Huwag ibigay ang OTP mo kahit kanino. Ang iyong OTP ay 123456."),
]


@pytest.mark.parametrize(("language", "text"), GENUINE)
def test_genuine_messages_and_otp_notices_raise_no_flags(language: str, text: str) -> None:
    assert find_red_flags(text, language) == []


def test_a_negation_only_cancels_requests_not_threats() -> None:
    assert codes(find_red_flags("Do not ignore this: an arrest warrant is issued", "en")) == [T]
    assert T not in NEGATABLE
    assert C in NEGATABLE


# --- the data files ---------------------------------------------------------------------------


def test_there_is_a_rule_file_for_every_language_and_nothing_else() -> None:
    assert sorted(item.name for item in rule_files()) == sorted(
        f"{language}.json" for language in RULE_LANGUAGES
    )


@pytest.mark.parametrize("language", RULE_LANGUAGES)
def test_every_rule_file_parses_with_every_kind_explained_in_english_thai_and_its_own(
    language: str,
) -> None:
    rules = read_rule_file(rules_folder().joinpath(f"{language}.json"))
    assert rules.language == language
    assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", rules.version)
    assert rules.review.status
    assert rules.review.reviewer
    assert set(rules.categories) == set(TEXT_FLAGS)
    for code, category in rules.categories.items():
        assert category.phrases or category.patterns, code
        for reader in {"en", "th", language}:
            assert category.explanation.get(reader, "").strip(), (code, reader)


@pytest.mark.parametrize("language", RULE_LANGUAGES)
def test_every_phrase_of_a_rule_file_finds_its_own_kind(language: str) -> None:
    rules = load_rules(language)
    assert rules is not None
    for code, category in rules.categories.items():
        for phrase in category.phrases:
            flags = find_red_flags(phrase, language, found_indicators=[])
            assert code in codes(flags), (language, code.value, phrase)


@pytest.mark.parametrize("language", RULE_LANGUAGES)
def test_patterns_are_written_for_folded_text(language: str) -> None:
    rules = load_rules(language)
    assert rules is not None
    for category in rules.categories.values():
        for pattern in category.patterns:
            re.compile(pattern)
            unescaped = re.sub(r"\\.", "", pattern)
            assert fold(unescaped) == unescaped, pattern


def test_the_indicator_flags_are_explained_in_every_language_with_their_placeholders() -> None:
    flags = load_indicator_flags()
    assert set(flags.flags) == set(INDICATOR_FLAGS)
    for code, flag in flags.flags.items():
        assert set(flag.explanation) == set(RULE_LANGUAGES), code
        for text in flag.explanation.values():
            assert "{host}" in text
            assert set(re.findall(r"\{(\w+)\}", text)) <= {"host", "service", "brand", "domain"}
    for text in flags.flags[FlagCode.LOOKALIKE_DOMAIN].explanation.values():
        assert "{brand}" in text
        assert "{domain}" in text


def test_rule_files_are_plain_json_kept_in_the_package() -> None:
    for item in rule_files():
        data = json.loads(item.read_text("utf-8"))
        assert data["review"]["status"]
