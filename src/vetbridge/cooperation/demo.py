"""Demo roadmap: stakeholders with consented contacts, actions under each axis, a steering
committee with its decisions, indicators with values and targets (laptops and tests only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vetbridge.accounts.models import User

from . import services
from .models import Action, Axis, Objective

ORGANISATIONS = [
    (
        "DCSD — Direction de la coopération de sécurité et de défense",
        "institution",
        "fr",
        "https://www.diplomatie.gouv.fr/",
    ),
    (
        "ONaCVG — Office national des combattants et des victimes de guerre",
        "institution",
        "fr",
        "https://www.onac-vg.fr/",
    ),
    ("Institution nationale des Invalides", "institution", "fr", "https://www.invalides.fr/"),
    ("Fédération française handisport", "association", "fr", ""),
    ("Міністерство у справах ветеранів України", "institution", "ua", "https://mva.gov.ua/"),
    ("Український ветеранський фонд", "institution", "ua", ""),
    ("Veteran Hub", "association", "ua", "https://veteranhub.com.ua/"),
    ("ТОВ «Протезні технології»", "company", "ua", ""),
]


def load_demo_cooperation(users: dict[str, User]) -> None:
    if Action.objects.exists():
        return
    from vetbridge.reintegration.services import partners_directory

    fr, ua = users["coop.fr"], users["coop.ua"]
    # The referral partner of the same name is linked, not copied.
    hub_partner = next(
        (p.pk for p in partners_directory() if p.name.startswith("Veteran Hub")), None
    )
    orgs = {
        name: services.organisation_create(
            actor=fr,
            name=name,
            kind=kind,
            country=country,
            website=site,
            referral_partner_id=hub_partner if name == "Veteran Hub" else None,
        )
        for name, kind, country, site in ORGANISATIONS
    }
    dcsd, onac, invalides, handisport, mva, fund, hub, prosthetics = orgs.values()
    services.contact_add(
        actor=fr,
        organisation_id=onac.pk,
        data=services.ContactInput(
            name="Camille Rousseau",
            position="Chargée de coopération internationale",
            email="coop@demo.vetbridge.invalid",
            consent_on=dt.date(2026, 5, 12),
            consent_scope="nom, fonction et courriel visibles des agents de la coopération",
        ),
    )
    services.contact_add(
        actor=ua,
        organisation_id=mva.pk,
        data=services.ContactInput(
            name="Олег Дмитренко", position="Радник міністра", email="mva@demo.vetbridge.invalid"
        ),
    )
    axes = {a.code: a for a in Axis.objects.all()}
    objective = Objective.objects.create(
        axis=axes["rehabilitation"],
        code="R1",
        title={
            "uk": "Мережа реабілітації та реінтеграції поруч із ветераном",
            "fr": "Un réseau de réadaptation et de réinsertion proche du vétéran",
        },
    )

    def action(axis: str, title: dict[str, str], **kw: object) -> Action:
        return services.action_create(
            actor=fr,
            data=services.ActionInput(axis_id=axes[axis].pk, title=title, **kw),  # type: ignore[arg-type]
        )

    a1 = action(
        "reparation",
        {
            "uk": "Аналіз французької моделі пенсії за інвалідність для реформи в Україні",
            "fr": "Analyse du modèle français de pension d'invalidité pour la réforme ukrainienne",
        },
        lead_fr_id=onac.pk,
        lead_ua_id=mva.pk,
        start_on=dt.date(2026, 5, 15),
        due_on=dt.date(2026, 12, 15),
        progress=60,
        is_public=True,
    )
    a2 = action(
        "medical-care",
        {
            "uk": "Стажування українських хірургів у військових госпіталях Франції",
            "fr": "Stages de chirurgiens ukrainiens dans les hôpitaux d'instruction des armées",
        },
        lead_fr_id=invalides.pk,
        lead_ua_id=fund.pk,
        start_on=dt.date(2026, 6, 1),
        due_on=dt.date(2027, 6, 30),
        progress=25,
        is_public=True,
    )
    a3 = action(
        "rehabilitation",
        {"fr": "Programme de sport adapté avec la Fédération française handisport"},
        objective_id=objective.pk,
        lead_fr_id=handisport.pk,
        lead_ua_id=hub.pk,
        partner_ids=(prosthetics.pk,),
        start_on=dt.date(2026, 9, 1),
        due_on=dt.date(2027, 3, 31),
        progress=10,
        is_public=True,
        internal_note="Budget 2027 à confirmer.",
    )
    a4 = action(
        "remembrance",
        {
            "uk": "Спільна церемонія пам'яті 11 листопада в Києві та Парижі",
            "fr": "Cérémonie commune du 11 novembre à Kyiv et à Paris",
        },
        lead_fr_id=dcsd.pk,
        lead_ua_id=mva.pk,
        due_on=dt.date(2026, 11, 11),
        is_public=True,
    )
    services.action_set_status(
        actor=fr,
        action_id=a1.pk,
        expected_version=a1.version,
        status="in_progress",
        note="Mission d'experts à Kyiv",
    )
    services.action_set_status(
        actor=ua, action_id=a2.pk, expected_version=a2.version, status="in_progress"
    )
    a4.refresh_from_db()
    services.action_set_status(
        actor=ua, action_id=a4.pk, expected_version=a4.version, status="done"
    )
    services.dependency_add(actor=fr, action_id=a3.pk, depends_on_id=a2.pk)
    milestone = services.milestone_add(
        actor=fr,
        action_id=a1.pk,
        title={"uk": "Звіт експертів", "fr": "Rapport des experts"},
        due_on=dt.date(2026, 10, 31),
    )
    services.milestone_reach(actor=fr, milestone_id=milestone.pk, done_on=dt.date(2026, 10, 28))
    services.risk_add(
        actor=fr,
        action_id=a2.pk,
        data=services.RiskInput(
            description={
                "fr": "Délais de visas pour les stagiaires",
                "uk": "Терміни оформлення віз для стажистів",
            },
            likelihood=3,
            impact=4,
            mitigation="Demande groupée auprès du consulat",
            owner_id=dcsd.pk,
        ),
    )
    meeting = services.meeting_create(
        actor=fr,
        data=services.MeetingInput(
            kind="steering",
            title={
                "uk": "Керівний комітет дорожньої карти",
                "fr": "Comité de pilotage de la feuille de route",
            },
            held_on=dt.date(2026, 10, 7),
            place="Kyiv",
            agenda="1. État des actions\n2. Indicateurs\n3. Calendrier 2027",
            participants="DCSD\nMinistère des anciens combattants d'Ukraine\nONaCVG",
            minutes="Le comité constate l'avancement des actions et décide ce qui suit.",
            organisation_ids=(dcsd.pk, mva.pk, onac.pk),
        ),
    )
    services.decision_add(
        actor=fr,
        meeting_id=meeting.pk,
        text={
            "fr": "Lancer un programme d'échanges de travailleurs sociaux",
            "uk": "Розпочати програму обміну соціальними працівниками",
        },
        new_action=services.ActionInput(
            axis_id=axes["rehabilitation"].pk,
            title={
                "fr": "Lancer un programme d'échanges de travailleurs sociaux",
                "uk": "Розпочати програму обміну соціальними працівниками",
            },
        ),
    )
    services.decision_add(
        actor=ua,
        meeting_id=meeting.pk,
        text={"uk": "Експертний звіт прийнято; продовжити аналіз витрат"},
        action_id=a1.pk,
    )
    referrals = services.indicator_create(
        actor=fr,
        data=services.IndicatorInput(
            code="rehab-referrals-sent",
            axis_id=axes["rehabilitation"].pk,
            action_id=a3.pk,
            name={
                "uk": "Направлення до партнерів",
                "fr": "Orientations vers les partenaires",
                "en": "Referrals to partners",
            },
            definition={
                "fr": "Orientations envoyées aux partenaires dans le trimestre.",
                "uk": "Направлення, надіслані партнерам за квартал.",
            },
            numerator="reintegration.referrals_sent",
            is_public=True,
        ),
    )
    services.indicator_refresh(actor=fr, indicator_id=referrals.pk, periods=["2026-Q3", "2026-Q4"])
    services.target_set(actor=fr, indicator_id=referrals.pk, period="2026-Q4", value="20")
    answered = services.indicator_create(
        actor=fr,
        data=services.IndicatorInput(
            code="rehab-answered-in-time",
            axis_id=axes["rehabilitation"].pk,
            unit="percent",
            name={
                "uk": "Частка направлень з відповіддю вчасно",
                "fr": "Part des orientations avec réponse dans les délais",
            },
            numerator="reintegration.referrals_answered_in_time",
            denominator="reintegration.referrals_sent",
        ),
    )
    services.indicator_refresh(actor=fr, indicator_id=answered.pk, periods=["2026-Q3", "2026-Q4"])
    surgeons = services.indicator_create(
        actor=ua,
        data=services.IndicatorInput(
            code="care-surgeons-trained",
            axis_id=axes["medical-care"].pk,
            action_id=a2.pk,
            name={
                "uk": "Хірурги, які пройшли стажування у Франції",
                "fr": "Chirurgiens formés en France",
            },
            baseline_value=Decimal(0),
            baseline_on=dt.date(2026, 5, 1),
            is_public=True,
        ),
    )
    for period, value, target in (
        ("2026-Q2", "0", "4"),
        ("2026-Q3", "6", "8"),
        ("2026-Q4", "11", "12"),
    ):
        services.value_enter(
            actor=ua,
            indicator_id=surgeons.pk,
            period=period,
            value=value,
            source="Звіт Українського ветеранського фонду",
        )
        services.target_set(actor=ua, indicator_id=surgeons.pk, period=period, value=target)
    for region, value in (("UA-30", "5"), ("UA-46", "4"), ("UA-63", "2")):
        services.value_enter(
            actor=ua,
            indicator_id=surgeons.pk,
            period="2026-Q4",
            value=value,
            breakdown=region,
            source="Звіт Українського ветеранського фонду",
        )
