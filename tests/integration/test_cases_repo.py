"""Cases on SQLite and PostgreSQL: each view and change leaves exactly one audit entry, in
order, with its actor, and the audit chain still verifies; links resolve what is on the node."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from scamintel.cases.model import (
    CaseConflictError,
    CaseNotFoundError,
    CaseRequest,
    CaseStatus,
    CloseReason,
    InvalidCaseInputError,
    LinkKind,
    LinkNotFoundError,
    LinkTargetNotFoundError,
    TransitionError,
)
from scamintel.cases.requests import (
    CrossBorderRequest,
    Delivery,
    Direction,
    Outcome,
    RequestEvent,
    RequestKind,
    RequestStatus,
)
from scamintel.cases.service import (
    Canonicalise,
    add_note,
    assign_case,
    audit_trail,
    change_status,
    link,
    list_cases,
    open_case,
    registry_canonicaliser,
    unlink,
    update_case,
    view_case,
)
from scamintel.federation.markings import Purpose
from scamintel.governance.audit import AuditEvent, verify_chain
from scamintel.indicators import Indicator, IndicatorType, ParseContext, default_registry
from scamintel.reports.model import Channel, NewReport, ReportedIndicator, ReportSource, ScamType
from scamintel.storage.cases_repo import SqlCaseRepository
from scamintel.storage.node import NodeDatabase
from scamintel.storage.requests_repo import SqlRequests
from scamintel.storage.store import append_audit, read_audit_entries
from scamintel.storage.tables import operations

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MULE_NUMBER = Indicator(IndicatorType.PHONE, "+66812345678", "TH")
LEAD = "cli:somchai"
DEPUTY = "key:0a1b2c3d4e5f"


@pytest.fixture
def canonicalise() -> Canonicalise:
    return registry_canonicaliser(default_registry(), ParseContext("TH"))


@contextmanager
def cases_in(node_database: NodeDatabase) -> Iterator[SqlCaseRepository]:
    with node_database.engine.begin() as connection:
        yield SqlCaseRepository(connection)


def store_report(node_database: NodeDatabase, indicator: Indicator = MULE_NUMBER) -> UUID:
    report = NewReport(
        id=uuid4(),
        source=ReportSource.API,
        scam_type=ScamType.INVESTMENT,
        channel=Channel.CALL,
        received_at=NOW,
        indicators=(ReportedIndicator(indicator, indicator.value, "given"),),
    )
    with node_database.transaction() as store:
        store.add_reports([report])
    return report.id


def store_request(
    node_database: NodeDatabase,
    case_id: int,
    *,
    created_at: datetime,
    fulfilled_at: datetime | None = None,
) -> CrossBorderRequest:
    """A request sent from the case, stored (and audited) by the requests repository; with
    ``fulfilled_at``, the partner's steps up to a fulfilment with an outcome follow."""
    sent = RequestEvent(RequestStatus.SENT, created_at, LEAD)
    request = CrossBorderRequest(
        request_id=uuid4(),
        direction=Direction.OUTGOING,
        partner="MM-CCD",
        kind=RequestKind.FREEZE_ACCOUNT,
        indicator_type=IndicatorType.BANK_ACCOUNT,
        value="TH:KBANK:1234567890",
        selector=None,
        purpose=Purpose.INVESTIGATION,
        reason="victims paid into it",
        status=RequestStatus.SENT,
        created_by=LEAD,
        created_at=created_at,
        updated_at=created_at,
        due_at=created_at + timedelta(hours=24),
        case_id=case_id,
        events=(sent,),
    )
    with node_database.engine.begin() as connection:
        store = SqlRequests(connection, node_database.sealer)
        store.add(request)
        if fulfilled_at is None:
            return request
        for status in (RequestStatus.RECEIVED, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS):
            store.save_step(request, RequestEvent(status, fulfilled_at, "peer:MM-CCD"))
        done = RequestEvent(
            RequestStatus.FULFILLED, fulfilled_at, "peer:MM-CCD", None, Outcome.FROZEN
        )
        store.save_step(request, done)
    return request


