"""One registry of claim kinds: what each kind asks at filing, which calculator prices it,
what its letter says, which procedure it follows.

Every place that behaves differently for a French pension, its revision, the Ukrainian
disability assistance or the Ukrainian death assistance reads it here (`KINDS[code]` or
`spec_of(claim)`) instead of comparing the kind: adding a kind is one `ClaimKindSpec`, and
`tests/reparation/test_kinds.py` fails on a comparison of kinds anywhere else.

The filing input is typed: a `ClaimFiling` (kind, statement, residence) carries the kind's
own details, one small frozen dataclass per kind (`FrenchSituation`, `RevisionFiling`,
`UaDisabilityFiling`, `UaDeathFiling`), built by the filing form, the API schema or, for
loose data (the command line, demo, tests), by `ClaimFiling.from_data`. Parsing a value
(a date written as text) happens there; checking it (range, not in the future, the pension
revised is the claimant's and granted) happens in `apply`, called by the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetbridge.core.exceptions import field_error
from vetbridge.core.inputs import check_date
from vetbridge.rules.fr.pmi import compute_pmi_json
from vetbridge.rules.parameters import Parameters
from vetbridge.rules.ua.assistance import ua_assistance_json

from .models import Claim, ClaimKind, ClaimState, Grade, Outcome

if TYPE_CHECKING:
    from vetbridge.people.models import Person

MAX_CHILDREN = 30


# ---------------------------------------------------------------- parsing loose values


def parse_date(value: Any, field: str) -> dt.date | None:
    """A date from loose data: a date, "YYYY-MM-DD", or nothing (None, "")."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise field_error(field, _("Enter a valid date.")) from None


def parse_bool(value: Any, field: str) -> bool:
    if value in (None, "", False, "false", "0", "off"):
        return False
    if value in (True, "true", "1", "on"):
        return True
    raise field_error(field, _("Answer yes or no."))


def checked_date(value: dt.date | None, field: str, born: dt.date | None = None) -> dt.date:
    """A claim date in the shared plausible range (`core.inputs`): 1900 to the future
    horizon, not before the person's birth (each caller adds "not in the future"). A
    missing date is refused like an unreadable one."""
    if value is None:
        raise field_error(field, _("Enter a valid date."))
    checked = check_date(field, value, future=True, not_before=born)
    assert checked is not None
    return checked


def _not_future(day: dt.date, field: str, today: dt.date) -> None:
    if day > today:
        raise field_error(field, _("The date cannot be in the future."))


# ---------------------------------------------------------------- what each kind asks


@dataclass(frozen=True)
class FrenchSituation:
    """The French claimant's situation besides the infirmities (at filing and on the
    assessor's fiche). None: not given (a partial update keeps the value stored)."""

    children_birth_dates: tuple[dt.date, ...] | None = None
    grade: str | None = None
    left_service: bool | None = None
    third_person: bool | None = None
    grand_mutile: bool | None = None

    SITUATION: ClassVar[tuple[str, ...]] = (
        "children_birth_dates",
        "grade",
        "left_service",
        "third_person",
        "grand_mutile",
    )

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FrenchSituation:
        out: dict[str, Any] = {}
        if "children_birth_dates" in data:
            raw = data.get("children_birth_dates") or []
            if isinstance(raw, str):
                raw = [x for x in raw.replace(",", " ").replace(";", " ").split() if x]
            if not isinstance(raw, list | tuple):
                raise field_error("children_birth_dates", _("Give one date per child."))
            if len(raw) > MAX_CHILDREN:
                raise field_error(
                    "children_birth_dates", _("At most %(n)s children.") % {"n": MAX_CHILDREN}
                )
            dates = [parse_date(x, "children_birth_dates") for x in raw]
            if any(d is None for d in dates):
                raise field_error("children_birth_dates", _("Enter a valid date."))
            out["children_birth_dates"] = tuple(d for d in dates if d is not None)
        for key in ("third_person", "grand_mutile", "left_service"):
            if key in data:
                out[key] = parse_bool(data.get(key), key)
        if "grade" in data:
            out["grade"] = data.get("grade") or Grade.SOLDIER
        return cls(**out)

    def changes(self, today: dt.date) -> dict[str, Any]:
        """The values given, checked field by field, as the claim stores them."""
        out: dict[str, Any] = {}
        if self.children_birth_dates is not None:
            if len(self.children_birth_dates) > MAX_CHILDREN:
                raise field_error(
                    "children_birth_dates", _("At most %(n)s children.") % {"n": MAX_CHILDREN}
                )
            dates = [checked_date(d, "children_birth_dates") for d in self.children_birth_dates]
            if any(d > today for d in dates):
                raise field_error("children_birth_dates", _("The date cannot be in the future."))
            out["children_birth_dates"] = sorted(d.isoformat() for d in dates)
        for key in ("third_person", "grand_mutile", "left_service"):
            value = getattr(self, key)
            if value is not None:
                if not isinstance(value, bool):
                    raise field_error(key, _("Answer yes or no."))
                out[key] = value
        if self.grade is not None:
            grade = self.grade or Grade.SOLDIER
            if grade not in Grade.values:
                raise field_error("grade", _("Choose the last grade held."))
            out["grade"] = grade
        return out

    def apply(self, claim: Claim, person: Person, today: dt.date) -> None:
        for key, value in self.changes(today).items():
            setattr(claim, key, value)


