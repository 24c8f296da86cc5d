"""Keep it checked: a short, seeded, deterministic schemathesis run against the OpenAPI
schema, as every role (an API token each) and anonymously, on whichever database the suite
runs (SQLite locally, PostgreSQL in CI): no answer may be a server error.

Bounded: `VETBRIDGE_SCHEMATHESIS_EXAMPLES` examples per operation and role (3 by default),
derandomized, no example database, so the run is the same every time and takes well under
two minutes.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import ROLES

EXAMPLES = int(os.environ.get("VETBRIDGE_SCHEMATHESIS_EXAMPLES", "3"))


@pytest.fixture
def wsgi_app():
    """The real WSGI application, on the test database's connection (as Django's test
    client does, requests must not close the connection of the test's transaction)."""
    from vetbridge.config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _check_operation(
    operation, headers: dict[str, str], failures: list[str], statuses: Counter[int]
) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(
                f"{operation.label}: {response.status_code} {case.as_curl_command(headers=headers)}"
            )
        case.validate_response(response, checks=[not_a_server_error])

    try:
        check()
    except Exception as exc:  # collected, so one run shows every failing operation
        failures.append(f"{operation.label}: {exc!s:.300}")


def _run(schema, user) -> tuple[list[str], Counter[int]]:
    from vetbridge.accounts.models import ApiToken

    failures: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        headers = {}
        if user is not None:
            # A fresh token per operation: DELETE /api/tokens/{id} may revoke the last one.
            headers["Authorization"] = "Bearer " + ApiToken.issue(user=user, name="st")[1]
        _check_operation(result.ok(), headers, failures, statuses)
    return failures, statuses


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_no_server_error_for_any_generated_request(world, wsgi_app, role):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    failures, statuses = _run(schema, None if role == "anonymous" else world["users"][role])
    print(role, dict(sorted(statuses.items())))  # noqa: T201 (the run's figures, with -s)
    assert not failures, "\n".join(failures[:20])
    assert sum(statuses.values()) >= len(list(schema.get_all_operations()))
