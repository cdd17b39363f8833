"""IMEIs: 15 digits with a Luhn check digit, read from the ways people and telcos write them,
and found in text only after their label so that OTPs and order numbers stay out."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scamintel.indicators.imei import REPORTING_BODIES, ImeiKind
from scamintel.indicators.model import IndicatorType, InvalidIndicatorError, ParseContext
from scamintel.indicators.registry import IndicatorRegistry, default_registry

THAILAND = ParseContext("TH")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def luhn_digit(body: str) -> str:
    """The check digit of ``body`` (written here, not taken from the code under test)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str(-total % 10)


def imei(body: str) -> str:
    return body + luhn_digit(body)


def wrong_check_digit(valid: str) -> str:
    return valid[:14] + str((int(valid[14]) + 1) % 10)


HANDSET = imei("35209900176148")  # 352099001761481
PHONE_EXAMPLE = "490154203237518"  # the example of GSM 03.03 and Wikipedia
MODEM = imei("86123456789012")
SECOND_SLOT = imei("35209900176149")


@pytest.fixture(scope="module")
def kind() -> ImeiKind:
    return ImeiKind()


@pytest.fixture(scope="module")
def registry() -> IndicatorRegistry:
    return default_registry()


def _found(kind: ImeiKind, text: str) -> list[tuple[str, str]]:
    return [(found.raw, found.indicator.value) for found in kind.find(text, THAILAND)]


def test_test_factory_computes_the_standard_check_digit() -> None:
    assert imei(PHONE_EXAMPLE[:14]) == PHONE_EXAMPLE
    assert HANDSET == "352099001761481"


# --- Canonical forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (HANDSET, HANDSET),
        (PHONE_EXAMPLE, PHONE_EXAMPLE),
        ("35-209900-176148-1", HANDSET),
        ("352099 00 176148 1", HANDSET),
        ("35209900/176148/1", HANDSET),
        ("35 209900 176148 1", HANDSET),
        ("IMEI: 352099001761481", HANDSET),
        ("IMEI1 352099001761481", HANDSET),
        ("IMEI 2: 35-209900-176148-1", HANDSET),
        ("imei no. 352099001761481", HANDSET),
        ("IMEI (1): 352099001761481", HANDSET),
        ("IMEI#2 352099001761481", HANDSET),
        ("อีมี่ 352099001761481", HANDSET),
        ("串号：352099001761481", HANDSET),
        ("๓๕๒๐๙๙๐๐๑๗๖๑๔๘๑", HANDSET),
        ("３５２０９９００１７６１４８１", HANDSET),
        # 14 digits: the check digit is computed
        ("35209900176148", HANDSET),
        ("IMEI: 35-209900-176148", HANDSET),
        # 16 digits: an IMEISV, its software version dropped
        ("3520990017614823", HANDSET),
        ("IMEISV: 35-209900-176148-23", HANDSET),
        ("IMEI/SV 3520990017614801", HANDSET),
    ],
)
def test_imei_becomes_its_15_digits(kind: ImeiKind, raw: str, canonical: str) -> None:
    indicator = kind.canonicalise(raw, THAILAND)

    assert indicator.type is IndicatorType.IMEI
    assert indicator.value == canonical
    assert indicator.country is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (wrong_check_digit(HANDSET), "bad check digit"),
        ("35-209900-176148-2", "bad check digit"),
        ("3520990017614", "not 13"),
        ("35209900176148123", "not 17"),
        ("35209900176148A", "written in digits"),
        ("35.209900.176148.1", "written in digits"),
        ("IMEI: unknown", "written in digits"),
        ("000000000000000", "blanked IMEI"),
        ("00000000000000", "blanked IMEI"),
        ("111111111111111" + "1", "blanked IMEI"),
    ],
)
def test_unreadable_imeis_are_refused_with_the_reason(
    kind: ImeiKind, raw: str, reason: str
) -> None:
    with pytest.raises(InvalidIndicatorError, match=reason) as caught:
        kind.canonicalise(raw, THAILAND)

    assert caught.value.indicator_type is IndicatorType.IMEI


@pytest.mark.parametrize(
    "raw",
    [
        HANDSET,
        MODEM,
        "35-209900-176148-1",
        "352099 00 176148 1",
        "IMEI: 352099001761481",
        "IMEI 2: 3520990017614823",
        "IMEI: 35209900176148",
        "imei " + wrong_check_digit(HANDSET),  # labelled: refused with the reason
    ],
)
def test_looks_like_labelled_and_plausible_bare_imeis(kind: ImeiKind, raw: str) -> None:
    assert kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw",
    [
        imei("34123456789012"),  # passes Luhn, but no TAC starts 34 (American Express does)
        imei("00123456789012"),
        "35209900176148",  # 14 digits, unlabelled
        "3520990017614823",  # 16 digits, unlabelled
        "0812345678",
        "+66812345678",
        "IMEI",
        "IMEI:",
        "192.0.2.1",
    ],
)
def test_looks_like_refuses_other_values(kind: ImeiKind, raw: str) -> None:
    assert not kind.looks_like(raw)


