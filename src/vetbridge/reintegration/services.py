"""Referrals to partner services: consent first, partners see only their referrals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetbridge.accounts.audit import audit_record
from vetbridge.accounts.models import AuditAction, User
from vetbridge.accounts.roles import Capability, Role
from vetbridge.accounts.scoping import access_person_by_id, people_for, require
from vetbridge.core.exceptions import (
    ApplicationError,
    NotFoundError,
    PermissionDeniedError,
    field_error,
)
from vetbridge.core.inputs import check_date
from vetbridge.core.mail import notify_users, site_url
from vetbridge.core.services import model_update
from vetbridge.core.written import languages_for

from .models import (
    CONTACT_FIELDS,
    CONTACT_LABELS,
    Outcome,
    Partner,
    Referral,
    ReferralStatus,
    ServiceKind,
)

# Who may list referrals at all (each then sees only those within their scope).
REFERRAL_CAPABILITIES = (
    Capability.REFERRALS_MANAGE,
    Capability.REFERRALS_ANSWER,
    Capability.CARE_VIEW,
)


def may_see_referrals(user: User) -> bool:
    return any(user.can(c) for c in REFERRAL_CAPABILITIES)


def unanswered_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.VETBRIDGE_REFERRAL_ANSWER_DAYS)


def late() -> Q:
    """Referrals still waiting for the partner's answer after the configured days."""
    return Q(status=ReferralStatus.SENT, sent_at__lt=unanswered_before())


def is_late(referral: Referral, before: dt.datetime | None = None) -> bool:
    """The same rule for one referral (`before`: `unanswered_before()`, computed once for a
    list)."""
    return referral.status == ReferralStatus.SENT and referral.sent_at < (
        before or unanswered_before()
    )


def referrals_for(user: User) -> QuerySet[Referral]:
    """A partner's staff see their organisation's referrals; staff who refer see those of
    the people in their scope; a veteran sees their own."""
    qs = Referral.objects.select_related("partner", "person")
    if user.can(Capability.REFERRALS_ANSWER) and user.role == Role.PARTNER:
        return qs.filter(partner_id=user.partner_id) if user.partner_id else qs.none()
    if user.can(Capability.REFERRALS_MANAGE) or user.can(Capability.CARE_VIEW):
        cap = (
            Capability.REFERRALS_MANAGE
            if user.can(Capability.REFERRALS_MANAGE)
            else Capability.CARE_VIEW
        )
        return qs.filter(person__in=people_for(user, cap))
    return qs.none()


def shared_contacts(user: User, referral: Referral) -> dict[str, str]:
    """The contact details the veteran agreed to share on this referral, as the reader may see
    them: the partner's staff (audited read) and the staff who manage referrals. Never for a
    closed referral."""
    if not referral.shared_contacts or referral.status in (
        ReferralStatus.DECLINED,
        ReferralStatus.CANCELLED,
    ):
        return {}
    if not (user.can(Capability.REFERRALS_ANSWER) or user.can(Capability.REFERRALS_MANAGE)):
        return {}
    values = {
        f: getattr(referral.person, f)
        for f in referral.shared_contacts
        if getattr(referral.person, f)
    }
    if values and user.role == Role.PARTNER:
        audit_record(
            actor=user,
            action=AuditAction.READ,
            obj=referral,
            person_id=referral.person_id,
            summary="shared contact details",
            changes={"fields": sorted(values)},
        )
    return values


def referral_get(user: User, referral_id: int) -> Referral:
    referral = referrals_for(user).filter(pk=referral_id).first()
    if referral is None:
        raise NotFoundError(_("No such referral, or not within your access."))
    return referral


def partners_directory(region_id: int | None = None, service: str = "") -> QuerySet[Partner]:
    month_start = timezone.localdate().replace(day=1)
    qs = (
        Partner.objects.filter(active=True)
        .prefetch_related("regions")
        .annotate(
            this_month=Count("referrals", filter=Q(referrals__sent_at__date__gte=month_start))
        )
    )
    if region_id:
        qs = qs.filter(regions=region_id)
    if service:
        qs = (
            qs.filter(services__contains=[service])
            if _json_contains_supported()
            else qs.filter(services__icontains=f'"{service}"')
        )
    return qs


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class ReferralInput:
    """A referral as the case worker writes it (`partner`: the partner's id)."""

    partner: int | None = None
    service: str = ""
    consent_on: dt.date | None = None
    consent_text: str = ""
    shared_contacts: tuple[str, ...] = ()
    message: str = ""


