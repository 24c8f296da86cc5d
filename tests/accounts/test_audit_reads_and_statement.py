"""Reading the audit log is itself audited; the claimant's statement is shown to the roles that
handle the claim and may read its medical content (issue #14.8, part)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ROLES
from vetbridge.accounts.models import AuditLog
from vetbridge.reparation.kinds import ClaimFiling

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reading_the_audit_log_is_audited_page_and_api(world):
    admin = world["users"]["admin"]
    client = _as(admin)
    reads = AuditLog.objects.filter(actor=admin, action="read", object_type="accounts.auditlog")
    assert client.get("/audit/?action=login").status_code == 200
    assert reads.count() == 1
    assert reads.get().changes["filters"] == {"action": "login"}
    assert client.get("/api/audit?page=2").status_code == 200
    assert reads.count() == 2
    assert reads.latest("pk").channel == "api"
    # Refused readers leave no such row (and see nothing).
    assert _as(world["users"]["analyst"]).get("/api/audit").status_code == 403
    assert reads.count() == 2


STATEMENT_READERS = {"veteran", "medical_assessor", "pension_officer", "admin"}
CLAIM_READERS = STATEMENT_READERS | {"case_worker"}


@pytest.mark.parametrize("role", ROLES)
def test_claimant_statement_shown_to_the_roles_that_handle_the_claim(world, role):
    from vetbridge.reparation import services

    claim = services.claim_file(
        actor=world["users"]["veteran"],
        person_id=world["lviv"].pk,
        filing=ClaimFiling.from_data(
            {"kind": "fr_pension", "statement": "Zzosколок, Бахмут, 2023"}
        ),
    )
    client = _as(world["users"][role])
    api = client.get(f"/api/claims/{claim.pk}")
    page = client.get(f"/claims/{claim.pk}/")
    if role not in CLAIM_READERS:
        assert api.status_code in (403, 404) and page.status_code in (403, 404)
        return
    assert api.status_code == 200 and page.status_code == 200
    shown = role in STATEMENT_READERS
    assert (api.json()["statement"] == "Zzosколок, Бахмут, 2023") is shown
    assert ("Zzosколок" in page.content.decode()) is shown