def store_operation(
    node_database: NodeDatabase,
    report_count: int,
    summary: dict[str, Any] | None = None,
    merged_into: int | None = None,
) -> int:
    with node_database.engine.begin() as connection:
        inserted: int = connection.execute(
            operations.insert()
            .values(
                merged_into=merged_into,
                report_count=report_count,
                victim_count=report_count,
                total_loss_usd=0,
                harm_score=0,
                cross_border=False,
                summary=json.dumps(summary) if summary is not None else None,
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(operations.c.id)
        ).scalar_one()
    return inserted


def case_actions(node_database: NodeDatabase, case_id: int) -> list[tuple[str, str]]:
    with cases_in(node_database) as repo:
        return [(e.event.action, e.event.actor) for e in repo.audit_trail(case_id)]


def chain_is_intact(node_database: NodeDatabase) -> bool:
    with node_database.engine.connect() as connection:
        return verify_chain(read_audit_entries(connection)).ok


def test_each_view_and_change_of_a_case_leaves_one_audit_entry_in_order(
    node_database: NodeDatabase, canonicalise: Canonicalise
) -> None:
    report_id = store_report(node_database)
    steps: list[Callable[[SqlCaseRepository, int], object]] = [
        lambda repo, case_id: view_case(repo, case_id, actor=DEPUTY),
        lambda repo, case_id: assign_case(repo, case_id, "Lt. Nok", actor=LEAD),
        lambda repo, case_id: change_status(repo, case_id, CaseStatus.IN_PROGRESS, actor=DEPUTY),
        lambda repo, case_id: add_note(repo, case_id, "Bank asked to hold", actor=DEPUTY),
        lambda repo, case_id: link(
            repo,
            case_id,
            LinkKind.INDICATOR,
            "phone:081-234-5678",
            actor=DEPUTY,
            canonicalise=canonicalise,
        ),
        lambda repo, case_id: link(
            repo, case_id, LinkKind.REPORT, str(report_id), actor=DEPUTY, canonicalise=canonicalise
        ),
        lambda repo, case_id: unlink(
            repo, case_id, LinkKind.REPORT, str(report_id), actor=LEAD, canonicalise=canonicalise
        ),
        lambda repo, case_id: change_status(
            repo, case_id, CaseStatus.CLOSED, actor=LEAD, reason=CloseReason.ACTIONED
        ),
    ]
    with cases_in(node_database) as repo:
        case_id = open_case(
            repo, actor=LEAD, title="Mule numbers of the Poipet call centre"
        ).case.id
    for step in steps:
        with cases_in(node_database) as repo:
            step(repo, case_id)
    with cases_in(node_database) as repo:
        trail = audit_trail(repo, case_id, actor=DEPUTY)
        listed = list_cases(repo, actor=LEAD, status=CaseStatus.CLOSED)

    assert [(e.event.action, e.event.actor) for e in trail] == [
        ("case.opened", LEAD),
        ("case.viewed", DEPUTY),
        ("case.assigned", LEAD),
        ("case.status_changed", DEPUTY),
        ("case.note_added", DEPUTY),
        ("case.link_added", DEPUTY),
        ("case.link_added", DEPUTY),
        ("case.link_removed", LEAD),
        ("case.status_changed", LEAD),
        ("case.audit_viewed", DEPUTY),
    ]
    assert [e.seq for e in trail] == sorted(e.seq for e in trail)
    assert all(e.event.object_id == f"CASE-{case_id}" for e in trail)
    assert trail[-2].event.details == {"from": "in_progress", "to": "closed", "reason": "actioned"}
    assert [c.id for c in listed] == [case_id]
    assert chain_is_intact(node_database)


def test_listing_is_recorded_once_with_the_cases_it_showed(node_database: NodeDatabase) -> None:
    with cases_in(node_database) as repo:
        first = open_case(repo, actor=LEAD, title="First", assignee="Lt. Nok").case
        open_case(repo, actor=LEAD, title="Second")
    with cases_in(node_database) as repo:
        shown = list_cases(repo, actor=DEPUTY, assignee="lt. nok")
    with node_database.engine.connect() as connection:
        entries = [e for e in read_audit_entries(connection) if e.event.action == "case.listed"]

    assert [c.id for c in shown] == [first.id]
    assert len(entries) == 1
    assert entries[0].event.actor == DEPUTY
    assert entries[0].event.details["cases"] == [first.reference]


def test_a_case_opened_from_a_merged_operation_links_the_survivor_and_reads_its_summary(
    node_database: NodeDatabase,
) -> None:
    survivor_id = store_operation(
        node_database, 42, {"title": "investment, romance · 42 reports · TH", "report_count": 42}
    )
    absorbed = store_operation(node_database, 3, merged_into=survivor_id)

    with cases_in(node_database) as repo:
        opened = open_case(repo, actor=LEAD, operation_id=absorbed)

    assert opened.note is not None
    assert f"merged into operation {survivor_id}" in opened.note
    assert [(item.kind, item.ref) for item in opened.case.links] == [
        (LinkKind.OPERATION, str(survivor_id))
    ]
    assert opened.case.title == f"Operation {survivor_id}: investment, romance · 42 reports · TH"
    assert case_actions(node_database, opened.case.id) == [("case.opened", LEAD)]


def test_a_case_from_an_operation_without_a_summary_still_gets_a_title(
    node_database: NodeDatabase,
) -> None:
    operation_id = store_operation(node_database, 1, {"unexpected": ["shape"]})
    with cases_in(node_database) as repo:
        opened = open_case(repo, actor=LEAD, operation_id=operation_id)
    assert opened.case.title == f"Operation {operation_id}: 1 report"


def test_links_must_name_something_on_this_node(
    node_database: NodeDatabase, canonicalise: Canonicalise
) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Links").case.id
    for kind, ref in [
        (LinkKind.OPERATION, "999"),
        (LinkKind.REPORT, str(uuid4())),
        (LinkKind.INDICATOR, "phone:+66899999999"),
        (LinkKind.INDICATOR, "123456"),
    ]:
        with pytest.raises(LinkTargetNotFoundError), cases_in(node_database) as repo:
            link(repo, case_id, kind, ref, actor=LEAD, canonicalise=canonicalise)
    assert case_actions(node_database, case_id) == [("case.opened", LEAD)]


def test_an_indicator_links_once_whether_named_by_value_or_by_id(
    node_database: NodeDatabase, canonicalise: Canonicalise
) -> None:
    store_report(node_database)
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="One number").case.id
        made = link(
            repo,
            case_id,
            LinkKind.INDICATOR,
            "+66 81-234-5678",
            actor=LEAD,
            canonicalise=canonicalise,
        )
    assert made.link.label == "phone:+66812345678"
    with pytest.raises(CaseConflictError), cases_in(node_database) as repo:
        link(
            repo, case_id, LinkKind.INDICATOR, made.link.ref, actor=LEAD, canonicalise=canonicalise
        )
    with cases_in(node_database) as repo:
        unlink(
            repo,
            case_id,
            LinkKind.INDICATOR,
            "phone:+66812345678",
            actor=LEAD,
            canonicalise=canonicalise,
        )
    with pytest.raises(LinkNotFoundError), cases_in(node_database) as repo:
        unlink(
            repo, case_id, LinkKind.INDICATOR, made.link.ref, actor=LEAD, canonicalise=canonicalise
        )


