"""Which roles may do what, shared by the JSON API routes and the analyst pages so that a
page and the API route doing the same thing cannot drift apart.

:data:`PERMISSIONS` is the one table of these rules: each row names what is allowed, the role
tuple the enforcing code reads (the constants below, imported by ``api/*.py``) and the routes
that enforce it, as ``METHOD /path`` patterns. Every route of the node is in it: the API, TAXII,
the operator's routes, the public pages and static files, and the analyst pages, whose roles
``web/analyst/access.py`` ``PAGE_ROLES`` reads from here (:func:`governing_permission`).
docs/governance.md's roles matrix is generated from it (``scamintel governance docs``);
tests/e2e/test_roles_matrix.py checks the roles each route declares against it, and
tests/e2e/test_authorisation_matrix.py calls every route as every role and as nobody."""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from scamintel.access.keys import Role

# Publishing a public alert (it cannot be withdrawn).
PUBLISHERS: tuple[Role, ...] = (Role.ANALYST, Role.ADMIN)
# Deciding disputes and closing bursts held for review.
REVIEWERS: tuple[Role, ...] = (Role.ANALYST, Role.ADMIN)
# Opening, reading and changing investigation cases.
CASE_ROLES: tuple[Role, ...] = (Role.INVESTIGATOR, Role.ANALYST, Role.ADMIN)
# Reading scam operations and their dossiers.
OPERATION_READERS: tuple[Role, ...] = (Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN)
# Sending, answering and listing cross-border requests.
INVESTIGATORS: tuple[Role, ...] = (Role.INVESTIGATOR, Role.ANALYST, Role.ADMIN)
# Reading a report's content (narrative, values, evidence hashes).
REPORT_READERS: tuple[Role, ...] = (Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN)
# Reading the victim's contact details of a report, with a stated purpose.
PERSONAL_DATA_READERS: tuple[Role, ...] = (Role.INVESTIGATOR, Role.ADMIN)
# Downloading blocklists (telcos and banks hold reporter keys).
BLOCKLIST_READERS: tuple[Role, ...] = (Role.REPORTER, Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN)
# Recording what an organisation did about a value (frozen, blocked, false positive).
OUTCOME_REPORTERS: tuple[Role, ...] = (
    Role.REPORTER,
    Role.ANALYST,
    Role.INVESTIGATOR,
    Role.ADMIN,
)
# Approving or rejecting the release of a raw value behind a blind selector (four eyes).
RELEASE_APPROVERS: tuple[Role, ...] = (Role.ANALYST, Role.ADMIN)
# Reading a release request: its partner, and the approvers.
RELEASE_READERS: tuple[Role, ...] = (Role.PARTNER, *RELEASE_APPROVERS)
# TAXII 2.1: partners read and push what their agreement allows; analysts and admins look.
TAXII_READERS: tuple[Role, ...] = (Role.PARTNER, Role.ANALYST, Role.ADMIN)
# Partner nodes: asking for a release, delivering a cross-border request and following it.
PARTNER_NODES: tuple[Role, ...] = (Role.PARTNER,)
# Every role that works at the centre may read what the API lets it read; reporters (banks,
# telcos sending reports) and partner nodes hold keys for machines, not for these pages.
DESK_ROLES: tuple[Role, ...] = (Role.ANALYST, Role.INVESTIGATOR, Role.ADMIN)
# The whole audit log says who read which case, dossier and dispute: the operator's and the
# data-protection officer's to read, like `scamintel audit verify` on the node itself.
AUDIT_ROLES: tuple[Role, ...] = (Role.ADMIN,)
# The audit log's signed head, public key and consistency proofs: what a partner node (or an
# auditor given an admin key) keeps and checks to know the log was not rewritten.
AUDIT_HEAD_READERS: tuple[Role, ...] = (Role.ADMIN, Role.PARTNER)
# Verifying, carrying out and refusing data-subject requests: the data-protection officer's.
SUBJECT_REQUEST_OFFICERS: tuple[Role, ...] = (Role.ADMIN,)
# Nobody needs a key: the public pages and public API routes.
EVERYONE: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True, slots=True)
class Permission:
    # What the holder may do, in words for the policy (docs/governance.md).
    what: str
    roles: tuple[Role, ...]
    # The routes that enforce it, as "METHOD /path" patterns (fnmatch: * matches anything; a
    # HEAD request follows its GET). A pattern with "?name=value" is a condition inside a
    # route that another row opens: a caller needs both rows.
    routes: tuple[str, ...]
    # Open to anyone, with or without a key.
    public: bool = False


PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        "Check a value; check a message for signs of a scam and find the values in a text "
        "(nothing kept); report a scam; contest a listing and follow the dispute; read alerts; "
        "private lookups; ask what the node holds about you and follow the request; read the "
        "transparency report",
        EVERYONE,
        (
            "GET /api/v1/check",
            "POST /api/v1/classify",
            "POST /api/v1/extract",
            "POST /api/v1/reports",
            "POST /api/v1/disputes",
            "GET /api/v1/disputes/{dispute_id}",
            "GET /api/v1/alerts*",
            "GET /api/v1/range/*",
            "GET /api/v1/bundle",
            "POST /api/v1/subject-requests",
            "GET /api/v1/subject-requests/{request_id}",
            "GET /api/v1/transparency*",
        ),
        public=True,
    ),
    Permission(
        "See that the node is up, and its request counters (no data of any report or person)",
        EVERYONE,
        ("GET /healthz", "GET /metrics"),
        public=True,
    ),
    Permission(
        "Read the public pages: check a value, report a scam, alerts, learn to spot a scam, "
        "contest a listing, the privacy notice, ask what the node holds about you, the "
        "transparency report; their style sheets",
        EVERYONE,
        (
            "GET /",
            "GET /check",
            "* /report",
            "GET /alerts",
            "GET /learn*",
            "* /dispute",
            "GET /privacy",
            "* /my-data*",
            "GET /transparency",
            "GET /static/*",
        ),
        public=True,
    ),
    Permission(
        "Read the API's description (the OpenAPI document and its pages)",
        EVERYONE,
        ("GET /openapi.json", "GET /docs*", "GET /redoc"),
        public=True,
    ),
    Permission(
        "Open the analyst sign-in page; sign out",
        EVERYONE,
        ("GET /analyst/login", "POST /analyst/logout"),
        public=True,
    ),
    Permission(
        "Read a report's narrative, values and evidence hashes (each read audited)",
        REPORT_READERS,
        ("GET /api/v1/reports/{report_id}",),
    ),
    Permission(
        "Read the victim's contact details of a report, with a stated purpose (audited)",
        PERSONAL_DATA_READERS,
        ("GET /api/v1/reports/{report_id}?include_reporter=true",),
    ),
    Permission(
        "Read a dispute's claim, and the claimant's contact with a stated purpose (audited); "
        "decide disputes; close bursts held for review",
        REVIEWERS,
        (
            "GET /api/v1/disputes/{dispute_id}?include_contact=true",
            "GET /api/v1/review-queue",
            "POST /api/v1/disputes/{dispute_id}/decision",
            "POST /api/v1/review-queue/*",
            "GET /analyst/disputes",
            "POST /analyst/disputes/*",
        ),
    ),
    Permission(
        "Record an outcome against a value (frozen, blocked, taken down, false positive)",
        OUTCOME_REPORTERS,
        ("POST /api/v1/outcomes",),
    ),
    Permission(
        "Download blocklists of listed values (each download audited)",
        BLOCKLIST_READERS,
        ("GET /api/v1/blocklist",),
    ),
    Permission(
        "Publish a public scam alert", PUBLISHERS, ("POST /api/v1/alerts", "POST /analyst/alerts")
    ),
    Permission(
        "Read scam operations and download their dossiers (audited)",
        OPERATION_READERS,
        ("GET /api/v1/clusters*", "GET /analyst/operations*"),
    ),
    Permission(
        "Open, read and change investigation cases",
        CASE_ROLES,
        ("* /api/v1/cases*", "* /analyst/cases*"),
    ),
    Permission(
        "Send, answer and follow cross-border requests",
        INVESTIGATORS,
        ("* /api/v1/requests*", "GET /analyst/requests"),
    ),
    Permission(
        "Approve or reject releasing a raw value to a partner (two different approvers)",
        RELEASE_APPROVERS,
        ("GET /api/v1/federation/releases", "POST /api/v1/federation/releases/*"),
    ),
    Permission(
        "Read a release request (the partner that asked: its value once approved)",
        RELEASE_READERS,
        ("GET /api/v1/federation/releases/{release_id}",),
    ),
    Permission(
        "Exchange shared objects over TAXII 2.1, within the sharing agreement",
        TAXII_READERS,
        ("* /taxii2/*",),
    ),
    Permission(
        "Ask for a raw value behind a blind selector; deliver and follow cross-border requests",
        PARTNER_NODES,
        ("POST /api/v1/federation/releases", "* /api/v1/federation/requests*"),
    ),
    Permission(
        "Verify, carry out or refuse data-subject requests; read the requester's identifier "
        "and what the node holds about it, with a stated purpose (audited)",
        SUBJECT_REQUEST_OFFICERS,
        ("GET /api/v1/subject-requests", "* /api/v1/subject-requests/{request_id}/*"),
    ),
    Permission(
        "Sign in to the analyst pages with a key: dashboard, indicators, alerts, partners",
        DESK_ROLES,
        (
            "POST /analyst/login",
            "GET /analyst/",
            "GET /analyst/indicators",
            "GET /analyst/alerts",
            "GET /analyst/partners",
        ),
    ),
    Permission(
        "Read the whole audit log on the analyst pages", AUDIT_ROLES, ("GET /analyst/audit",)
    ),
    Permission(
        "Verify the audit log; read who saw a value's data and why",
        AUDIT_ROLES,
        ("GET /api/v1/audit/verify", "GET /api/v1/audit/trail"),
    ),
    Permission(
        "Read the audit log's signed head and public key; ask for a consistency proof; check "
        "a head kept earlier",
        AUDIT_HEAD_READERS,
        (
            "GET /api/v1/audit/head",
            "GET /api/v1/audit/key",
            "GET /api/v1/audit/consistency",
            "POST /api/v1/audit/heads/check",
        ),
    ),
)


def _request_line(method: str, path: str) -> str:
    # A HEAD request is a GET without the body: the same rule applies.
    return f"{'GET' if method == 'HEAD' else method} {path}"


def governing_permission(method: str, path: str) -> Permission | None:
    """The row that names the route ``path`` (its template, ``/cases/{case_id}``) for
    ``method`` without a condition; None when no row does, which the routes treat as nobody
    allowed."""
    line = _request_line(method, path)
    for permission in PERMISSIONS:
        if any("?" not in named and fnmatchcase(line, named) for named in permission.routes):
            return permission
    return None


def conditions_of(method: str, path: str) -> list[tuple[str, Permission]]:
    """The conditions inside the route (``include_reporter=true``), each with the row that
    says who may ask for it."""
    line = _request_line(method, path)
    found = []
    for permission in PERMISSIONS:
        for named in permission.routes:
            route, _, condition = named.partition("?")
            if condition and fnmatchcase(line, route):
                found.append((condition, permission))
    return found


def allows(permission: Permission, role: Role | None) -> bool:
    """Whether the row lets ``role`` (None: a caller without a key) do what it says."""
    return permission.public or (role is not None and role in permission.roles)
