"""``scamintel subject-request``: data-subject requests (docs/governance.md, "Data-subject
requests"). Record one a person made by phone or letter, list the queue, open the person's data
for a stated purpose, verify, complete (erasure, correction, access) or refuse, and print the
access report. Audit actor: the operating-system account (``cli:NAME``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from scamintel.api.subject_requests_schemas import (
    SubjectRequestAccepted,
    SubjectRequestOut,
    access_report_json,
)
from scamintel.cli_common import console_actor, fail, load_settings, open_database, out
from scamintel.cli_common import region_context as _region_context
from scamintel.governance.retention import retention_policy
from scamintel.governance.subject_requests import (
    ACCESS_EXEMPTION,
    AccessReport,
    NewSubjectRequest,
    RequestKind,
    RequestStatus,
    SubjectRequest,
    SubjectRequestError,
    next_steps,
)
from scamintel.indicators import IndicatorType, InvalidIndicatorError, default_registry
from scamintel.indicators.warninglist import Warninglist
from scamintel.reports.reading import Reading, read_value
from scamintel.settings import Settings
from scamintel.storage import subject_requests_repo as repo
from scamintel.storage.node import NodeDatabase

subject_request_app = typer.Typer(
    help="Data-subject requests: what the node holds about a person's number, account or "
    "e-mail, and its correction or erasure.",
    no_args_is_help=True,
)

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON")]
RequestId = Annotated[str, typer.Argument(metavar="ID", help="The request's id (a UUID)")]


def _reading(settings: Settings, region: str | None = None) -> Reading:
    return Reading(default_registry(), _region_context(region, settings), Warninglist())


def _request_id(text: str) -> uuid.UUID:
    """A request's id, or the reference (``SR-…``) the person was given and quotes."""
    if text.strip().upper().startswith("SR-"):
        return _by_reference(text)
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        fail(
            f"{text!r} is neither a request id (a UUID) nor a reference (SR- and ten "
            "characters), as `scamintel subject-request list` shows them"
        )


def _by_reference(reference: str) -> uuid.UUID:
    with _database() as (_settings, database), database.engine.connect() as connection:
        found = repo.ids_with_reference(connection, reference)
    if len(found) != 1:
        what = "no request has" if not found else "more than one request has"
        fail(f"{what} the reference {reference.strip()!r}: give the request's id instead")
    return found[0]


@contextmanager
def _database() -> Iterator[tuple[Settings, NodeDatabase]]:
    settings = load_settings()
    database = open_database(settings)
    try:
        yield settings, database
    except SubjectRequestError as error:
        fail(str(error))
    finally:
        database.dispose()


def _json(request: SubjectRequest, **extra: Any) -> str:
    data = SubjectRequestOut.of(request, datetime.now(UTC)).model_dump(mode="json")
    return json.dumps({**data, **extra}, ensure_ascii=False, indent=2)


def _line(request: SubjectRequest, now: datetime) -> str:
    late = " [bold red]OVERDUE[/]" if request.overdue(now) else ""
    return (
        f"[bold]{request.id}[/] {request.reference} {request.kind.value} "
        f"({request.identifier_type.value}): {request.status.value}{late} "
        f"(due {request.due_at:%Y-%m-%d})"
    )


def _print(request: SubjectRequest) -> None:
    out.print(_line(request, datetime.now(UTC)), highlight=False, soft_wrap=True)
    if request.verified_by:
        out.print(f"  verified by {escape(request.verified_by)}", highlight=False)
    if request.outcome:
        out.print(f"  outcome: {escape(request.outcome)}", highlight=False, soft_wrap=True)


