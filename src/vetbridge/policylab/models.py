"""The policy lab: every simulation run is stored so it can be replayed exactly.

A run keeps who asked, when, the population (its description, digest and, for the registry
and uploads, the rows themselves as Parquet), the date, the reform's YAML and digest, the
rules version, the parameter files of the law and of the simulation's assumptions (so a
replay does not depend on today's files), both parameter digests and the results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PopulationKind(models.TextChoices):
    REGISTRY = "registry", _("the registry's pensioners")
    SYNTHETIC = "synthetic", _("synthetic population")
    UPLOAD = "upload", _("uploaded file of anonymised cases")


class SimulationRun(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("run at"), default=timezone.now)
    title = models.CharField(_("title"), max_length=200, blank=True)
    population_kind = models.CharField(
        _("population"), max_length=12, choices=PopulationKind.choices
    )
    population_description = models.CharField(_("population description"), max_length=300)
    population_digest = models.CharField(max_length=32)
    population_spec = models.CharField(max_length=64, blank=True)  # synthetic:N:seed
    population_data = models.BinaryField(null=True, blank=True)  # Parquet rows
    persons = models.PositiveIntegerField(_("persons"), default=0)
    date = models.DateField(_("date of the law"))
    reform_name = models.CharField(_("reform"), max_length=200, blank=True)
    reform_yaml = models.TextField(_("reform (YAML)"), blank=True)
    reform_digest = models.CharField(max_length=32, blank=True)
    rules_version = models.CharField(max_length=16)
    params_files = models.JSONField(default=dict)  # {"fr": {file: text}, "ua": …, "sim": …}
    baseline_params_digest = models.CharField(max_length=32, blank=True)
    reform_params_digest = models.CharField(max_length=32, blank=True)
    results = models.JSONField(null=True, blank=True)
    progress = models.OneToOneField(
        "core.JobProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.reform_name or '—'} {self.date}"
