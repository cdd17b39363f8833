"""The "spot the scam" exercise: which messages it shows, and what it hides in them."""

from __future__ import annotations

import pytest

from scamintel.classify.redflags import FlagCode, RedFlag
from scamintel.indicators import default_registry
from scamintel.web.highlight import first_of_each_kind
from scamintel.web.learn import ExercisePool, anonymised, is_scam_turn


def test_scam_or_not_follows_no_pattern_but_is_half_and_half() -> None:
    turns = [is_scam_turn(index) for index in range(2_000)]
    assert turns == [is_scam_turn(index) for index in range(2_000)]  # the same for everyone
    assert 900 <= sum(turns) <= 1_100
    alternating = [index % 2 == 0 for index in range(2_000)]
    assert turns != alternating
    assert any(turns[i] == turns[i + 1] for i in range(10))  # two alike in a row early on


def test_the_exercise_shows_scams_and_other_messages() -> None:
    pool = ExercisePool(None)
    shown = [pool.message("en", index) for index in range(40)]
    assert {message.is_scam for message in shown} == {True, False}
    assert all(message.is_scam == is_scam_turn(i) for i, message in enumerate(shown))


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("Dear Somchai Jaidee, your parcel is held.", "Somchai", "Dear [name], your parcel"),
        ("Kepada Budi, anda menang hadiah.", "Budi", "Kepada [name], anda"),
        ("Chào Nguyễn Văn An, bạn đã trúng thưởng.", "Nguyễn", "Chào [name], bạn"),
        ("Hello Mai, the fee is due today.", "Mai", "Hello [name], the fee"),
        ("เรียน คุณสมชาย พัสดุของท่านถูกระงับ", "สมชาย", "เรียน คุณ[name] พัสดุ"),
        ("Write to agent.lee@mail.example.com today.", "agent.lee", "Write to [e-mail] today."),
        ("Add @lucky_winner_88 on Telegram.", "lucky_winner", "Add [chat ID] on Telegram."),
    ],
)
def test_names_addresses_and_handles_are_masked(text: str, hidden: str, kept: str) -> None:
    masked = anonymised(text, default_registry(), "TH")
    assert hidden not in masked
    assert kept in masked


@pytest.mark.parametrize(
    "text", ["Hi there, how are you?", "Hi, it's Mai.", "พัสดุของคุณถูกระงับ", "Dear customer, pay"]
)
def test_words_that_are_no_name_stay(text: str) -> None:
    assert anonymised(text, default_registry(), "TH") == text


def test_each_kind_of_flag_is_explained_once() -> None:
    urgent = [RedFlag(FlagCode.URGENCY, start, start + 6, "urgent", "") for start in (0, 20)]
    link = RedFlag(FlagCode.SHORTENED_LINK, 10, 18, "bit.ly/x", "")
    assert first_of_each_kind([urgent[0], link, urgent[1]]) == [urgent[0], link]