@subject_request_app.command("open")
def subject_request_open(
    kind: Annotated[RequestKind, typer.Argument(help="access, correction or erasure")],
    value: Annotated[str, typer.Argument(help="The person's number, account or e-mail")],
    indicator_type: Annotated[
        IndicatorType | None, typer.Option("--type", help="Skip type detection")
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Country whose local formats apply (ISO alpha-2)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The person's name")] = None,
    email: Annotated[str | None, typer.Option(help="Where to reach the person")] = None,
    phone: Annotated[str | None, typer.Option(help="Where to reach the person")] = None,
    details: Annotated[str | None, typer.Option(help="What the person asked, in words")] = None,
    as_json: AsJson = False,
) -> None:
    """Record a request a person made by phone, letter or at the counter."""
    contact = {k: v.strip() for k, v in {"name": name, "email": email, "phone": phone}.items() if v}
    with _database() as (settings, database):
        try:
            identifier = read_value(value, indicator_type, _reading(settings, region))
        except InvalidIndicatorError as error:
            fail(f"{value!r} cannot be read: {error.reason}")
        with database.engine.begin() as connection:
            opened = repo.open_request(
                connection,
                database.sealer,
                settings.secret_key,
                NewSubjectRequest(kind, identifier, contact or None, details),
                actor=console_actor(),
                now=datetime.now(UTC),
            )
    if as_json:
        accepted = SubjectRequestAccepted.of(opened).model_dump(mode="json")
        out.print_json(json.dumps(accepted, ensure_ascii=False))
        return
    _print(opened)
    out.print(next_steps(opened), highlight=False, soft_wrap=True)


@subject_request_app.command("list")
def subject_request_list(
    status: Annotated[RequestStatus | None, typer.Option(help="Only this status")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only open ones past due")] = False,
    limit: Annotated[int, typer.Option(min=1, max=repo.MAX_LIST)] = 100,
    as_json: AsJson = False,
) -> None:
    """Requests, the nearest deadline first."""
    now = datetime.now(UTC)
    with _database() as (_settings, database), database.engine.connect() as connection:
        found = repo.list_requests(connection, status=status, overdue=overdue, now=now, limit=limit)
    if as_json:
        rows = [SubjectRequestOut.of(r, now).model_dump(mode="json") for r in found]
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    if not found:
        out.print("No data-subject requests match.")
    for request in found:
        out.print(_line(request, now), highlight=False, soft_wrap=True)


@subject_request_app.command("show")
def subject_request_show(
    request_id: RequestId,
    purpose: Annotated[
        str | None,
        typer.Option(help="Open the person's identifier and contact, for this purpose (audited)"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """One request and its steps; with --purpose, the person's data too."""
    number = _request_id(request_id)
    with _database() as (_settings, database), database.engine.begin() as connection:
        if purpose is not None:
            request = repo.open_personal_data(
                connection, database.sealer, number, actor=console_actor(), purpose=purpose
            )
        else:
            request = repo.get_request(connection, number)
        events = repo.events_of(connection, number)
        earlier = repo.earlier_requests(connection, number) if purpose is not None else []
    if as_json:
        extra: dict[str, Any] = {
            "events": [
                {"status": e.status.value, "at": e.at.isoformat(), "actor": e.actor, "note": e.note}
                for e in events
            ]
        }
        if request.identifier is not None:
            extra["identifier"] = {
                "type": request.identifier.type.value,
                "value": request.identifier.value,
                "country": request.identifier.country,
            }
            extra["contact"] = request.contact
            extra["earlier_requests"] = [r.reference for r in earlier]
        out.print_json(_json(request, **extra))
        return
    _print(request)
    if request.details:
        out.print(f"  details: {escape(request.details)}", highlight=False, soft_wrap=True)
    if request.identifier is not None:
        out.print(
            f"  identifier: {request.identifier.type.value} {escape(request.identifier.value)}",
            highlight=False,
        )
        for key, value in (request.contact or {}).items():
            out.print(f"  contact {key}: {escape(str(value))}", highlight=False)
        if earlier:
            refs = ", ".join(r.reference for r in earlier)
            out.print(f"  other requests about this value: {refs}", highlight=False)
    for event in events:
        note = f": {escape(event.note)}" if event.note else ""
        out.print(
            f"  {event.at:%Y-%m-%d %H:%M:%S} {event.status.value} by {escape(event.actor)}{note}",
            highlight=False,
            soft_wrap=True,
        )


@subject_request_app.command("verify")
def subject_request_verify(
    request_id: RequestId,
    note: Annotated[
        str | None, typer.Option(help="How the holder was verified (a call to the number)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Record that the person asking holds the value."""
    number = _request_id(request_id)
    with _database() as (_settings, database), database.engine.begin() as connection:
        verified = repo.verify_request(
            connection,
            database.sealer,
            number,
            actor=console_actor(),
            note=note,
            now=datetime.now(UTC),
        )
    if as_json:
        out.print_json(_json(verified))
    else:
        _print(verified)


@subject_request_app.command("complete")
def subject_request_complete(
    request_id: RequestId,
    note: Annotated[
        str | None,
        typer.Option(help="What was done; a correction needs it (what was corrected)"),
    ] = None,
    delist: Annotated[
        bool,
        typer.Option("--delist", help="Correction: withdraw the listing (an upheld dispute)"),
    ] = False,
    ground: Annotated[
        str | None,
        typer.Option(
            "--ground",
            help="Erasure: the ground for erasing data kept for fraud prevention (reports, "
            'outcomes, a listing), e.g. "listing wrong: dispute upheld"; recorded in the '
            "outcome and the audit log",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Carry out a verified request: an erasure erases the value here and, at their next sync,
    on partners (refused while the value is evidence kept for fraud prevention, unless
    --ground states why it must go); a correction records what was corrected; an access
    request records that the report was sent."""
    number = _request_id(request_id)
    with _database() as (settings, database):
        completed = repo.complete_request(
            database,
            number,
            actor=console_actor(),
            note=note,
            now=datetime.now(UTC),
            reading=_reading(settings),
            delist=delist,
            override_ground=ground,
            node_country=settings.node_country,
        )
    if as_json:
        out.print_json(_json(completed))
    else:
        _print(completed)


@subject_request_app.command("refuse")
def subject_request_refuse(
    request_id: RequestId,
    reason: Annotated[str, typer.Option(help="Why; the person reads it")],
    as_json: AsJson = False,
) -> None:
    """Refuse a request (for example: the person could not show that they hold the value)."""
    number = _request_id(request_id)
    with _database() as (_settings, database), database.engine.begin() as connection:
        refused = repo.refuse_request(
            connection,
            database.sealer,
            number,
            actor=console_actor(),
            reason=reason,
            now=datetime.now(UTC),
        )
    if as_json:
        out.print_json(_json(refused))
    else:
        _print(refused)


@subject_request_app.command("report")
def subject_request_report(request_id: RequestId, as_json: AsJson = False) -> None:
    """What the node holds about a verified request's value, to send to the person (audited).
    Recipients are named by category and law-enforcement entries are left out; the operator
    reads the whole trail with `scamintel audit trail`."""
    number = _request_id(request_id)
    with _database() as (settings, database):
        report = repo.access_report(
            database,
            number,
            policy=retention_policy(settings.retention_days),
            actor=console_actor(),
            now=datetime.now(UTC),
            node_country=settings.node_country,
        )
    if as_json:
        out.print_json(json.dumps(access_report_json(report), ensure_ascii=False))
        return
    _print_report(report)


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "-"


def _print_report(report: AccessReport) -> None:
    def say(text: str) -> None:
        out.print(text, highlight=False, soft_wrap=True)

    identifier = report.identifier
    say(
        f"[bold]What this node holds about {identifier.type.value} {escape(identifier.value)}[/] "
        f"({report.request.reference}, {report.generated_at:%Y-%m-%d %H:%M} UTC)"
    )
    if not report.held:
        say("Nothing: this node holds no report, listing or partner record about it.")
    listing = report.listing
    if listing is not None:
        since = f", listed since {_day(listing.listed_since)}" if listing.listed_since else ""
        review = ", under review" if listing.under_review else ""
        say(f"Listing: {listing.verdict} (score {listing.score:.2f}){since}{review}")
    reports = report.reports
    if reports.count:
        say(
            f"Reports naming it: {reports.count}, first {_day(reports.first_seen)}, last "
            f"{_day(reports.last_seen)}; scam types: {', '.join(reports.scam_types)}"
        )
    if report.own_contact_reports:
        say(f"Reports giving it as the reporter's own contact: {report.own_contact_reports}")
    for dispute in report.disputes:
        reason = f": {escape(dispute.decision_reason)}" if dispute.decision_reason else ""
        say(
            f"Dispute {dispute.reference} opened {_day(dispute.opened_at)}, "
            f"{dispute.status}{reason}"
        )
    for outcome in report.outcomes:
        say(f"Outcome: {outcome.kind} on {_day(outcome.at)}")
    for record in report.partner_records:
        blind = " (blind selector)" if record.blind else ""
        say(
            f"Partner record: {escape(record.partner)} {record.verdict or '-'} "
            f"{record.marking}{blind}"
        )
    if report.disclosures:
        say("Who saw or changed its data (by category):")
    for item in report.disclosures:
        say(
            f"  {item.at:%Y-%m-%d %H:%M} {escape(item.recipient)}: {item.action} "
            f"(basis {item.legal_basis or '-'})"
        )
    say(escape(ACCESS_EXEMPTION))
    if report.deletions:
        say("When it will be deleted (if nothing new arrives):")
    for deletion in report.deletions:
        say(f"  {escape(deletion.what)} ({deletion.count}): {_day(deletion.deleted_on)}")
