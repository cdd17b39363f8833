"""The fast scans find exactly what the kinds' patterns find.

Each kind keeps its pattern but tries it only where a match can start (next to an "@", a
"//", a bank's name…). These tests hold those shortcuts to the plain ``finditer`` of the
same pattern, and the phone scan to phonenumbers' own PhoneNumberMatcher, on text made of
the pieces that trip them up: names in every case and spacing, brackets, defanged links,
local digits, and the four non-ASCII letters that match ASCII ones when case is ignored.
"""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators import _phonematch, _scan, crypto, email, financial, handle, web
from scamintel.indicators._digits import _DIGIT_TABLE
from scamintel.indicators.banks import BANKS
from scamintel.indicators.model import ParseContext
from scamintel.indicators.phone import PhoneKind, to_ascii_digits
from scamintel.indicators.registry import default_registry

_NAMES = sorted(
    {
        name
        for codes in BANKS.values()
        for code, aliases in codes.items()
        for name in (code, *aliases)
    }
    | {name for code, (_, aliases) in financial.PROVIDERS.items() for name in (code, *aliases)}
    | {name for platform, aliases in handle.PLATFORMS.items() for name in (platform, *aliases)}
)
_NOISE = ["", " ", "-", ".", "_", "  ", "’", "'", " . ", "\u00a0"]
_PIECES = [
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    ",",
    ".",
    ":",
    "：",
    ";",
    "/",
    "//",
    "\\",
    "@",
    "#",
    "%",
    "+",
    "＋",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "[.]",
    "(.)",
    "[dot]",
    "[at]",
    " (at) ",
    "{at}",
    "[:]",
    "hxxp://",
    "hxxps://",
    "h**p://",
    "http[:]//",
    "https://",
    "www.",
    "WwW.",
    "t.me/",
    "wa.me/",
    "line.me/ti/p/~",
    "line.me/R/ti/p/@",
    "telegram.me/",
    ".me/",
    ".com",
    ".co.th",
    ".github.io",
    "kbank-secure",
    "bit.ly",
    "xn--80ak6aa92e",
    "ทดสอบ",
    "müller",
    "ธนาคาร",
    "บัญชี",
    "เลขที่บัญชี",
    "a/c",
    "acct",
    "acc no.",
    "no.",
    "number",
    "#",
    "ID",
    "id:",
    "ไอดี",
    "wallet",
    "e-wallet",
    "bank",
    "Bank",
    "00",
    "001",
    "0x",
    "bc1",
    "BC1",
    "T",
    "1",
    "3",
    "$",
    "฿",
    "RM",
    "Rp",
    "x",
    "ext. 12",
    ",,",
    "2026-07-09 10:30",
    "12/10/2024",
    "211-227 (2003)",
    "(02)",
    "scam_boss",
    "@Invest_Club",
    "~abc",
    "a.b",
    "x_y+z",
    "ก",
    "ที่",
    "微信",
    "Ví",
    "\u0130",
    "\u0131",
    "\u017f",
    "\u212a",
    "๑",
    "๒",
    "０",
    "၀",
    "០",
    "໐",
    "٣",
    "༣",
]
_ADDRESSES = [
    "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
    "1A1zP1eLi5GefiUPwbT1fzQzW4d",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "0x52908400098527886E0F7030069857D2E4169EE7",
]


def _cased(text: str, flips: list[bool]) -> str:
    return "".join(
        char.swapcase() if flips[index % len(flips)] else char for index, char in enumerate(text)
    )


@st.composite
def _names(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(_NAMES))
    parts = [part for part in financial._NAME_NOISE.split(name) if part]
    glue = [draw(st.sampled_from(_NOISE)) for _ in parts]
    written = "".join(part + noise for part, noise in zip(parts, glue, strict=True))
    return _cased(written, draw(st.lists(st.booleans(), min_size=1, max_size=4)))