def test_a_closed_case_keeps_its_reason_takes_notes_and_refuses_other_changes_until_reopened(
    node_database: NodeDatabase, canonicalise: Canonicalise
) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Closed").case.id
        change_status(repo, case_id, CaseStatus.CLOSED, actor=LEAD, reason=CloseReason.DUPLICATE)
    with cases_in(node_database) as repo:
        closed = view_case(repo, case_id, actor=LEAD)
        add_note(repo, case_id, "Merged into CASE-1", actor=LEAD)
    assert closed.close_reason is CloseReason.DUPLICATE
    assert closed.closed_at is not None
    with pytest.raises(CaseConflictError), cases_in(node_database) as repo:
        assign_case(repo, case_id, "Lt. Nok", actor=LEAD)
    with cases_in(node_database) as repo:
        reopened = change_status(repo, case_id, CaseStatus.OPEN, actor=LEAD)
    assert reopened.status is CaseStatus.OPEN
    assert reopened.closed_at is None
    assert reopened.close_reason is None
    assert [n.text for n in reopened.notes] == ["Merged into CASE-1"]


def test_an_unknown_case_is_not_found_and_leaves_no_entry(node_database: NodeDatabase) -> None:
    with pytest.raises(CaseNotFoundError), cases_in(node_database) as repo:
        view_case(repo, 404, actor=LEAD)
    with node_database.engine.connect() as connection:
        assert list(read_audit_entries(connection)) == []


