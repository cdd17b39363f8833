"""Data-subject requests in storage, on SQLite and PostgreSQL: the identifier and contact sealed
and found again by keyed hash, every step an event and an audit entry naming the value, the
queue with its overdue filter, the person's data opened only for a stated purpose, the access
report (only once verified, never other people's narratives or contacts), erasure carried out by
completing a verified request, and a correction that withdraws a listing by an upheld dispute."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from scamintel.access.keys import OrganisationKind, Role
from scamintel.governance.audit import AuditEvent
from scamintel.governance.retention import retention_policy
from scamintel.governance.subject_requests import (
    PUBLIC_CORRECTION_REASON,
    ErasureHeldError,
    InvalidSubjectRequestError,
    NewSubjectRequest,
    NothingToDelistError,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    SubjectRequestError,
    SubjectRequestNotFoundError,
    TransitionError,
)
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.reports.reading import Reading
from scamintel.storage import subject_requests_repo as repo
from scamintel.storage.access_repo import create_api_key, ensure_organisation
from scamintel.storage.evidence_repo import indicator_id_of
from scamintel.storage.node import NodeDatabase
from scamintel.storage.store import append_audit, read_audit_entries
from scamintel.storage.tables import (
    audit_log,
    disputes,
    listings,
    report_indicators,
    reporter_contacts,
    subject_request_events,
    subject_requests,
)

SECRET = "subject-request-test-secret"
PHONE = Indicator(IndicatorType.PHONE, "+66812345678", "TH")
OTHER_VICTIM = {"name": "Another Victim", "phone": "+66899999999"}
NARRATIVE = "They called from +66812345678 and said my parcel was held"
GROUND = "listing wrong: dispute upheld"
READING = Reading(default_registry(), ParseContext("TH"), Warninglist())
POLICY = retention_policy()


def now() -> datetime:
    return datetime.now(UTC)


def seed_listing(database: NodeDatabase, value: Indicator = PHONE, reports: int = 2) -> int:
    """Reports from a verified agency naming ``value`` (one with another victim's contact),
    listed; and one report whose reporter gives ``value`` as their own number."""
    batch = [
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.PHISHING_PARCEL_UTILITY,
            channel=Channel.CALL,
            received_at=now(),
            narrative=NARRATIVE,
            indicators=(ReportedIndicator(value, "081 234 5678", "given"),),
            reporter=OTHER_VICTIM,
            trust="verified_agency",
            source_key=f"org:1:{index}",
        )
        for index in range(reports)
    ]
    batch.append(
        NewReport(
            id=uuid.uuid4(),
            source=ReportSource.API,
            scam_type=ScamType.INVESTMENT,
            channel=Channel.LINE,
            received_at=now(),
            narrative="A stranger asked me to invest",
            reporter={"name": "Holder", "phone": value.value},
        )
    )
    with database.transaction() as store:
        store.add_reports(batch)
        store.refresh_listings(store.touched_indicator_ids)
    with database.engine.connect() as connection:
        found = indicator_id_of(connection, value)
    assert found is not None
    return found


def open_one(
    database: NodeDatabase,
    kind: RequestKind = RequestKind.ACCESS,
    value: Indicator = PHONE,
    at: datetime | None = None,
) -> SubjectRequest:
    with database.engine.begin() as connection:
        return repo.open_request(
            connection,
            database.sealer,
            SECRET,
            NewSubjectRequest(kind, value, {"email": "holder@example.com"}, "please check"),
            actor="public",
            now=at or now(),
        )


def verify(database: NodeDatabase, request: SubjectRequest) -> SubjectRequest:
    with database.engine.begin() as connection:
        return repo.verify_request(
            connection,
            database.sealer,
            request.id,
            actor="cli:dpo",
            note="called the number back",
            now=now(),
        )


def audit_of(database: NodeDatabase, request: SubjectRequest) -> list[tuple[str, tuple[int, ...]]]:
    with database.engine.connect() as connection:
        return [
            (entry.event.action, entry.event.subjects)
            for entry in read_audit_entries(connection)
            if entry.event.object_id == str(request.id)
        ]


def test_the_identifier_and_contact_are_sealed_and_the_key_finds_earlier_requests(
    node_database: NodeDatabase,
) -> None:
    first = open_one(node_database)
    second = open_one(node_database, RequestKind.ERASURE)
    other = open_one(node_database, value=Indicator(IndicatorType.EMAIL, "someone@example.com"))
    with node_database.engine.connect() as connection:
        rows = connection.execute(select(subject_requests)).all()
        earlier = repo.earlier_requests(connection, second.id)
        stored = repo.get_request(connection, first.id)
    assert len(rows) == 3
    for row in rows:
        assert PHONE.value.encode() not in row.identifier_sealed
        assert b"holder@example.com" not in row.contact_sealed
        assert PHONE.value not in row.identifier_key
    assert [r.id for r in earlier] == [first.id]
    assert other.id not in {r.id for r in earlier}
    assert stored.identifier is None
    assert stored.contact is None
    assert (stored.kind, stored.status, stored.details) == (
        RequestKind.ACCESS,
        RequestStatus.RECEIVED,
        "please check",
    )
    assert stored.due_at - stored.received_at == timedelta(days=30)


def test_every_step_is_an_event_and_an_audit_entry_naming_the_value(
    node_database: NodeDatabase,
) -> None:
    indicator_id = seed_listing(node_database)
    request = open_one(node_database)
    verify(node_database, request)
    done = repo.complete_request(
        node_database, request.id, actor="cli:dpo", note="report e-mailed", now=now()
    )
    assert (done.status, done.outcome) == (RequestStatus.COMPLETED, "report e-mailed")
    with node_database.engine.connect() as connection:
        events = repo.events_of(connection, request.id)
    assert [(e.status, e.actor, e.note) for e in events] == [
        (RequestStatus.RECEIVED, "public", None),
        (RequestStatus.VERIFIED, "cli:dpo", "called the number back"),
        (RequestStatus.COMPLETED, "cli:dpo", "report e-mailed"),
    ]
    assert audit_of(node_database, request) == [
        ("subject_request.received", (indicator_id,)),
        ("subject_request.verified", (indicator_id,)),
        ("subject_request.completed", (indicator_id,)),
    ]
    with node_database.engine.connect() as connection:
        legal = {
            entry.event.legal_basis
            for entry in read_audit_entries(connection)
            if entry.event.action.startswith("subject_request.")
        }
    assert legal == {"legal_obligation"}


def test_a_value_the_node_does_not_hold_has_no_audit_subject(node_database: NodeDatabase) -> None:
    request = open_one(node_database, value=Indicator(IndicatorType.EMAIL, "new@example.com"))
    assert audit_of(node_database, request) == [("subject_request.received", ())]


def test_completing_unverified_deciding_twice_and_unknown_ids_are_refused(
    node_database: NodeDatabase,
) -> None:
    seed_listing(node_database)
    request = open_one(node_database, RequestKind.ERASURE)
    with pytest.raises(TransitionError, match="not verified"):
        repo.complete_request(node_database, request.id, actor="dpo", note=None, now=now())
    with node_database.engine.connect() as connection:
        # Nothing was erased.
        assert connection.execute(select(report_indicators)).all()
    with node_database.engine.begin() as connection:
        refused = repo.refuse_request(
            connection, node_database.sealer, request.id, actor="dpo", reason="no answer", now=now()
        )
    assert refused.status is RequestStatus.REFUSED
    with pytest.raises(TransitionError, match="already refused"), node_database.engine.begin() as c:
        repo.verify_request(c, node_database.sealer, request.id, actor="dpo", note=None, now=now())
    with pytest.raises(SubjectRequestNotFoundError), node_database.engine.connect() as connection:
        repo.get_request(connection, uuid.uuid4())
    with node_database.engine.connect() as connection:
        statuses = connection.scalars(
            select(subject_request_events.c.status).where(
                subject_request_events.c.request_id == request.id
            )
        ).all()
    assert sorted(statuses) == ["received", "refused"]


def test_the_queue_filters_by_status_and_overdue(node_database: NodeDatabase) -> None:
    late = open_one(node_database, at=now() - timedelta(days=40))
    fresh = open_one(node_database)
    closed_late = open_one(node_database, at=now() - timedelta(days=45))
    with node_database.engine.begin() as connection:
        repo.refuse_request(
            connection, node_database.sealer, closed_late.id, actor="dpo", reason="x", now=now()
        )
    with node_database.engine.connect() as connection:
        overdue = repo.list_requests(connection, overdue=True, now=now())
        received = repo.list_requests(connection, status=RequestStatus.RECEIVED, now=now())
        everything = repo.list_requests(connection, now=now())
    assert [r.id for r in overdue] == [late.id]
    assert {r.id for r in received} == {late.id, fresh.id}
    assert [r.id for r in everything] == [closed_late.id, late.id, fresh.id]


def test_opening_the_persons_data_needs_a_purpose_and_is_audited(
    node_database: NodeDatabase,
) -> None:
    indicator_id = seed_listing(node_database)
    request = open_one(node_database)
    with (
        pytest.raises(InvalidSubjectRequestError, match="purpose"),
        node_database.engine.begin() as connection,
    ):
        repo.open_personal_data(
            connection, node_database.sealer, request.id, actor="dpo", purpose=" "
        )
    with node_database.engine.begin() as connection:
        opened = repo.open_personal_data(
            connection, node_database.sealer, request.id, actor="dpo", purpose="verify the caller"
        )
    assert opened.identifier == PHONE
    assert opened.contact == {"email": "holder@example.com"}
    with node_database.engine.connect() as connection:
        [viewed] = [
            entry
            for entry in read_audit_entries(connection)
            if entry.event.action == "subject_request.viewed_personal_data"
        ]
    assert (viewed.event.actor, viewed.event.purpose, viewed.event.subjects) == (
        "dpo",
        "verify the caller",
        (indicator_id,),
    )


def test_the_access_report_is_given_once_verified_and_holds_no_one_elses_data(
    node_database: NodeDatabase,
) -> None:
    from scamintel.api.subject_requests_schemas import access_report_json

    seed_listing(node_database)
    request = open_one(node_database)
    with pytest.raises(TransitionError, match="verified"):
        repo.access_report(node_database, request.id, policy=POLICY, actor="dpo", now=now())
    verify(node_database, request)
    report = repo.access_report(node_database, request.id, policy=POLICY, actor="dpo", now=now())
    assert report.held
    assert report.identifier == PHONE
    assert report.listing is not None
    assert report.listing.verdict in ("scam", "suspicious")
    assert report.listing.listed_since is not None
    assert (report.reports.count, report.reports.scam_types) == (2, ("phishing_parcel_utility",))
    assert report.own_contact_reports == 1
    actions = [d.action for d in report.disclosures]
    assert "subject_request.received" in actions
    assert "subject_request.verified" in actions
    assert report.deletions, "the report says when the value's data goes"
    text = json.dumps(access_report_json(report), ensure_ascii=False)
    assert "cli:dpo" not in text
    assert "law enforcement" in access_report_json(report)["not_listed"]
    assert NARRATIVE not in text
    assert "parcel was held" not in text
    assert OTHER_VICTIM["phone"] not in text
    assert OTHER_VICTIM["name"] not in text
    with node_database.engine.connect() as connection:
        audited = [
            entry.event.purpose
            for entry in read_audit_entries(connection)
            if entry.event.action == "subject_request.viewed_personal_data"
        ]
    assert audited == ["data-subject access report"]


def test_erasing_evidence_is_refused_without_a_ground_and_nothing_is_erased(
    node_database: NodeDatabase,
) -> None:
    indicator_id = seed_listing(node_database)
    request = open_one(node_database, RequestKind.ERASURE)
    verify(node_database, request)
    with pytest.raises(ErasureHeldError, match="kept for fraud prevention") as refused:
        repo.complete_request(node_database, request.id, actor="cli:dpo", note=None, now=now())
    assert "2 reports name it" in str(refused.value)
    assert "--ground" in str(refused.value)
    with node_database.engine.connect() as connection:
        assert repo.get_request(connection, request.id).status is RequestStatus.VERIFIED
        links = connection.execute(
            select(report_indicators).where(report_indicators.c.indicator_id == indicator_id)
        ).all()
        actions = [e.event.action for e in read_audit_entries(connection)]
    assert len(links) == 2
    assert "data.erased" not in actions
    assert "subject_request.completed" not in actions


def test_completing_a_verified_erasure_erases_the_value_and_records_the_counts(
    node_database: NodeDatabase,
) -> None:
    indicator_id = seed_listing(node_database)
    request = open_one(node_database, RequestKind.ERASURE)
    verify(node_database, request)
    done = repo.complete_request(
        node_database, request.id, actor="cli:dpo", note=None, now=now(), override_ground=GROUND
    )
    assert done.status is RequestStatus.COMPLETED
    assert done.outcome is not None
    assert done.outcome.startswith("erased: ")
    assert "report_link 2" in done.outcome
    assert f"overridden: {GROUND}" in done.outcome
    assert PHONE.value not in done.outcome
    with node_database.engine.connect() as connection:
        assert not connection.execute(
            select(report_indicators).where(report_indicators.c.indicator_id == indicator_id)
        ).all()
        listing = connection.execute(
            select(listings.c.verdict).where(listings.c.indicator_id == indicator_id)
        ).scalar()
        entries = list(read_audit_entries(connection))
    assert listing == "removed"
    [completed] = [e for e in entries if e.event.action == "subject_request.completed"]
    assert completed.event.details["counts"]["report_link"] == 2
    assert completed.event.details["override_ground"] == GROUND
    assert any(e.event.action == "data.erased" for e in entries)
    # The value comes back in a new report; a retried completion erases nothing more.
    seed_listing(node_database, reports=1)
    with pytest.raises(TransitionError, match="already completed"):
        repo.complete_request(
            node_database, request.id, actor="cli:dpo", note=None, now=now(), override_ground=GROUND
        )
    with node_database.engine.connect() as connection:
        again = indicator_id_of(connection, PHONE)
        assert connection.execute(
            select(report_indicators).where(report_indicators.c.indicator_id == again)
        ).all()
        erased = [e for e in read_audit_entries(connection) if e.event.action == "data.erased"]
    assert len(erased) == 1


def test_two_officers_completing_at_once_erase_once(node_database: NodeDatabase) -> None:
    seed_listing(node_database)
    request = open_one(node_database, RequestKind.ERASURE)
    verify(node_database, request)
    start = threading.Barrier(2)
    results: list[object] = []

    def complete(officer: str) -> None:
        start.wait()
        try:
            results.append(
                repo.complete_request(
                    node_database,
                    request.id,
                    actor=officer,
                    note=None,
                    now=now(),
                    override_ground=GROUND,
                )
            )
        except SubjectRequestError as error:
            results.append(error)

    threads = [threading.Thread(target=complete, args=(f"cli:dpo{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(type(r).__name__ for r in results) == ["SubjectRequest", "TransitionError"]
    with node_database.engine.connect() as connection:
        actions = [e.event.action for e in read_audit_entries(connection)]
        events = repo.events_of(connection, request.id)
    assert actions.count("data.erased") == 1
    assert actions.count("subject_request.completed") == 1
    assert [e.status for e in events].count(RequestStatus.COMPLETED) == 1


def test_a_reporter_erases_their_own_contact_without_a_ground(
    node_database: NodeDatabase,
) -> None:
    """The victim who reported gave the number as their own: it is not evidence, so erasure
    goes through, and the reports they sent stay (without their contact)."""
    victim = Indicator(IndicatorType.PHONE, "+66899999999", "TH")
    seed_listing(node_database)
    with node_database.engine.connect() as connection:
        before = connection.scalar(select(func.count()).select_from(reporter_contacts))
    request = open_one(node_database, RequestKind.ERASURE, value=victim)
    verify(node_database, request)
    done = repo.complete_request(node_database, request.id, actor="cli:dpo", note=None, now=now())
    assert done.outcome is not None
    assert "victim_contact 2" in done.outcome
    assert "overridden" not in done.outcome
    with node_database.engine.connect() as connection:
        after = connection.scalar(select(func.count()).select_from(reporter_contacts))
        assert connection.scalar(select(func.count()).select_from(report_indicators)) == 2
    assert (before, after) == (3, 1)


def test_a_correction_needs_a_note_and_can_withdraw_the_listing_through_a_dispute(
    node_database: NodeDatabase,
) -> None:
    indicator_id = seed_listing(node_database)
    request = open_one(node_database, RequestKind.CORRECTION)
    verify(node_database, request)
    with pytest.raises(InvalidSubjectRequestError, match="corrected"):
        repo.complete_request(node_database, request.id, actor="dpo", note=" ", now=now())
    done = repo.complete_request(
        node_database,
        request.id,
        actor="dpo",
        note="the number was reassigned to the holder in March",
        now=now(),
        reading=READING,
        delist=True,
    )
    assert done.outcome is not None
    assert done.outcome.startswith("listing withdrawn (dispute D-")
    with node_database.engine.connect() as connection:
        decided = connection.execute(
            select(disputes.c.status, disputes.c.decision_reason).where(
                disputes.c.indicator_id == indicator_id
            )
        ).one()
        verdict = connection.execute(
            select(listings.c.verdict).where(listings.c.indicator_id == indicator_id)
        ).scalar()
    # The decision's reason is public (/check shows it): fixed words, never the internal note.
    assert tuple(decided) == ("upheld", PUBLIC_CORRECTION_REASON)
    assert verdict not in ("scam", "suspicious")
    with node_database.engine.connect() as connection:
        logged = " ".join(
            str(row.details) for row in connection.execute(select(audit_log.c.details))
        )
    assert "reassigned" not in logged


def test_delisting_a_value_that_is_not_listed_is_a_clear_refusal(
    node_database: NodeDatabase,
) -> None:
    unlisted = Indicator(IndicatorType.EMAIL, "holder@example.org")
    request = open_one(node_database, RequestKind.CORRECTION, value=unlisted)
    verify(node_database, request)
    with pytest.raises(NothingToDelistError, match="no listing to withdraw"):
        repo.complete_request(
            node_database,
            request.id,
            actor="dpo",
            note="the holder says the address is wrong",
            now=now(),
            reading=READING,
            delist=True,
        )
    with node_database.engine.connect() as connection:
        assert repo.get_request(connection, request.id).status is RequestStatus.VERIFIED
    done = repo.complete_request(
        node_database, request.id, actor="dpo", note="nothing was listed", now=now()
    )
    assert done.status is RequestStatus.COMPLETED


def test_notes_and_reasons_stay_out_of_the_audit_log(node_database: NodeDatabase) -> None:
    first = open_one(node_database)
    verify(node_database, first)
    second = open_one(node_database)
    with node_database.engine.begin() as connection:
        repo.refuse_request(
            connection,
            node_database.sealer,
            second.id,
            actor="dpo",
            reason="the caller Khun Somchai could not show the SIM",
            now=now(),
        )
    with node_database.engine.connect() as connection:
        logged = " ".join(
            str(row.details) for row in connection.execute(select(audit_log.c.details))
        )
        entries = {
            e.event.action: e.event.details
            for e in read_audit_entries(connection)
            if e.event.action in ("subject_request.verified", "subject_request.refused")
        }
        notes = [e.note for e in repo.events_of(connection, first.id)] + [
            e.note for e in repo.events_of(connection, second.id)
        ]
    assert "called the number back" not in logged
    assert "Somchai" not in logged
    assert entries == {
        "subject_request.verified": {"note_recorded": True},
        "subject_request.refused": {"reason_recorded": True},
    }
    assert "called the number back" in notes
    assert "the caller Khun Somchai could not show the SIM" in notes


def test_a_purpose_longer_than_the_audit_log_holds_is_refused(
    node_database: NodeDatabase,
) -> None:
    request = open_one(node_database)
    with (
        pytest.raises(InvalidSubjectRequestError, match="60 characters"),
        node_database.engine.begin() as connection,
    ):
        repo.open_personal_data(
            connection, node_database.sealer, request.id, actor="dpo", purpose="v" * 61
        )


def test_a_request_without_a_way_to_reach_the_person_is_refused(
    node_database: NodeDatabase,
) -> None:
    with (
        pytest.raises(InvalidSubjectRequestError, match="contact"),
        node_database.engine.begin() as connection,
    ):
        repo.open_request(
            connection,
            node_database.sealer,
            SECRET,
            NewSubjectRequest(RequestKind.ERASURE, PHONE, {"name": "Somchai"}),
            actor="public",
            now=now(),
        )


def test_the_access_report_tips_no_one_off(node_database: NodeDatabase) -> None:
    """The holder of a mule number reads who received its data by category only, and nothing
    of investigations, cases, requests between authorities, blind releases, investigators'
    reads or other people's requests; the operator's trail still has them all."""
    indicator_id = seed_listing(node_database)
    someone_else = open_one(node_database, RequestKind.ERASURE)
    request = open_one(node_database)
    verify(node_database, request)
    with node_database.engine.begin() as connection:
        police = ensure_organisation(
            connection, "Royal Thai Police CCIB", OrganisationKind.AGENCY, "TH"
        )
        investigator = create_api_key(connection, police, Role.INVESTIGATOR)
        partner_org = ensure_organisation(connection, "KH-NCC", OrganisationKind.AGENCY, "KH")
        partner = create_api_key(connection, partner_org, Role.PARTNER)
        analysts = ensure_organisation(
            connection, "Anti-Scam Centre", OrganisationKind.AGENCY, "TH"
        )
        analyst = create_api_key(connection, analysts, Role.ANALYST)
        for actor, action, object_type, purpose in (
            ("cli:inspector", "case.viewed", "case", "freeze the mule account"),
            ("cli:inspector", "operation.dossier_export", "operation", "court file"),
            ("cli:inspector", "cross_border_request.sent", "cross_border_request", None),
            ("partner:KH-NCC", "blind_release.asked", "blind_release", None),
            (f"key:{investigator.key_id}", "report.read", "report", "trace the caller"),
            (f"key:{analyst.key_id}", "report.read", "report", "triage of the queue"),
            (f"key:{partner.key_id}", "federation.page_served", "collection", None),
        ):
            append_audit(
                connection,
                AuditEvent(
                    actor=actor,
                    action=action,
                    object_type=object_type,
                    object_id="x",
                    purpose=purpose,
                    details={},
                    subjects=(indicator_id,),
                ),
            )
    report = repo.access_report(node_database, request.id, policy=POLICY, actor="dpo", now=now())
    from scamintel.api.subject_requests_schemas import access_report_json

    text = json.dumps(access_report_json(report), ensure_ascii=False)
    for hidden in (
        "case.",
        "operation.",
        "cross_border_request",
        "blind_release",
        "trace the caller",
        "triage of the queue",
        "freeze the mule account",
        "inspector",
        investigator.key_id,
        analyst.key_id,
        partner.key_id,
        "cli:dpo",
        str(someone_else.id),
    ):
        assert hidden not in text, hidden
    shown = {(d.recipient, d.action) for d in report.disclosures}
    assert ("staff of this node", "report.read") in shown
    assert ("partner node in KH", "federation.page_served") in shown
    assert ("staff of this node", "subject_request.verified") in shown
    # Only this request's own entries: not the other person's erasure request.
    assert [d.action for d in report.disclosures].count("subject_request.received") == 1
    # The operator's full trail keeps everything.
    from scamintel.storage.audit_repo import audit_trail

    with node_database.engine.connect() as connection:
        full = {entry.action for entry in audit_trail(connection, indicator_id)}
    assert {"case.viewed", "blind_release.asked", "cross_border_request.sent"} <= full


def test_the_reference_a_person_quotes_finds_their_request(node_database: NodeDatabase) -> None:
    first = open_one(node_database)
    second = open_one(node_database)
    with node_database.engine.connect() as connection:
        found = repo.ids_with_reference(connection, f" {first.reference.lower()} ")
        unknown = repo.ids_with_reference(connection, "SR-0000000000")
    assert found == [first.id]
    assert second.reference != first.reference
    assert unknown == []
