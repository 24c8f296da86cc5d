"""The cooperation roadmap: axes, objectives, actions and their history, milestones with
evidence, dependencies, risks; stakeholders and their contacts (with consent); meetings and
their decisions; indicators (DHIS2/IATI style) with baseline, targets and values per period.

Texts (titles, descriptions) are stored as `{"uk": ..., "fr": ..., "en": ...}`: each text
with its language; `texts.localized` picks the reader's and says when it falls back.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vetbridge.core.written import text_language_field


class Side(models.TextChoices):
    FR = "fr", _("France")
    UA = "ua", _("Ukraine")


class Axis(models.Model):
    """One of the four axes of the memorandum (seeded, editable)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.JSONField(_("name"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.name).text


class Objective(models.Model):
    axis = models.ForeignKey(
        Axis, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("axis")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)

    class Meta:
        ordering = ["axis__position", "code"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        from .texts import localized

        return f"{self.code} {localized(self.title).text}"


class OrganisationKind(models.TextChoices):
    INSTITUTION = "institution", _("public institution")
    ASSOCIATION = "association", _("association")
    COMPANY = "company", _("company")


class Organisation(models.Model):
    """A stakeholder: institution, association or company, French or Ukrainian. A referral
    partner of the reintegration app is linked, not copied."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=OrganisationKind.choices)
    country = models.CharField(_("country"), max_length=2, choices=Side.choices)
    website = models.URLField(_("website"), blank=True)
    referral_partner = models.OneToOneField(
        "reintegration.Partner",
        verbose_name=_("referral partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The same organisation in the directory of referral partners."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person to contact at an organisation. Shown only while their consent stands."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_scope = models.CharField(
        _("what the person agreed to"),
        max_length=300,
        blank=True,
        help_text=_("E.g. name, position and email shown to the staff of the cooperation."),
    )
    consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("action status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("action status", "in progress")
    DONE = "done", pgettext_lazy("action status", "done")
    AT_RISK = "at_risk", pgettext_lazy("action status", "at risk")
    CANCELLED = "cancelled", pgettext_lazy("action status", "cancelled")


class Action(models.Model):
    axis = models.ForeignKey(
        Axis, on_delete=models.PROTECT, related_name="actions", verbose_name=_("axis")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("objective"),
    )
    title = models.JSONField(_("title"), default=dict)
    description = models.JSONField(_("description"), default=dict, blank=True)
    lead_fr = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("French lead institution"),
    )
    lead_ua = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ukrainian lead institution"),
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="actions", verbose_name=_("partners")
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    is_public = models.BooleanField(_("shown on the public page"), default=False)
    internal_note = models.TextField(_("internal note"), max_length=4000, blank=True)
    internal_note_language = text_language_field()
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="needed_by",
        verbose_name=_("depends on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    written_texts: ClassVar[tuple[str, ...]] = ("internal_note",)  # core/written.py

    class Meta:
        ordering = ["axis__position", "due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["is_public", "status"])]

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.title).text

    @property
    def reference(self) -> str:
        return f"A-{self.pk:04d}"


class StatusChange(models.Model):
    """One change of an action's status: who, when, from, to, why."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ActionStatus.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision = models.ForeignKey(
        "MeetingDecision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.from_status} → {self.to_status}"


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.JSONField(_("title"), default=dict)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.title).text


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"cooperation/{instance.milestone.action_id}/{instance.sha256[:32]}"


class Evidence(models.Model):
    """A document proving a milestone; stored privately, served by an audited view."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence items")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Risk(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="risks")
    description = models.JSONField(_("risk"), default=dict)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    mitigation = models.TextField(_("mitigation"), max_length=2000, blank=True)
    mitigation_language = text_language_field()
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("mitigation",)  # core/written.py

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-id"]

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.description).text

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class MeetingKind(models.TextChoices):
    STEERING = "steering", _("steering committee")
    MINISTERIAL = "ministerial", _("ministerial visit")
    CEREMONY = "ceremony", _("ceremony")
    WORKING = "working", _("working meeting")


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    title = models.JSONField(_("title"), default=dict)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    agenda_language = text_language_field()
    participants = models.TextField(
        _("participants"),
        max_length=4000,
        blank=True,
        help_text=_("One per line: name, position, organisation."),
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="meetings", verbose_name=_("organisations")
    )
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_language = text_language_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    written_texts: ClassVar[tuple[str, ...]] = ("agenda", "minutes")  # core/written.py

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.title).text


class DecisionEffect(models.TextChoices):
    NOTED = "noted", _("noted")
    CREATED = "created", _("action created")
    UPDATED = "updated", _("action updated")


class MeetingDecision(models.Model):
    """A decision of a meeting; it may create an action or change one's status."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.JSONField(_("decision"), default=dict)
    action = models.ForeignKey(
        Action,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("action"),
    )
    effect = models.CharField(
        max_length=8, choices=DecisionEffect.choices, default=DecisionEffect.NOTED
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        from .texts import localized

        return localized(self.text).text


class IndicatorUnit(models.TextChoices):
    COUNT = "count", _("number")
    PERCENT = "percent", _("percent")
    DAYS = "days", _("days")
    POINTS = "points", _("points")


class Indicator(models.Model):
    """An indicator as DHIS2/IATI define one: a code, names and a definition, a numerator (and
    a denominator for a share), a unit, a baseline, targets and values per period.

    Computed indicators name the published figures of the apps (`core.indicators`);
    manual ones are entered with their source."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.JSONField(_("name"), default=dict)
    definition = models.JSONField(_("definition"), default=dict, blank=True)
    axis = models.ForeignKey(
        Axis, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("axis")
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("objective"),
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("action measured"),
    )
    unit = models.CharField(
        pgettext_lazy("indicator", "unit"),
        max_length=8,
        choices=IndicatorUnit.choices,
        default=IndicatorUnit.COUNT,
    )
    numerator = models.CharField(
        _("numerator"),
        max_length=80,
        blank=True,
        help_text=_("A figure published by the platform; empty for values entered by hand."),
    )
    denominator = models.CharField(
        _("denominator"),
        max_length=80,
        blank=True,
        help_text=_("For a share: the figure the numerator is divided by."),
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)
    is_public = models.BooleanField(_("shown on the public page"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["axis__position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code

    @property
    def computed(self) -> bool:
        return bool(self.numerator)


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(_("period"), max_length=7)
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="coop_target_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.value}"


class IndicatorValue(models.Model):
    """A value for a period and a breakdown (`""`: the whole; a region code; an outcome).
    Stored with small cells already hidden, so every page, chart, export and report shows
    the same rows."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("period"), max_length=7)
    breakdown = models.CharField(_("breakdown"), max_length=20, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    suppressed = models.BooleanField(_("hidden (small cell)"), default=False)
    source = models.CharField(_("source"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["period", "breakdown"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "breakdown"], name="coop_value_one_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.breakdown}: {self.value}"
