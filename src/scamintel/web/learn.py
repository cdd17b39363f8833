"""The "spot the scam" exercise: messages from the labelled data sets (a folder set by
``SCAMINTEL_LEARN_MESSAGES_DIR``), anonymised before anyone sees them, or a few messages
written for this page when no folder is set."""

from __future__ import annotations

import csv
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from scamintel.indicators import IndicatorRegistry, IndicatorType, ParseContext
from scamintel.web.i18n import DEFAULT_LANGUAGE

# Placeholders for what could identify a person or a live scam.
PLACEHOLDERS: dict[IndicatorType, str] = {
    IndicatorType.PHONE: "[phone]",
    IndicatorType.BANK_ACCOUNT: "[account]",
    IndicatorType.EWALLET: "[account]",
    IndicatorType.CRYPTO_WALLET: "[wallet]",
    IndicatorType.URL: "[link]",
    IndicatorType.DOMAIN: "[link]",
    IndicatorType.EMAIL: "[e-mail]",
    IndicatorType.HANDLE: "[chat ID]",
    IndicatorType.IP: "[link]",
    IndicatorType.IMEI: "[number]",
}
# Any run of four or more digits, in any script (Thai, Burmese... digits are \d too).
_DIGIT_RUN = re.compile(r"\d{4,}")
_MAX_LENGTH = 600
NAME_PLACEHOLDER = "[name]"
_EMAIL_LIKE = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
_AT_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,}\w")
# A greeting, then up to three words; _mask_greeted_name replaces the capitalised ones.
_GREETED_NAME = re.compile(
    r"(?P<greeting>\b(?i:dear|hi|hello|kepada|yth\.?|ch\u00e0o|k\u00ednh g\u1eedi)[ \t]+)"
    r"(?P<words>[^\W\d_][\w'\u2019-]*(?:[ \t][^\W\d_][\w'\u2019-]*){0,2})"
)
# Thai has no capitals: the word after "เรียน" (Dear), with or without "คุณ" (Mr/Ms), or
# after "คุณ" written on its own before a space, is taken as a name.
_THAI_GREETED_NAME = re.compile(
    r"((?:\u0e40\u0e23\u0e35\u0e22\u0e19[ \t]*(?:\u0e04\u0e38\u0e13[ \t]*)?)"
    r"|(?:(?<!\S)\u0e04\u0e38\u0e13[ \t]+))[\u0e01-\u0e4e]{1,30}"
)
_LABELS = ("scam", "ham")
_REGION_OF_LANGUAGE = {
    "th": "TH", "my": "MM", "km": "KH", "lo": "LA", "vi": "VN",
    "id": "ID", "ms": "MY", "tl": "PH",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExerciseMessage:
    text: str
    is_scam: bool
    language: str


# Written for this page (not taken from any data set): no real numbers, links or names.
WRITTEN_MESSAGES: tuple[ExerciseMessage, ...] = (
    ExerciseMessage(
        "Parcel service: your package could not be delivered because the address is "
        "incomplete. Pay the 25 baht redelivery fee within 12 hours at [link] or it will be "
        "returned.",
        True,
        "en",
    ),
    ExerciseMessage(
        "Hi, it's Mai. I'm running 10 minutes late, save me a seat near the window please.",
        False,
        "en",
    ),
    ExerciseMessage(
        "Police notice: your bank account is linked to a money laundering case. Add our "
        "officer on LINE [chat ID] today and transfer your savings to a safe account for "
        "checking, or you will be arrested.",
        True,
        "en",
    ),
    ExerciseMessage(
        "Your one-time code is [number]. Do not share this code with anyone, including bank staff.",
        False,
        "en",
    ),
    ExerciseMessage(
        "Easy part-time job! Like videos from home and earn 3,000 a day. No experience "
        "needed. Message our recruiter on WhatsApp now, places are limited.",
        True,
        "en",
    ),
    ExerciseMessage(
        "พัสดุของคุณถูกระงับเนื่องจากที่อยู่ไม่ครบ กรุณาชำระค่าจัดส่งใหม่ 25 บาท ภายในวันนี้ที่ [link] มิฉะนั้นพัสดุจะถูกตีกลับ",
        True,
        "th",
    ),
    ExerciseMessage("แม่จ๋า เย็นนี้หนูกลับบ้านช้านิดหน่อยนะ ไม่ต้องรอกินข้าว", False, "th"),
    ExerciseMessage(
        "ด่วน! บัญชีของท่านพัวพันคดีฟอกเงิน ให้แอดไลน์เจ้าหน้าที่ [chat ID] "
        "และโอนเงินเพื่อตรวจสอบภายใน 24 ชั่วโมง มิฉะนั้นจะถูกออกหมายจับ",
        True,
        "th",
    ),
    ExerciseMessage(
        "รหัส OTP ของคุณคือ [number] ห้ามบอกรหัสนี้กับผู้อื่น รวมถึงพนักงานธนาคาร",
        False,
        "th",
    ),
)


def anonymised(text: str, registry: IndicatorRegistry, region: str) -> str:
    """``text`` with every indicator, every run of 4+ digits, anything like an e-mail address
    or an @handle and the name after a greeting ("Dear Somchai", "Kepada Budi", "เรียน
    สมชาย") replaced by a placeholder.

    Best effort: it finds what looks like a number, a link or an address and the names that
    follow a greeting, not every name or street in free text. Data sets shown on this page
    should still be chosen with care (docs/web-pages.md)."""
    found = sorted(registry.extract(text, ParseContext(region)), key=lambda item: item.start)
    pieces: list[str] = []
    position = 0
    for item in found:
        if item.start < position:
            continue
        pieces.append(text[position : item.start])
        pieces.append(PLACEHOLDERS.get(item.indicator.type, "[number]"))
        position = item.end
    pieces.append(text[position:])
    masked = _EMAIL_LIKE.sub(PLACEHOLDERS[IndicatorType.EMAIL], "".join(pieces))
    masked = _AT_HANDLE.sub(PLACEHOLDERS[IndicatorType.HANDLE], masked)
    masked = _GREETED_NAME.sub(_mask_greeted_name, masked)
    masked = _THAI_GREETED_NAME.sub(lambda found: found.group(1) + NAME_PLACEHOLDER, masked)
    return _DIGIT_RUN.sub("[number]", masked)


def _mask_greeted_name(found: re.Match[str]) -> str:
    """The greeting kept, its capitalised words (a name) replaced; lower-case words after a
    greeting ("Hi there") are no name and stay."""
    words = found.group("words").split(" ")
    named = 0
    while named < len(words) and words[named][:1].isupper():
        named += 1
    if named == 0:
        return found.group(0)
    rest = " ".join(words[named:])
    return found.group("greeting") + NAME_PLACEHOLDER + (f" {rest}" if rest else "")


def is_scam_turn(index: int) -> bool:
    """Whether exercise ``index`` shows a scam: one bit of a hash, so about half do."""
    return hashlib.sha256(f"spot-the-scam:{index}".encode()).digest()[0] & 1 == 0


def region_of(language: str, default_region: str) -> str:
    return _REGION_OF_LANGUAGE.get(language, default_region)


@dataclass
class ExercisePool:
    """Scam and non-scam messages by language, read from the folder on first use."""

    folder: Path | None
    _by_language: dict[str, tuple[list[ExerciseMessage], list[ExerciseMessage]]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def message(self, language: str, index: int) -> ExerciseMessage:
        """The ``index``-th message for a reader of ``language``, in the reader's language
        where the data have it, else English. Whether it is a scam follows a hash of the
        index: the same for everyone, half and half overall, but with no pattern a reader
        could learn instead of the red flags (scam and not-scam in turn would be one)."""
        scams, others = self._pools(language)
        chosen = scams if is_scam_turn(index) else others
        return chosen[index % len(chosen)]

    @property
    def from_data_sets(self) -> bool:
        return bool(self._load())

    def _pools(self, language: str) -> tuple[list[ExerciseMessage], list[ExerciseMessage]]:
        loaded = self._load()
        for candidate in (language, DEFAULT_LANGUAGE):
            scams, others = loaded.get(candidate, ([], []))
            if scams and others:
                return scams, others
        written = [item for item in WRITTEN_MESSAGES if item.language == language] or [
            item for item in WRITTEN_MESSAGES if item.language == DEFAULT_LANGUAGE
        ]
        return [m for m in written if m.is_scam], [m for m in written if not m.is_scam]

    def _load(self) -> dict[str, tuple[list[ExerciseMessage], list[ExerciseMessage]]]:
        with self._lock:
            if self._by_language is None:
                self._by_language = _read_folder(self.folder) if self.folder else {}
            return self._by_language


def _read_folder(
    folder: Path,
) -> dict[str, tuple[list[ExerciseMessage], list[ExerciseMessage]]]:
    by_language: dict[str, tuple[list[ExerciseMessage], list[ExerciseMessage]]] = {}
    seen: set[str] = set()
    for path in sorted(folder.glob("*/train.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                message = _message_of(row, seen)
                if message is not None:
                    scams, others = by_language.setdefault(message.language, ([], []))
                    (scams if message.is_scam else others).append(message)
    return by_language


def _message_of(row: dict[str, str], seen: set[str]) -> ExerciseMessage | None:
    text = (row.get("text") or "").strip()
    label = (row.get("label") or "").strip()
    language = (row.get("lang") or "").strip().lower()
    # Spam is advertising: neither clearly a scam nor clearly fine, so it is left out.
    if label not in _LABELS or not text or len(text) > _MAX_LENGTH or text in seen:
        return None
    seen.add(text)
    return ExerciseMessage(text, label == "scam", language)
