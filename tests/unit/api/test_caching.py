"""If-None-Match as RFC 9110 §13.1.2 reads it, for every cacheable answer of the API."""

from __future__ import annotations

import pytest

from scamintel.api.caching import content_etag, etag_matches


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"full-7"', True),
        ('W/"full-7"', True),
        ('"delta-3-7", "full-7"', True),
        ("  *  ", True),
        ('"full-6"', False),
        ('"full-7', False),
        ('"delta-3-7"', False),
    ],
)
def test_if_none_match_names_the_etag_weakly_in_a_list_or_as_a_star(
    header: str | None, matches: bool
) -> None:
    assert etag_matches(header, '"full-7"') is matches


def test_a_weak_etag_matches_its_strong_form() -> None:
    assert etag_matches('"full-7"', 'W/"full-7"')


def test_a_content_etag_is_quoted_and_changes_with_the_bytes() -> None:
    first, same, other = content_etag(b"feed"), content_etag(b"feed"), content_etag(b"feed!")
    assert first == same != other
    assert first[0] == first[-1] == '"'
    assert len(first) == 34
