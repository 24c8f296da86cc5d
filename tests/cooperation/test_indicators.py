"""Indicators computed from the apps' own data through their published indicators.py, with
small cells hidden (and one more when a single cell would be recoverable from the total)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from vetbridge.cooperation import selectors, services
from vetbridge.cooperation.models import IndicatorValue
from vetbridge.core.indicators import TOTAL, Period, published
from vetbridge.core.services import input_from
from vetbridge.people.services import StatusInput
from vetbridge.reintegration.services import ReferralInput

COOPERATION = Path(__file__).resolve().parents[2] / "src" / "vetbridge" / "cooperation"
OTHER_APPS = ("people", "reparation", "care", "reintegration", "memorial", "policylab")


def test_cooperation_never_imports_another_apps_models():
    offenders = []
    for path in COOPERATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if any(n.startswith(f"vetbridge.{app}.models") for app in OTHER_APPS)
            ]
    assert not offenders, offenders


def test_every_app_read_by_the_roadmap_publishes_its_figures():
    codes = set(published())
    assert {
        "reintegration.referrals_sent",
        "reintegration.referrals_answered_in_time",
        "reintegration.referrals_completed",
        "reintegration.referrals_outcomes",
        "reparation.claims_filed",
        "reparation.claims_decided",
        "reparation.claims_decided_within_6_months",
        "reparation.median_days_to_decision",
        "reparation.appeals",
        "people.veterans",
        "people.veterans_with_contact_person",
        "care.whodas_change_6_months",
        "memorial.records_published",
        "memorial.tributes_moderated",
    } <= codes


def test_a_period_is_a_quarter():
    q = Period.parse("2026-Q4")
    assert (q.start, q.end, str(q.next()), str(q.previous())) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
        "2027-Q1",
        "2026-Q3",
    )
    with pytest.raises(ValueError):
        Period.parse("2026-Q5")


@pytest.fixture
def referred(world, make_person, settings):
    """Referrals this quarter: 6 from Lviv (UA-46), 5 from Odesa (UA-51), 1 from Kyiv (UA-30);
    the partner answers 4 of Lviv's at once."""
    from vetbridge.core.models import Region
    from vetbridge.reintegration import services as referrals

    settings.VETBRIDGE_MIN_CELL_SIZE = 5
    world["hub"].regions.set(Region.objects.all())
    admin, partner = world["users"]["admin"], world["users"]["partner"]
    made = []
    for region, n in (("UA-46", 6), ("UA-51", 5), ("UA-30", 1)):
        for i in range(n):
            person = make_person("Петренко", f"Іван{region}{i}", region=region)
            made.append(
                referrals.referral_create(
                    actor=admin,
                    person_id=person.pk,
                    data=input_from(
                        ReferralInput,
                        {
                            "partner": world["hub"].pk,
                            "service": "employment",
                            "consent_on": dt.date(2026, 1, 1),
                            "consent_text": "name",
                        },
                    ),
                )
            )
    for r in made[:4]:
        referrals.referral_answer(
            actor=partner, referral_id=r.pk, expected_version=r.version, accept=True
        )
    return made


@pytest.mark.django_db
class ComputedIndicatorTests:
    def test_referrals_sent_by_region_with_small_cells_hidden(
        self, world, referred, axes, officers
    ):
        indicator = services.indicator_create(
            actor=officers["fr"],
            data=services.IndicatorInput(
                code="sent",
                name={"fr": "Orientations"},
                axis_id=axes["rehabilitation"].pk,
                numerator="reintegration.referrals_sent",
            ),
        )
        period = str(Period.of(timezone.localdate()))
        services.indicator_refresh(
            actor=officers["fr"], indicator_id=indicator.pk, periods=[period]
        )
        cells = {
            v.breakdown: (v.value, v.suppressed)
            for v in IndicatorValue.objects.filter(indicator=indicator, period=period)
        }
        assert cells[TOTAL] == (Decimal(12), False)
        assert cells["UA-46"] == (Decimal(6), False)
        assert cells["UA-30"] == (None, True)  # one referral: hidden
        # …and Odesa too, or Kyiv's would be 12 - 6 - 5.
        assert cells["UA-51"] == (None, True)
        # Every output reads these stored rows: a case worker of Lviv sees the total and Lviv.
        rows = selectors.series(world["users"]["case_worker"], indicator)
        assert {r.breakdown for r in rows} == {TOTAL, "UA-46"}

    def test_share_answered_in_time(self, referred, axes, officers, settings):
        indicator = services.indicator_create(
            actor=officers["fr"],
            data=services.IndicatorInput(
                code="in-time",
                name={"fr": "Réponses à temps"},
                axis_id=axes["rehabilitation"].pk,
                unit="percent",
                numerator="reintegration.referrals_answered_in_time",
                denominator="reintegration.referrals_sent",
            ),
        )
        settings.VETBRIDGE_MIN_CELL_SIZE = 3
        period = str(Period.of(timezone.localdate()))
        services.indicator_refresh(
            actor=officers["fr"], indicator_id=indicator.pk, periods=[period]
        )
        cells = {
            v.breakdown: v.value
            for v in IndicatorValue.objects.filter(indicator=indicator, period=period)
        }
        assert cells[TOTAL] == Decimal("33.33")  # 4 of 12
        assert cells["UA-46"] == Decimal("66.67")  # 4 of 6

    def test_a_computed_indicator_refuses_hand_values(self, referred, axes, officers):
        from vetbridge.core.exceptions import ApplicationError

        indicator = services.indicator_create(
            actor=officers["fr"],
            data=services.IndicatorInput(
                code="sent",
                name={"fr": "x"},
                axis_id=axes["rehabilitation"].pk,
                numerator="reintegration.referrals_sent",
            ),
        )
        with pytest.raises(ApplicationError) as exc:
            services.value_enter(
                actor=officers["fr"],
                indicator_id=indicator.pk,
                period="2026-Q1",
                value="3",
                source="x",
            )
        assert "value" in exc.value.fields
        with pytest.raises(ApplicationError) as exc:
            services.indicator_create(
                actor=officers["fr"],
                data=services.IndicatorInput(
                    code="bad",
                    name={"fr": "x"},
                    axis_id=axes["rehabilitation"].pk,
                    numerator="reintegration.nothing",
                ),
            )
        assert "numerator" in exc.value.fields


