"""Role × route matrix: every URL and API route the project defines, for every role.

The test fails when a route is added without an entry here, so no page or endpoint can
escape the scoping rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import ROLES
from vetbridge.core.services import input_from
from vetbridge.people.services import NameInput, PersonInput
from vetbridge.reintegration.services import ReferralInput
from vetbridge.reparation.demo import MINIMAL_PDF
from vetbridge.reparation.kinds import ClaimFiling
from vetbridge.reparation.services import InfirmityRow

ALL = ["anonymous", *ROLES]
STAFF_SCOPE_LVIV = {
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
STAFF_SCOPE_KYIV = {
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
EDIT_LVIV = dict.fromkeys(ROLES, 403) | {"case_worker": 200, "admin": 200}
EDIT_KYIV = dict.fromkeys(ROLES, 403) | {"case_worker": 404, "admin": 200}


def only(ok: set[str], other: int = 403, ok_status: int = 200) -> dict[str, int]:
    return {r: (ok_status if r in ok else other) for r in ROLES}


# Claims: the claimant, case workers (their region), assessors, officers, administrators.
CLAIMS = only({"veteran", "case_worker", "medical_assessor", "pension_officer", "admin"})
# Medical content of claims (documents, letters): never case workers.
MEDICAL = only({"veteran", "medical_assessor", "pension_officer", "admin"})
# The care file (health data): the veteran, case workers, medical assessors.
CARE = only({"veteran", "case_worker", "medical_assessor", "admin"})
REFERRALS = only({"veteran", "case_worker", "medical_assessor", "admin", "partner"})
COMPARE = only({"pension_officer", "medical_assessor", "analyst", "admin"})
# The policy lab (capability policylab.run): analysts and administrators.
POLICYLAB = only({"analyst", "admin", "cooperation_officer"})
# Registry pages: every role but analysts, partners and cooperation officers (no person files).
REGISTRY = only(set(ROLES) - {"analyst", "partner", "cooperation_officer"})
# Aggregates (small cells hidden).
STATS = only({"case_worker", "pension_officer", "analyst", "admin", "cooperation_officer"})
# The cooperation roadmap: staff read it (not veterans, not partners); officers edit it.
COOP = only(set(ROLES) - {"veteran", "partner"})
COOP_EDIT = only({"cooperation_officer", "admin"})


# (route name, kwargs key) → {role: expected status on GET}; anonymous handled per kind.
WEB: dict[str, dict[str, int]] = {
    "home": dict.fromkeys(ROLES, 200),
    "health": dict.fromkeys(ROLES, 200),
    "favicon": dict.fromkeys(ROLES, 301),
    "glossary": dict.fromkeys(ROLES, 200),
    "accounts:login": dict.fromkeys(ROLES, 302),
    "accounts:logout": dict.fromkeys(ROLES, 405),
    "accounts:set_language": dict.fromkeys(ROLES, 405),
    "accounts:account": dict.fromkeys(ROLES, 200),
    "accounts:notices": dict.fromkeys(ROLES, 405),
    "accounts:audit": only({"admin"}),
    "accounts:audit_export": only({"admin"}),
    "accounts:audit_export@xlsx": only({"admin"}),
    # Second factor, tokens, password: every signed-in account, for itself.
    "accounts:mfa_verify": dict.fromkeys(ROLES, 302),  # nothing pending: on to the next page
    "accounts:mfa_setup": dict.fromkeys(ROLES, 200),
    "accounts:mfa_recovery_codes": dict.fromkeys(ROLES, 405),
    "accounts:token_revoke": dict.fromkeys(ROLES, 405),
    "accounts:password_change": dict.fromkeys(ROLES, 200),
    "accounts:password_reset": dict.fromkeys(ROLES, 200),
    "accounts:password_reset_done": dict.fromkeys(ROLES, 200),
    "accounts:password_reset_confirm": dict.fromkeys(ROLES, 200),  # an invalid link, said so
    "accounts:password_reset_complete": dict.fromkeys(ROLES, 200),
    "people:list": REGISTRY,
    "people:create": only({"case_worker", "admin"}),
    "people:import": only({"admin"}),
    "people:import_template": only({"admin"}),
    # An import job: its author (here the administrator) or an administrator.
    "people:import_job": only({"admin"}),
    "people:import_job_progress": only({"admin"}),
    "people:stats": STATS,
    "people:stats_export": STATS,
    "people:stats_export@xlsx": STATS,
    "people:export": REGISTRY,
    "people:export@xlsx": REGISTRY,
    "people:detail": STAFF_SCOPE_LVIV,
    "people:detail@kyiv": STAFF_SCOPE_KYIV,
    "people:history": STAFF_SCOPE_LVIV,
    "people:history@kyiv": STAFF_SCOPE_KYIV,
    "people:edit": EDIT_LVIV,
    "people:edit@kyiv": EDIT_KYIV,
    # The file's small forms open on GET (on demand), for those who may edit the file.
    "people:name_add": EDIT_LVIV,
    "people:name_preferred": dict.fromkeys(ROLES, 405),
    "people:status_add": EDIT_LVIV,
    "people:link_add": EDIT_LVIV,
    "people:duplicates": only({"case_worker", "admin"}),
    "people:duplicate_decide": dict.fromkeys(ROLES, 405),
    "people:merge_undo": dict.fromkeys(ROLES, 405),
    "reparation:list": CLAIMS,
    "reparation:stats": STATS,
    "reparation:stats_export": STATS,
    "reparation:stats_export@xlsx": STATS,
    "reparation:export": CLAIMS,
    "reparation:export@xlsx": CLAIMS,
    "reparation:notifications": CLAIMS,
    "reparation:file": only({"veteran", "case_worker", "admin"}),
    "reparation:file@kyiv": only({"admin"}) | {"veteran": 404, "case_worker": 404},
    "reparation:detail": CLAIMS,
    "reparation:detail@kyiv": CLAIMS | {"veteran": 404, "case_worker": 404},
    "reparation:transition": dict.fromkeys(ROLES, 405),
    "reparation:infirmities": dict.fromkeys(ROLES, 405),
    "reparation:decide": dict.fromkeys(ROLES, 405),
    "reparation:document_add": dict.fromkeys(ROLES, 405),
    "reparation:document": MEDICAL,
    "reparation:document@kyiv": MEDICAL | {"veteran": 404},
    "reparation:letter": MEDICAL,
    "reparation:letter@kyiv": MEDICAL | {"veteran": 404},
    "reparation:notify": dict.fromkeys(ROLES, 405),
    "reparation:admissibility": dict.fromkeys(ROLES, 405),
    "reparation:expertise": dict.fromkeys(ROLES, 405),
    "reparation:assign": dict.fromkeys(ROLES, 405),
    # Revaluation of the pensions in payment: pension officers and administrators.
    "reparation:revaluation": only({"pension_officer", "admin"}),
    "reparation:revaluation_job": only({"pension_officer", "admin"}),
    "reparation:revaluation_progress": only({"pension_officer", "admin"}),
    # The memorial: public pages for everyone, the desk for memorial editors.
    "memorial:search": dict.fromkeys(ROLES, 200),
    "memorial:ceremonies": dict.fromkeys(ROLES, 200),
    "memorial:sitemap": dict.fromkeys(ROLES, 200),
    "memorial:record": dict.fromkeys(ROLES, 200),
    "memorial:record_short": dict.fromkeys(ROLES, 301),
    "memorial:record@draft": dict.fromkeys(ROLES, 404),
    "memorial:photo_public": dict.fromkeys(ROLES, 404),
    "memorial:tribute": dict.fromkeys(ROLES, 405),
    "memorial:desk": only({"memorial_editor", "admin"}),
    "memorial:import": only({"memorial_editor", "admin"}),
    "memorial:edit": only({"memorial_editor", "admin"}),
    "memorial:publication": dict.fromkeys(ROLES, 405),
    "memorial:photo": dict.fromkeys(ROLES, 405),
    "memorial:link": dict.fromkeys(ROLES, 405),
    "memorial:create_for": dict.fromkeys(ROLES, 405),
    "memorial:moderate": dict.fromkeys(ROLES, 405),
    "memorial:preview": only({"memorial_editor", "admin"}),
    "memorial:preview@draft": only({"memorial_editor", "admin"}),
    "memorial:correction": only({"memorial_editor", "admin"}, ok_status=404),
    "memorial:import_template": only({"memorial_editor", "admin"}),
    # A memorial import job started by the memorial editor: its author and administrators.
    "memorial:import_job": only({"memorial_editor", "admin"}),
    "memorial:import_job_progress": only({"memorial_editor", "admin"}),
    # Care: the veteran, case workers (scoped), medical assessors; never partners.
    "care:caseload": only({"case_worker", "admin"}),
    "care:caseload_export": only({"case_worker", "admin"}),
    "care:caseload_export@xlsx": only({"case_worker", "admin"}),
    "care:file": CARE,
    "care:file@kyiv": CARE | {"veteran": 404, "case_worker": 404},
    "care:summary": CARE,
    "care:summary@kyiv": CARE | {"veteran": 404, "case_worker": 404},
    "care:summary@fr": CARE,  # the summary printed in another language
    "care:add": dict.fromkeys(ROLES, 405),
    "care:contact": dict.fromkeys(ROLES, 405),
    "care:goal_status": dict.fromkeys(ROLES, 405),
    "care:followup_done": dict.fromkeys(ROLES, 405),
    "care:appointment_status": dict.fromkeys(ROLES, 405),
    # Referrals: partners see their own organisation's, and nothing else.
    "reintegration:list": REFERRALS,
    "reintegration:partners": REFERRALS,
    "reintegration:new": only({"case_worker", "admin"}),
    "reintegration:new@kyiv": only({"admin"}) | {"case_worker": 404},
    "reintegration:detail": REFERRALS,
    "reintegration:detail@other": REFERRALS | {"partner": 404},
    "reintegration:act": dict.fromkeys(ROLES, 405),
    # Simulator: the public estimate for everyone; both laws side by side for those who weigh
    # rates and rights (no personal data, nothing stored).
    "simulator:public": dict.fromkeys(ROLES, 200),
    "simulator:compare": COMPARE,
    # Policy lab: analysts and administrators (aggregates only).
    "policylab:lab": POLICYLAB,
    "policylab:run": POLICYLAB,
    "policylab:run_progress": POLICYLAB,
    "policylab:run_replay": dict.fromkeys(ROLES, 405),
    "policylab:reform_yaml": POLICYLAB,
    # Cooperation: a public page; the roadmap for staff; edits for cooperation officers.
    "cooperation:public": dict.fromkeys(ROLES, 200),
    "cooperation:roadmap": COOP,
    "cooperation:action_new": COOP_EDIT,
    "cooperation:action": COOP,
    "cooperation:action_edit": COOP_EDIT,
    "cooperation:action_status": dict.fromkeys(ROLES, 405),
    "cooperation:action_dependency": dict.fromkeys(ROLES, 405),
    "cooperation:action_milestone": dict.fromkeys(ROLES, 405),
    "cooperation:action_risk": dict.fromkeys(ROLES, 405),
    "cooperation:evidence_add": dict.fromkeys(ROLES, 405),
    "cooperation:milestone_reached": dict.fromkeys(ROLES, 405),
    "cooperation:evidence": COOP,
    "cooperation:stakeholders": COOP,
    "cooperation:contact_add": dict.fromkeys(ROLES, 405),
    "cooperation:meetings": COOP,
    "cooperation:meeting_new": COOP_EDIT,
    "cooperation:meeting": COOP,
    "cooperation:decision_add": dict.fromkeys(ROLES, 405),
    "cooperation:meeting_minutes": dict.fromkeys(ROLES, 405),
    "cooperation:indicators": COOP,
    "cooperation:indicator_new": COOP_EDIT,
    "cooperation:indicators_export": COOP,
    "cooperation:indicators_export@xlsx": COOP,
    "cooperation:indicator": COOP,
    "cooperation:indicator_target": dict.fromkeys(ROLES, 405),
    "cooperation:indicator_value": dict.fromkeys(ROLES, 405),
    "cooperation:indicator_refresh": dict.fromkeys(ROLES, 405),
    "cooperation:report": COOP,
}
ANON_WEB = {
    "health": 200,
    "favicon": 301,
    "glossary": 200,
    "accounts:notices": 405,
    "accounts:login": 200,
    "accounts:logout": 405,
    "accounts:set_language": 405,
    "accounts:mfa_recovery_codes": 405,
    "accounts:token_revoke": 405,
    "accounts:password_reset": 200,
    "accounts:password_reset_done": 200,
    "accounts:password_reset_confirm": 200,
    "accounts:password_reset_complete": 200,
    "people:name_preferred": 405,
    "people:duplicate_decide": 405,
    "people:merge_undo": 405,
    "reparation:transition": 405,
    "reparation:infirmities": 405,
    "reparation:decide": 405,
    "reparation:document_add": 405,
    "reparation:notify": 405,
    "reparation:admissibility": 405,
    "reparation:expertise": 405,
    "reparation:assign": 405,
    "memorial:search": 200,
    "memorial:ceremonies": 200,
    "memorial:sitemap": 200,
    "memorial:record": 200,
    "memorial:record_short": 301,
    "memorial:photo_public": 404,
    "memorial:tribute": 405,
    "memorial:publication": 405,
    "memorial:photo": 405,
    "memorial:link": 405,
    "memorial:create_for": 405,
    "memorial:moderate": 405,
    "memorial:record@draft": 404,
    "care:add": 405,
    "care:contact": 405,
    "care:goal_status": 405,
    "care:followup_done": 405,
    "care:appointment_status": 405,
    "reintegration:act": 405,
    "simulator:public": 200,
    "policylab:run_replay": 405,
    "cooperation:public": 200,
    **{
        f"cooperation:{n}": 405
        for n in (
            "action_status",
            "action_dependency",
            "action_milestone",
            "action_risk",
            "evidence_add",
            "milestone_reached",
            "contact_add",
            "decision_add",
            "meeting_minutes",
            "indicator_target",
            "indicator_value",
            "indicator_refresh",
        )
    },
}

API: dict[str, dict[str, int]] = {
    "GET /api/me": dict.fromkeys(ROLES, 200),
    "GET /api/audit": only({"admin"}),
    "GET /api/tokens": dict.fromkeys(ROLES, 200),
    "DELETE /api/tokens/{token_id}": dict.fromkeys(ROLES, 204),  # one's own token
    "GET /api/people": REGISTRY,
    "GET /api/people/{person_id}": STAFF_SCOPE_LVIV,
    "GET /api/people/{person_id}/history": STAFF_SCOPE_LVIV,
    "GET /api/stats": STATS,
    "POST /api/people": only({"case_worker", "admin"}, ok_status=201),
    "PATCH /api/people/{person_id}": EDIT_LVIV,
    "POST /api/people/{person_id}/names": only({"case_worker", "admin"}, ok_status=201),
    "POST /api/people/{person_id}/statuses": only({"case_worker", "admin"}, ok_status=201),
    "POST /api/people/{person_id}/links": only({"case_worker", "admin"}, ok_status=201),
    "GET /api/people/search": REGISTRY,
    "POST /api/people/duplicates/check": only({"case_worker", "admin"}),
    "GET /api/people/duplicates": only({"case_worker", "admin"}),
    "POST /api/people/duplicates/{suspect_id}/merge": only({"case_worker", "admin"}),
    "POST /api/people/duplicates/{suspect_id}/dismiss": only({"case_worker", "admin"}),
    "POST /api/people/merges/{merge_id}/undo": only({"case_worker", "admin"}),
    "GET /api/claims": CLAIMS,
    "POST /api/claims": only({"veteran", "case_worker", "admin"}, ok_status=201),
    "GET /api/claims/stats": STATS,
    "GET /api/claims/{claim_id}": CLAIMS,
    "POST /api/claims/{claim_id}/transitions": only({"veteran", "case_worker", "admin"}),
    "PUT /api/claims/{claim_id}/infirmities": only({"medical_assessor", "admin"}),
    "POST /api/claims/{claim_id}/decision": only({"pension_officer", "admin"}, ok_status=201),
    "POST /api/claims/decisions/{decision_id}/notification": only({"pension_officer", "admin"}),
    "POST /api/claims/{claim_id}/admissibility": only({"pension_officer", "admin"}),
    "POST /api/claims/{claim_id}/expertise": only({"pension_officer", "admin"}),
    "GET /api/care/caseload": only({"case_worker", "admin"}),
    "GET /api/care/{person_id}": CARE,
    "POST /api/care/{person_id}/whodas": only(
        {"case_worker", "medical_assessor", "admin"}, ok_status=201
    ),
    "GET /api/referrals": REFERRALS,
    "POST /api/referrals": only({"case_worker", "admin"}, ok_status=201),
    "GET /api/referrals/{referral_id}": REFERRALS,
    "POST /api/referrals/{referral_id}/answer": only({"partner", "admin"}),
    "POST /api/referrals/{referral_id}/outcome": only({"partner", "case_worker", "admin"}),
    "POST /api/referrals/{referral_id}/cancel": only({"case_worker", "admin"}),
    "GET /api/partners": REFERRALS,
    "POST /api/simulator/compare": COMPARE,
    "GET /api/policylab/reforms": POLICYLAB,
    "GET /api/policylab/runs": POLICYLAB,
    "POST /api/policylab/runs": only({"analyst", "admin", "cooperation_officer"}, ok_status=202),
    "GET /api/policylab/runs/{run_id}": POLICYLAB,
    "POST /api/policylab/runs/{run_id}/replay": POLICYLAB,
    "GET /api/cooperation/actions": COOP,
    "POST /api/cooperation/actions": only({"cooperation_officer", "admin"}, ok_status=201),
    "GET /api/cooperation/actions/{action_id}": COOP,
    "POST /api/cooperation/actions/{action_id}/status": COOP_EDIT,
    "GET /api/cooperation/indicators": COOP,
    "GET /api/cooperation/public/actions": dict.fromkeys(ROLES, 200),
}
# Without authentication every endpoint answers 401, except these.
ANON_API = {"GET /api/cooperation/public/actions": 200}
TWIN_SURNAMES = itertools.cycle(
    [
        "Ярмоленко",
        "Гуменюк",
        "Прокопенко",
        "Семенюк",
        "Онищенко",
        "Максименко",
        "Дорошенко",
        "Остапчук",
        "Кириленко",
        "Тимошенко",
        "Нестеренко",
        "Вакуленко",
        "Федоренко",
        "Гнатюк",
        "Ігнатенко",
        "Юрченко",
        "Панченко",
        "Данилюк",
        "Гордієнко",
        "Харченко",
        "Кушнір",
        "Мирошниченко",
    ]
)


def _web_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("django-admin", "api/")):
                    continue
                walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{ns}{p.name}")

    walk(get_resolver().url_patterns)
    return names


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _claim(world, where: str = "lviv", upto: str = "granted"):
    """A claim of the Lviv (or Kyiv) person walked up to a state, with a document."""
    from vetbridge.reparation import services

    u = world["users"]
    claim = services.claim_file(
        actor=u["admin"], person_id=world[where].pk, filing=ClaimFiling("fr_pension")
    )
    services.document_add(actor=u["admin"], claim_id=claim.pk, name="a.pdf", content=MINIMAL_PDF)
    for state, step in (
        ("in_assessment", "start_assessment"),
        ("ready_for_decision", "complete_assessment"),
    ):
        if step == "complete_assessment":
            claim.refresh_from_db()
            services.infirmities_set(
                actor=u["admin"],
                claim_id=claim.pk,
                expected_version=claim.version,
                rows=InfirmityRow.from_rows(
                    [{"label": "Genou", "rate": "40", "cause": "injury", "context": "war"}]
                ),
            )
        claim.refresh_from_db()
        services.claim_transition(
            actor=u["admin"], claim_id=claim.pk, name=step, expected_version=claim.version
        )
        if upto == state:
            claim.refresh_from_db()
            return claim
    claim.refresh_from_db()
    services.claim_decide(
        actor=u["admin"], claim_id=claim.pk, expected_version=claim.version, grant=True
    )
    claim.refresh_from_db()
    return claim


def _memorial(world, published: bool = True):
    """The Kyiv fallen person's memorial record (published), or a draft one."""
    from vetbridge.memorial import services

    key = "memorial" if published else "memorial_draft"
    if key not in world:
        editor = world["users"]["memorial_editor"]
        if published:
            person = world["kyiv"]
        else:
            from vetbridge.people.services import person_create

            person = person_create(
                actor=None,
                data=input_from(
                    PersonInput, {"lifecycle": "fallen", "lifecycle_date": dt.date(2024, 1, 1)}
                ),
                names=[input_from(NameInput, {"surname": "Чернетка", "given_name": "Іван"})],
            )
        rec = services.record_create_for(actor=editor, person_id=person.pk)
        if published:
            services.record_publish(actor=editor, record_id=rec.pk, basis="editorial", note="test")
        world[key] = rec
    return world[key]


