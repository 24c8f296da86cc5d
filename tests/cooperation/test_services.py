"""Roadmap services: history, locking, cycles, languages, consent, decisions, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation

from vetbridge.accounts.models import AuditLog
from vetbridge.cooperation import selectors, services
from vetbridge.cooperation.models import Action, Contact, StatusChange
from vetbridge.cooperation.texts import localized
from vetbridge.core.exceptions import ApplicationError, ConflictError, PermissionDeniedError


@pytest.mark.django_db
class StatusHistoryTests:
    def test_each_change_is_kept_with_who_when_from_to_and_note(self, officers, make_action):
        action = make_action()
        services.action_set_status(
            actor=officers["ua"],
            action_id=action.pk,
            expected_version=action.version,
            status="in_progress",
            note="kick-off",
            progress=10,
        )
        action.refresh_from_db()
        services.action_set_status(
            actor=officers["fr"],
            action_id=action.pk,
            expected_version=action.version,
            status="at_risk",
        )
        rows = list(StatusChange.objects.filter(action=action).order_by("at", "id"))
        assert [(r.from_status, r.to_status) for r in rows] == [
            ("", "planned"),
            ("planned", "in_progress"),
            ("in_progress", "at_risk"),
        ]
        assert rows[1].by == officers["ua"] and rows[1].note == "kick-off"
        action.refresh_from_db()
        assert (action.status, action.progress, action.version) == ("at_risk", 10, 3)
        assert (
            AuditLog.objects.filter(
                object_type="cooperation.action", object_id=str(action.pk), action="update"
            ).count()
            == 2
        )

    def test_a_stale_version_is_refused_with_a_conflict(self, officers, make_action):
        action = make_action()
        services.action_set_status(
            actor=officers["fr"], action_id=action.pk, expected_version=1, status="in_progress"
        )
        with pytest.raises(ConflictError) as exc:
            services.action_set_status(
                actor=officers["ua"], action_id=action.pk, expected_version=1, status="done"
            )
        assert exc.value.status_code == 409
        assert Action.objects.get(pk=action.pk).status == "in_progress"

    def test_done_sets_progress_to_100(self, officers, make_action):
        action = make_action()
        services.action_set_status(
            actor=officers["fr"], action_id=action.pk, expected_version=1, status="done"
        )
        assert Action.objects.get(pk=action.pk).progress == 100

    def test_other_staff_read_but_may_not_edit(self, world, make_action):
        action = make_action()
        with pytest.raises(PermissionDeniedError):
            services.action_set_status(
                actor=world["users"]["analyst"],
                action_id=action.pk,
                expected_version=1,
                status="done",
            )
        assert selectors.action_get(world["users"]["analyst"], action.pk) == action
        with pytest.raises(PermissionDeniedError):
            selectors.action_get(world["users"]["partner"], action.pk)


@pytest.mark.django_db
class DependencyTests:
    def test_a_cycle_is_refused_naming_the_field(self, officers, make_action):
        a, b, c = make_action({"fr": "A"}), make_action({"fr": "B"}), make_action({"fr": "C"})
        services.dependency_add(actor=officers["fr"], action_id=a.pk, depends_on_id=b.pk)
        services.dependency_add(actor=officers["fr"], action_id=b.pk, depends_on_id=c.pk)
        with pytest.raises(ApplicationError) as exc, translation.override("fr"):
            services.dependency_add(actor=officers["fr"], action_id=c.pk, depends_on_id=a.pk)
        assert "depends_on" in exc.value.fields
        assert f"{a.reference} dépend déjà de {c.reference}" in exc.value.full_text()
        assert "cycle" in exc.value.full_text()
        assert not c.depends_on.exists()
        with pytest.raises(ApplicationError):
            services.dependency_add(actor=officers["fr"], action_id=a.pk, depends_on_id=a.pk)


@pytest.mark.django_db
class LanguageTests:
    def test_the_reader_is_told_when_a_text_exists_only_in_another_language(self):
        text = localized({"fr": "Sport adapté"}, "uk")
        assert (text.text, text.language, text.fallback, text.only) == (
            "Sport adapté",
            "fr",
            True,
            True,
        )
        with translation.override("uk"):
            assert text.notice == "лише французькою"
        both = localized({"fr": "Sport adapté", "uk": "Адаптивний спорт"}, "uk")
        assert (both.text, both.fallback, both.notice) == ("Адаптивний спорт", False, "")
        shown = localized({"fr": "Sport", "en": "Sport"}, "uk")
        assert shown.language == "fr" and not shown.only and shown.fallback

    def test_the_page_marks_the_text_with_its_language(self, officers, make_action):
        action = make_action({"fr": "Programme de sport adapté"})
        client = Client()
        client.force_login(officers["ua"])
        html = client.get(f"/cooperation/actions/{action.pk}/").content.decode()
        assert '<span lang="fr">Programme de sport adapté</span>' in html
        assert "лише французькою" in html

    def test_a_title_needs_ukrainian_or_french_and_nothing_is_written(self, officers, axes):
        with pytest.raises(ApplicationError) as exc:
            services.action_create(
                actor=officers["fr"],
                data=services.ActionInput(
                    axis_id=axes["reparation"].pk, title={"en": "Only English"}
                ),
            )
        assert "title_fr" in exc.value.fields
        with pytest.raises(ApplicationError) as exc:
            services.action_create(
                actor=officers["fr"],
                data=services.ActionInput(
                    axis_id=axes["reparation"].pk,
                    title={"fr": "x"},
                    start_on=dt.date(2026, 5, 1),
                    due_on=dt.date(2026, 4, 1),
                ),
            )
        assert "due_on" in exc.value.fields
        assert not Action.objects.exists()
        assert not StatusChange.objects.exists()

    def test_the_lead_institution_of_a_side_is_of_that_country(self, officers, axes):
        ua_org = services.organisation_create(
            actor=officers["ua"], name="Мінветеранів", kind="institution", country="ua"
        )
        with pytest.raises(ApplicationError) as exc:
            services.action_create(
                actor=officers["fr"],
                data=services.ActionInput(
                    axis_id=axes["reparation"].pk, title={"fr": "x"}, lead_fr_id=ua_org.pk
                ),
            )
        assert "lead_fr" in exc.value.fields


@pytest.mark.django_db
class ContactConsentTests:
    def test_only_contacts_with_a_standing_consent_are_shown(self, officers, world):
        org = services.organisation_create(
            actor=officers["fr"], name="ONaCVG", kind="institution", country="fr"
        )
        services.contact_add(
            actor=officers["fr"],
            organisation_id=org.pk,
            data=services.ContactInput(name="Sans Consentement"),
        )
        shown = services.contact_add(
            actor=officers["fr"],
            organisation_id=org.pk,
            data=services.ContactInput(
                name="Camille Rousseau",
                email="c@example.org",
                consent_on=dt.date(2026, 5, 1),
                consent_scope="nom et courriel",
            ),
        )
        withdrawn = services.contact_add(
            actor=officers["fr"],
            organisation_id=org.pk,
            data=services.ContactInput(
                name="Paul Retrait", consent_on=dt.date(2026, 5, 1), consent_scope="nom"
            ),
        )
        services.contact_withdraw_consent(actor=officers["fr"], contact_id=withdrawn.pk)
        [item] = selectors.stakeholders(world["users"]["analyst"])
        assert [c.name for c in item.visible_contacts] == ["Camille Rousseau"]
        client = Client()
        client.force_login(world["users"]["analyst"])
        html = client.get("/cooperation/stakeholders/").content.decode()
        assert "Camille Rousseau" in html and "Sans Consentement" not in html
        assert "Paul Retrait" not in html
        assert AuditLog.objects.filter(object_type="cooperation.contact", action="read").exists()
        assert Contact.objects.get(pk=shown.pk).consent_scope == "nom et courriel"

    def test_a_consent_needs_its_scope(self, officers):
        org = services.organisation_create(
            actor=officers["fr"], name="X", kind="company", country="fr"
        )
        with pytest.raises(ApplicationError) as exc:
            services.contact_add(
                actor=officers["fr"],
                organisation_id=org.pk,
                data=services.ContactInput(name="A", consent_on=dt.date(2026, 5, 1)),
            )
        assert "consent_scope" in exc.value.fields


@pytest.mark.django_db
class MeetingDecisionTests:
    def test_a_decision_creates_an_action_or_updates_one(self, officers, axes, make_action):
        existing = make_action()
        meeting = services.meeting_create(
            actor=officers["fr"],
            data=services.MeetingInput(
                kind="steering", title={"fr": "Comité de pilotage"}, held_on=dt.date(2026, 10, 7)
            ),
        )
        created = services.decision_add(
            actor=officers["fr"],
            meeting_id=meeting.pk,
            text={"fr": "Lancer X"},
            new_action=services.ActionInput(
                axis_id=axes["remembrance"].pk, title={"fr": "Lancer X"}
            ),
        )
        assert created.effect == "created" and created.action.title == {"fr": "Lancer X"}
        assert created.action.history.get().decision == created
        updated = services.decision_add(
            actor=officers["ua"],
            meeting_id=meeting.pk,
            text={"uk": "Призупинити"},
            action_id=existing.pk,
            new_status="at_risk",
        )
        existing.refresh_from_db()
        assert updated.effect == "updated" and existing.status == "at_risk"
        assert existing.history.first().decision == updated

    def test_a_refused_decision_leaves_nothing_behind(self, officers, make_action):
        from vetbridge.cooperation.models import MeetingDecision

        action = make_action()
        meeting = services.meeting_create(
            actor=officers["fr"],
            data=services.MeetingInput(
                kind="ministerial", title={"uk": "Візит"}, held_on=dt.date(2026, 10, 7)
            ),
        )
        with pytest.raises(ApplicationError):
            services.decision_add(
                actor=officers["fr"],
                meeting_id=meeting.pk,
                text={"fr": "x"},
                action_id=action.pk,
                new_status="planned",
            )  # already planned
        assert not MeetingDecision.objects.exists()


@pytest.mark.django_db
class EvidenceTests:
    def test_evidence_is_checked_by_content_and_its_download_is_audited(
        self, officers, make_action, world
    ):
        action = make_action()
        milestone = services.milestone_add(
            actor=officers["fr"],
            action_id=action.pk,
            title={"fr": "Rapport"},
            due_on=dt.date(2026, 10, 1),
        )
        with pytest.raises(ApplicationError) as exc:
            services.evidence_add(
                actor=officers["fr"],
                milestone_id=milestone.pk,
                name="virus.pdf",
                content=b"MZ\x90\x00",
            )
        assert "file" in exc.value.fields
        evidence = services.evidence_add(
            actor=officers["fr"],
            milestone_id=milestone.pk,
            name="rapport.pdf",
            content=b"%PDF-1.4 report",
        )
        client = Client()
        client.force_login(world["users"]["analyst"])
        response = client.get(f"/cooperation/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
        assert AuditLog.objects.filter(
            action="read", object_type="cooperation.evidence", actor=world["users"]["analyst"]
        ).exists()


@pytest.mark.django_db
class PublicPageTests:
    def test_the_public_page_shows_public_actions_only_without_internal_data(
        self, officers, make_action
    ):
        public = make_action(
            {"fr": "Action publique"}, is_public=True, internal_note="note interne secrète"
        )
        make_action({"fr": "Action interne"})
        services.risk_add(
            actor=officers["fr"],
            action_id=public.pk,
            data=services.RiskInput(
                description={"fr": "Risque confidentiel"}, likelihood=2, impact=3
            ),
        )
        html = Client().get("/cooperation/").content.decode()
        assert "Action publique" in html
        for hidden in ("Action interne", "note interne secrète", "Risque confidentiel", "coop.fr"):
            assert hidden not in html
        body = Client().get("/api/cooperation/public/actions").json()
        assert [a["title"] for a in body] == [{"fr": "Action publique"}]

    def test_the_web_edit_answers_409_on_a_stale_version(self, officers, make_action):
        action = make_action()
        client = Client()
        client.force_login(officers["fr"])
        ok = client.post(
            f"/cooperation/actions/{action.pk}/status/", {"status": "in_progress", "version": 1}
        )
        assert ok.status_code == 302
        stale = client.post(
            f"/cooperation/actions/{action.pk}/status/", {"status": "done", "version": 1}
        )
        assert stale.status_code == 409
        assert "Quelqu’un" in stale.content.decode() or "Someone" in stale.content.decode()


@pytest.mark.django_db
def test_a_referral_partner_is_linked_once_to_the_directory(officers, world):
    client = Client()
    client.force_login(officers["ua"])
    response = client.post(
        "/cooperation/stakeholders/",
        {
            "name": "Veteran Hub",
            "kind": "association",
            "country": "ua",
            "referral_partner_id": world["hub"].pk,
        },
    )
    assert response.status_code == 302
    again = client.post(
        "/cooperation/stakeholders/",
        {
            "name": "Veteran Hub (bis)",
            "kind": "association",
            "country": "ua",
            "referral_partner_id": world["hub"].pk,
        },
    )
    assert again.status_code == 400
    html = client.get("/cooperation/stakeholders/").content.decode()
    assert "Veteran Hub" in html and "партнер для скерувань" in html
    refused = Client()
    refused.force_login(world["users"]["analyst"])
    assert (
        refused.post(
            "/cooperation/stakeholders/", {"name": "X", "kind": "company", "country": "fr"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_minutes_are_written_after_the_meeting_with_a_version(officers):
    meeting = services.meeting_create(
        actor=officers["fr"],
        data=services.MeetingInput(
            kind="steering", title={"fr": "Comité"}, held_on=dt.date(2026, 10, 7)
        ),
    )
    fr, ua = Client(), Client()
    fr.force_login(officers["fr"])
    ua.force_login(officers["ua"])
    url = f"/cooperation/meetings/{meeting.pk}/minutes/"
    payload = {"agenda": "1. Actions", "participants": "DCSD", "minutes": "Relevé", "version": 1}
    assert fr.post(url, payload).status_code == 302
    stale = ua.post(url, {**payload, "minutes": "Протокол"})
    assert stale.status_code == 409
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.version) == ("Relevé", 2)
    assert AuditLog.objects.filter(object_type="cooperation.meeting", action="update").count() == 1