@pytest.mark.django_db
class PublishedFiguresTests:
    def test_claims_filed_and_decided(self, world):
        from tests.accounts.test_role_matrix import _claim

        _claim(world, "lviv")  # filed and granted today
        period = Period.of(timezone.localdate())
        figures = published()
        filed = {r.breakdown: r.value for r in figures["reparation.claims_filed"](period)}
        decided = {r.breakdown: r.n for r in figures["reparation.claims_decided"](period)}
        within = figures["reparation.claims_decided_within_6_months"](period)
        median = {
            r.breakdown: r.value for r in figures["reparation.median_days_to_decision"](period)
        }
        assert filed == {"UA-46": 1, TOTAL: 1}
        assert decided == {"UA-46": 1, TOTAL: 1}
        assert [r.value for r in within if r.breakdown == TOTAL] == [1]
        assert median[TOTAL] == 0
        last_year = figures["reparation.claims_filed"](Period(period.year - 1, period.quarter))
        assert [r.value for r in last_year] == [0]

    def test_veterans_with_a_contact_person(self, world, make_person):
        from vetbridge.care import services as care
        from vetbridge.people.services import person_status_add

        for i, worker in enumerate((True, True, False)):
            person = make_person("Мельник", f"Олег{i}")
            person_status_add(
                actor=world["users"]["admin"],
                person_id=person.pk,
                data=input_from(
                    StatusInput, {"kind": "ua_combatant", "valid_from": dt.date(2024, 1, 1)}
                ),
            )
            if worker:
                care.contact_set(actor=world["users"]["case_worker"], person_id=person.pk)
        period = Period.of(timezone.localdate())
        figures = published()
        veterans = {r.breakdown: r.value for r in figures["people.veterans"](period)}
        contact = {
            r.breakdown: r.value for r in figures["people.veterans_with_contact_person"](period)
        }
        assert veterans[TOTAL] == 3 and contact[TOTAL] == 2

    def test_whodas_change_over_six_months(self, world):
        from vetbridge.care import services as care

        admin = world["users"]["admin"]
        today = timezone.localdate()
        care.whodas_add(
            actor=admin,
            person_id=world["lviv"].pk,
            assessed_on=today - dt.timedelta(days=182),
            answers={f"S{i}": 3 for i in range(1, 13)},
        )
        care.whodas_add(
            actor=admin,
            person_id=world["lviv"].pk,
            assessed_on=today,
            answers={f"S{i}": 1 for i in range(1, 13)},
        )
        rows = published()["care.whodas_change_6_months"](Period.of(today))
        total = next(r for r in rows if r.breakdown == TOTAL)
        assert total.n == 1 and total.value == Decimal("-50.0")  # 75 % → 25 %

    def test_memorial_records_published(self, world):
        from tests.accounts.test_role_matrix import _memorial

        _memorial(world)
        rows = published()["memorial.records_published"](Period.of(timezone.localdate()))
        assert {r.breakdown: r.value for r in rows} == {"UA-30": 1, TOTAL: 1}


@pytest.mark.django_db
def test_refresh_all_recomputes_every_computed_indicator(referred, axes, officers):
    computed = services.indicator_create(
        actor=officers["fr"],
        data=services.IndicatorInput(
            code="sent",
            name={"fr": "x"},
            axis_id=axes["rehabilitation"].pk,
            numerator="reintegration.referrals_sent",
        ),
    )
    services.indicator_create(
        actor=officers["fr"],
        data=services.IndicatorInput(
            code="by-hand", name={"fr": "y"}, axis_id=axes["rehabilitation"].pk
        ),
    )
    written = services.indicators_refresh_all()
    current = Period.of(timezone.localdate())
    assert written == computed.values.count() > 0
    assert set(computed.values.values_list("period", flat=True)) == {
        str(current),
        str(current.previous()),
    }
