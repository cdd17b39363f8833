"""The token buckets of access/rate_limits.py on a clock the test moves, and the security
headers api/middleware.py puts on an answer."""

from __future__ import annotations

from scamintel.access.rate_limits import RateLimiter, RateLimits, Refusal, client_key
from scamintel.api.middleware import (
    HTML_FALLBACK_CONTENT_SECURITY_POLICY,
    NON_HTML_CONTENT_SECURITY_POLICY,
    SECURITY_HEADERS,
    with_security_headers,
)
from scamintel.api.rate_limits import document_refusals, presented_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_gets_its_burst_then_one_request_per_refill_interval() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(client_per_minute=60, global_per_second=0), clock)
    allowed = sum(limiter.take("198.51.100.1").allowed for _ in range(100))
    assert allowed == 60  # a minute's worth at once
    refused = limiter.take("198.51.100.1")
    assert refused.refused_by is Refusal.CLIENT
    assert refused.retry_after_s == 1  # one token a second
    clock.now += 1.0
    assert limiter.take("198.51.100.1").allowed
    assert not limiter.take("198.51.100.1").allowed


def test_another_address_has_its_own_bucket_but_an_ipv6_64_is_one_client() -> None:
    limiter = RateLimiter(RateLimits(client_per_minute=2, global_per_second=0), Clock())
    for _ in range(2):
        assert limiter.take("2001:db8:1:2::10").allowed
    assert not limiter.take("2001:db8:1:2:ffff::99").allowed  # same /64
    assert limiter.take("2001:db8:1:3::10").allowed  # another /64
    assert limiter.take("198.51.100.2").allowed
    assert client_key("::ffff:198.51.100.2") == "198.51.100.2"
    assert client_key(None) == "unknown"


def test_the_global_bucket_refuses_a_crowd_of_addresses_and_takes_nothing_when_refusing() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(client_per_minute=10, global_per_second=5), clock)
    decisions = [limiter.take(f"203.0.113.{n}") for n in range(8)]
    assert [decision.allowed for decision in decisions] == [True] * 5 + [False] * 3
    assert decisions[-1].refused_by is Refusal.GLOBAL
    clock.now += 1.0
    # The refused addresses lost nothing: each still has its whole burst.
    assert limiter.take("203.0.113.7").allowed


def test_zero_turns_each_limit_off() -> None:
    limiter = RateLimiter(RateLimits(client_per_minute=0, global_per_second=0), Clock())
    assert all(limiter.take("198.51.100.3").allowed for _ in range(10_000))


def test_the_buckets_remembered_stay_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(
        RateLimits(client_per_minute=60, global_per_second=0), clock, max_tracked_clients=100
    )
    for n in range(1_000):
        limiter.take(f"10.0.{n // 256}.{n % 256}")
    assert limiter.tracked_clients <= 100


def test_the_presented_key_is_read_from_either_header() -> None:
    assert presented_token([(b"authorization", b"Bearer si_a_b")]) == "si_a_b"
    assert presented_token([(b"x-api-key", b" si_a_b ")]) == "si_a_b"
    assert presented_token([(b"authorization", b"Basic eDp5")]) is None
    assert presented_token([]) is None


def test_every_security_header_is_added_once_and_a_routes_own_value_is_kept() -> None:
    own_policy = (b"content-security-policy", b"default-src 'self'")
    headers = with_security_headers(
        [(b"content-type", b"text/html"), own_policy, (b"x-frame-options", b"SAMEORIGIN")],
        https=False,
    )
    names = [name for name, _ in headers]
    assert len(names) == len(set(names))
    assert own_policy in headers
    assert (b"x-frame-options", b"SAMEORIGIN") in headers
    assert {name for name, _ in SECURITY_HEADERS} <= set(names)
    assert b"strict-transport-security" not in names


def test_the_fallback_policy_depends_on_the_answer_and_https_adds_hsts() -> None:
    json_answer = dict(with_security_headers([(b"content-type", b"application/json")], True))
    assert json_answer[b"content-security-policy"] == NON_HTML_CONTENT_SECURITY_POLICY
    assert json_answer[b"strict-transport-security"].startswith(b"max-age=")
    html_answer = dict(with_security_headers([(b"content-type", b"text/html")], False))
    assert html_answer[b"content-security-policy"] == HTML_FALLBACK_CONTENT_SECURITY_POLICY


def test_openapi_names_429_where_counted_413_with_a_body_414_and_431_everywhere() -> None:
    schema = document_refusals(
        {
            "paths": {
                "/api/v1/reports": {"post": {"requestBody": {}, "responses": {}}},
                "/taxii2/": {"get": {"responses": {}}},
                "/healthz": {"get": {"responses": {}}},
            }
        }
    )
    reports = schema["paths"]["/api/v1/reports"]["post"]["responses"]
    assert {"429", "413"} <= set(reports)
    assert "Retry-After" in reports["429"]["headers"]
    assert (
        "application/taxii+json;version=2.1"
        in (schema["paths"]["/taxii2/"]["get"]["responses"]["429"]["content"])
    )
    # Not counted, no body: only the size refusals every request may meet.
    assert set(schema["paths"]["/healthz"]["get"]["responses"]) == {"414", "431"}
    assert {"414", "431"} <= set(reports)
