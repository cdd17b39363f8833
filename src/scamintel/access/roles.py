"""Which roles may do what, shared by the JSON API routes and the analyst pages so that a
page and the API route doing the same thing cannot drift apart."""

from __future__ import annotations

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
