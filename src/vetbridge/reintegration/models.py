"""Reintegration: referrals to partner services with the veteran's consent, their answer
and outcome, and the directory of partners with their regions and capacity. Partners see
their referrals and nothing else: never the medical file."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.written import text_language_field


class ServiceKind(models.TextChoices):
    EMPLOYMENT = "employment", _("employment")
    TRAINING = "training", _("training")
    HOUSING = "housing", _("housing")
    PSYCHOLOGICAL = "psychological", _("psychological support")
    PEER = "peer", _("peer group")
    SPORT = "sport", _("adaptive sport")


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=200)
    services = models.JSONField(_("services"), default=list)
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions served"), related_name="+", blank=True
    )
    monthly_capacity = models.PositiveIntegerField(_("new people a month"), default=10)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def service_labels(self) -> list[str]:
        """The services in the reader's language ("employment" → "працевлаштування")."""
        labels = dict(ServiceKind.choices)
        return [str(labels.get(code, code)) for code in self.services or []]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent, waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class Outcome(models.TextChoices):
    EMPLOYED = "employed", _("in employment")
    TRAINED = "trained", _("training completed")
    HOUSED = "housed", _("housed")
    SUPPORTED = "supported", _("support received")
    DROPPED = "dropped", _("stopped by the veteran")
    OTHER = "other", _("other")


# Contact details of the veteran that a referral may share with the partner, with consent.
CONTACT_FIELDS = ("phone", "email", "address")
CONTACT_LABELS = {"phone": _("phone"), "email": _("e-mail"), "address": _("address")}


class Referral(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("partner")
    )
    service = models.CharField(_("service"), max_length=20, choices=ServiceKind.choices)
    message = models.CharField(
        _("what the partner needs to know"),
        max_length=1000,
        blank=True,
        help_text=_("Shared with the partner. No medical details."),
    )
    message_language = text_language_field()
    consent_on = models.DateField(_("consent given on"))
    consent_text = models.CharField(_("what the veteran agreed to share"), max_length=300)
    shared_contacts = models.JSONField(
        _("contact details shared with the partner"),
        default=list,
        blank=True,
        help_text=_("Among phone, e-mail and address: only what the veteran agreed to."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=1000, blank=True)
    outcome_note_language = text_language_field()
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    decline_reason_language = text_language_field()
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    written_texts: ClassVar[tuple[str, ...]] = (
        "message",
        "decline_reason",
        "outcome_note",
    )  # core/written.py

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.partner_id} ({self.service})"