def _referral(world, other: bool = False):
    """A referral of the Lviv person to the world's partner (or to another organisation)."""
    from vetbridge.reintegration import services
    from vetbridge.reintegration.models import Partner

    key = "referral_other" if other else "referral"
    if key not in world:
        partner = (
            world["hub"]
            if not other
            else Partner.objects.create(name="Other", services=["sport"], monthly_capacity=5)
        )
        world[key] = services.referral_create(
            actor=world["users"]["admin"],
            person_id=world["lviv"].pk,
            data=input_from(
                ReferralInput,
                {
                    "partner": partner.pk,
                    "service": "sport" if other else "employment",
                    "consent_on": dt.date(2025, 1, 1),
                    "consent_text": "name and phone",
                },
            ),
        )
    return world[key]


def _simulation_run(world):
    """A small finished simulation run (synthetic population)."""
    if "simulation_run" not in world:
        from vetbridge.policylab import services

        world["simulation_run"] = services.run_create(
            actor=world["users"]["admin"],
            req=services.RunRequest(
                population_kind="synthetic",
                date=dt.date(2026, 3, 1),
                reform_key="point_value_plus_5",
                synthetic_size=50,
                synthetic_seed=1,
            ),
        )
    return world["simulation_run"]


def _coop(world):
    """An action with a milestone and its evidence, a meeting, an organisation, an
    indicator: what the cooperation pages show."""
    if "coop" not in world:
        from vetbridge.cooperation import services
        from vetbridge.cooperation.models import Axis

        officer = world["users"]["cooperation_officer"]
        axis = Axis.objects.get(code="rehabilitation")
        action = services.action_create(
            actor=officer,
            data=services.ActionInput(
                axis_id=axis.pk, title={"fr": "Sport adapté"}, is_public=True
            ),
        )
        milestone = services.milestone_add(
            actor=officer, action_id=action.pk, title={"fr": "Rapport"}, due_on=dt.date(2026, 1, 1)
        )
        evidence = services.evidence_add(
            actor=officer, milestone_id=milestone.pk, name="rapport.pdf", content=b"%PDF-1.4 test"
        )
        meeting = services.meeting_create(
            actor=officer,
            data=services.MeetingInput(
                kind="steering", title={"fr": "Comité"}, held_on=dt.date(2026, 10, 1)
            ),
        )
        organisation = services.organisation_create(
            actor=officer, name="ONaCVG", kind="institution", country="fr"
        )
        indicator = services.indicator_create(
            actor=officer,
            data=services.IndicatorInput(
                code="sent",
                name={"fr": "Orientations"},
                axis_id=axis.pk,
                numerator="reintegration.referrals_sent",
            ),
        )
        world["coop"] = {
            "action": action,
            "milestone": milestone,
            "evidence": evidence,
            "meeting": meeting,
            "stakeholders": organisation,
            "contact": organisation,
            "indicator": indicator,
            "decision": meeting,
        }
    return world["coop"]


