"""Demo claims in every state, made through the real services (laptops and tests only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from vetbridge.accounts.models import User
from vetbridge.people.models import Lifecycle, Person

from . import services
from .kinds import ClaimFiling
from .models import Claim, ClaimEvent

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages"
    b"/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _age(claim: Claim, days: int) -> None:
    """Backdate a demo claim so the queue shows time spent in each step."""
    when = timezone.now() - dt.timedelta(days=days)
    Claim.objects.filter(pk=claim.pk).update(
        filed_at=when.date(), created_at=when, state_since=when + dt.timedelta(days=days // 2)
    )
    ClaimEvent.objects.filter(claim=claim, from_state="").update(at=when)
    claim.refresh_from_db()


def load_demo_claims(users: dict[str, User]) -> int:
    if Claim.objects.exists():
        return Claim.objects.count()
    veteran, worker = users["veteran"], users["caseworker"]
    assessor, officer = users["assessor"], users["officer"]
    me = veteran.person
    assert me is not None
    # 1. The veteran's French pension, decided: the letter is there to download.
    c1 = services.claim_file(
        actor=veteran,
        person_id=me.pk,
        filing=ClaimFiling("fr_pension", statement="Поранення осколком, Бахмут, 2023"),
    )
    services.document_add(
        actor=veteran,
        claim_id=c1.pk,
        name="vypyska.pdf",
        content=MINIMAL_PDF,
        description="Виписка зі шпиталю",
    )
    _age(c1, 75)
    services.claim_transition(
        actor=assessor, claim_id=c1.pk, name="start_assessment", expected_version=c1.version
    )
    c1.refresh_from_db()
    services.infirmities_set(
        actor=assessor,
        claim_id=c1.pk,
        expected_version=c1.version,
        rows=[
            services.InfirmityRow(
                label="Amputation de l'avant-bras gauche",
                icd10="S58.1",
                rate=Decimal("60"),
                cause="injury",
                context="war",
                incurable=True,
            ),
            services.InfirmityRow(
                label="Acouphènes bilatéraux",
                icd10="H93.1",
                rate=Decimal("12.5"),
                cause="injury",
                context="war",
            ),
        ],
    )
    c1.refresh_from_db()
    services.claim_transition(
        actor=assessor, claim_id=c1.pk, name="complete_assessment", expected_version=c1.version
    )
    c1.refresh_from_db()
    decision = services.claim_decide(
        actor=officer, claim_id=c1.pk, expected_version=c1.version, grant=True
    )
    # Notified the same day (acknowledgement of receipt): the appeal deadline runs from it.
    services.decision_notify(
        actor=officer, decision_id=decision.pk, notified_on=decision.computed_on
    )
    # 2. A Ukrainian one-time assistance waiting for a document from the veteran.
    c2 = services.claim_file(
        actor=worker,
        person_id=me.pk,
        filing=ClaimFiling.from_data(
            {
                "kind": "ua_disability",
                "disability_group": 2,
                "ua_cause": "duty",
                "group_set_at": timezone.localdate() - dt.timedelta(days=40),
            }
        ),
    )
    _age(c2, 20)
    services.claim_transition(
        actor=officer,
        claim_id=c2.pk,
        name="request_information",
        expected_version=c2.version,
        note="Додайте рішення експертної команди (витяг з е-системи).",
    )
    # 3. Others, in the queue of the Lviv case worker and the assessor.
    others = list(
        Person.objects.filter(
            region__code="UA-46", lifecycle=Lifecycle.ALIVE, merged_into__isnull=True
        ).exclude(pk=me.pk)[:3]
    )
    for i, person in enumerate(others):
        claim = services.claim_file(
            actor=worker,
            person_id=person.pk,
            filing=ClaimFiling.from_data(
                {
                    "kind": "fr_pension" if i != 1 else "ua_disability",
                    "disability_group": 3,
                    "ua_cause": "service",
                    "group_set_at": timezone.localdate(),
                }
            ),
        )
        _age(claim, 10 + 15 * i)
        if i == 2:
            services.claim_transition(
                actor=assessor,
                claim_id=claim.pk,
                name="start_assessment",
                expected_version=claim.version,
            )
    return Claim.objects.count()