@pytest.mark.parametrize(
    "raw", [HANDSET, "35-209900-176148-1", "IMEI: 352099001761481", "IMEI2 35209900176148"]
)
def test_bare_imei_is_detected_before_phone(registry: IndicatorRegistry, raw: str) -> None:
    indicator = registry.canonicalise(raw, None, THAILAND)

    assert (indicator.type, indicator.value) == (IndicatorType.IMEI, HANDSET)
    assert registry.canonicalise(HANDSET, None, THAILAND) == indicator


# --- Finding IMEIs in text -----------------------------------------------------------------


def test_labelled_imeis_are_found_in_a_message(kind: ImeiKind) -> None:
    text = (
        f"ตำรวจยึดซิมบ็อกซ์ IMEI1: {HANDSET} IMEI2: 35-209900-176149-{SECOND_SLOT[-1]}; "
        f"modem IMEIs: {MODEM}, {PHONE_EXAMPLE} and 35209900176148"
    )

    assert _found(kind, text) == [
        (HANDSET, HANDSET),
        (f"35-209900-176149-{SECOND_SLOT[-1]}", SECOND_SLOT),
        (MODEM, MODEM),
        (PHONE_EXAMPLE, PHONE_EXAMPLE),
        ("35209900176148", HANDSET),
    ]


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        (f"IMEI {HANDSET}.", HANDSET),
        (f"IMEI1\n{HANDSET}\nIMEI2\n{MODEM}", HANDSET),
        (f"imei:{HANDSET}", HANDSET),
        (f"IMEI của máy là {HANDSET}", HANDSET),
        (f"IMEI ของเครื่องคือ {HANDSET}", HANDSET),
        (f"เลขอีมี่{HANDSET}ค่ะ", HANDSET),
        (f"串号：{HANDSET}", HANDSET),
        ("IMEI: 352099 00 176148 1 stolen", "352099 00 176148 1"),
        ("IMEI: 35/209900/176148/1", "35/209900/176148/1"),
        (f"IMEI: {HANDSET.translate(THAI_DIGITS)}", HANDSET.translate(THAI_DIGITS)),
        ("IMEISV 35-209900-176148-23", "35-209900-176148-23"),
        (f"IMEI {HANDSET} 2 units", HANDSET),
        (f"IMEI: {HANDSET}/{MODEM}", HANDSET),
    ],
)
def test_written_styles_are_found(kind: ImeiKind, text: str, raw: str) -> None:
    found = list(kind.find(text, THAILAND))

    assert [item.raw for item in found][:1] == [raw]
    assert found[0].indicator.value == HANDSET
    assert text[found[0].start : found[0].end] == raw


@pytest.mark.parametrize(
    "text",
    [
        # no label: an order number or a reference that happens to pass the check
        f"Shopee order {HANDSET} shipped",
        f"ref {MODEM}",
        HANDSET,
        # OTPs and other short numbers
        "IMEI OTP 123456",
        "รหัส OTP 482913 IMEI",
        # a bad check digit, a longer number, a label inside a word
        f"IMEI: {wrong_check_digit(HANDSET)}",
        f"IMEI: {HANDSET}99",
        f"IMEI: 12{HANDSET}",
        f"SIMEI {HANDSET}",
        f"IMEI\n\n{HANDSET}",
        f"IMEI\nstolen\n{HANDSET}",
        # the label too far from the number
        f"IMEI was changed last week by someone, call {HANDSET}",
        # one digit repeated
        "IMEI: 000000000000000",
    ],
)
def test_noise_is_not_read_as_an_imei(kind: ImeiKind, text: str) -> None:
    assert _found(kind, text) == []


def test_imei_is_not_read_as_a_phone_number(registry: IndicatorRegistry) -> None:
    text = f"IMEI: {HANDSET} โทร 081-234-5678"

    found = [(f.indicator.type, f.raw) for f in registry.extract(text, THAILAND)]

    assert found == [(IndicatorType.IMEI, HANDSET), (IndicatorType.PHONE, "081-234-5678")]


# --- Properties ----------------------------------------------------------------------------

_bodies = st.text(alphabet="0123456789", min_size=14, max_size=14).filter(
    lambda body: len(set(body)) > 1
)
_LABELS = ["", "IMEI: ", "IMEI1 ", "IMEI 2: ", "imei no. ", "IMEI#1 ", "อีมี่ ", "串号："]