def _revaluation_job(world):
    if "revaluation_job" not in world:
        from vetbridge.core.progress import progress_create

        world["revaluation_job"] = progress_create(
            kind="reparation.revaluation", subject="revaluation:2025-01-01"
        )
    return world["revaluation_job"]


# Variants of a route that differ only by their query string (an export's format, the
# language of a document): "name@variant" → the base route's URL plus this query.
QUERY_VARIANTS = {"xlsx": "format=xlsx", "fr": "lang=fr"}


def _import_job(world, kind: str):
    """A finished web import job: people by the administrator, memorial by the editor."""
    key = f"import_job_{kind}"
    if key not in world:
        from vetbridge.people.import_jobs import import_job_start

        actor = world["users"]["admin" if kind == "people" else "memorial_editor"]
        data = (
            "external_id,surname,given_name,patronymic,birth_date,sex,status\n"
            "MX-1,Шевчук,Остап,,1980-01-01,M,\n"
            if kind == "people"
            else "external_id,surname,given_name,death_date\nMX-2,Шевчук,Остап,2023-01-01\n"
        )
        world[key] = import_job_start(
            actor=actor, kind=kind, data=data.encode(), source="matrix.csv", keep_valid=False
        )
    return world[key]


def _url(name: str, world) -> str:
    from django.urls import reverse

    base, _, which = name.partition("@")
    if which in QUERY_VARIANTS and base != "cooperation:indicators_export":
        return f"{_url(base, world)}?{QUERY_VARIANTS[which]}"
    if base.endswith((":import_job", ":import_job_progress")):
        return reverse(base, kwargs={"job_id": _import_job(world, base.split(":")[0]).pk})
    if base.startswith("policylab:"):
        for kwargs in ({}, {"pk": _simulation_run(world).pk}, {"key": "point_value_plus_5"}):
            try:
                return reverse(base, kwargs=kwargs)
            except Exception:  # noqa: S112 (try the next argument shape)
                continue
    person = world["kyiv"] if which == "kyiv" else world["lviv"]
    if base.startswith("memorial:"):
        rec = _memorial(world, published=which != "draft")
        from vetbridge.memorial.selectors import slug_of

        for kwargs in (
            {},
            {"pk": rec.pk, "slug": slug_of(rec)},
            {"pk": rec.pk},
            {"kind": "record", "pk": rec.pk},
            {"person_id": world["kyiv"].pk},
            {"tribute_id": 1},
        ):
            try:
                return reverse(base, kwargs=kwargs)
            except Exception:  # noqa: S112 (try the next argument shape)
                continue
    if base.startswith(("care:", "reintegration:")):
        referral = _referral(world, other=which == "other")
        for kwargs in (
            {},
            {"person_id": person.pk},
            {"pk": referral.pk},
            {"person_id": person.pk, "kind": "note"},
            {"goal_id": 1},
            {"followup_id": 1},
            {"appointment_id": 1},
        ):
            try:
                return reverse(base, kwargs=kwargs)
            except Exception:  # noqa: S112 (try the next argument shape)
                continue
    if base.startswith("cooperation:"):
        coop = _coop(world)
        if base == "cooperation:indicators_export":
            return reverse(base, kwargs={"fmt": which or "csv"})
        owner = base.split(":")[1].split("_")[0]  # action_status → the action's pk
        for kwargs in (
            {},
            {"pk": coop[owner].pk if owner in coop else 0},
            {"milestone_id": coop["milestone"].pk},
            {"evidence_id": coop["evidence"].pk},
        ):
            try:
                return reverse(base, kwargs=kwargs)
            except Exception:  # noqa: S112 (try the next argument shape)
                continue
    if base.startswith("reparation:"):
        claim = world.setdefault(f"claim_{which or 'lviv'}", _claim(world, which or "lviv"))
        for kwargs in (
            {},
            {"person_id": person.pk},
            {"pk": claim.pk},
            {"doc_id": claim.documents.get().pk},
            {"decision_id": claim.decisions.get().pk},
            {"job_id": _revaluation_job(world).pk},
        ):
            try:
                return reverse(base, kwargs=kwargs)
            except Exception:  # noqa: S112 (try the next argument shape)
                continue
    for kwargs in (
        {},
        {"pk": person.pk},
        {"pk": person.pk, "name_id": person.names.first().pk},
        {"suspect_id": 1},
        {"merge_id": 1},
        {"uidb64": "MA", "token": "x-y"},
    ):
        try:
            return reverse(base, kwargs=kwargs)
        except Exception:  # noqa: S112 (try the next argument shape)
            continue
    raise AssertionError(name)


