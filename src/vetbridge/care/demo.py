"""Demo care pathway, partners and a partner account (laptops and tests only)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vetbridge.accounts.models import User
from vetbridge.care.services import (
    AppointmentInput,
    EpisodeInput,
    FollowUpInput,
    GoalInput,
    InjuryInput,
    UaFunctioningInput,
)
from vetbridge.reintegration import services as referrals
from vetbridge.reintegration.demo import load_demo_partners
from vetbridge.reintegration.services import ReferralInput

from . import services
from .models import Injury


def load_demo_care(users: dict[str, User]) -> None:
    partners = load_demo_partners()
    if partners is None:
        return
    users["partner"].partner = partners[0]
    users["partner"].save(update_fields=["partner"])
    veteran, worker = users["veteran"].person, users["caseworker"]
    if veteran is None or Injury.objects.filter(person=veteran).exists():
        return
    pid = veteran.pk
    services.contact_set(actor=worker, person_id=pid)
    today = timezone.localdate()
    services.injury_add(
        actor=worker,
        person_id=pid,
        data=InjuryInput(
            icd10="S58.1",
            label="Травматична ампутація лівого передпліччя",
            occurred_on=today - dt.timedelta(days=500),
            context="Бахмутський напрямок",
        ),
    )
    services.injury_add(
        actor=worker,
        person_id=pid,
        data=InjuryInput(
            icd10="H93.1",
            label="Шум у вухах після вибуху",
            occurred_on=today - dt.timedelta(days=500),
        ),
    )
    services.episode_add(
        actor=worker,
        person_id=pid,
        data=EpisodeInput(
            kind="rehabilitation",
            provider="Національний реабілітаційний центр «Незламні»",
            started_on=today - dt.timedelta(days=420),
            ended_on=today - dt.timedelta(days=300),
            summary="Протезування, навчання користуванню біонічним протезом.",
        ),
    )
    for domain, text, status in (
        ("self_care", "Самостійно одягатися і готувати їжу", "achieved"),
        ("work", "Повернутися до роботи: водій категорії B з адаптацією", "in_progress"),
        ("mental_health", "Спати без кошмарів щонайменше 5 ночей на тиждень", "in_progress"),
    ):
        goal = services.goal_add(
            actor=worker,
            person_id=pid,
            data=GoalInput(
                domain=domain, description=text, target_date=today + dt.timedelta(days=120)
            ),
        )
        services.goal_set_status(actor=worker, goal_id=goal.pk, status=status)
    for days, level in ((360, 3), (200, 2), (40, 1)):
        services.whodas_add(
            actor=worker,
            person_id=pid,
            assessed_on=today - dt.timedelta(days=days),
            answers={f"S{i}": min(4, max(0, level + (i % 3) - 1)) for i in range(1, 13)},
        )
    services.ua_functioning_add(
        actor=worker,
        person_id=pid,
        data=UaFunctioningInput(
            assessed_on=today - dt.timedelta(days=300),
            group=2,
            valid_until=today + dt.timedelta(days=430),
            decision_ref="ЕК-2025-0417",
        ),
    )
    services.followup_add(
        actor=worker,
        person_id=pid,
        data=FollowUpInput(due_on=today - dt.timedelta(days=2), what="Подзвонити щодо співбесіди"),
    )
    services.followup_add(
        actor=worker,
        person_id=pid,
        data=FollowUpInput(
            due_on=today + dt.timedelta(days=5), what="Перевірити запис до психолога"
        ),
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    services.appointment_add(
        actor=worker,
        person_id=pid,
        data=AppointmentInput(
            at=now - dt.timedelta(days=3, hours=2),
            with_whom="Протезист, центр «Незламні»",
            place="Львів",
            purpose="Налаштування протеза",
        ),
    )
    services.appointment_add(
        actor=worker,
        person_id=pid,
        data=AppointmentInput(
            at=now + dt.timedelta(days=4, hours=1),
            with_whom="Психолог",
            place="Veteran Hub Львів",
            purpose="Перша консультація",
        ),
    )
    referrals.referral_create(
        actor=worker,
        person_id=pid,
        data=ReferralInput(
            partner=partners[0].pk,
            service="employment",
            message="Шукає роботу водієм; потрібне авто з адаптованим керуванням.",
            consent_on=today - dt.timedelta(days=3),
            consent_text="Ім'я, телефон і потреба в роботі; без медичних даних.",
        ),
    )