@st.composite
def _written(draw: st.DrawFn, canonical: str) -> str:
    """One way people write ``canonical``: grouped or not, with or without its check digit,
    as an IMEISV, in local digits."""
    form = draw(st.sampled_from(["imei", "imei", "no check digit", "imeisv"]))
    digits = {
        "imei": canonical,
        "no check digit": canonical[:14],
        "imeisv": canonical[:14] + draw(st.text(alphabet="0123456789", min_size=2, max_size=2)),
    }[form]
    separator = draw(st.sampled_from(["", " ", "-", "/"]))
    cuts = draw(st.sampled_from([(2, 8, 14), (8, 14), (6, 8, 14), ()]))
    groups = [digits[start:end] for start, end in zip((0, *cuts), (*cuts, None), strict=True)]
    written = separator.join(group for group in groups if group)
    table = draw(st.sampled_from([None, THAI_DIGITS, FULL_WIDTH_DIGITS]))
    return written if table is None else written.translate(table)


@settings(max_examples=300, deadline=None)
@given(body=_bodies)
def test_canonical_form_is_read_back_unchanged(body: str) -> None:
    kind = ImeiKind()

    canonical = kind.canonicalise(imei(body), THAILAND)

    assert canonical.value == imei(body)
    assert kind.canonicalise(canonical.value, THAILAND) == canonical
    assert kind.canonicalise("IMEI: " + canonical.value, THAILAND) == canonical


@settings(max_examples=300, deadline=None)
@given(data=st.data(), body=_bodies, label=st.sampled_from(_LABELS))
def test_every_way_of_writing_an_imei_reads_back_to_it(
    data: st.DataObject, body: str, label: str
) -> None:
    canonical = imei(body)
    written = data.draw(_written(canonical))

    assert ImeiKind().canonicalise(label + written, THAILAND).value == canonical


@settings(max_examples=300, deadline=None)
@given(data=st.data(), body=_bodies, label=st.sampled_from(_LABELS[1:]))
def test_every_way_of_writing_a_labelled_imei_is_found_in_text(
    data: st.DataObject, body: str, label: str
) -> None:
    canonical = imei(body)
    written = data.draw(_written(canonical))

    assert _found(ImeiKind(), f"ยึดเครื่อง {label}{written}, ส่งตรวจ") == [(written, canonical)]


@settings(max_examples=300, deadline=None)
@given(body=st.sampled_from(sorted(REPORTING_BODIES)), rest=_bodies)
def test_bare_imeis_of_every_reporting_body_are_detected(body: str, rest: str) -> None:
    canonical = imei(body + rest[2:])

    assert ImeiKind().looks_like(canonical)


_PIECES = [
    " ",
    "  ",
    "\n",
    "-",
    "/",
    ",",
    ":",
    "：",
    "IMEI",
    "imei",
    "IMEI1",
    "IMEI 2",
    "IMEISV",
    "อีมี่",
    "串号",
    "and",
    "no.",
    HANDSET,
    MODEM,
    HANDSET[:14],
    "35-209900-176148-1",
    "๓๕๒",
    "23",
]
_texts = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.text(alphabet="0123456789 -/", max_size=20)),
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_texts)
def test_every_finding_is_the_text_at_its_offsets_and_canonical(text: str) -> None:
    kind = ImeiKind()

    for found in kind.find(text, THAILAND):
        assert found.raw == text[found.start : found.end]
        assert kind.canonicalise(found.raw, THAILAND) == found.indicator


# --- Adversarial input ---------------------------------------------------------------------


def _adversarial_texts() -> list[str]:
    rng = random.Random(7)
    return [
        "1" * 100_000,
        "IMEI " + "1" * 100_000,
        "IMEI: " + "1 " * 500_000,
        "IMEI " * 200_000,
        ("IMEI: " + HANDSET + ", ") * 20_000,
        "IMEI: " + ", ".join([HANDSET] * 50_000),
        "".join(
            rng.choice(["IMEI", " ", "1", "-", "/", ":", "2", HANDSET]) for _ in range(200_000)
        ),
        "".join(rng.choice("0123456789.") for _ in range(1_000_000)),
    ]


def test_adversarial_input_is_scanned_to_the_end(kind: ImeiKind) -> None:
    for text in _adversarial_texts():
        for found in kind.find(text, THAILAND):
            assert found.raw == text[found.start : found.end]


def test_a_bare_imei_with_a_wrong_check_digit_is_refused_as_an_imei(kind: ImeiKind) -> None:
    # Detection tries it as an IMEI, so the check can say what is wrong with it.
    raw = wrong_check_digit(HANDSET)

    assert kind.looks_like(raw)
    with pytest.raises(InvalidIndicatorError, match="bad check digit"):
        kind.canonicalise(raw, ParseContext("TH"))