@dataclass(frozen=True)
class RevisionFiling:
    """A revision for aggravation: the granted pension revised, and the situation now."""

    revision_of: int | None = None
    children_birth_dates: tuple[dt.date, ...] | None = None
    grade: str | None = None
    left_service: bool | None = None
    third_person: bool | None = None
    grand_mutile: bool | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RevisionFiling:
        situation = FrenchSituation.from_data(data)
        raw = data.get("revision_of")
        try:
            revision_of = int(str(raw).strip()) if raw not in (None, "") else None
        except (TypeError, ValueError):
            revision_of = None
        return cls(
            revision_of=revision_of, **{k: getattr(situation, k) for k in FrenchSituation.SITUATION}
        )

    @property
    def situation(self) -> FrenchSituation:
        return FrenchSituation(**{k: getattr(self, k) for k in FrenchSituation.SITUATION})

    def apply(self, claim: Claim, person: Person, today: dt.date) -> None:
        previous = Claim.objects.filter(
            pk=self.revision_of or 0,
            person=person,
            kind__in=kinds_where(revisable=True),
            state__in=[ClaimState.GRANTED, ClaimState.APPEAL_DECIDED],
        ).first()
        if previous is None or not granted_rate(previous):
            raise field_error("revision_of", _("Choose the granted pension to revise."))
        claim.revision_of = previous
        self.situation.apply(claim, person, today)


@dataclass(frozen=True)
class UaDisabilityFiling:
    """The Ukrainian one-time assistance for a war disability: the group set by the expert
    team, its cause and the day it was set."""

    disability_group: int | None = None
    ua_cause: str = ""
    group_set_at: dt.date | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> UaDisabilityFiling:
        group = str(data.get("disability_group") or "").strip()
        return cls(
            disability_group=int(group) if group.isdigit() else None,
            ua_cause=str(data.get("ua_cause") or ""),
            group_set_at=parse_date(data.get("group_set_at"), "group_set_at"),
        )

    def apply(self, claim: Claim, person: Person, today: dt.date) -> None:
        if self.disability_group not in (1, 2, 3):
            raise field_error("disability_group", _("Choose the disability group."))
        claim.disability_group = self.disability_group
        if self.ua_cause not in ("duty", "service"):
            raise field_error("ua_cause", _("Choose the cause."))
        claim.ua_cause = self.ua_cause
        claim.group_set_at = checked_date(self.group_set_at, "group_set_at", person.birth_date)
        _not_future(claim.group_set_at, "group_set_at", today)


@dataclass(frozen=True)
class UaDeathFiling:
    """The Ukrainian one-time assistance on a death: the day, the civil-status record that
    decides the schedule, and how many family members share it."""

    death_date: dt.date | None = None
    death_record_date: dt.date | None = None
    recipients: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> UaDeathFiling:
        try:
            recipients: int | None = int(data.get("recipients") or 0)
        except (TypeError, ValueError):
            recipients = 0
        return cls(
            death_date=parse_date(data.get("death_date"), "death_date"),
            death_record_date=parse_date(data.get("death_record_date"), "death_record_date"),
            recipients=recipients,
        )

    def apply(self, claim: Claim, person: Person, today: dt.date) -> None:
        claim.death_date = checked_date(self.death_date, "death_date", person.birth_date)
        _not_future(claim.death_date, "death_date", today)
        claim.recipients = self.recipients or 0
        if not 1 <= claim.recipients <= 50:
            raise field_error("recipients", _("Enter a number from 1 to 50."))
        if self.death_record_date:
            claim.death_record_date = checked_date(self.death_record_date, "death_record_date")
            _not_future(claim.death_record_date, "death_record_date", today)
            if claim.death_record_date < claim.death_date:
                raise field_error(
                    "death_record_date", _("The death record cannot precede the death.")
                )


