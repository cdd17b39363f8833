"""Evidence file hashes on a submission, and who a bulk file is attributed to."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from pydantic import ValidationError

from scamintel.reports.bulk import (
    ParserSettings,
    RawRow,
    RowParser,
    csv_record_to_fields,
    row_identity,
)
from scamintel.reports.intake import request_fingerprint
from scamintel.reports.model import EvidenceFile, NewReport
from scamintel.reports.submission import MAX_EVIDENCE, ReportSubmission, field_problems


def sha256_of(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def submission(**fields: Any) -> ReportSubmission:
    return ReportSubmission.model_validate({"narrative": "Fake parcel fee", **fields})


def problems_of(**fields: Any) -> list[dict[str, str]]:
    with pytest.raises(ValidationError) as caught:
        submission(**fields)
    return field_problems(caught.value.errors())


def parse(fields: dict[str, Any], settings: ParserSettings | None = None) -> NewReport:
    parsed = RowParser(settings or ParserSettings(region="TH")).parse(RawRow(1, "", fields))
    assert isinstance(parsed, NewReport), parsed
    return parsed


def test_an_evidence_hash_is_stored_lower_case_with_its_details() -> None:
    digest = sha256_of("screenshot")
    report = parse(
        {
            "narrative": "Fake parcel fee",
            "evidence": [
                {"sha256": digest.upper(), "name": "chat.png", "media_type": "Image/PNG", "size": 0}
            ],
        }
    )
    assert report.evidence == (EvidenceFile(digest, "chat.png", "image/png", 0),)


@pytest.mark.parametrize("bad", ["abc", "g" * 64, "a" * 63, "a" * 65, 42])
def test_an_evidence_hash_that_is_not_sha256_is_refused_with_what_to_send(bad: object) -> None:
    [problem] = problems_of(evidence=[{"sha256": bad}])
    assert problem["field"] == "evidence.0.sha256"
    assert "64 hexadecimal characters" in problem["message"]


def test_evidence_needs_a_hash_and_refuses_unknown_details() -> None:
    missing = problems_of(evidence=[{"name": "chat.png"}])
    assert [(p["field"], p["code"]) for p in missing] == [("evidence.0.sha256", "missing")]
    unknown = problems_of(evidence=[{"sha256": sha256_of("x"), "path": "/tmp/x"}])
    assert unknown[0]["field"] == "evidence.0.path"


def test_evidence_details_are_checked() -> None:
    digest = sha256_of("x")
    assert problems_of(evidence=[{"sha256": digest, "size": -1}])[0]["field"] == "evidence.0.size"
    [media] = problems_of(evidence=[{"sha256": digest, "media_type": "a picture"}])
    assert "media type such as image/png" in media["message"]
    long_name = problems_of(evidence=[{"sha256": digest, "name": "n" * 301}])
    assert long_name[0]["field"] == "evidence.0.name"


def test_a_report_holds_at_most_twenty_evidence_files() -> None:
    files = [{"sha256": sha256_of(str(n))} for n in range(MAX_EVIDENCE + 1)]
    [problem] = problems_of(evidence=files)
    assert problem["field"] == "evidence"
    assert submission(evidence=files[:MAX_EVIDENCE]).evidence[-1].sha256 == files[19]["sha256"]


def test_the_same_file_given_twice_is_one_evidence_file() -> None:
    digest = sha256_of("recording")
    report = parse(
        {
            "narrative": "Call from fake police",
            "evidence": [{"sha256": digest, "name": "call.m4a"}, {"sha256": digest.upper()}],
        }
    )
    assert report.evidence == (EvidenceFile(digest, "call.m4a"),)


def test_csv_evidence_holds_hashes_separated_by_bars() -> None:
    first, second = sha256_of("a"), sha256_of("b")
    fields = csv_record_to_fields({"narrative": "x", "evidence": f" {first} |{second}|"})
    assert fields["evidence"] == [{"sha256": first}, {"sha256": second}]


def test_a_report_without_evidence_keeps_the_identity_it_had_before_evidence_existed() -> None:
    # What row_identity and request_fingerprint hashed before the evidence field was added.
    before = (
        '{"narrative":"lost 500 baht","scam_type":"other","channel":"other",'
        '"victim_country":null,"amount":null,"currency":null,"occurred_at":null,'
        '"indicators":[],"reporter":null}'
    )
    plain = ReportSubmission.model_validate({"narrative": "lost 500 baht"})
    assert row_identity(plain) == "ingest:sha256:" + sha256_of(before)
    with_evidence = plain.model_copy(update={"evidence": submission(evidence=[]).evidence})
    assert row_identity(with_evidence) == row_identity(plain)
    assert request_fingerprint(plain) == sha256_of(before[:-1] + ',"external_id":null}')


def test_evidence_is_part_of_a_reports_content_identity() -> None:
    plain = submission()
    with_file = submission(evidence=[{"sha256": sha256_of("x")}])
    assert row_identity(plain) != row_identity(with_file)
    assert "evidence" in json.loads(with_file.content_json())


def test_rows_of_a_file_from_an_organisation_carry_its_id_trust_and_source() -> None:
    sender = ParserSettings(region="TH", organisation_id=7, trust="bank_telco", source_key="org:7")
    report = parse({"narrative": "Mule account"}, sender)
    assert (report.organisation_id, report.trust, report.source_key) == (7, "bank_telco", "org:7")


def test_rows_of_a_file_without_an_organisation_are_anonymous() -> None:
    report = parse({"narrative": "Mule account"})
    assert (report.organisation_id, report.trust, report.source_key) == (None, "anonymous", None)
