"""Demo partner organisations (laptops and tests only)."""

from __future__ import annotations

from vetbridge.core.models import Region

from .models import Partner

PARTNERS = [
    ("Veteran Hub Львів", ["employment", "training", "psychological", "peer"], ["UA-46"], 40),
    ("Центр адаптивного спорту «Незламні»", ["sport", "peer"], ["UA-46", "UA-30"], 20),
    ("Житло для ветеранів (ГО)", ["housing"], ["UA-30", "UA-46", "UA-32"], 5),
    ("Office national des combattants — Paris", ["employment", "training"], ["FR-IDF"], 15),
]


def load_demo_partners() -> list[Partner] | None:
    """Create the demo partners once; None when they exist already."""
    if Partner.objects.exists():
        return None
    regions = {r.code: r for r in Region.objects.all()}
    partners = []
    for name, kinds, codes, capacity in PARTNERS:
        partner = Partner.objects.create(name=name, services=kinds, monthly_capacity=capacity)
        partner.regions.set([regions[c] for c in codes if c in regions])
        partners.append(partner)
    return partners
