"""The batch linkage job on the registry: every active person (or the newcomers of an import
against everyone), blocked and scored by the Fellegi–Sunter model of `names.linkage`, the
pairs above the threshold queued for review (`DuplicateSuspect`) with one reason per field
and its match weight. Pairs already in the queue, in any state (a dismissed pair stays
dismissed), are not queued again. One audit entry per run.

Run by `vetbridge names scan-duplicates` and after every list import. Beyond one machine,
the same model runs in splink on Spark (docs/scale.md).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction
from vetbridge.core.models import Region
from vetbridge.names.linkage import LinkRecord, Model, link

from .models import Confidence, DuplicateSuspect, Person, PersonName, Sex

THRESHOLD = 0.5  # probability of being one person from which a pair is queued for review
STRONG = frozenset({"exact", "same_sound"})


@dataclass
class ScanResult:
    people: int
    compared: int
    found: int
    queued: int
    seconds: float
    model: Model


def registry_records(ids: Collection[int] | None = None) -> list[LinkRecord]:
    """One record per active person: the preferred Ukrainian spelling, else any preferred,
    else the first seen."""
    regions = dict(Region.objects.values_list("id", "code"))
    people = Person.objects.filter(merged_into__isnull=True)
    names = PersonName.objects.filter(person__merged_into__isnull=True)
    if ids is not None:
        people = people.filter(pk__in=list(ids))
        names = names.filter(person_id__in=list(ids))
    best: dict[int, tuple[int, str, str, str]] = {}
    for pid, surname, given, patr, lang, pref in names.values_list(
        "person_id", "surname", "given_name", "patronymic", "language", "is_preferred"
    ).order_by():
        rank = (0 if pref else 2) + (0 if lang == "uk" else 1)
        have = best.get(pid)
        if have is None or rank < have[0]:
            best[pid] = (rank, surname, given, patr)
    out = []
    for pid, birth, sex, region in people.values_list(
        "id", "birth_date", "sex", "region_id"
    ).order_by():
        name = best.get(pid)
        if name is None:
            continue
        out.append(
            LinkRecord(
                pid,
                name[1],
                name[2],
                name[3],
                birth,
                "" if sex == Sex.UNKNOWN else sex,
                regions.get(region, "") if region else "",
            )
        )
    return out


def scan_duplicates(
    *, new_ids: Collection[int] | None = None, threshold: float = THRESHOLD, em: bool = False
) -> ScanResult:
    """Find and queue suspected duplicates: among everyone, or of `new_ids` against
    everyone. Returns the counts and the model (m, u and prior after EM)."""
    t0 = time.perf_counter()
    records = registry_records()
    pairs, model, compared = link(
        records,
        new_ids=set(new_ids) if new_ids is not None else None,
        threshold=threshold,
        train=em,
    )
    by_id = {r.id: r for r in records}
    existing = set(DuplicateSuspect.objects.values_list("person_a_id", "person_b_id"))
    rows = []
    for p in pairs:
        if (p.a, p.b) in existing:
            continue
        names_strong = all(p.levels[f] in STRONG for f in ("surname", "given_name"))
        confidence = (
            Confidence.HIGH
            if names_strong and p.levels["birth_date"] == "exact"
            else Confidence.LOW
        )
        rows.append(
            DuplicateSuspect(
                person_a_id=p.a,
                person_b_id=p.b,
                score=round(p.probability, 4),
                confidence=confidence,
                reasons=p.reasons(model, by_id[p.a], by_id[p.b]),
            )
        )
    with transaction.atomic():
        DuplicateSuspect.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="people.duplicatesuspect",
            summary="linkage scan",
            changes={
                "people": len(records),
                "compared": compared,
                "found": len(pairs),
                "queued": len(rows),
                "newcomers": len(new_ids) if new_ids is not None else None,
                "threshold": threshold,
                "prior": model.prior,
                "em_iterations": model.iterations,
            },
        )
    return ScanResult(
        len(records), compared, len(pairs), len(rows), time.perf_counter() - t0, model
    )