_digits = st.text(alphabet="0123456789", min_size=1, max_size=14)
_numbers = st.builds(
    lambda prefix, digits, separator, cut: prefix + separator.join([digits[:cut], digits[cut:]]),
    st.sampled_from(["", "", "+", "+66", "0", "08", "00", "001", "+855 ", "(0)", "66"]),
    _digits,
    st.sampled_from(["", " ", "-", ".", " - ", "/", "\u00a0", "–"]),
    st.integers(0, 14),
)
_fragments = st.one_of(
    st.sampled_from(_PIECES),
    _names(),
    _numbers,
    st.sampled_from(_ADDRESSES),
    st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=30),
)
_texts = st.lists(_fragments, max_size=14).map("".join)


def _spans(matches: object) -> list[tuple[int, int]]:
    return [match.span() for match in matches]  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_anchored_scans_find_what_finditer_finds(text: str) -> None:
    seen = _scan.TextViews(text)
    mapped = seen.mapped
    checks = [
        (email._EMAIL_IN_TEXT, text, email._email_starts(text)),
        (web._URL_CANDIDATE, text, web._url_starts(text)),
        (web._HOSTNAME_IN_TEXT, text, web._hostname_starts(text)),
        (handle._LINK_IN_TEXT, text, handle._link_starts(text)),
        (crypto._ADDRESS_IN_TEXT, text, [m.start() for m in crypto._ADDRESS_START.finditer(text)]),
    ]
    if seen.plain_case:
        checks += [
            (
                financial._ACCOUNT_IN_TEXT,
                mapped,
                financial._account_starts(mapped, financial._BANK_NAME_SCAN.starts(seen)),
            ),
            (financial._EWALLET_IN_TEXT, mapped, financial._PROVIDER_NAME_SCAN.starts(seen)),
            (handle._NAMED_IN_TEXT, mapped, handle._PLATFORM_NAME_SCAN.starts(seen)),
        ]
    for pattern, scanned, starts in checks:
        assert _spans(_scan.matches_at(pattern, scanned, starts)) == _spans(
            pattern.finditer(scanned)
        ), pattern.pattern[:60]


@settings(max_examples=300, deadline=None)
@given(name=_names(), before=st.sampled_from(["", " ", ":", "ก", "(", "x"]))
def test_every_way_of_writing_a_name_is_a_place_to_look(name: str, before: str) -> None:
    text = before + name + " 0812345678"
    seen = _scan.TextViews(text)
    pattern = re.compile(
        financial.names_pattern(_NAMES), re.IGNORECASE
    )  # what the kinds' patterns match a name with
    if not pattern.match(seen.mapped, len(before)) or re.match(
        r"[A-Za-z0-9]", before, re.IGNORECASE
    ):
        return
    scans = (
        financial._BANK_NAME_SCAN,
        financial._PROVIDER_NAME_SCAN,
        handle._PLATFORM_NAME_SCAN,
    )
    assert not seen.plain_case or any(len(before) in scan.starts(seen) for scan in scans)


_NAME_SETS = {
    "banks": financial._ALL_BANK_NAMES,
    "providers": financial._ALL_PROVIDER_NAMES,
    "platforms": handle._ALL_PLATFORM_NAMES,
}
_PATTERNS_WITH_NAMES = [
    ("banks", financial._ACCOUNT_IN_TEXT),
    ("banks", financial._NAMED_ACCOUNT),
    ("providers", financial._EWALLET_IN_TEXT),
    ("providers", financial._EWALLET),
    ("providers", financial._EWALLET_SHAPE),
    ("platforms", handle._NAMED_IN_TEXT),
    ("platforms", handle._NAMED),
]


@settings(max_examples=150, deadline=None)
@given(text=_texts)
def test_grouped_name_alternation_matches_as_the_plain_one(text: str) -> None:
    mapped = to_ascii_digits(text)
    for names, pattern in _PATTERNS_WITH_NAMES:
        grouped = financial.names_alternation(_NAME_SETS[names])
        plain = re.compile(
            pattern.pattern.replace(grouped, financial.names_pattern(_NAME_SETS[names])),
            pattern.flags,
        )
        assert plain.pattern != pattern.pattern
        for start in range(len(mapped) + 1):
            found, expected = pattern.match(mapped, start), plain.match(mapped, start)
            assert (found and (found.span(), found.groups())) == (
                expected and (expected.span(), expected.groups())
            )


