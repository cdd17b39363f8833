"""Language choice, catalogs, CSRF tokens, signed values and safe highlighting."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scamintel.indicators import default_registry
from scamintel.web.highlight import Span, highlighted
from scamintel.web.i18n import LANGUAGES, choose_language, load_catalogs, negotiated_language
from scamintel.web.learn import ExercisePool, anonymised, is_scam_turn
from scamintel.web.security import csrf_is_valid, csrf_token_for, signed, unsigned

SECRET = "a-test-secret-that-is-long-enough-0123456789"
SHARED_MESSAGES = Path(__file__).resolve().parents[4] / "shared" / "data" / "messages"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("th-TH,th;q=0.9,en;q=0.8", "th"),
        ("fr-FR, my;q=0.5", "my"),
        ("fil-PH", "tl"),
        ("en;q=0.1, km;q=0.9", "km"),
        ("fr, de", None),
        ("", None),
    ],
)
def test_accept_language_picks_the_first_language_we_have(
    header: str, expected: str | None
) -> None:
    assert negotiated_language(header) == expected


def test_the_query_wins_over_the_cookie_which_wins_over_the_browser() -> None:
    assert choose_language("vi", "th", "my") == ("vi", True)
    assert choose_language("xx", "th", "my") == ("th", False)
    assert choose_language(None, None, "my-MM") == ("my", False)
    assert choose_language(None, None, None) == ("en", False)


def test_every_language_has_a_catalog_and_an_untranslated_message_reads_in_english() -> None:
    catalogs = load_catalogs()
    for language in LANGUAGES:
        assert language in catalogs.translations
    assert catalogs.for_language("xx").gettext("Check") == "Check"
    assert catalogs.for_language("km").gettext("A message nobody wrote") == "A message nobody wrote"


def test_a_csrf_token_matches_only_its_own_cookie() -> None:
    token = csrf_token_for(SECRET, "cookie-a")
    assert csrf_is_valid(SECRET, "cookie-a", token)
    assert not csrf_is_valid(SECRET, "cookie-b", token)
    assert not csrf_is_valid(SECRET, None, token)
    assert not csrf_is_valid(SECRET, "cookie-a", None)
    assert not csrf_is_valid("another-secret", "cookie-a", token)


def test_a_signed_value_reads_back_only_unaltered_and_for_its_purpose() -> None:
    token = signed(SECRET, "session", "user-1")
    assert unsigned(SECRET, "session", token) == "user-1"
    assert unsigned(SECRET, "other", token) is None
    assert unsigned(SECRET, "session", token.replace("user-1", "user-2")) is None
    assert unsigned(SECRET, "session", "no-signature") is None


def test_highlighting_escapes_every_piece_of_the_message() -> None:
    html = highlighted("<b>pay</b> now & <i>", [Span(3, 6, "<asks>")])
    assert str(html) == (
        '&lt;b&gt;<mark>pay<span class="visually-hidden"> (&lt;asks&gt;)</span></mark>'
        "&lt;/b&gt; now &amp; &lt;i&gt;"
    )


def test_overlapping_red_flags_are_marked_once() -> None:
    html = str(highlighted("abcdef", [Span(0, 4, "x"), Span(2, 6, "y")]))
    assert html.count("<mark>") == 2
    assert "abcd" in html.replace('<span class="visually-hidden"> (x)</span>', "")


def test_anonymising_replaces_numbers_links_accounts_and_long_digit_runs() -> None:
    text = "Call 081-234-5678 or open https://kbank-refund.com/pay, code 98765, LINE id @scam99"
    cleaned = anonymised(text, default_registry(), "TH")
    assert "081-234-5678" not in cleaned
    assert "kbank-refund" not in cleaned
    assert "98765" not in cleaned
    assert "[phone]" in cleaned
    assert "[link]" in cleaned
    assert "[number]" in cleaned


def test_without_a_folder_the_exercise_shows_written_scam_and_other_messages() -> None:
    pool = ExercisePool(None)
    assert [pool.message("th", index).is_scam for index in range(8)] == [
        is_scam_turn(index) for index in range(8)
    ]
    assert pool.message("th", 0).language == "th"
    assert pool.message("km", 0).language == "en"
    assert pool.message("en", 4) == pool.message("en", 4)


def test_the_exercise_reads_the_data_sets_in_the_readers_language() -> None:
    if not SHARED_MESSAGES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the message data sets are required in CI: {SHARED_MESSAGES}")
        pytest.skip(f"no message data sets at {SHARED_MESSAGES}")
    pool = ExercisePool(SHARED_MESSAGES)
    assert pool.from_data_sets
    thai = [pool.message("th", index) for index in range(6)]
    assert {message.language for message in thai} == {"th"}
    assert [message.is_scam for message in thai] == [is_scam_turn(index) for index in range(6)]
    assert pool.message("km", 0).language == "en"
