"""The rules of a case that need no database: statuses, references, titles and inputs."""

from __future__ import annotations

import pytest

from scamintel.cases.model import (
    TRANSITIONS,
    CaseStatus,
    CloseReason,
    InvalidCaseInputError,
    OperationRef,
    TransitionError,
    check_reason,
    check_transition,
    clean_assignee,
    clean_note,
    clean_title,
    operation_title,
    parse_case_id,
)

ALLOWED = [
    (CaseStatus.OPEN, CaseStatus.IN_PROGRESS),
    (CaseStatus.OPEN, CaseStatus.CLOSED),
    (CaseStatus.IN_PROGRESS, CaseStatus.OPEN),
    (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED),
    (CaseStatus.CLOSED, CaseStatus.OPEN),
]


@pytest.mark.parametrize(("current", "wanted"), ALLOWED)
def test_the_documented_moves_are_allowed(current: CaseStatus, wanted: CaseStatus) -> None:
    reason = CloseReason.ACTIONED if wanted is CaseStatus.CLOSED else None
    check_transition(current, wanted, reason)


def test_every_other_move_is_a_conflict_that_names_the_moves_left() -> None:
    refused = [
        (current, wanted)
        for current in CaseStatus
        for wanted in CaseStatus
        if (current, wanted) not in ALLOWED
    ]
    assert set(ALLOWED) == {(c, w) for c, targets in TRANSITIONS.items() for w in targets}
    for current, wanted in refused:
        reason = CloseReason.DUPLICATE if wanted is CaseStatus.CLOSED else None
        with pytest.raises(TransitionError):
            check_transition(current, wanted, reason)
    with pytest.raises(TransitionError, match=r"it can become: open$"):
        check_transition(CaseStatus.CLOSED, CaseStatus.IN_PROGRESS, None)


def test_closing_needs_a_reason_and_only_closing_takes_one() -> None:
    with pytest.raises(InvalidCaseInputError, match="actioned, referred"):
        check_transition(CaseStatus.OPEN, CaseStatus.CLOSED, None)
    with pytest.raises(InvalidCaseInputError, match="only when closing"):
        check_transition(CaseStatus.CLOSED, CaseStatus.OPEN, CloseReason.ACTIONED)


@pytest.mark.parametrize(("text", "number"), [("7", 7), ("CASE-7", 7), (" case-12 ", 12)])
def test_a_case_is_named_by_its_number_with_or_without_the_prefix(text: str, number: int) -> None:
    assert parse_case_id(text) == number


@pytest.mark.parametrize("text", ["", "CASE-", "CASE-0", "seven", "CASE-7a", "-3"])
def test_anything_else_is_not_a_case_number(text: str) -> None:
    with pytest.raises(InvalidCaseInputError, match="7 or CASE-7"):
        parse_case_id(text)


def test_titles_notes_and_assignees_are_tidied_or_refused() -> None:
    assert clean_title("  Fake   police\ncalls ") == "Fake police calls"
    assert clean_assignee("  ") is None
    assert clean_note("  found the mule  ") == "found the mule"
    for bad in ("", "   ", "x" * 301):
        with pytest.raises(InvalidCaseInputError):
            clean_title(bad)
    with pytest.raises(InvalidCaseInputError):
        clean_note(" \n ")


@pytest.mark.parametrize(
    ("summary", "title"),
    [
        (
            {"title": "investment, romance · 11 reports · TH", "report_count": 11},
            "Operation 3: investment, romance · 11 reports · TH",
        ),
        ({"title": "  job_task \n· 11 reports "}, "Operation 3: job_task · 11 reports"),
        ({"title": "   "}, "Operation 3: 11 reports"),
        ({"title": None, "victims_by_country": {"TH": 5}}, "Operation 3: 11 reports"),
        ({}, "Operation 3: 11 reports"),
    ],
)
def test_an_operation_title_is_the_summary_title_or_else_the_operation_size(
    summary: dict[str, object], title: str
) -> None:
    assert operation_title(OperationRef(3, None, 11, summary)) == title


def test_a_single_report_operation_is_not_called_reports() -> None:
    assert operation_title(OperationRef(4, None, 1, {})) == "Operation 4: 1 report"


def test_a_status_that_is_not_closed_takes_no_reason() -> None:
    check_reason(CaseStatus.OPEN, None)
    check_reason(CaseStatus.CLOSED, CloseReason.REFERRED)
    with pytest.raises(InvalidCaseInputError, match="only when closing"):
        check_reason(CaseStatus.IN_PROGRESS, CloseReason.REFERRED)
    with pytest.raises(InvalidCaseInputError, match="needs a reason"):
        check_reason(CaseStatus.CLOSED, None)
