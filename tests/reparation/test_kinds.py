"""The registry of claim kinds (`reparation/kinds.py`, issue #15 point 4): every kind has one
spec, nothing else in the code compares kinds, and the spec drives the filing form, the
typed filing input and the lists of kinds that used to be written out by hand."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from vetbridge.core.exceptions import ApplicationError
from vetbridge.reparation.forms import ClaimFileForm
from vetbridge.reparation.kinds import (
    KINDS,
    ClaimFiling,
    FrenchSituation,
    RevisionFiling,
    UaDeathFiling,
    UaDisabilityFiling,
    kinds_where,
)
from vetbridge.reparation.models import Claim, ClaimKind

SRC = Path(__file__).resolve().parents[2] / "src" / "vetbridge"
ALLOWED = {SRC / "reparation" / "kinds.py", SRC / "reparation" / "models.py"}
CODES = frozenset(ClaimKind.values)
MEMBERS = frozenset(ClaimKind.names)


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in CODES


def _holds_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(_is_code(x) for x in node.elts)


def kind_offences(source: str) -> list[str]:
    """Where this code tells kinds apart by hand: a `ClaimKind.MEMBER`, a comparison with a
    kind's code, or a list, set or table keyed by kinds' codes."""
    out = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ClaimKind"
            and node.attr in MEMBERS
        ):
            out.append(f"{line}: ClaimKind.{node.attr}")
        elif isinstance(node, ast.Compare) and any(
            _is_code(x) or _holds_code(x) for x in [node.left, *node.comparators]
        ):
            out.append(f"{line}: comparison with a kind's code")
        elif _holds_code(node):
            out.append(f"{line}: a list of kinds")
        elif isinstance(node, ast.Dict) and any(k is not None and _is_code(k) for k in node.keys):
            out.append(f"{line}: a table keyed by kinds")
    return out


def test_every_claim_kind_has_one_spec():
    assert list(KINDS) == list(ClaimKind.values)
    for code, spec in KINDS.items():
        assert spec.code == code and type(spec.code) is str
        assert spec.label == dict(ClaimKind.choices)[code]
        assert spec.country in ("fr", "ua")
        assert spec.documents.items and spec.documents.source.startswith("https://")
        assert spec.required <= set(spec.fields)
        assert spec.procedure.variant == spec.country


def test_no_kind_is_told_apart_outside_the_registry():
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if path in ALLOWED or "migrations" in path.parts:
            continue
        offences += [
            f"{path.relative_to(SRC)}:{o}" for o in kind_offences(path.read_text(encoding="utf-8"))
        ]
    assert not offences, "read the kind's spec (reparation/kinds.py):\n" + "\n".join(offences)


def test_no_template_compares_kinds():
    pattern = re.compile(r"\b(" + "|".join(sorted(CODES)) + r")\b")
    found = [
        f"{p.relative_to(SRC)}: {m.group(0)}"
        for p in sorted(SRC.rglob("*.html"))
        for m in pattern.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("if kind == ClaimKind.FR_REVISION: pass", 1),
        ("x = claim.kind in ('fr_pension', 'fr_revision')", 2),
        ("FRENCH = ('fr_pension', 'fr_revision')", 1),
        ("qs.filter(claim__kind__in=['fr_pension', 'ua_disability'])", 1),
        ("LABELS = {'ua_disability': 1, 'fr_pensioner': 2}", 1),
        ("country = 'ua' if kind == 'ua_disability' else 'fr'", 1),
        ("choices = ClaimKind.choices; ok = kind in ClaimKind.values", 0),
        ("data = {'kind': 'fr_pension'}", 0),
    ],
)
def test_the_scan_sees_each_way_of_telling_kinds_apart(source, expected):
    assert len(kind_offences(source)) == expected, kind_offences(source)


@pytest.mark.parametrize("code", list(KINDS))
def test_the_filing_form_asks_what_the_spec_says(code):
    spec = KINDS[code]
    form = ClaimFileForm(kind=code)
    assert set(form.fields) == {*ClaimFileForm.COMMON, *spec.fields}
    assert {n for n in spec.fields if form.fields[n].required} == spec.required
    claim_fields = {f.name for f in Claim._meta.get_fields()}
    assert set(spec.fields) <= claim_fields  # each is stored on the claim as asked


def test_an_unknown_kind_asks_only_the_kind():
    assert set(ClaimFileForm(kind="nonsense").fields) == {"kind"}


@pytest.mark.parametrize(
    ("loose", "typed", "details"),
    [
        (
            {
                "kind": "fr_pension",
                "grade": "sergent",
                "third_person": "on",
                "children_birth_dates": "2015-09-01, 2018-01-02",
            },
            {
                "grade": "sergent",
                "third_person": True,
                "children_birth_dates": [dt.date(2015, 9, 1), dt.date(2018, 1, 2)],
            },
            FrenchSituation(
                children_birth_dates=(dt.date(2015, 9, 1), dt.date(2018, 1, 2)),
                grade="sergent",
                third_person=True,
            ),
        ),
        (
            {"kind": "fr_revision", "revision_of": "12", "left_service": "true"},
            {"revision_of": 12, "left_service": True},
            RevisionFiling(revision_of=12, left_service=True),
        ),
        (
            {
                "kind": "ua_disability",
                "disability_group": "2",
                "ua_cause": "duty",
                "group_set_at": "2025-03-01",
            },
            {"disability_group": 2, "ua_cause": "duty", "group_set_at": dt.date(2025, 3, 1)},
            UaDisabilityFiling(2, "duty", dt.date(2025, 3, 1)),
        ),
        (
            {"kind": "ua_death", "death_date": "2025-06-01", "recipients": "3"},
            {"death_date": dt.date(2025, 6, 1), "recipients": 3, "death_record_date": None},
            UaDeathFiling(dt.date(2025, 6, 1), None, 3),
        ),
    ],
)
def test_loose_and_typed_filings_are_the_same_filing(loose, typed, details):
    """The command line's text and the form's typed values file the same thing."""
    from_text = ClaimFiling.from_data(loose)
    from_form = ClaimFiling.from_fields(loose["kind"], {**typed, "statement": ""})
    assert from_text == from_form == ClaimFiling(kind=loose["kind"], details=details)


def test_an_unreadable_value_is_refused_on_its_field():
    with pytest.raises(ApplicationError) as exc:
        ClaimFiling.from_data({"kind": "ua_death", "death_date": "1er juin"})
    assert list(exc.value.fields) == ["death_date"]
    with pytest.raises(ApplicationError) as exc:
        ClaimFiling.from_data({"kind": "fr_pension", "grand_mutile": "peut-être"})
    assert list(exc.value.fields) == ["grand_mutile"]


@pytest.mark.django_db
def test_details_of_another_kind_are_refused(world):
    from vetbridge.reparation import services

    with pytest.raises(ApplicationError) as exc:
        services.claim_file(
            actor=world["users"]["veteran"],
            person_id=world["lviv"].pk,
            filing=ClaimFiling(
                kind="fr_pension", details=UaDeathFiling(dt.date(2025, 1, 1), None, 1)
            ),
        )
    assert list(exc.value.fields) == ["kind"]
    assert not Claim.objects.exists()


def test_the_flags_give_the_lists_that_were_written_by_hand():
    """What the queue, the revaluation, the policy lab and the revision check used."""
    assert kinds_where(assessed=True) == ["fr_pension", "fr_revision"]
    assert kinds_where(revaluable=True) == ["fr_pension", "fr_revision"]
    assert kinds_where(revisable=True) == ["fr_pension", "fr_revision"]
    assert kinds_where(in_payment=True) == ["fr_pension", "fr_revision", "ua_disability"]
    assert kinds_where(revises=True) == ["fr_revision"]
    assert kinds_where(death=True) == ["ua_death"]
    assert kinds_where(french_situation=True) == kinds_where(country="fr")
