"""Care and rehabilitation: injuries, care episodes, a rehabilitation plan with goals,
functional assessments, appointments, follow-ups and notes. All of it is health data:
read only by roles that need it, every read audited (see `services.care_open`)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.written import text_language_field


class Injury(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="injuries")
    icd10 = models.CharField(_("ICD-10 code"), max_length=8)
    label = models.CharField(_("injury"), max_length=200)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    context = models.CharField(_("circumstances"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("injury")
        verbose_name_plural = _("injuries")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.icd10} {self.label}"


class EpisodeKind(models.TextChoices):
    HOSPITAL = "hospital", _("hospital stay")
    OUTPATIENT = "outpatient", _("outpatient care")
    REHABILITATION = "rehabilitation", _("rehabilitation")
    MENTAL_HEALTH = "mental_health", _("mental health care")
    PROSTHETICS = "prosthetics", _("prosthetics")


class CareEpisode(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="care_episodes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EpisodeKind.choices)
    provider = models.CharField(_("provider"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    summary_language = text_language_field()
    created_at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("summary",)  # core/written.py

    class Meta:
        verbose_name = _("care episode")
        verbose_name_plural = _("care episodes")
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider}"


class GoalDomain(models.TextChoices):
    MOBILITY = "mobility", _("mobility")
    SELF_CARE = "self_care", _("self-care")
    MENTAL_HEALTH = "mental_health", _("mental health")
    WORK = "work", _("work and training")
    SOCIAL = "social", _("social life and family")
    HOUSING = "housing", _("housing")


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    ACHIEVED = "achieved", _("achieved")
    ABANDONED = "abandoned", _("abandoned")


class Goal(models.Model):
    """A goal of the rehabilitation plan (one plan per person: its goals)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("domain"), max_length=20, choices=GoalDomain.choices)
    description = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.PLANNED
    )
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rehabilitation goal")
        verbose_name_plural = _("rehabilitation goals")
        ordering = ["status", "target_date", "id"]

    def __str__(self) -> str:
        return self.description


class AssessmentKind(models.TextChoices):
    WHODAS12 = "whodas12", _("WHODAS 2.0 (12 items)")
    UA_FUNCTIONING = "ua_functioning", _("Ukrainian assessment of daily functioning")


class FunctionalAssessment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(_("assessment"), max_length=20, choices=AssessmentKind.choices)
    assessed_on = models.DateField(_("date"))
    answers = models.JSONField(default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score (0–48)"), null=True, blank=True)
    percent = models.FloatField(_("score (%)"), null=True, blank=True)
    # Ukrainian daily-functioning assessment outcome.
    group = models.PositiveSmallIntegerField(
        _("disability group"), null=True, blank=True, choices=[(1, "I"), (2, "II"), (3, "III")]
    )
    valid_until = models.DateField(_("term until"), null=True, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=100, blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("functional assessment")
        verbose_name_plural = _("functional assessments")
        ordering = ["assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.assessed_on}"


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    MISSED = "missed", _("missed")


class Appointment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="appointments"
    )
    at = models.DateTimeField(_("when"))
    with_whom = models.CharField(_("with"), max_length=200)
    place = models.CharField(_("where"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.PLANNED,
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.with_whom}"


class FollowUp(models.Model):
    """Something the contact person must do by a date (a reminder)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    what = models.CharField(_("what to do"), max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.what


class Note(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="care_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"), max_length=4000)
    text_language = text_language_field()
    at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("text",)  # core/written.py

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.text[:40]