def test_a_case_shows_its_cross_border_requests_and_their_steps_join_its_trail(
    node_database: NodeDatabase,
) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="KBANK mule ring").case.id
        other_id = open_case(repo, actor=LEAD, title="Another ring").case.id
    late = store_request(node_database, case_id, created_at=NOW - timedelta(days=3))
    answered = store_request(
        node_database, case_id, created_at=NOW - timedelta(days=2), fulfilled_at=NOW
    )
    store_request(node_database, other_id, created_at=NOW)
    with node_database.engine.begin() as connection:
        # Near misses of the details text: a longer number that starts with this one, and the
        # number as a string. Neither is this case's.
        for named in (int(f"{case_id}0"), str(case_id)):
            append_audit(
                connection,
                AuditEvent(
                    actor=LEAD,
                    action="cross_border_request.sent",
                    object_type="cross_border_request",
                    object_id=str(uuid4()),
                    details={"case_id": named},
                ),
            )

    with cases_in(node_database) as repo:
        shown = view_case(repo, case_id, actor=DEPUTY, now=NOW + timedelta(minutes=1))
    with cases_in(node_database) as repo:
        trail = audit_trail(repo, case_id, actor=DEPUTY)

    assert shown.requests == (
        CaseRequest(
            answered.request_id,
            "MM-CCD",
            RequestKind.FREEZE_ACCOUNT,
            IndicatorType.BANK_ACCOUNT,
            RequestStatus.FULFILLED,
            answered.due_at,
            overdue=False,
            outcome=Outcome.FROZEN,
            delivery=Delivery.PENDING,  # stored without a delivery attempt
        ),
        CaseRequest(
            late.request_id,
            "MM-CCD",
            RequestKind.FREEZE_ACCOUNT,
            IndicatorType.BANK_ACCOUNT,
            RequestStatus.SENT,
            late.due_at,
            overdue=True,
            delivery=Delivery.PENDING,
        ),
    )
    assert [(e.event.action, e.event.object_id) for e in trail] == [
        ("case.opened", f"CASE-{case_id}"),
        ("cross_border_request.sent", str(late.request_id)),
        ("cross_border_request.sent", str(answered.request_id)),
        ("cross_border_request.received", str(answered.request_id)),
        ("cross_border_request.accepted", str(answered.request_id)),
        ("cross_border_request.in_progress", str(answered.request_id)),
        ("cross_border_request.fulfilled", str(answered.request_id)),
        ("case.viewed", f"CASE-{case_id}"),
        ("case.audit_viewed", f"CASE-{case_id}"),
    ]
    assert [e.seq for e in trail] == sorted(e.seq for e in trail)
    assert chain_is_intact(node_database)


def test_a_case_without_requests_shows_none(node_database: NodeDatabase) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Quiet").case.id
        assert view_case(repo, case_id, actor=LEAD).requests == ()


def test_a_closed_case_is_reopened_and_reassigned_in_one_change(
    node_database: NodeDatabase,
) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Back again").case.id
        change_status(repo, case_id, CaseStatus.CLOSED, actor=LEAD, reason=CloseReason.REFERRED)
    with cases_in(node_database) as repo:
        reopened = update_case(
            repo, case_id, actor=DEPUTY, status=CaseStatus.OPEN, assignee="Sgt. Dao", title="Again"
        )

    assert (reopened.status, reopened.assignee, reopened.title) == (
        CaseStatus.OPEN,
        "Sgt. Dao",
        "Again",
    )
    # Reopening is recorded first: each entry is then a change the case allowed at the time.
    assert case_actions(node_database, case_id)[-3:] == [
        ("case.status_changed", DEPUTY),
        ("case.retitled", DEPUTY),
        ("case.assigned", DEPUTY),
    ]