def test_every_web_route_is_in_the_matrix():
    assert _web_route_names() == {n.partition("@")[0] for n in WEB}


def _unnamed_web_routes() -> list[str]:
    found: list[str] = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith(("django-admin", "api/")):
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and not p.name:
                found.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    return found


def test_every_web_route_has_a_name():
    """A route without a name could not be listed above, and would escape the matrix."""
    assert _unnamed_web_routes() == []


def test_every_export_is_in_the_matrix_in_both_formats():
    """Each export route (`…export…`) is checked as CSV (the default) and as XLSX."""
    exports = {n for n in _web_route_names() if "export" in n}
    assert exports
    assert {n for n in exports if f"{n}@xlsx" not in WEB} == set()


def test_every_api_route_is_in_the_matrix(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    defined = {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops}
    assert defined == set(API)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_web_matrix(world, role):
    client = _client(world, role)
    failures = []
    for name, expected in WEB.items():
        url = _url(name, world)
        status = client.get(url).status_code
        want = (
            ANON_WEB.get(name, ANON_WEB.get(name.partition("@")[0], 302))
            if role == "anonymous"
            else expected[role]
        )
        if status != want:
            failures.append(f"{role} GET {url} ({name}): {status}, expected {want}")
    assert not failures, "\n".join(failures)


def _twins(make_person):
    """Two Lviv records of one person, queued as suspected duplicates (by the create service)."""
    from vetbridge.people.models import DuplicateSuspect

    surname = next(TWIN_SURNAMES)
    a = make_person(surname, "Петро", birth_date=dt.date(1990, 1, 2))
    b = make_person(surname, "Петро", birth_date=dt.date(1990, 1, 2))
    return DuplicateSuspect.objects.get(person_a=a, person_b=b)


def _api_url(path: str, world, make_person) -> str:
    from vetbridge.people.duplicates import person_merge

    url = path.replace("{person_id}", str(world["lviv"].pk))
    if "{suspect_id}" in url:
        url = url.replace("{suspect_id}", str(_twins(make_person).pk))
    if "{merge_id}" in url:
        twins = _twins(make_person)
        merge = person_merge(
            actor=world["users"]["admin"],
            survivor_id=twins.person_a_id,
            absorbed_id=twins.person_b_id,
            suspect_id=twins.pk,
        )
        url = url.replace("{merge_id}", str(merge.pk))
    return url


def _api_claim_url(key: str, url: str, world) -> tuple[str, dict | None]:
    """A fresh claim in the state the endpoint needs, and the payload."""
    if "{decision_id}" in url:
        claim = _claim(world)
        return (
            url.replace("{decision_id}", str(claim.decisions.get().pk)),
            {"notified_on": claim.decisions.get().computed_on.isoformat()},
        )
    if key.endswith(("/admissibility", "/expertise")):
        from vetbridge.reparation import services

        claim = _claim(world)
        services.claim_transition(
            actor=world["users"]["admin"],
            claim_id=claim.pk,
            name="appeal",
            expected_version=claim.version,
            note="x",
        )
        claim.refresh_from_db()
        payload = (
            {"version": claim.version, "admissible": True, "note": "x"}
            if key.endswith("/admissibility")
            else {"version": claim.version, "started_on": claim.appealed_on.isoformat()}
        )
        return url.replace("{claim_id}", str(claim.pk)), payload
    if "{claim_id}" not in url:
        if key == "POST /api/claims":
            return url, {"person_id": world["lviv"].pk, "kind": "fr_pension"}
        return url, None
    upto = {"infirmities": "in_assessment", "decision": "ready_for_decision"}.get(
        key.rsplit("/", 1)[-1], "submitted"
    )
    if upto == "submitted":
        from vetbridge.reparation import services

        claim = services.claim_file(
            actor=world["users"]["admin"],
            person_id=world["lviv"].pk,
            filing=ClaimFiling("fr_pension"),
        )
    else:
        claim = _claim(world, upto=upto)
    payload = None
    if key.endswith("/transitions"):
        payload = {"name": "withdraw", "version": claim.version}
    elif key.endswith("/infirmities"):
        payload = {
            "version": claim.version,
            "infirmities": [{"label": "Genou", "rate": "40", "cause": "injury", "context": "war"}],
        }
    elif key.endswith("/decision"):
        payload = {"version": claim.version, "grant": True}
    return url.replace("{claim_id}", str(claim.pk)), payload


def _api_referral(key: str, url: str, world) -> tuple[str, dict | None]:
    """A fresh referral (accepted when the endpoint records an outcome), and the payload."""
    from vetbridge.reintegration import services

    if "{referral_id}" not in url:
        if key == "POST /api/referrals":
            return url, {
                "person_id": world["lviv"].pk,
                "partner_id": world["hub"].pk,
                "service": "employment",
                "consent_on": "2025-01-01",
                "consent_text": "name and phone",
            }
        return url, None
    referral = services.referral_create(
        actor=world["users"]["admin"],
        person_id=world["lviv"].pk,
        data=input_from(
            ReferralInput,
            {
                "partner": world["hub"].pk,
                "service": "employment",
                "consent_on": dt.date(2025, 1, 1),
                "consent_text": "name and phone",
            },
        ),
    )
    if key.endswith("/outcome"):
        referral = services.referral_answer(
            actor=world["users"]["partner"],
            referral_id=referral.pk,
            expected_version=referral.version,
            accept=True,
        )
    payload = {
        "answer": {"version": referral.version, "accept": True},
        "outcome": {"version": referral.version, "outcome": "employed"},
        "cancel": {"version": referral.version},
    }.get(key.rsplit("/", 1)[-1])
    return url.replace("{referral_id}", str(referral.pk)), payload


def _api_coop(key: str, url: str, world) -> tuple[str, dict | None]:
    """A fresh action for the endpoints of one action, and the payload."""
    from vetbridge.cooperation import services
    from vetbridge.cooperation.models import Axis

    axis = Axis.objects.get(code="rehabilitation")
    if key == "POST /api/cooperation/actions":
        return url, {"axis_id": axis.pk, "title": {"fr": "Sport adapté", "uk": "Адаптивний спорт"}}
    if "{action_id}" not in url:
        return url, None
    action = services.action_create(
        actor=world["users"]["admin"],
        data=services.ActionInput(axis_id=axis.pk, title={"uk": "Дія"}),
    )
    payload = (
        {"version": action.version, "status": "in_progress"} if key.endswith("/status") else None
    )
    return url.replace("{action_id}", str(action.pk)), payload


def _api_payload(key: str, world) -> dict | None:
    if key.endswith("/simulator/compare"):
        return {
            "date": "2025-06-01",
            "infirmities": [{"label": "Genou", "rate": "12,5"}],
            "ua_group": 2,
            "ua_cause": "duty",
        }
    if key.endswith("/whodas"):
        return {"assessed_on": "2025-03-01", "answers": {f"S{i}": i % 5 for i in range(1, 13)}}
    if key.endswith("/dismiss"):
        return {"note": "brothers"}
    if key.endswith("/duplicates/check"):
        return {"surname": "Коваленко", "given_name": "Ігор"}
    if key == "POST /api/people":
        return {"sex": "F", "region": "UA-46", "names": [{"surname": "Ткаченко"}]}
    if key.startswith("PATCH"):
        return {"version": world["lviv"].version, "birth_place": "Львів"}
    if key.endswith("/names"):
        return {"surname": "Kovalenko", "given_name": "Ihor", "language": "en"}
    if key.endswith("/statuses"):
        return {"kind": "ua_combatant", "valid_from": "2024-01-01"}
    if key.endswith("/links"):
        return {"relative_id": world["extra"].pk, "kind": "child"}
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL)
def test_api_matrix(world, make_person, role):
    client = _client(world, role)
    failures = []
    for key, expected in API.items():
        world["extra"] = make_person("Бондаренко", "Олена", region="UA-46")
        world["lviv"].refresh_from_db()
        method, path = key.split(" ", 1)
        url = _api_url(path, world, make_person)
        payload = _api_payload(key, world)
        if "/api/claims" in key:
            url, payload = _api_claim_url(key, url, world)
        if "/api/referrals" in key:
            url, payload = _api_referral(key, url, world)
        if "/api/policylab" in key:
            url = url.replace("{run_id}", str(_simulation_run(world).pk))
            if key == "POST /api/policylab/runs":
                payload = {
                    "population": "synthetic",
                    "date": "2026-03-01",
                    "reform": "injury_threshold_15",
                    "synthetic_size": 20,
                }
        if "{token_id}" in url:
            from vetbridge.accounts.models import ApiToken

            owner = world["users"]["admin" if role == "anonymous" else role]
            url = url.replace("{token_id}", str(ApiToken.issue(user=owner, name="m")[0].pk))
        if "/api/cooperation/" in key:
            url, payload = _api_coop(key, url, world)
        if key.endswith("/merge"):
            from vetbridge.people.models import DuplicateSuspect

            payload = {
                "survivor_id": DuplicateSuspect.objects.get(pk=int(url.split("/")[-2])).person_a_id
            }
        call = getattr(client, method.lower())
        response = (
            call(url, data=json.dumps(payload), content_type="application/json")
            if payload is not None
            else call(url)
        )
        want = ANON_API.get(key, 401) if role == "anonymous" else expected[role]
        if response.status_code != want:
            failures.append(
                f"{role} {key}: {response.status_code} {response.content[:200]!r}, expected {want}"
            )
        if response.status_code >= 400:
            body = response.json()
            assert set(body["error"]) >= {"code", "message", "fields"}, body
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_django_admin_only_for_administrators(world, role):
    status = _client(world, role).get("/django-admin/").status_code
    assert status == (200 if role == "admin" else 302)