@transaction.atomic
def referral_create(*, actor: User, person_id: int, data: ReferralInput) -> Referral:
    person = access_person_by_id(actor, person_id, Capability.REFERRALS_MANAGE)
    partner = Partner.objects.filter(pk=data.partner or 0, active=True).first()
    if partner is None:
        raise field_error("partner", _("Choose a partner."))
    service = data.service
    if service not in ServiceKind.values:
        raise field_error("service", _("Choose a service."))
    if service not in partner.services:
        raise field_error("service", _("This partner does not offer this service."))
    consent_on = data.consent_on
    if not isinstance(consent_on, dt.date):
        raise field_error("consent_on", _("Record the date the veteran consented."))
    check_date("consent_on", consent_on, not_before=person.birth_date)
    consent_text = " ".join(str(data.consent_text or "").split())[:300]
    if not consent_text:
        raise field_error("consent_text", _("Write what the veteran agreed to share."))
    shared = list(data.shared_contacts)
    if any(f not in CONTACT_FIELDS for f in shared):
        raise field_error("shared_contacts", _("Choose among phone, e-mail and address."))
    missing = [f for f in shared if not getattr(person, f)]
    if missing:
        raise field_error(
            "shared_contacts",
            _("The file has no %(what)s to share.")
            % {"what": ", ".join(str(CONTACT_LABELS[f]) for f in missing)},
        )
    month_start = timezone.localdate().replace(day=1)
    used = partner.referrals.filter(sent_at__date__gte=month_start).count()
    if used >= partner.monthly_capacity:
        raise field_error(
            "partner",
            _(
                "This partner has no capacity left this month "
                "(%(used)s of %(cap)s). Choose another one."
            )
            % {"used": used, "cap": partner.monthly_capacity},
        )
    message = " ".join(str(data.message or "").split())[:1000]
    referral = Referral.objects.create(
        person=person,
        partner=partner,
        service=service,
        message=message,
        **languages_for(Referral, actor, message=message),
        consent_on=consent_on,
        consent_text=consent_text,
        created_by=actor,
        shared_contacts=[f for f in CONTACT_FIELDS if f in shared],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        person_id=person.pk,
        summary=f"{service} → {partner.name}",
    )
    return referral


def _move(referral: Referral, actor: User, expected_version: int, **fields: Any) -> None:
    """The referral's next state (optimistic lock on its version), audited."""
    model_update(
        instance=referral,
        fields=fields,
        actor=actor,
        expected_version=expected_version,
        summary=str(fields["status"]),
        conflict_message=_("This referral was changed by someone else. Reload it."),
    )


@transaction.atomic
def referral_answer(
    *, actor: User, referral_id: int, expected_version: int, accept: bool, reason: str = ""
) -> Referral:
    """The partner accepts, or declines saying why (the case worker reads the reason)."""
    require(actor, Capability.REFERRALS_ANSWER)
    referral = referral_get(actor, referral_id)
    if referral.status != ReferralStatus.SENT:
        raise ApplicationError(_("This referral has already been answered."))
    reason = " ".join(str(reason or "").split())[:300]
    if not accept and not reason:
        raise field_error(
            "reason", _("Say why you decline, so that the case worker can find another partner.")
        )
    _move(
        referral,
        actor,
        expected_version,
        status=ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED,
        answered_at=timezone.now(),
        decline_reason="" if accept else reason,
    )
    # The case worker who referred, and the veteran's contact person, hear of the answer.
    notify_users(
        {uid for uid in (referral.created_by_id, referral.person.contact_person_id) if uid},
        "referral_answer",
        {
            "referral": referral,
            "link": site_url(reverse("reintegration:detail", args=[referral.pk])),
        },
    )
    return referral


@transaction.atomic
def referral_outcome(
    *, actor: User, referral_id: int, expected_version: int, outcome: str, note: str = ""
) -> Referral:
    if not (actor.can(Capability.REFERRALS_ANSWER) or actor.can(Capability.REFERRALS_MANAGE)):
        raise PermissionDeniedError(_("Your role does not allow this action."))
    referral = referral_get(actor, referral_id)
    if referral.status != ReferralStatus.ACCEPTED:
        raise ApplicationError(_("An outcome is recorded once the partner has accepted."))
    if outcome not in Outcome.values:
        raise field_error("outcome", _("Choose the outcome."))
    _move(
        referral,
        actor,
        expected_version,
        status=ReferralStatus.COMPLETED,
        outcome=outcome,
        outcome_note=" ".join(note.split())[:1000],
        closed_at=timezone.now(),
    )
    return referral


@transaction.atomic
def referral_cancel(*, actor: User, referral_id: int, expected_version: int) -> Referral:
    require(actor, Capability.REFERRALS_MANAGE)
    referral = referral_get(actor, referral_id)
    if referral.status in (ReferralStatus.COMPLETED, ReferralStatus.CANCELLED):
        raise ApplicationError(_("This referral is closed."))
    _move(
        referral, actor, expected_version, status=ReferralStatus.CANCELLED, closed_at=timezone.now()
    )
    return referral
