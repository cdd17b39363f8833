"""How a pasted message is told from one value, and how its verdict is decided."""

from __future__ import annotations

import pytest

from scamintel.classify.service import is_message


@pytest.mark.parametrize(
    "query",
    [
        "your parcel is held pay now",
        "บัญชีของท่านถูกระงับกรุณายืนยันตัวตน",
        "URGENT verify your account now",
    ],
)
def test_words_or_enough_letters_make_a_message(query: str) -> None:
    assert is_message(query)


@pytest.mark.parametrize("query", ["' OR 1=1", "%00", "kbank pay", "𝟎𝟖𝟏", "a b c"])
def test_short_unreadable_queries_are_not_messages(query: str) -> None:
    assert not is_message(query)
