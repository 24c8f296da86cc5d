"""The public memorial of the fallen.

A memorial record is the publication layer over a registry person (lifecycle fallen or
missing): the person's spellings are their names (searchable in every script through the
registry's name index), the record adds what a memorial shows. Publication needs the
family's consent or a recorded editorial decision; unpublishing is immediate. Nothing about
living relatives is ever shown.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.written import text_language_field


class PublicationBasis(models.TextChoices):
    CONSENT = "consent", _("consent of the family")
    EDITORIAL = "editorial", _("editorial decision")


class MemorialRecord(models.Model):
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="memorial", verbose_name=_("person")
    )
    rank = models.CharField(_("rank"), max_length=80, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    death_place = models.CharField(_("place of death"), max_length=200, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region of birth"),
    )
    burial_place = models.CharField(_("burial place"), max_length=200, blank=True)
    circumstances = models.TextField(_("circumstances"), max_length=4000, blank=True)
    circumstances_language = text_language_field()
    sources = models.TextField(
        _("sources"),
        max_length=2000,
        blank=True,
        help_text=_("One source per line: list, article, archive."),
    )
    photo = models.ImageField(_("photo"), upload_to="memorial/", blank=True)
    published = models.BooleanField(_("published"), default=False)
    publication_basis = models.CharField(
        _("basis of publication"), max_length=12, choices=PublicationBasis.choices, blank=True
    )
    publication_note = models.CharField(
        _("consent or decision reference"),
        max_length=300,
        blank=True,
        help_text=_("Who consented and when, or the reference of the editorial decision."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("circumstances",)  # core/written.py

    class Meta:
        ordering = ["id"]
        verbose_name = _("memorial record")
        verbose_name_plural = _("memorial records")
        # The public listing (newest death first) walks this index backwards, and counts on
        # it alone: partial, as only published records are ever listed.
        indexes = [
            models.Index(
                fields=["death_date", "person"],
                condition=Q(published=True),
                name="memorial_published_by_death",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | ~Q(publication_basis=""),
                name="memorial_published_has_basis",
            )
        ]

    def __str__(self) -> str:
        return self.person.display_name()


class MemorialChange(models.Model):
    """Every change of a record, with where it came from (an editor, an import, a
    correction sent by a family)."""

    record = models.ForeignKey(MemorialRecord, on_delete=models.CASCADE, related_name="changes")
    changes = models.JSONField()
    source = models.CharField(_("source"), max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("memorial record change")
        verbose_name_plural = _("memorial record changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.at:%Y-%m-%d}"


class EditorNotification(models.Model):
    """A notice to one memorial editor about a record (e.g. withdrawn because the person was
    found alive); listed on the memorial desk until read."""

    class Kind(models.TextChoices):
        WITHDRAWN_ALIVE = (
            "withdrawn_alive",
            _(
                "withdrawn from the memorial: the registry no longer records this person as "
                "fallen or missing"
            ),
        )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memorial_notifications"
    )
    record = models.ForeignKey(MemorialRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice to the editors")
        verbose_name_plural = _("notices to the editors")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.record_id}"


class TributeKind(models.TextChoices):
    TRIBUTE = "tribute", _("tribute")
    PHOTO = "photo", _("photo")
    CORRECTION = "correction", _("correction")


class TributeState(models.TextChoices):
    PENDING = "pending", _("waiting for moderation")
    PUBLISHED = "published", _("published")
    REJECTED = "rejected", _("rejected")
    APPLIED = "applied", _("applied to the record")


# The record fields a family's correction may propose a value for (record field → label).
CORRECTABLE = {
    "rank": _("rank"),
    "unit": _("unit"),
    "death_date": _("date of death"),
    "death_place": _("place of death"),
    "birth_year": _("year of birth"),
    "burial_place": _("burial place"),
    "circumstances": _("circumstances"),
}


class Tribute(models.Model):
    """Words, a photo or a correction sent by a family member or the public."""

    record = models.ForeignKey(MemorialRecord, on_delete=models.CASCADE, related_name="tributes")
    kind = models.CharField(
        _("kind"), max_length=12, choices=TributeKind.choices, default=TributeKind.TRIBUTE
    )
    author_name = models.CharField(_("your name"), max_length=120)
    relation = models.CharField(_("your relation to the person"), max_length=120, blank=True)
    text = models.TextField(_("text"), max_length=2000, blank=True)
    photo = models.ImageField(_("photo"), upload_to="tributes/", blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=TributeState.choices, default=TributeState.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # A correction's structured proposal: {record field: proposed value as written}.
    proposal = models.JSONField(_("proposed values"), default=dict, blank=True)
    contact = models.EmailField(_("your e-mail (optional)"), max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    submitter_hash = models.CharField(max_length=64, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tribute")
        verbose_name_plural = _("tributes")
        ordering = ["submitted_at", "id"]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["submitter_hash", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.kind} by {self.author_name}"


class Ceremony(models.Model):
    """A remembrance date: every year on a day, or every day at a time."""

    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    time = models.TimeField(null=True, blank=True)
    country = models.CharField(
        max_length=2,
        choices=[("ua", _("Ukraine")), ("fr", _("France")), ("", _("both"))],
        blank=True,
    )
    title_uk = models.CharField(max_length=200)
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_uk = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    reference = models.URLField(blank=True)

    class Meta:
        verbose_name = _("ceremony")
        verbose_name_plural = _("ceremonies")
        ordering = ["month", "day", "time"]

    def __str__(self) -> str:
        return self.title_en

    def title(self, lang: str) -> str:
        return str(getattr(self, f"title_{lang}", "") or self.title_en)

    def description(self, lang: str) -> str:
        return str(getattr(self, f"description_{lang}", "") or self.description_en)