def test_a_case_is_edited_then_closed_in_one_change(node_database: NodeDatabase) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Done").case.id
        closed = update_case(
            repo,
            case_id,
            actor=LEAD,
            assignee="Lt. Nok",
            status=CaseStatus.CLOSED,
            reason=CloseReason.ACTIONED,
        )
    assert (closed.status, closed.assignee) == (CaseStatus.CLOSED, "Lt. Nok")
    assert case_actions(node_database, case_id)[-2:] == [
        ("case.assigned", LEAD),
        ("case.status_changed", LEAD),
    ]


def test_resending_the_current_status_with_other_fields_changes_only_those(
    node_database: NodeDatabase,
) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Form").case.id
        change_status(repo, case_id, CaseStatus.IN_PROGRESS, actor=LEAD)
    with cases_in(node_database) as repo:
        changed = update_case(
            repo, case_id, actor=DEPUTY, status=CaseStatus.IN_PROGRESS, assignee="Lt. Nok"
        )
    assert (changed.status, changed.assignee) == (CaseStatus.IN_PROGRESS, "Lt. Nok")
    assert case_actions(node_database, case_id)[-1] == ("case.assigned", DEPUTY)

    refusals: list[tuple[type[Exception], str, dict[str, Any]]] = [
        # Alone, the same status would change nothing: still a conflict.
        (TransitionError, "already in_progress", {"status": CaseStatus.IN_PROGRESS}),
        # A comment or a reason explains a status change that does not happen.
        (
            InvalidCaseInputError,
            "use a note",
            {"status": CaseStatus.IN_PROGRESS, "title": "Form 2", "comment": "still on it"},
        ),
        (
            InvalidCaseInputError,
            "only when closing",
            {"status": CaseStatus.IN_PROGRESS, "title": "Form 2", "reason": CloseReason.ACTIONED},
        ),
    ]
    for error, says, change in refusals:
        with pytest.raises(error, match=says), cases_in(node_database) as repo:
            update_case(repo, case_id, actor=DEPUTY, **change)
    assert case_actions(node_database, case_id)[-1] == ("case.assigned", DEPUTY)


def test_a_closed_case_that_stays_closed_refuses_edits(node_database: NodeDatabase) -> None:
    with cases_in(node_database) as repo:
        case_id = open_case(repo, actor=LEAD, title="Shut").case.id
        change_status(repo, case_id, CaseStatus.CLOSED, actor=LEAD, reason=CloseReason.DUPLICATE)
    changes: list[dict[str, Any]] = [
        {"assignee": "Lt. Nok"},
        {"assignee": "Lt. Nok", "status": CaseStatus.CLOSED, "reason": CloseReason.DUPLICATE},
        {"title": "Shut", "status": CaseStatus.CLOSED},
    ]
    for change in changes:
        with (
            pytest.raises(CaseConflictError, match="reopen it first"),
            cases_in(node_database) as repo,
        ):
            update_case(repo, case_id, actor=DEPUTY, **change)
    assert case_actions(node_database, case_id)[-1] == ("case.status_changed", LEAD)


def test_a_merge_chain_is_followed_to_its_live_end(node_database: NodeDatabase) -> None:
    live = store_operation(node_database, 9, {"title": "romance · 9 reports · TH"})
    middle = store_operation(node_database, 4, merged_into=live)
    first = store_operation(node_database, 2, merged_into=middle)

    with cases_in(node_database) as repo:
        opened = open_case(repo, actor=LEAD, operation_id=first)

    assert opened.case.title == f"Operation {live}: romance · 9 reports · TH"
    assert [item.ref for item in opened.case.links] == [str(live)]
    assert opened.note == f"operation {first} was merged into operation {live}; linked {live}"
