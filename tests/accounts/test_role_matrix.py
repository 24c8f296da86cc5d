"""Role × route matrix: every URL and API route the project defines, for every role.

The test fails when a route is added without an entry here, so no page or endpoint can
escape the scoping rules.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import ROLES

ALL = ["anonymous", *ROLES]
STAFF_SCOPE_LVIV = {"veteran": 200, "case_worker": 200, "medical_assessor": 200,
                    "pension_officer": 200, "memorial_editor": 404, "analyst": 403, "admin": 200}
STAFF_SCOPE_KYIV = {"veteran": 404, "case_worker": 404, "medical_assessor": 200,
                    "pension_officer": 200, "memorial_editor": 200, "analyst": 403, "admin": 200}
EDIT_LVIV = dict.fromkeys(ROLES, 403) | {"case_worker": 200, "admin": 200}
EDIT_KYIV = dict.fromkeys(ROLES, 403) | {"case_worker": 404, "admin": 200}


def only(ok: set[str], other: int = 403, ok_status: int = 200) -> dict[str, int]:
    return {r: (ok_status if r in ok else other) for r in ROLES}


# (route name, kwargs key) → {role: expected status on GET}; anonymous handled per kind.
WEB: dict[str, dict[str, int]] = {
    "home": dict.fromkeys(ROLES, 200) | {"veteran": 302},
    "health": dict.fromkeys(ROLES, 200),
    "accounts:login": dict.fromkeys(ROLES, 302),
    "accounts:logout": dict.fromkeys(ROLES, 405),
    "accounts:set_language": dict.fromkeys(ROLES, 405),
    "accounts:account": dict.fromkeys(ROLES, 200),
    "accounts:audit": only({"admin"}),
    "people:list": only(set(ROLES) - {"analyst"}),
    "people:create": only({"case_worker", "admin"}),
    "people:import": only({"admin"}),
    "people:stats": only({"case_worker", "pension_officer", "analyst", "admin"}),
    "people:detail": STAFF_SCOPE_LVIV,
    "people:detail@kyiv": STAFF_SCOPE_KYIV,
    "people:history": STAFF_SCOPE_LVIV,
    "people:history@kyiv": STAFF_SCOPE_KYIV,
    "people:edit": EDIT_LVIV,
    "people:edit@kyiv": EDIT_KYIV,
    "people:name_add": dict.fromkeys(ROLES, 405),
    "people:name_preferred": dict.fromkeys(ROLES, 405),
    "people:status_add": dict.fromkeys(ROLES, 405),
    "people:link_add": dict.fromkeys(ROLES, 405),
}
ANON_WEB = {"health": 200, "accounts:login": 200, "accounts:logout": 405,
            "accounts:set_language": 405, "people:name_add": 405,
            "people:name_preferred": 405, "people:status_add": 405, "people:link_add": 405}

API: dict[str, dict[str, int]] = {
    "GET /api/me": dict.fromkeys(ROLES, 200),
    "GET /api/audit": only({"admin"}),
    "GET /api/people": only(set(ROLES) - {"analyst"}),
    "GET /api/people/{person_id}": STAFF_SCOPE_LVIV,
    "GET /api/people/{person_id}/history": STAFF_SCOPE_LVIV,
    "GET /api/stats": only({"case_worker", "pension_officer", "analyst", "admin"}),
    "POST /api/people": only({"case_worker", "admin"}, ok_status=201),
    "PATCH /api/people/{person_id}": EDIT_LVIV,
    "POST /api/people/{person_id}/names": only({"case_worker", "admin"}, ok_status=201),
    "POST /api/people/{person_id}/statuses": only({"case_worker", "admin"}, ok_status=201),
    "POST /api/people/{person_id}/links": only({"case_worker", "admin"}, ok_status=201),
}


def _web_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("django-admin", "api/")):
                    continue
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver().url_patterns)
    return names


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _url(name: str, world) -> str:
    from django.urls import reverse

    base, _, which = name.partition("@")
    person = world["kyiv"] if which == "kyiv" else world["lviv"]
    for kwargs in ({}, {"pk": person.pk},
                   {"pk": person.pk, "name_id": person.names.first().pk}):
        try:
            return reverse(base, kwargs=kwargs)
        except Exception:  # noqa: S112 (try the next argument shape)
            continue
    raise AssertionError(name)


def test_every_web_route_is_in_the_matrix():
    assert _web_route_names() == {n.partition("@")[0] for n in WEB}


def test_every_api_route_is_in_the_matrix(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    defined = {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops}
    assert defined == set(API)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_web_matrix(world, role):
    client = _client(world, role)
    failures = []
    for name, expected in WEB.items():
        url = _url(name, world)
        status = client.get(url).status_code
        want = ANON_WEB.get(name.partition("@")[0], 302) if role == "anonymous" \
            else expected[role]
        if status != want:
            failures.append(f"{role} GET {url} ({name}): {status}, expected {want}")
    assert not failures, "\n".join(failures)


def _api_payload(key: str, world) -> dict | None:
    if key == "POST /api/people":
        return {"sex": "F", "region": "UA-46", "names": [{"surname": "Ткаченко"}]}
    if key.startswith("PATCH"):
        return {"version": world["lviv"].version, "birth_place": "Львів"}
    if key.endswith("/names"):
        return {"surname": "Kovalenko", "given_name": "Ihor", "language": "en"}
    if key.endswith("/statuses"):
        return {"kind": "ua_combatant", "valid_from": "2024-01-01"}
    if key.endswith("/links"):
        return {"relative_id": world["extra"].pk, "kind": "child"}
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_api_matrix(world, make_person, role):
    client = _client(world, role)
    failures = []
    for key, expected in API.items():
        world["extra"] = make_person("Бондаренко", "Олена", region="UA-46")
        world["lviv"].refresh_from_db()
        method, path = key.split(" ", 1)
        url = path.replace("{person_id}", str(world["lviv"].pk))
        payload = _api_payload(key, world)
        call = getattr(client, method.lower())
        response = call(url, data=json.dumps(payload), content_type="application/json") \
            if payload is not None else call(url)
        want = 401 if role == "anonymous" else expected[role]
        if response.status_code != want:
            failures.append(f"{role} {key}: {response.status_code} {response.content[:200]!r}, "
                            f"expected {want}")
        if response.status_code >= 400:
            body = response.json()
            assert set(body["error"]) >= {"code", "message", "fields"}, body
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_only_for_administrators(world, role):
    status = _client(world, role).get("/django-admin/").status_code
    assert status == (200 if role == "admin" else 302)
