"""Reference data shared by every app."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative region: Ukrainian oblasts and cities with special status, French regions."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    country = models.CharField(_("country"), max_length=2)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language: str | None = None) -> str:
        lang = (language or get_language() or "uk")[:2]
        return str(getattr(self, f"name_{lang}", None) or self.name_en)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class JobProgress(models.Model):
    """Progress of one long job run as a background task (see `core/progress.py`)."""

    kind = models.CharField(_("kind of job"), max_length=64)
    subject = models.CharField(
        _("subject"),
        max_length=64,
        blank=True,
        help_text=_("What the job works on, e.g. policylab.run:12"),
    )
    task_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    step = models.CharField(_("step"), max_length=120, blank=True)
    error = models.TextField(_("error"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job progress")
        verbose_name_plural = _("job progress")
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.status} {self.percent}%"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