def test_case_classes_hold_every_character_matching_a_name_initial() -> None:
    initials = {
        alternative[0]
        for names in _NAME_SETS.values()
        for alternative in financial._name_alternatives(names)
    }
    for initial in initials:
        case_class = re.compile(financial._case_class(initial))
        ignoring_case = re.compile(re.escape(initial), re.IGNORECASE)
        for code in range(0x10000):
            char = chr(code)
            assert bool(case_class.fullmatch(char)) == bool(ignoring_case.fullmatch(char)), (
                initial,
                char,
            )


def test_names_are_looked_for_only_where_a_word_starts() -> None:
    seen = _scan.TextViews("abcline line xline ไลน์ 0 kbank")

    assert handle._PLATFORM_NAME_SCAN.starts(seen) == [8, 19]
    assert financial._BANK_NAME_SCAN.starts(seen) == [26]


@settings(max_examples=300, deadline=None)
@given(text=_texts)
def test_local_digits_are_mapped_as_the_digit_table_says(text: str) -> None:
    assert to_ascii_digits(text) == text.translate(_DIGIT_TABLE)
    seen = _scan.TextViews(text)
    assert seen.mapped == text.translate(_DIGIT_TABLE)
    if seen.ascii_digits:
        assert re.findall(r"\d", seen.mapped) == re.findall(r"[0-9]", seen.mapped)


def test_views_are_shared_by_the_kinds_reading_one_text() -> None:
    text = "โทร ๐๘๑-๒๓๔-๕๖๗๘"

    assert _scan.views(text) is _scan.views(text)
    assert _scan.views(text).mapped == to_ascii_digits(text)
    assert len(_scan.views(text).skeleton) == len(text)


_REGIONS = ["TH", "MY", "VN", "PH", "ID", "SG", "MM", "KH", "LA", "US", "GB", "DE", "AR", "JP"]


@settings(max_examples=300, deadline=None)
@given(text=_texts, region=st.sampled_from([*_REGIONS, "XX"]))
def test_phone_scan_finds_what_phonenumbers_matcher_finds(text: str, region: str) -> None:
    mapped = to_ascii_digits(text)
    expected = [
        (match.start, match.end, phonenumbers.format_number(match.number, 0))
        for match in phonenumbers.PhoneNumberMatcher(
            mapped, region, leniency=phonenumbers.Leniency.VALID
        )
    ]

    found = [
        (start, end, indicator.value)
        for start, end, indicator in _phonematch.find_numbers(mapped, region)
    ]

    assert found == expected


@settings(max_examples=200, deadline=None)
@given(text=_texts, tries=st.integers(1, 80))
def test_phone_scan_gives_up_where_phonenumbers_matcher_does(text: str, tries: int) -> None:
    mapped = to_ascii_digits(text)
    expected = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(
            mapped, "TH", leniency=phonenumbers.Leniency.VALID, max_tries=tries
        )
    ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_phonematch, "_MAX_TRIES", tries)
        found = [(start, end) for start, end, _ in _phonematch.find_numbers(mapped, "TH")]

    assert found == expected


def _plain_numbers() -> st.SearchStrategy[tuple[str, str]]:
    def written(region: str, kind: int, style: int, edits: list[tuple[int, int]], cut: int) -> str:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            return ""
        digits = [c for c in phonenumbers.format_number(example, style) if c.isdigit() or c == "+"]
        positions = [i for i, char in enumerate(digits) if char.isdigit()]
        for index, digit in edits:
            digits[positions[index % len(positions)]] = str(digit)
        return "".join(digits[: max(cut, 2)])

    return st.tuples(
        st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
        st.sampled_from(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        ),
        st.sampled_from(
            [
                phonenumbers.PhoneNumberFormat.E164,
                phonenumbers.PhoneNumberFormat.NATIONAL,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            ]
        ),
        st.lists(st.tuples(st.integers(0, 30), st.integers(0, 9)), max_size=2),
        st.integers(2, 20),
    ).map(lambda args: (args[0], written(*args)))