FilingDetails = FrenchSituation | RevisionFiling | UaDisabilityFiling | UaDeathFiling


@dataclass(frozen=True)
class ClaimFiling:
    """What a claimant (or the case worker for them) files: the kind and its details."""

    kind: str
    statement: str = ""
    residence: str = "metropole"
    details: FilingDetails | None = None  # None: the kind's details, all left empty

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ClaimFiling:
        """From loose data (the command line, the demo, tests): values parsed, not checked."""
        kind = str(data.get("kind") or "")
        spec = KINDS.get(kind)
        return cls(
            kind=kind,
            statement=str(data.get("statement") or ""),
            residence=str(data.get("residence") or "metropole"),
            details=spec.details.from_data(data) if spec else None,
        )

    @classmethod
    def from_fields(cls, kind: str, values: Mapping[str, Any]) -> ClaimFiling:
        """From values already typed (a form's cleaned data, an API schema): the kind's
        fields are taken as they are."""
        spec = KINDS[kind]
        given = {name: values[name] for name in spec.fields if name in values}
        if "children_birth_dates" in given and given["children_birth_dates"] is not None:
            given["children_birth_dates"] = tuple(given["children_birth_dates"])
        if "ua_cause" in given:
            given["ua_cause"] = given["ua_cause"] or ""
        return cls(
            kind=kind,
            statement=str(values.get("statement") or ""),
            residence=str(values.get("residence") or "metropole"),
            details=spec.details(**given),
        )


# ---------------------------------------------------------------- the calculator


def _number(value: Any) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def fr_inputs(claim: Claim, infirmities: Iterable[Any]) -> dict[str, Any]:
    """The French case: date, infirmities and the whole situation.

    Optional keys appear only when they say something (true, a child, a grade other than the
    soldier's), so a decision frozen before they existed and one frozen after read alike, and
    the calculator's documented defaults apply to what is absent."""
    infirmities = list(infirmities)
    rows = []
    for x in infirmities:
        row: dict[str, Any] = {
            "label": x.label,
            "rate": str(x.rate),
            "cause": x.cause,
            "context": x.context,
            "addition": x.addition,
        }
        if x.third_person:
            row["third_person"] = True
        if x.amputation_without_prosthesis:
            row["amputation_without_prosthesis"] = True
        if x.arithmetic_addition:
            row["arithmetic_addition"] = _number(x.arithmetic_addition)
        rows.append(row)
    out: dict[str, Any] = {"date": claim.filed_at.isoformat(), "infirmities": rows}
    if claim.third_person or any(x.third_person for x in infirmities):
        out["third_person"] = True
    if claim.grand_mutile:
        out["grand_mutile"] = True
    if claim.children_birth_dates:
        out["children"] = len(claim.children_birth_dates)
        out["children_birth_dates"] = list(claim.children_birth_dates)
    if claim.grade and claim.grade != Grade.SOLDIER:
        out["grade"] = claim.grade
    if claim.left_service:
        out["left_service"] = True
    return out


def _fr_claim_inputs(claim: Claim) -> dict[str, Any]:
    return fr_inputs(claim, claim.infirmities.all())


def _ua_disability_inputs(claim: Claim) -> dict[str, Any]:
    return {
        "kind": "disability",
        "group": claim.disability_group,
        "cause": claim.ua_cause,
        "set_date": claim.group_set_at.isoformat() if claim.group_set_at else None,
    }


def _ua_death_inputs(claim: Claim) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": "death",
        "recipients": claim.recipients,
        "death_date": claim.death_date.isoformat() if claim.death_date else None,
    }
    if claim.death_record_date:
        out["death_record_date"] = claim.death_record_date.isoformat()
    return out


@dataclass(frozen=True)
class Calculator:
    """The rules behind a kind: the claim's input as it is frozen on a decision, and the
    call of the rules on frozen inputs (also what `replay` runs)."""

    law: str  # the calculator's name in `vetbridge.rules` (as in the simulator)
    inputs: Callable[[Claim], dict[str, Any]]
    compute: Callable[[dict[str, Any], Parameters], dict[str, Any]]


FR_PMI = Calculator("fr_pmi", _fr_claim_inputs, compute_pmi_json)


