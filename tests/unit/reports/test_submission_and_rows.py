"""Validation of submitted reports and the reading of bulk rows."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from scamintel.reports.bulk import (
    FileFormat,
    ParserSettings,
    RowParser,
    RowProblem,
    csv_record_to_fields,
    read_rows,
    row_identity,
)
from scamintel.reports.model import NewReport
from scamintel.reports.submission import ReportSubmission, field_problems


def problems_of(data: dict[str, object]) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        ReportSubmission.model_validate(data)
    return field_problems(caught.value.errors())


def test_unknown_fields_are_named_with_what_to_do() -> None:
    [problem] = problems_of({"narrative": "x", "colour": "red"})
    assert problem["field"] == "colour"
    assert problem["message"].startswith("unknown field; remove it")


def test_a_report_must_say_something() -> None:
    [problem] = problems_of({"scam_type": "loan"})
    assert "needs a narrative or at least one indicator" in problem["message"]


def test_an_amount_needs_a_currency_and_cannot_be_negative() -> None:
    assert "needs a currency" in problems_of({"narrative": "x", "amount": "10"})[0]["message"]
    negative = problems_of({"narrative": "x", "amount": "-5", "currency": "THB"})
    assert negative[0]["field"] == "amount"


def test_a_time_in_the_future_is_refused() -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    [problem] = problems_of({"narrative": "x", "occurred_at": later})
    assert "in the future" in problem["message"]


def test_unknown_scam_type_lists_the_accepted_codes() -> None:
    [problem] = problems_of({"narrative": "x", "scam_type": "pig"})
    assert problem["field"] == "scam_type"
    assert "investment" in problem["message"]


def test_country_and_currency_codes_are_upper_cased() -> None:
    report = ReportSubmission.model_validate(
        {"narrative": "x", "victim_country": "th", "amount": "5", "currency": "thb"}
    )
    assert (report.victim_country, report.currency) == ("TH", "THB")


def test_csv_indicators_take_type_prefixes_or_bare_values() -> None:
    fields = csv_record_to_fields(
        {
            "indicators": "phone=081-234-5678| hxxp://a[.]com/x=1 |",
            "reporter_name": "Ann",
            "amount": "",
        }
    )
    assert fields == {
        "indicators": [
            {"type": "phone", "value": "081-234-5678"},
            {"value": "hxxp://a[.]com/x=1"},
        ],
        "reporter": {"name": "Ann"},
    }


def test_the_same_row_without_an_external_id_has_the_same_identity() -> None:
    first = ReportSubmission.model_validate({"narrative": "lost 500 baht"})
    again = ReportSubmission.model_validate({"narrative": "lost 500 baht"})
    other = ReportSubmission.model_validate({"narrative": "lost 600 baht"})
    assert row_identity(first) == row_identity(again) != row_identity(other)
    named = ReportSubmission.model_validate({"narrative": "x", "external_id": "bank-77"})
    assert row_identity(named) == "ingest:bank-77"


def test_jsonl_rows_keep_line_numbers_and_name_bad_lines() -> None:
    text = '{"narrative": "a"}\n\n[1, 2]\n{oops\n'
    rows = list(read_rows(io.StringIO(text), FileFormat.JSONL))
    parsed = RowParser(ParserSettings(region="TH")).parse_all(rows)
    assert [row.line for row in rows] == [1, 3, 4]
    assert isinstance(parsed[0], NewReport)
    assert parsed[1] == RowProblem(3, "each line must be a JSON object", "[1, 2]")
    assert isinstance(parsed[2], RowProblem)
    assert parsed[2].reason.startswith("not valid JSON: key must be a string at line 1 column 2")
