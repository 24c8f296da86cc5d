from __future__ import annotations

from decimal import Decimal

import pytest

from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.services import InfirmityRow

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
WOUNDS = [
    {
        "label": "Amputation de l'avant-bras gauche",
        "rate": Decimal("60"),
        "cause": "injury",
        "context": "war",
        "incurable": True,
    },
    {"label": "Acouphènes", "rate": Decimal("12.5"), "cause": "injury", "context": "war"},
]


@pytest.fixture
def flow(world):
    """Helpers that walk a claim through the workflow with the right actor at each step."""
    from vetbridge.reparation import services

    users = world["users"]

    class Flow:
        users = world["users"]

        def file(self, kind="fr_pension", actor="veteran", **data):
            return services.claim_file(
                actor=users[actor],
                person_id=world["lviv"].pk,
                filing=ClaimFiling.from_data({"kind": kind, **data}),
            )

        def step(self, claim, name, actor, note=""):
            claim.refresh_from_db()
            return services.claim_transition(
                actor=users[actor],
                claim_id=claim.pk,
                name=name,
                expected_version=claim.version,
                note=note,
            )

        def assess(self, claim, rows=None):
            self.step(claim, "start_assessment", "medical_assessor")
            claim.refresh_from_db()
            services.infirmities_set(
                actor=users["medical_assessor"],
                claim_id=claim.pk,
                expected_version=claim.version,
                rows=InfirmityRow.from_rows(rows or WOUNDS),
            )
            return self.step(claim, "complete_assessment", "medical_assessor")

        def decide(self, claim, grant=True, reason=""):
            claim.refresh_from_db()
            return services.claim_decide(
                actor=users["pension_officer"],
                claim_id=claim.pk,
                expected_version=claim.version,
                grant=grant,
                reason=reason,
            )

        def granted(self):
            claim = self.file()
            self.assess(claim)
            self.decide(claim)
            claim.refresh_from_db()
            return claim

    return Flow()
