"""The registry: veterans, the wounded, the fallen and their families.

Names are kept as every spelling ever seen (`PersonName`), one preferred per language.
Statuses carry their validity dates and the document that proves them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One list import (registry or memorial): the file kept privately under its content
    hash, who ran it, and the people it created (each carries `import_batch`). The audit
    keeps one entry per import pointing here, never one per row."""

    kind = models.CharField(_("kind"), max_length=16)
    source = models.CharField(_("source"), max_length=200, blank=True)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64)
    file = models.FileField(_("imported file"), upload_to="imports/", max_length=200)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    rows = models.PositiveIntegerField(_("people created"), default=0)
    first_person_id = models.BigIntegerField(null=True, blank=True)
    last_person_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.source} {self.sha256[:12]}"


class ImportJob(models.Model):
    """A web import run as a background task: the uploaded file (kept privately under its
    content hash), its option, its progress, and once done its report (counts, the
    rejections, the first people created) and the `ImportBatch` it created."""

    kind = models.CharField(_("kind"), max_length=16)  # "people" or "memorial"
    source = models.CharField(_("source"), max_length=200, blank=True)
    file = models.CharField(_("uploaded file"), max_length=200)
    keep_valid = models.BooleanField(default=False)
    progress = models.OneToOneField(
        "core.JobProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.source}"


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")
    UNKNOWN = "U", _("not stated")


class Lifecycle(models.TextChoices):
    ALIVE = "alive", _("alive")
    FALLEN = "fallen", _("fallen")
    MISSING = "missing", _("missing")
    DECEASED = "deceased", _("deceased")


def not_in_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")


class Person(models.Model):
    external_id = models.CharField(
        _("external identifier"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifier in the source register, if any."),
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[not_in_future]
    )
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    lifecycle = models.CharField(
        _("lifecycle"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.ALIVE
    )
    lifecycle_date = models.DateField(
        _("date of death or disappearance"), null=True, blank=True, validators=[not_in_future]
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
        help_text=_("The case worker who is this person's single point of contact."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="uk"
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set when this record was merged into another one."),
    )
    import_batch = models.ForeignKey(
        "people.ImportBatch",
        verbose_name=_("import"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text=_("The list import that created this record, if any."),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["lifecycle"]),
            models.Index(fields=["region", "lifecycle"]),
            # The registry search looks the query up as an identifier, whatever its case
            # (`external_id__iexact`): without it, a scan of the whole table per search.
            models.Index(Upper("external_id"), name="person_external_id_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifecycle="alive", lifecycle_date__isnull=True) | ~Q(lifecycle="alive"),
                name="person_alive_has_no_death_date",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    def clean(self) -> None:
        """Rules across fields; run by forms and by the services' full_clean alike."""
        from vetbridge.core.inputs import date_problem

        for name in ("birth_date", "lifecycle_date"):  # the shared plausible range
            value = getattr(self, name)
            if isinstance(value, dt.date) and (problem := date_problem(value)):
                raise ValidationError({name: problem})
        if self.lifecycle == Lifecycle.ALIVE and self.lifecycle_date:
            raise ValidationError(
                {"lifecycle_date": _("A living person has no date of death or disappearance.")}
            )
        if self.birth_date and self.lifecycle_date and self.lifecycle_date < self.birth_date:
            raise ValidationError({"lifecycle_date": _("The date is before the birth date.")})

    def display_name(self, language: str | None = None) -> str:
        """Preferred name in the language, else Ukrainian, else any spelling."""
        name = self.preferred_name(language)
        return name.full_name() if name else _("(no name) #%(id)s") % {"id": self.pk}

    def preferred_name(self, language: str | None = None) -> PersonName | None:
        lang = (language or get_language() or "uk")[:2]
        names = list(self.names.all())  # uses the prefetch cache when present
        for wanted in (lang, "uk", "en", "fr"):
            for n in names:
                if n.is_preferred and n.language == wanted:
                    return n
        return names[0] if names else None


class Script(models.TextChoices):
    CYRILLIC = "Cyrl", _("Cyrillic")
    LATIN = "Latn", _("Latin")
    MIXED = "Mixd", _("mixed scripts")
    OTHER = "Zyyy", _("other")


@functools.cache
def _format_chars() -> re.Pattern[str]:
    """Every invisible format character (Unicode category Cf), as one character class."""
    ranges: list[list[int]] = []
    for c in range(sys.maxunicode + 1):
        if unicodedata.category(chr(c)) == "Cf":
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    # As ranges (21 of them), not 163 single characters: 7x faster over a whole import file.
    return re.compile(
        "["
        + "".join(
            re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
            for a, b in ranges
        )
        + "]"
    )


def clean_text(value: object, *, collapse: bool = True) -> str:
    """One form for every typed or imported text: NFC, invisible format characters
    (zero-width spaces and joiners, direction marks, BOM) removed, spaces collapsed (unless
    `collapse` is false: a whole file, cleaned once, keeps its lines)."""
    text = str(value or "")
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if _format_chars().search(text):
            text = _format_chars().sub("", text)
    return " ".join(text.split()) if collapse else text


_CYRILLIC_WORDS = re.compile(r"[\u0400-\u04ff\W\d_]*")
_ANY_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _scripts(text: str) -> frozenset[str]:
    """The scripts of the letters of `text` (empty when it has none)."""
    if text.isascii():  # fast paths for the two common cases
        return _LATIN_ONLY if any(ch.isalpha() for ch in text) else _NO_SCRIPT
    if _CYRILLIC_WORDS.fullmatch(text):  # letters, if any, all Cyrillic
        return _CYRILLIC_ONLY if _ANY_CYRILLIC.search(text) else _NO_SCRIPT
    scripts = set()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith("CYRILLIC"):
            scripts.add(Script.CYRILLIC)
        elif name.startswith("LATIN"):
            scripts.add(Script.LATIN)
        else:
            scripts.add(Script.OTHER)
    return frozenset(scripts)


_LATIN_ONLY = frozenset({"Latn"})
_CYRILLIC_ONLY = frozenset({"Cyrl"})
_NO_SCRIPT: frozenset[str] = frozenset()
_part_scripts = functools.lru_cache(maxsize=100_000)(_scripts)


@functools.cache
def _verdict(scripts: frozenset[str]) -> str:
    if len(scripts) > 1:
        return Script.MIXED
    return Script(next(iter(scripts))) if scripts else Script.OTHER


def detect_script(text: str) -> str:
    return _verdict(_scripts(text))


def detect_script_parts(parts: Iterable[str]) -> str:
    """`detect_script` of the parts joined by spaces, from a cache per part: a bulk import
    has ~10^5 distinct surnames and a few hundred given names for a million rows."""
    scripts = _NO_SCRIPT
    for part in parts:
        if part:
            got = _part_scripts(part)
            if got != scripts:
                scripts = scripts | got
    return _verdict(scripts)


class NameLanguage(models.TextChoices):
    UK = "uk", _("Ukrainian")
    EN = "en", _("English")
    FR = "fr", _("French")
    RU = "ru", _("Russian")
    DE = "de", _("German")
    OTHER = "xx", _("other or unknown")


class PersonName(models.Model):
    """One spelling of a person's name, as seen in one source."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    surname = models.CharField(_("surname"), max_length=120)
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    language = models.CharField(
        _("language of spelling"),
        max_length=2,
        choices=NameLanguage.choices,
        default=NameLanguage.UK,
    )
    script = models.CharField(_("script"), max_length=4, choices=Script.choices, editable=False)
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        help_text=_("Where this spelling was seen: passport, press article, unit list…"),
    )
    is_preferred = models.BooleanField(_("preferred in this language"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_preferred", "language", "id"]
        verbose_name = _("name spelling")
        verbose_name_plural = _("name spellings")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "language"],
                condition=Q(is_preferred=True),
                name="one_preferred_name_per_language",
            ),
            models.UniqueConstraint(
                fields=["person", "surname", "given_name", "patronymic", "language"],
                name="name_spelling_unique_per_person",
            ),
        ]
        indexes = [models.Index(fields=["surname"])]

    def __str__(self) -> str:
        return self.full_name()

    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)


class StatusKind(models.TextChoices):
    UA_COMBATANT = "ua_combatant", _("Combatant (UBD)")
    UA_WAR_DISABILITY = "ua_war_disability", _("Person with disability due to war")
    UA_FAMILY_OF_FALLEN = "ua_family_of_fallen", _("Family member of a fallen defender")
    FR_PENSIONER = "fr_pensioner", _("Military invalidity pensioner (France)")
    FR_WARD_OF_NATION = "fr_ward_of_nation", _("Ward of the nation (France)")


# Shown only to roles with people.view_sensitive, and every such read is audited: the
# contact fields of a person, and statuses (a war disability group is health data).
SENSITIVE_PERSON_FIELDS = frozenset({"phone", "email", "address"})
SENSITIVE_RECORD_TYPES = frozenset({"people.personstatus"})


class PersonStatus(models.Model):
    """A legal status, valid between two dates, proven by a document."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(_("status"), max_length=32, choices=StatusKind.choices)
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"),
        null=True,
        blank=True,
        choices=[(1, "I"), (2, "II"), (3, "III")],
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    document_type = models.CharField(_("proving document"), max_length=120, blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "id"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="status_valid_range",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="ua_war_disability", disability_group__isnull=False)
                    | (~Q(kind="ua_war_disability") & Q(disability_group__isnull=True))
                ),
                name="status_group_only_for_war_disability",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.disability_group:
            label = f"{label} ({self.get_disability_group_display()})"
        return str(label)

    def clean(self) -> None:
        """Plausible dates (`core.inputs`): a status starts and its document is dated between
        1900 and today, not before the person's birth; it may end up to the future horizon."""
        from vetbridge.core.inputs import date_problem

        born = self.person.birth_date if self.person_id else None
        for name, future in (("valid_from", False), ("document_date", False), ("valid_to", True)):
            value = getattr(self, name)
            if isinstance(value, dt.date) and (
                problem := date_problem(value, future=future, not_before=born)
            ):
                raise ValidationError({name: problem})

    def is_current(self, on: object | None = None) -> bool:
        day = on or timezone.localdate()
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)  # type: ignore[operator]


class LinkKind(models.TextChoices):
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")


INVERSE_LINK = {
    LinkKind.SPOUSE: LinkKind.SPOUSE,
    LinkKind.CHILD: LinkKind.PARENT,
    LinkKind.PARENT: LinkKind.CHILD,
}


class FamilyLink(models.Model):
    """`relative` is the `kind` of `person` (e.g. relative is person's child).

    Stored once; the inverse (person is relative's parent) is derived, never stored.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_out")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("relationship"), max_length=16, choices=LinkKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("relative")), name="family_link_not_self"
            ),
            models.UniqueConstraint(fields=["person", "relative"], name="family_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.relative_id} {self.kind} of {self.person_id}"


class NameToken(models.Model):
    """One skeleton key carried by a person (from any of their spellings): the postings of
    the name index. Rebuilt from `PersonName` by `vetbridge names reindex`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    skel = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("name token")
        verbose_name_plural = _("name tokens")
        constraints = [models.UniqueConstraint(fields=["skel", "person"], name="name_token_unique")]

    def __str__(self) -> str:
        return f"{self.skel} → {self.person_id}"


class NameKey(models.Model):
    """A deletion key of a skeleton (the skeleton itself included): lookups by key find every
    skeleton within one edit, as in SymSpell. Keys of skeletons no one carries any more are
    harmless and dropped by a reindex."""

    key = models.CharField(max_length=64)
    skel = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("name key")
        verbose_name_plural = _("name keys")
        constraints = [models.UniqueConstraint(fields=["key", "skel"], name="name_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} → {self.skel}"


class DuplicateState(models.TextChoices):
    OPEN = "open", _("to review")
    MERGED = "merged", _("merged")
    DISMISSED = "dismissed", _("not the same person")


class Confidence(models.TextChoices):
    HIGH = "high", _("high")
    LOW = "low", _("low")


class DuplicateSuspect(models.Model):
    """Two records that may be one person, found by the name matcher, for a human to decide.

    High confidence needs the same sound for every name token and an agreeing birth date."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    reasons = models.JSONField(default=list)
    state = models.CharField(
        _("state"), max_length=16, choices=DuplicateState.choices, default=DuplicateState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["state", "-score"])]

    def __str__(self) -> str:
        return f"{self.person_a_id} ≟ {self.person_b_id} ({self.score:.2f})"

    @property
    def pair(self) -> tuple[Person, Person]:
        return self.person_a, self.person_b


class PersonMerge(models.Model):
    """A merge of `absorbed` into `survivor`, with what moved, so that it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    suspect = models.ForeignKey(
        DuplicateSuspect, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id}"
