"""The person history, page and API, shows each role only what the role may see (issue #14.1).

For every role of the matrix: claim medical content (infirmities, rates, document names) only
with `claims.view_medical`; care entries (ICD-10 codes, notes) only with `care.view`; the name
of a relative outside the reader's scope never; every history read audited.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import ROLES
from vetbridge.care.services import InjuryInput, NoteInput
from vetbridge.core.services import input_from
from vetbridge.reparation.demo import MINIMAL_PDF
from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.services import InfirmityRow

SEES_MEDICAL = {"veteran", "medical_assessor", "pension_officer", "admin"}
SEES_CARE = {"veteran", "case_worker", "medical_assessor", "admin"}
# What the Lviv (alive) file's history answers; then the Kyiv (fallen) one.
LVIV = {
    "veteran": 200,
    "case_worker": 200,
    "medical_assessor": 200,
    "pension_officer": 200,
    "memorial_editor": 404,
    "analyst": 403,
    "admin": 200,
    "partner": 403,
    "cooperation_officer": 403,
}
KYIV = {
    "veteran": 404,
    "case_worker": 404,
    "medical_assessor": 200,
    "pension_officer": 200,
    "memorial_editor": 200,
    "analyst": 403,
    "admin": 200,
    "partner": 403,
    "cooperation_officer": 403,
}


@pytest.fixture
def files(world, make_person):
    from vetbridge.care import services as care
    from vetbridge.people.services import family_link_add
    from vetbridge.reparation import services as claims

    admin = world["users"]["admin"]
    lviv, kyiv = world["lviv"], world["kyiv"]
    # Lviv: a claim assessed with an infirmity, a document, an injury and a care note.
    claim = claims.claim_file(actor=admin, person_id=lviv.pk, filing=ClaimFiling("fr_pension"))
    claims.document_add(
        actor=admin, claim_id=claim.pk, name="amputation-report.pdf", content=MINIMAL_PDF
    )
    claim.refresh_from_db()
    claims.claim_transition(
        actor=admin, claim_id=claim.pk, name="start_assessment", expected_version=claim.version
    )
    claim.refresh_from_db()
    claims.infirmities_set(
        actor=admin,
        claim_id=claim.pk,
        expected_version=claim.version,
        rows=[InfirmityRow(label="Genou", rate="40", cause="injury", context="war")],
        medical_notes="Zzmednote",
    )
    care.injury_add(
        actor=admin,
        person_id=lviv.pk,
        data=input_from(
            InjuryInput, {"icd10": "S58.1", "label": "Zzinjury", "occurred_on": "2023-04-01"}
        ),
    )
    care.note_add(
        actor=admin, person_id=lviv.pk, data=input_from(NoteInput, {"text": "Zzcarenote"})
    )
    # A relative of the Lviv person who lives in Kyiv: outside a Lviv case worker's scope.
    far = make_person("Далекий", "Степан", region="UA-30")
    family_link_add(actor=admin, person_id=lviv.pk, relative_id=far.pk, kind="parent")
    # The fallen Kyiv person: a living relative (outside a memorial editor's scope), an injury.
    widow = make_person("Живенко", "Марія", region="UA-30")
    family_link_add(actor=admin, person_id=kyiv.pk, relative_id=widow.pk, kind="spouse")
    care.injury_add(
        actor=admin,
        person_id=kyiv.pk,
        data=input_from(
            InjuryInput, {"icd10": "T14.9", "label": "Zzwound", "occurred_on": "2024-04-01"}
        ),
    )
    return {"claim": claim, "far": far, "widow": widow}


def _texts(client: Client, person_id: int) -> tuple[int, str, int, str]:
    page = client.get(f"/people/{person_id}/history/")
    api = client.get(f"/api/people/{person_id}/history")
    body = json.dumps(api.json(), ensure_ascii=False) if api.status_code == 200 else ""
    return page.status_code, page.content.decode(), api.status_code, body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_history_shows_each_role_only_what_it_may_see(world, files, role):
    from vetbridge.accounts.models import AuditLog

    client = Client()
    user = world["users"][role]
    client.force_login(user)
    lviv, kyiv = world["lviv"], world["kyiv"]
    for person, expected in ((lviv, LVIV), (kyiv, KYIV)):
        reads_before = AuditLog.objects.filter(
            actor=user, action="read", person_id=person.pk, object_type="people.history"
        ).count()
        page_status, page, api_status, api = _texts(client, person.pk)
        assert page_status == api_status == expected[role], (role, person, page_status)
        if expected[role] != 200:
            continue
        # Every history read (page and API) that may show sensitive entries is audited.
        reads = AuditLog.objects.filter(
            actor=user, action="read", object_type="people.history", person_id=person.pk
        ).count()
        assert reads == reads_before + (0 if role == "memorial_editor" else 2), role
        # What the role may not see is in neither; what it may see is in the API's entries.
        for text, full in ((page, False), (api, True)):

            def shown(needle: str, allowed: bool, text: str = text, full: bool = full) -> None:
                if not allowed:
                    assert needle not in text, (role, needle)
                elif full:
                    assert needle in text, (role, needle)

            if person == lviv:
                assert files["claim"].reference in text  # the claim's procedure: every reader
                shown("Genou", role in SEES_MEDICAL)
                shown("amputation-report", role in SEES_MEDICAL)
                shown("S58.1", role in SEES_CARE)
                shown("Далекий", role in {"medical_assessor", "pension_officer", "admin"})
            else:
                shown("T14.9", role in SEES_CARE)
                # A memorial editor sees the fallen, never a living relative's name.
                shown("Живенко", role != "memorial_editor")
                assert "spouse" in api


@pytest.mark.django_db
def test_case_worker_sees_claim_states_without_rates(world, files):
    """The procedure of a claim stays visible to the case worker, its content does not."""
    client = Client()
    client.force_login(world["users"]["case_worker"])
    entries = client.get(f"/api/people/{world['lviv'].pk}/history").json()
    claim_entries = [e for e in entries if files["claim"].reference in e["summary"]]
    assert any(e["changes"].get("state") for e in claim_entries)
    assert not any("infirmities" in e["changes"] for e in claim_entries)