# ---------------------------------------------------------------- procedure and letter


@dataclass(frozen=True)
class Procedure:
    """Which variant of `rules.procedure` the kind follows.

    `variant`: the parameter set and `appeal_deadline` country ("fr": CPMIVG R711-2 then
    CJA R421-1; "ua": Law 2073-IX). `first_remedy` after a decision ("cri" or "complaint"),
    `appeal_remedy` after the decision on appeal ("court", or "" when no deadline is
    computed here). `appeal_expertise`: the CRI's medical expertise suspends its silence
    clock (R711-15). `pension`: a rate threshold opens the right, granted as temporary or
    definitive with arrears; otherwise a one-time amount. `by_post`: the notification may be
    dated from its posting."""

    variant: str
    first_remedy: str
    appeal_remedy: str
    appeal_expertise: bool
    pension: bool
    by_post: bool


@dataclass(frozen=True)
class Letter:
    """What the decision letter and the claim page print for the kind."""

    official_language: str  # the deciding country's language, after the claimant's own
    currency: str
    annual: bool  # the amount is a yearly one
    amount_label: Promise
    global_rate: bool  # print the global invalidity rate


FR_PROCEDURE = Procedure(
    variant="fr",
    first_remedy="cri",
    appeal_remedy="court",
    appeal_expertise=True,
    pension=True,
    by_post=False,
)
UA_PROCEDURE = Procedure(
    variant="ua",
    first_remedy="complaint",
    appeal_remedy="",
    appeal_expertise=False,
    pension=False,
    by_post=True,
)
FR_LETTER = Letter(
    official_language="fr",
    currency="€",
    annual=True,
    amount_label=gettext_lazy("Annual amount"),
    global_rate=True,
)
UA_LETTER = Letter(
    official_language="uk",
    currency="грн",
    annual=False,
    amount_label=gettext_lazy("Amount"),
    global_rate=False,
)


# ---------------------------------------------------------------- documents to gather


@dataclass(frozen=True)
class ExpectedDocuments:
    """The documents the claimant should gather before filing. Each list names its source;
    a list the sources do not give item by item is marked uncertain (shown as indicative)."""

    items: tuple[Promise, ...]
    source: str
    uncertain: bool = False


LEGIFRANCE_CPMIVG = "https://www.legifrance.gouv.fr/codes/id/LEGITEXT000031712069"


# ---------------------------------------------------------------- the registry


@dataclass(frozen=True)
class ClaimKindSpec:
    code: str
    country: str  # "fr" or "ua"
    short_label: Promise  # in the policy lab's tables
    details: type[Any]  # the filing details dataclass: its fields are the form's fields
    required: frozenset[str]  # fields the filing form requires
    documents: ExpectedDocuments
    calculator: Calculator
    procedure: Procedure
    letter: Letter
    # A medical assessor describes the infirmities here (the Ukrainian group is set by the
    # expert team and arrives as a document).
    assessed: bool
    revisable: bool  # a granted claim of this kind may be revised for aggravation
    revises: bool  # this kind revises a granted pension (checked against it at decision)
    revaluable: bool  # its amount in payment follows the point value (revaluation)
    in_payment: bool  # a right in payment the policy lab simulates over
    french_situation: bool  # carries the French situation (children, grade, third person…)
    death: bool  # about a death (the claim page shows its dates)

    @property
    def label(self) -> str:
        return str(dict(ClaimKind.choices)[self.code])

    @property
    def fields(self) -> tuple[str, ...]:
        """The filing form's fields of this kind (besides kind, statement, residence and
        the document), in the form's order."""
        return tuple(f.name for f in fields(self.details))


