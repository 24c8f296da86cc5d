"""Reparation claims: from the request to the decision, its letter, the appeal and revision.

A claim moves through states (`workflow.TRANSITIONS`); every move is a `ClaimEvent` that the
claimant sees, and notifies the claimant's accounts and contact person. A decision freezes the
rules' input, the full result and the rules version with a snapshot of the parameters, so it
can be replayed identically after the law's files change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vetbridge.core.written import text_language_field

from .choices import Addition, Cause, Context

if TYPE_CHECKING:
    from .kinds import ClaimKindSpec


class ClaimKind(models.TextChoices):
    FR_PENSION = "fr_pension", _("French military invalidity pension")
    FR_REVISION = "fr_revision", _("Revision for aggravation (France)")
    UA_DISABILITY = "ua_disability", _("One-time assistance for war disability (Ukraine)")
    UA_DEATH = "ua_death", _("One-time assistance on the death of a defender (Ukraine)")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    NEEDS_INFORMATION = "needs_information", _("waiting for information from the claimant")
    IN_ASSESSMENT = "in_assessment", _("medical assessment")
    READY_FOR_DECISION = "ready_for_decision", _("ready for decision")
    GRANTED = "granted", _("granted")
    REJECTED = "rejected", _("rejected")
    APPEALED = "appealed", _("under appeal")
    APPEAL_DECIDED = "appeal_decided", _("appeal decided")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Residence(models.TextChoices):
    METROPOLE = "metropole", _("metropolitan France or Ukraine")
    OVERSEAS = "overseas", _("French overseas territory")
    ABROAD = "abroad", _("abroad")


class Grade(models.TextChoices):
    """The last grade held (its table prices the pension after leaving the service).

    Keys are those of the rules' grade tables (`fr.grade_principal_points`); a grade whose
    table is not loaded is refused by the calculator for someone who left the service."""

    SOLDIER = "soldier", _("soldier or sailor (rank and file)")
    CAPORAL = "caporal", _("corporal")
    SERGENT = "sergent", _("sergeant")
    ADJUDANT = "adjudant", _("warrant officer (adjudant)")
    ADJUDANT_CHEF = "adjudant_chef", _("chief warrant officer (adjudant-chef)")
    MAJOR = "major", _("major (senior warrant officer)")
    LIEUTENANT = "lieutenant", _("second lieutenant or lieutenant")
    CAPITAINE = "capitaine", _("captain")
    OFFICIER_SUPERIEUR = "officier_superieur", _("senior officer (major to colonel)")
    OFFICIER_GENERAL = "officier_general", _("general officer")


class Claim(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="claims", verbose_name=_("claimant")
    )
    kind = models.CharField(_("kind of claim"), max_length=24, choices=ClaimKind.choices)
    state = models.CharField(
        _("state"), max_length=24, choices=ClaimState.choices, default=ClaimState.SUBMITTED
    )
    filed_at = models.DateField(
        _("filing date"),
        default=timezone.localdate,
        help_text=_("The pension starts on this date (L151-2)."),
    )
    statement = models.TextField(
        _("what happened"),
        max_length=4000,
        blank=True,
        help_text=_("The wound or illness, where and when."),
    )
    statement_language = text_language_field()
    residence = models.CharField(
        _("place of residence"),
        max_length=12,
        choices=Residence.choices,
        default=Residence.METROPOLE,
    )
    late_by_own_doing = models.BooleanField(
        _("late claim through the claimant's own doing"),
        default=False,
        help_text=_("Limits arrears (L151-3). Set by the pension officer."),
    )
    revision_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        verbose_name=_("pension revised"),
    )
    # Ukraine, one-time assistance: inputs of the rules.
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"), null=True, blank=True, choices=[(1, "I"), (2, "II"), (3, "III")]
    )
    ua_cause = models.CharField(
        _("cause"),
        max_length=24,
        blank=True,
        choices=[
            ("duty", _("in the performance of duties (defence of the Motherland)")),
            ("service", _("during the period of service")),
        ],
    )
    group_set_at = models.DateField(_("date the group was set"), null=True, blank=True)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(
        _("family members entitled"), null=True, blank=True
    )
    death_record_date = models.DateField(
        _("date of the death record"),
        null=True,
        blank=True,
        help_text=_(
            "Date of the civil-status record of the death; it decides the payment schedule."
        ),
    )
    # France: the whole situation the pension depends on (besides the infirmities).
    children_birth_dates = models.JSONField(_("children's birth dates"), default=list, blank=True)
    third_person = models.BooleanField(
        _("needs a third person for the acts of everyday life"),
        default=False,
        help_text=_("L133-1; say on each infirmity whether it causes this need."),
    )
    grand_mutile = models.BooleanField(
        _("grand mutilé conditions met"),
        default=False,
        help_text=_("Infirmities listed in L125-11 / R132 (amputations, blindness, paraplegia …)."),
    )
    grade = models.CharField(
        _("last grade held"), max_length=24, choices=Grade.choices, default=Grade.SOLDIER
    )
    left_service = models.BooleanField(
        _("has left the service"),
        default=False,
        help_text=_("While in active service the pension is paid at the soldier's rate."),
    )
    # The appeal: when, whether late (None: the notification date is unknown), admissibility
    # decided by the officer, and the CRI's medical expertise (suspends its silence clock).
    appealed_on = models.DateField(_("appeal filed on"), null=True, blank=True)
    appeal_late = models.BooleanField(_("appeal filed after the deadline"), null=True, blank=True)
    appeal_admissible = models.BooleanField(_("appeal admissible"), null=True, blank=True)
    appeal_admissibility_note = models.CharField(
        _("reasons on admissibility"), max_length=500, blank=True
    )
    expertise_started_on = models.DateField(
        _("medical expertise notified on"), null=True, blank=True
    )
    expertise_ended_on = models.DateField(_("expertise conclusions on"), null=True, blank=True)
    needs = models.CharField(_("what the claimant must provide"), max_length=500, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    medical_notes = models.TextField(_("assessor's notes"), max_length=4000, blank=True)
    medical_notes_language = text_language_field()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        verbose_name=_("assigned to"),
        help_text=_("The staff member who handles the claim in its current state."),
    )
    state_since = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("statement", "medical_notes")  # core/written.py

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        indexes = [
            models.Index(fields=["state", "state_since"]),
            models.Index(fields=["person", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"VB-{self.created_at:%Y}-{self.pk:06d}"

    @property
    def spec(self) -> ClaimKindSpec:
        """What this kind asks, computes, prints and follows (`kinds.KINDS`)."""
        from .kinds import KINDS

        return KINDS[self.kind]

    @property
    def country(self) -> str:
        return self.spec.country

    def current_decision(self) -> Decision | None:
        return self.decisions.order_by("-decided_at", "-id").first()


class Infirmity(models.Model):
    """One line of the "fiche descriptive des infirmités" written by the medical assessor."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="infirmities")
    label = models.CharField(_("infirmity"), max_length=200)
    icd10 = models.CharField(_("ICD-10 code"), max_length=8, blank=True)
    rate = models.DecimalField(
        _("rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    context = models.CharField(_("context"), max_length=12, choices=Context.choices)
    addition = models.CharField(
        _("how it adds up"), max_length=12, choices=Addition.choices, default=Addition.CHAIN
    )
    grouping = models.CharField(
        _("same limb or same injury"),
        max_length=60,
        blank=True,
        help_text=_("Infirmities with the same label here come from one limb or one injury."),
    )
    incurable = models.BooleanField(_("recognised as incurable"), default=False)
    third_person = models.BooleanField(
        _("causes the need of a third person"),
        default=False,
        help_text=_("This infirmity alone makes a third person necessary (L133-1)."),
    )
    amputation_without_prosthesis = models.BooleanField(
        _("amputation that allows no prosthesis"),
        default=False,
        help_text=_("+5 points added to this infirmity's rate (L125-9)."),
    )
    arithmetic_addition = models.DecimalField(
        _("points added arithmetically"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("100"))],
        help_text=_("Limb troubles indemnified as a majoration of this infirmity (L125-9)."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("infirmity")
        verbose_name_plural = _("infirmities")

    def __str__(self) -> str:
        return f"{self.label} {self.rate} %"


def _document_path(instance: ClaimDocument, filename: str) -> str:
    return f"claims/{instance.claim_id}/{instance.sha256[:32]}"


class ClaimDocument(models.Model):
    """A supporting document; the file lives in PRIVATE_MEDIA_ROOT, outside the web root."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class RulesSnapshot(models.Model):
    """The parameter files a decision was computed with, stored once per digest."""

    digest = models.CharField(max_length=32, primary_key=True)
    country = models.CharField(max_length=2)
    files = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rules snapshot")
        verbose_name_plural = _("rules snapshots")

    def __str__(self) -> str:
        return f"{self.country}:{self.digest}"


class Outcome(models.TextChoices):
    GRANT_TEMPORARY = "grant_temporary", _("granted, temporary (3 years)")
    GRANT_DEFINITIVE = "grant_definitive", _("granted, definitive")
    GRANT = "grant", _("granted")
    REJECT = "reject", _("rejected")


class DecisionKind(models.TextChoices):
    INITIAL = "initial", _("decision")
    APPEAL = "appeal", _("decision on appeal")


class Decision(models.Model):
    """Frozen: inputs, result, rules version and parameter snapshot; never edited."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(
        max_length=12, choices=DecisionKind.choices, default=DecisionKind.INITIAL
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reasons"), max_length=4000, blank=True)
    reason_language = text_language_field()
    computed_on = models.DateField()
    inputs = models.JSONField()
    # Whether `inputs` are plain for the bulk revaluation (reparation/plain.py): stored when
    # the decision is frozen; None (a bulk load, an older row) is checked at run time.
    batch_plain = models.BooleanField(null=True, editable=False)
    result = models.JSONField()
    rules_version = models.CharField(max_length=16)
    snapshot = models.ForeignKey(RulesSnapshot, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Deadlines run from the notification, recorded by the officer after the decision.
    appeal_deadline = models.DateField(_("appeal deadline"), null=True, blank=True)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    notified_by_post = models.BooleanField(_("sent by post"), default=False)
    deadline_steps = models.JSONField(default=list, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    arrears = models.JSONField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    written_texts: ClassVar[tuple[str, ...]] = ("reason",)  # core/written.py

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.outcome}"


class ClaimEvent(models.Model):
    """One line of the claim's history, as the claimant sees it."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    note = models.CharField(max_length=500, blank=True)
    problem = models.BooleanField(default=False, help_text=_("A step that failed or is blocked."))

    class Meta:
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_state} → {self.to_state}"

    @property
    def state_label(self) -> str:
        return str(dict(ClaimState.choices).get(self.to_state, self.to_state))


class Notification(models.Model):
    """Derived data: a notice of a history line, written by the services and in bulk by a
    revaluation (a row per recipient and pension). Its references are not checked by the
    database (`db_constraint=False`: a national revaluation would otherwise check three
    million of them one by one) and only the (user, read_at) index is kept, the one every
    read uses (by user); Django applies `on_delete` itself, so deleting a user, a claim or a
    history line still deletes their notifications (a claim's or a line's by a scan: the
    platform never deletes either; a user's through the index)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_constraint=False,
        db_index=False,
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    event = models.ForeignKey(
        ClaimEvent, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event_id}"


class Revaluation(models.Model):
    """A pension in payment recomputed when a new point value takes effect: one row per
    decision and effective date (unique, so a second run for the same date writes nothing).
    The decision stays frozen; the amount now paid is the latest revaluation's."""

    # Indexed by the unique (decision, effective_on) and by (claim, effective_on): no
    # single-column index of their own. The claim is the decision's (derived): not checked by
    # the database, protected by Django as before.
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="revaluations", db_index=False
    )
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="revaluations",
        db_constraint=False,
        db_index=False,
    )
    effective_on = models.DateField(_("revalued on"))
    old_amount = models.DecimalField(max_digits=12, decimal_places=2)
    new_amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    points = models.DecimalField(max_digits=12, decimal_places=4)
    point_value = models.DecimalField(max_digits=10, decimal_places=4)
    params_digest = models.CharField(max_length=32)
    rules_version = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("revaluation")
        verbose_name_plural = _("revaluations")
        ordering = ["effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "effective_on"], name="revaluation_once_per_date"
            )
        ]
        indexes = [models.Index(fields=["claim", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.decision_id}@{self.effective_on}: {self.new_amount}"