@settings(max_examples=300, deadline=None)
@given(case=_plain_numbers(), region=st.sampled_from([*_REGIONS, "XX", "th"]))
def test_plain_numbers_are_read_as_parse_reads_them(case: tuple[str, str], region: str) -> None:
    _, number = case
    plain = _phonematch._PLAIN_NUMBER.fullmatch(number)
    if plain is None:
        return

    read = _phonematch._read_plain(bool(plain[1]), _phonematch._NOT_DIGIT.sub("", plain[2]), region)

    if not isinstance(read, _phonematch._Unknown):
        assert read == _phonematch._parsed_verdict.__wrapped__(number, region)


def _national_numbers() -> st.SearchStrategy[tuple[int, str]]:
    def written(
        region: str, kind: int, edits: list[tuple[int, int]], change: int
    ) -> tuple[int, str]:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None or example.italian_leading_zero:
            return 66, "812345678"
        digits = list(str(example.national_number))
        for index, digit in edits:
            digits[index % len(digits)] = str(digit)
        if change < 0:
            digits = digits[:change]
        elif change > 0:
            digits.append(str(change))
        return example.country_code, "".join(digits).lstrip("0") or "1"

    return st.builds(
        written,
        st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
        st.sampled_from(
            [
                phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE,
                phonenumbers.PhoneNumberType.TOLL_FREE,
                phonenumbers.PhoneNumberType.VOIP,
            ]
        ),
        st.lists(st.tuples(st.integers(0, 20), st.integers(0, 9)), max_size=2),
        st.integers(-2, 2),
    )


@settings(max_examples=300, deadline=None)
@given(number=_national_numbers(), written=st.sampled_from(["", "0", "1", "8"]))
def test_validity_and_national_prefix_checks_are_phonenumbers_own(
    number: tuple[int, str], written: str
) -> None:
    country_code, national = number
    parsed = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(national))
    valid = phonenumbers.is_valid_number(parsed)

    region = _phonematch._valid_region(country_code, national)

    assert region == (phonenumbers.region_code_for_number(parsed) if valid else None)
    if valid:
        parsed.country_code_source = phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
        parsed.raw_input = written + national
        assert _phonematch._prefix_written(
            country_code, national, written + national
        ) == phonenumbers.phonenumbermatcher._is_national_prefix_present_if_required(parsed)


@pytest.mark.parametrize("region", [*_REGIONS, "CN", "IN", "NU", "AT", "XX"])
def test_runs_of_three_digits_or_fewer_are_skipped_only_where_they_never_match(
    region: str,
) -> None:
    runs = [str(n).zfill(width) for width in (1, 2, 3) for n in range(10**width)]

    matched = [
        run
        for run in runs
        if list(phonenumbers.PhoneNumberMatcher(run, region, phonenumbers.Leniency.VALID))
    ]

    assert not (matched and _phonematch._short_runs_never_match(region))


@pytest.mark.parametrize(
    "text",
    [
        "call +66 81 234 5678 or (02) 123-4567, ext. 12",
        "amount 5,700 บาท on 2026-07-09 10:30 ref 12/10/2024",
        "0812345678 0898765432 and 08123 45678",
        "pages 211-227 (2003) and abc8005001234 and 8005001234def",
        "＋６６ ８１ ２３４ ５６７８ / ๐๘๑-๒๓๔-๕๖๗๘",
        "tel: 00 66 81 234 5678, 001 66 81 234 5678",
    ],
)
def test_phone_kind_finds_what_it_found_with_phonenumbers_matcher(text: str) -> None:
    mapped = to_ascii_digits(text)
    matched = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(mapped, "TH", phonenumbers.Leniency.VALID)
    ]

    found = [(f.start, f.end) for f in PhoneKind().find(text, ParseContext("TH"))]

    assert found[: len(matched)] == matched


def test_extraction_of_a_text_is_the_same_however_often_it_is_read() -> None:
    registry = default_registry()
    text = "LINE ID: scam_boss โทร 081-234-5678 kbank 123-4-56789-0 hxxps://kbank-secure[.]com/x"

    first = registry.extract(text, ParseContext("TH"))

    assert registry.extract(text, ParseContext("TH")) == first
    assert registry.extract(str(text), ParseContext("TH")) == first