KINDS: dict[str, ClaimKindSpec] = {
    s.code: s
    for s in [
        ClaimKindSpec(
            code=ClaimKind.FR_PENSION.value,
            country="fr",
            short_label=gettext_lazy("French pension"),
            details=FrenchSituation,
            required=frozenset(),
            # CPMIVG L151-1 ff.: the sources give no item-by-item list for the first request.
            documents=ExpectedDocuments(
                (
                    gettext_lazy("An identity document"),
                    gettext_lazy(
                        "The record of military service (état signalétique et des services)"
                    ),
                    gettext_lazy("Medical certificates describing each wound or illness"),
                    gettext_lazy(
                        "A report on the circumstances of the wound or the illness, if there is one"
                    ),
                    gettext_lazy("The birth certificates of your children, if any"),
                ),
                LEGIFRANCE_CPMIVG,
                uncertain=True,
            ),
            calculator=FR_PMI,
            procedure=FR_PROCEDURE,
            letter=FR_LETTER,
            assessed=True,
            revisable=True,
            revises=False,
            revaluable=True,
            in_payment=True,
            french_situation=True,
            death=False,
        ),
        ClaimKindSpec(
            code=ClaimKind.FR_REVISION.value,
            country="fr",
            short_label=gettext_lazy("French pension (revised)"),
            details=RevisionFiling,
            required=frozenset({"revision_of"}),
            # R154-2: a revision follows the procedure of a first request.
            documents=ExpectedDocuments(
                (
                    gettext_lazy("The decision that granted the pension"),
                    gettext_lazy("Medical certificates showing the aggravation of each infirmity"),
                ),
                LEGIFRANCE_CPMIVG,
                uncertain=True,
            ),
            calculator=FR_PMI,
            procedure=FR_PROCEDURE,
            letter=FR_LETTER,
            assessed=True,
            revisable=True,
            revises=True,
            revaluable=True,
            in_payment=True,
            french_situation=True,
            death=False,
        ),
        ClaimKindSpec(
            code=ClaimKind.UA_DISABILITY.value,
            country="ua",
            short_label=gettext_lazy("Ukrainian war disability"),
            details=UaDisabilityFiling,
            required=frozenset({"disability_group", "ua_cause", "group_set_at"}),
            # CMU Res. 754 of 21 Jul 2023; the Ministry of Veterans decides.
            documents=ExpectedDocuments(
                (
                    gettext_lazy("The war-disability certificate"),
                    gettext_lazy(
                        "The expert team's extract (formerly the МСЕК certificate) with the "
                        "group and its cause"
                    ),
                    gettext_lazy("Passport and tax number (РНОКПП)"),
                    gettext_lazy("Bank details"),
                ),
                "https://eveteran.gov.ua/benefits/viplata-odnorazovoyi-groshovoyi-dopomogi-u-"
                "zvyazku-z-vstanovlennyam-invalidnosti",
            ),
            calculator=Calculator("ua_assistance", _ua_disability_inputs, ua_assistance_json),
            procedure=UA_PROCEDURE,
            letter=UA_LETTER,
            assessed=False,
            revisable=False,
            revises=False,
            revaluable=False,
            in_payment=True,
            french_situation=False,
            death=False,
        ),
        ClaimKindSpec(
            code=ClaimKind.UA_DEATH.value,
            country="ua",
            short_label=gettext_lazy("One-time assistance on the death of a defender (Ukraine)"),
            details=UaDeathFiling,
            required=frozenset({"death_date", "recipients"}),
            # CMU Res. 168 (death payment) and Res. 740 (family status).
            documents=ExpectedDocuments(
                (
                    gettext_lazy("The death certificate or the death notice"),
                    gettext_lazy(
                        "The proof of the causal link of the death with the defence of Ukraine"
                    ),
                    gettext_lazy(
                        "The documents of your link to the deceased (marriage or birth "
                        "certificates)"
                    ),
                    gettext_lazy("Passport and tax number (РНОКПП) of each family member entitled"),
                ),
                "https://zakononline.com.ua/documents/show/504142___688375",
            ),
            calculator=Calculator("ua_assistance", _ua_death_inputs, ua_assistance_json),
            procedure=UA_PROCEDURE,
            letter=UA_LETTER,
            assessed=False,
            revisable=False,
            revises=False,
            revaluable=False,
            in_payment=False,
            french_situation=False,
            death=True,
        ),
    ]
}


def spec_of(claim: Claim) -> ClaimKindSpec:
    return KINDS[claim.kind]


def kinds_where(**wanted: object) -> list[str]:
    """The kinds whose flags have the given values, e.g. `kinds_where(revaluable=True)`."""
    return [
        code
        for code, spec in KINDS.items()
        if all(getattr(spec, name) == value for name, value in wanted.items())
    ]


def granted(claim: Claim) -> tuple[int, int] | None:
    """The pensioned rate and degrees beyond 100 % of the claim's current decision."""
    decision = claim.current_decision()
    if decision is None or decision.outcome == Outcome.REJECT:
        return None
    rate = int(decision.result.get("global_rate") or 0)
    return (rate, int(decision.result.get("degrees") or 0)) if rate else None


def granted_rate(claim: Claim) -> int | None:
    found = granted(claim)
    return found[0] if found else None
