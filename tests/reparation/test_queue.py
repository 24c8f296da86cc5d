"""The claim queue: assignment (audited, optimistic locking, only staff acting on the state),
filters, sorting by any column with aria-sort, deadlines highlighted; the claim page tells
each role what it has to do, and the veteran sees a step tracker."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from vetbridge.accounts.models import AuditLog
from vetbridge.core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from vetbridge.reparation import selectors, services
from vetbridge.reparation.models import Claim, Decision

pytestmark = pytest.mark.django_db


def _as(user, lang: str = "en") -> Client:
    user.language = lang
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _ua_death(flow, **extra):
    return flow.file(
        kind="ua_death", actor="case_worker", death_date="2024-05-01", recipients=2, **extra
    )


class ClaimAssignTests:
    def test_an_assessor_takes_a_claim_audited(self, flow, world):
        claim = flow.file()
        assessor = world["users"]["medical_assessor"]
        claim = services.claim_assign(
            actor=assessor,
            claim_id=claim.pk,
            assignee_id=assessor.pk,
            expected_version=claim.version,
        )
        claim.refresh_from_db()
        assert claim.assigned_to_id == assessor.pk
        row = AuditLog.objects.filter(actor=assessor, object_id=str(claim.pk)).latest("id")
        assert row.changes == {"assigned_to": [None, assessor.pk]}

    def test_a_stale_version_is_a_conflict_and_changes_nothing(self, flow, world):
        claim = flow.file()
        assessor = world["users"]["medical_assessor"]
        stale = claim.version
        services.claim_assign(
            actor=assessor, claim_id=claim.pk, assignee_id=assessor.pk, expected_version=stale
        )
        with pytest.raises(ConflictError):
            services.claim_assign(
                actor=world["users"]["case_worker"],
                claim_id=claim.pk,
                assignee_id=None,
                expected_version=stale,
            )
        claim.refresh_from_db()
        assert claim.assigned_to_id == assessor.pk

    def test_the_web_form_answers_409_on_a_stale_version(self, flow, world):
        claim = flow.file()
        officer = world["users"]["medical_assessor"]
        client = _as(officer)
        ok = client.post(
            f"/claims/{claim.pk}/assign/", {"version": claim.version, "assigned_to": "me"}
        )
        assert ok.status_code == 302
        again = client.post(
            f"/claims/{claim.pk}/assign/", {"version": claim.version, "assigned_to": "me"}
        )
        assert again.status_code == 409
        assert "changed by someone else" in again.content.decode()

    def test_only_staff_acting_on_the_state_may_assign_or_be_assigned(self, flow, world):
        users = world["users"]
        claim = flow.file()  # submitted, French: assessor and case worker act, not officer
        with pytest.raises(PermissionDeniedError):
            services.claim_assign(
                actor=users["pension_officer"],
                claim_id=claim.pk,
                assignee_id=users["pension_officer"].pk,
                expected_version=claim.version,
            )
        with pytest.raises(ApplicationError) as exc:
            services.claim_assign(
                actor=users["case_worker"],
                claim_id=claim.pk,
                assignee_id=users["pension_officer"].pk,
                expected_version=claim.version,
            )
        assert "assigned_to" in exc.value.fields
        # A veteran never assigns (not staff acting on any state).
        with pytest.raises(PermissionDeniedError):
            services.claim_assign(
                actor=users["veteran"],
                claim_id=claim.pk,
                assignee_id=None,
                expected_version=claim.version,
            )
        # A case worker gives it to the assessor: allowed.
        services.claim_assign(
            actor=users["case_worker"],
            claim_id=claim.pk,
            assignee_id=users["medical_assessor"].pk,
            expected_version=claim.version,
        )
        assert Claim.objects.get(pk=claim.pk).assigned_to == users["medical_assessor"]

    def test_a_case_worker_outside_the_region_cannot_be_given_the_claim(
        self, flow, world, make_user
    ):
        other = make_user("case_worker", username="cw-kyiv", region="UA-30")
        claim = flow.file()
        assert other not in services.assignable_staff(claim)
        with pytest.raises(ApplicationError):
            services.claim_assign(
                actor=world["users"]["case_worker"],
                claim_id=claim.pk,
                assignee_id=other.pk,
                expected_version=claim.version,
            )


class QueueTests:
    def test_filters_assigned_to_me_and_unassigned(self, flow, world):
        assessor = world["users"]["medical_assessor"]
        mine, free = flow.file(), flow.file()
        services.claim_assign(
            actor=assessor, claim_id=mine.pk, assignee_id=assessor.pk, expected_version=mine.version
        )
        me = selectors.claim_queue(user=assessor, filters={"assigned": "me"})
        nobody = selectors.claim_queue(user=assessor, filters={"assigned": "none"})
        assert [c.pk for c in me] == [mine.pk]
        assert [c.pk for c in nobody] == [free.pk]
        page = _as(assessor).get("/claims/?assigned=me").content.decode()
        assert mine.reference in page and free.reference not in page

    @pytest.mark.parametrize(
        "column",
        ["reference", "kind", "claimant", "filed", "state", "days", "deadline", "assigned"],
    )
    def test_every_column_sorts_both_ways(self, flow, world, column):
        first, second = flow.file(), _ua_death(flow)
        Claim.objects.filter(pk=first.pk).update(
            filed_at=dt.date(2025, 1, 1), state_since=timezone.now() - dt.timedelta(days=40)
        )
        officer = world["users"]["pension_officer"]
        up = [
            c.pk
            for c in selectors.claim_queue(user=officer, filters={}, sort=column, descending=False)
        ]
        down = [
            c.pk
            for c in selectors.claim_queue(user=officer, filters={}, sort=column, descending=True)
        ]
        assert sorted(up) == sorted(down) == sorted([first.pk, second.pk])
        if column in ("reference", "filed", "days", "kind"):
            assert up == list(reversed(down))

    def test_sort_orders_are_the_rule_not_the_example(self, flow, world):
        officer = world["users"]["pension_officer"]
        old, new = flow.file(), flow.file()
        Claim.objects.filter(pk=old.pk).update(
            filed_at=dt.date(2025, 1, 1), state_since=timezone.now() - dt.timedelta(days=50)
        )

        def order(sort, desc=None):
            return [
                c.pk
                for c in selectors.claim_queue(user=officer, filters={}, sort=sort, descending=desc)
            ]

        assert order("filed") == [old.pk, new.pk]
        assert order("filed", True) == [new.pk, old.pk]
        assert order("days") == [old.pk, new.pk]  # by default longest in its state first
        assert order("days", False) == [new.pk, old.pk]  # fewest days first
        assert order("reference") == [old.pk, new.pk]

    def test_headers_carry_aria_sort_and_the_toggle_link(self, flow, world):
        flow.file()
        page = (
            _as(world["users"]["pension_officer"])
            .get("/claims/?sort=filed&dir=desc")
            .content.decode()
        )
        assert re.search(r'aria-sort="descending"><a href="\?sort=filed"', page)
        assert page.count('aria-sort="none"') == 7
        asc = _as(world["users"]["pension_officer"]).get("/claims/?sort=kind").content.decode()
        assert re.search(r'aria-sort="ascending"><a href="\?sort=kind&amp;dir=desc"', asc)
        # An unknown column is the default order, never an error.
        assert _as(world["users"]["pension_officer"]).get("/claims/?sort=x;drop").status_code == 200

    def test_the_page_reads_one_page_only(self, flow, world, django_assert_max_num_queries):
        for _ in range(30):
            flow.file()
        client = _as(world["users"]["pension_officer"])
        with django_assert_max_num_queries(30):
            page = client.get("/claims/?sort=claimant").content.decode()
        assert page.count("/assign/") == 0  # officers do not act on submitted French claims
        assert len(re.findall(r'href="/claims/\d+/"', page)) == 25

    def test_stalled_and_appeal_deadlines_highlighted(self, flow, world):
        users = world["users"]
        stalled = flow.file()
        Claim.objects.filter(pk=stalled.pk).update(
            state_since=timezone.now() - dt.timedelta(days=31)
        )
        soon = flow.file()
        Claim.objects.filter(pk=soon.pk).update(state_since=timezone.now() - dt.timedelta(days=20))
        calm = flow.file()
        today = timezone.localdate()
        rows = {
            c.pk: selectors.deadline_of(c, today)
            for c in selectors.claim_queue(user=users["case_worker"], filters={})
        }
        assert rows[stalled.pk]["passed"] and rows[stalled.pk]["what"] == "stalled"
        assert rows[soon.pk]["soon"] and not rows[soon.pk]["passed"]
        assert not rows[calm.pk]["soon"] and not rows[calm.pk]["passed"]
        granted = flow.granted()
        decision = granted.current_decision()
        Decision.objects.filter(pk=decision.pk).update(
            notified_on=today - dt.timedelta(days=170),
            appeal_deadline=today + dt.timedelta(days=10),
        )
        row = next(
            c
            for c in selectors.claim_queue(user=users["case_worker"], filters={}, sort="deadline")
            if c.pk == granted.pk
        )
        info = selectors.deadline_of(row, today)
        assert info["what"] == "appeal" and info["soon"]
        page = _as(users["case_worker"]).get("/claims/").content.decode()
        assert 'class="deadline passed"' in page and 'class="deadline soon"' in page


class TodoTests:
    def test_each_role_is_told_its_own_task(self, flow, world):
        users = world["users"]
        claim = flow.file()
        assert "Start the medical assessment." in selectors.todo_for(
            users["medical_assessor"], claim
        )
        assert selectors.todo_for(users["pension_officer"], claim) == []
        flow.step(claim, "start_assessment", "medical_assessor")
        claim.refresh_from_db()
        assert any(
            "Record the infirmities" in t
            for t in selectors.todo_for(users["medical_assessor"], claim)
        )
        flow.step(claim, "request_information", "case_worker", note="Certificat médical")
        claim.refresh_from_db()
        assert any(
            "Follow up the request" in t for t in selectors.todo_for(users["case_worker"], claim)
        )
        assert any(
            "Provide the documents" in t for t in selectors.todo_for(users["veteran"], claim)
        )

    def test_the_officer_decides_then_records_the_notification(self, flow, world):
        officer = world["users"]["pension_officer"]
        claim = flow.file()
        flow.assess(claim)
        claim.refresh_from_db()
        assert selectors.todo_for(officer, claim) == ["Decide on the claim."]
        flow.decide(claim)
        claim.refresh_from_db()
        assert any("notified" in t for t in selectors.todo_for(officer, claim))

    def test_staff_never_read_the_claimants_text(self, flow, world):
        claim = flow.file()
        page = _as(world["users"]["medical_assessor"]).get(f"/claims/{claim.pk}/").content.decode()
        assert "you do not need to do anything" not in page
        assert "Start the medical assessment." in page
        vet = _as(world["users"]["veteran"]).get(f"/claims/{claim.pk}/").content.decode()
        assert "you do not need to do anything" in vet


class StepTrackerTests:
    def test_current_step_follows_the_claim(self, flow, world):
        claim = flow.file()

        def current():
            claim.refresh_from_db()
            return [s["key"] for s in selectors.step_tracker(claim) if s["current"]]

        assert current() == ["submitted"]
        flow.assess(claim)
        assert current() == ["assessment"]
        flow.decide(claim)
        assert current() == ["decision"]
        services.decision_notify(
            actor=world["users"]["pension_officer"],
            decision_id=claim.current_decision().pk,
            notified_on=timezone.localdate(),
        )
        assert current() == ["appeal"]
        page = _as(world["users"]["veteran"]).get(f"/claims/{claim.pk}/").content.decode()
        assert re.search(r'<ol class="steps">.*aria-current="step">Appeal window', page, re.DOTALL)
        assert page.count('aria-current="step"') == 1

    def test_staff_do_not_get_the_tracker(self, flow, world):
        claim = flow.file()
        page = _as(world["users"]["case_worker"]).get(f"/claims/{claim.pk}/").content.decode()
        assert 'class="steps"' not in page


class FilingFormTests:
    def _url(self, world):
        return f"/claims/file/{world['lviv'].pk}/"

    def test_without_a_type_only_the_choice_of_the_type(self, world):
        page = _as(world["users"]["veteran"]).get(self._url(world)).content.decode()
        assert 'name="kind"' in page and 'method="get"' in page
        for name in ("death_date", "disability_group", "children_birth_dates", "statement"):
            assert f'name="{name}"' not in page

    @pytest.mark.parametrize(
        ("kind", "present", "absent"),
        [
            (
                "fr_pension",
                ["children_birth_dates", "grade", "third_person"],
                ["death_date", "disability_group", "revision_of", "recipients"],
            ),
            ("fr_revision", ["revision_of", "grade"], ["death_date", "disability_group"]),
            (
                "ua_disability",
                ["disability_group", "ua_cause", "group_set_at"],
                ["death_date", "children_birth_dates", "grade", "revision_of"],
            ),
            (
                "ua_death",
                ["death_date", "death_record_date", "recipients"],
                ["disability_group", "children_birth_dates", "third_person"],
            ),
        ],
    )
    def test_only_the_fields_of_the_chosen_type(self, world, kind, present, absent):
        client = _as(world["users"]["case_worker"])
        page = client.get(self._url(world), {"kind": kind}).content.decode()
        for name in ("statement", "residence", "document", *present):
            assert f'name="{name}"' in page, name
        for name in absent:
            assert f'name="{name}"' not in page, name
        # The type select re-renders the form by htmx on change, on the same URL.
        assert 'hx-get="/claims/file/' in page and 'hx-select="#claim-form"' in page

    def test_the_expected_documents_of_the_type_in_uk_and_fr(self, world):
        vet = world["users"]["veteran"]
        fr = _as(vet, "fr").get(self._url(world), {"kind": "ua_death"}).content.decode()
        assert "L’acte de décès ou l’avis de décès" in fr
        assert "Pièces à réunir" in fr
        uk = _as(vet, "uk").get(self._url(world), {"kind": "ua_disability"}).content.decode()
        assert "Посвідчення особи з інвалідністю внаслідок війни" in uk
        assert "свідоцтво про смерть" not in uk.lower()

    def test_filing_still_works_and_a_missing_type_field_is_named(self, world):
        client = _as(world["users"]["case_worker"])
        bad = client.post(self._url(world), {"kind": "ua_death", "recipients": "2"})
        assert bad.status_code == 400
        assert 'id="id_death_date_error"' in bad.content.decode()
        ok = client.post(
            self._url(world),
            {
                "kind": "ua_death",
                "death_date": "2024-05-01",
                "recipients": "2",
                "residence": "metropole",
            },
        )
        assert ok.status_code == 302
        claim = Claim.objects.get(person=world["lviv"])
        assert claim.kind == "ua_death" and claim.recipients == 2
        unknown = client.post(self._url(world), {"kind": "x"})
        assert unknown.status_code == 400 and not Claim.objects.filter(kind="x").exists()


def test_assign_refused_to_roles_outside_the_claims(flow, world):
    claim = flow.file()
    for role in ("memorial_editor", "analyst", "partner", "cooperation_officer"):
        response = _as(world["users"][role]).post(
            f"/claims/{claim.pk}/assign/", {"version": claim.version, "assigned_to": "me"}
        )
        assert response.status_code == 403, role
    assert Claim.objects.get(pk=claim.pk).assigned_to is None


def test_api_list_filters_and_sorts(flow, world):
    assessor = world["users"]["medical_assessor"]
    old, new = flow.file(), flow.file()
    Claim.objects.filter(pk=old.pk).update(filed_at=dt.date(2025, 1, 1))
    services.claim_assign(
        actor=assessor, claim_id=new.pk, assignee_id=assessor.pk, expected_version=new.version
    )
    client = _as(assessor)
    mine = client.get("/api/claims?assigned=me").json()
    assert [c["id"] for c in mine] == [new.pk] and mine[0]["assigned_to_id"] == assessor.pk
    by_filed = client.get("/api/claims?sort=filed&desc=true").json()
    assert [c["id"] for c in by_filed] == [new.pk, old.pk]
    assert client.get("/api/claims?sort=nope").status_code == 422


def test_role_texts_in_ukrainian_and_french(flow, world):
    users = world["users"]
    claim = flow.file()
    url = f"/claims/{claim.pk}/"
    uk = _as(users["medical_assessor"], "uk").get(url).content.decode()
    assert "Що вам потрібно зробити" in uk and "Почніть медичне оцінювання." in uk
    fr = _as(users["medical_assessor"], "fr").get(url).content.decode()
    assert "Ce que vous avez à faire" in fr and "Commencez l&#x27;expertise médicale." in fr
    assert "rien à faire" not in fr.replace("Rien à faire pour vous", "")
    flow.assess(claim)
    officer = _as(users["pension_officer"], "fr").get(url).content.decode()
    assert "Statuez sur la demande." in officer
    vet = _as(users["veteran"], "uk").get(url).content.decode()
    assert re.search(r'aria-current="step">Оцінювання', vet)
    vet_fr = _as(users["veteran"], "fr").get(url).content.decode()
    assert re.search(r'aria-current="step">Instruction et expertise', vet_fr)
    queue = _as(users["pension_officer"], "fr").get("/claims/?sort=state").content.decode()
    assert "Échéance" in queue and 'aria-sort="ascending"' in queue


def test_deadline_sort_mixes_stall_days_and_appeal_deadlines(flow, world):
    officer = world["users"]["pension_officer"]
    today = timezone.localdate()
    granted = flow.granted()
    Decision.objects.filter(claim=granted).update(
        notified_on=today, appeal_deadline=today + dt.timedelta(days=5)
    )
    stalled = flow.file()  # submitted 40 days ago: stalled since 10 days (30-day threshold)
    Claim.objects.filter(pk=stalled.pk).update(state_since=timezone.now() - dt.timedelta(days=40))
    fresh = flow.file()  # stalls in 30 days
    order = [c.pk for c in selectors.claim_queue(user=officer, filters={}, sort="deadline")]
    assert order == [stalled.pk, granted.pk, fresh.pk]
