"""JSON API for the registry: the same services, selectors and scoping as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from vetbridge.accounts.models import User
from vetbridge.accounts.roles import Capability
from vetbridge.accounts.scoping import can_view_sensitive, require
from vetbridge.api.security import api_user
from vetbridge.core.exceptions import ApplicationError, NotFoundError
from vetbridge.core.inputs import MAX_PAGE, nulls_as_empty
from vetbridge.core.models import Region
from vetbridge.core.services import input_from

from . import duplicates, history, name_index, selectors, services
from .forms import BORN_ERROR
from .models import Lifecycle, LinkKind, NameLanguage, Person, Sex, StatusKind

router = Router(tags=["people"])
SEARCH_MAX = 100

LifecycleT = Literal["alive", "fallen", "missing", "deceased"]
SexT = Literal["M", "F", "U"]
LangT = Literal["uk", "en", "fr", "ru", "de", "xx"]
StatusT = Literal[
    "ua_combatant", "ua_war_disability", "ua_family_of_fallen", "fr_pensioner", "fr_ward_of_nation"
]
assert set(LifecycleT.__args__) == set(Lifecycle.values)  # type: ignore[attr-defined]
assert set(SexT.__args__) == set(Sex.values)  # type: ignore[attr-defined]
assert set(LangT.__args__) == set(NameLanguage.values)  # type: ignore[attr-defined]
assert set(StatusT.__args__) == set(StatusKind.values)  # type: ignore[attr-defined]


class NameIn(Schema):
    surname: str = Field(min_length=1, max_length=120)
    given_name: str = Field("", max_length=120)
    patronymic: str = Field("", max_length=120)
    language: LangT = "uk"
    source: str = Field("", max_length=120)
    is_preferred: bool | None = None


class NameOut(Schema):
    id: int
    surname: str
    given_name: str
    patronymic: str
    language: str
    script: str
    source: str
    is_preferred: bool


class StatusIn(Schema):
    kind: StatusT
    disability_group: Literal[1, 2, 3] | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None
    document_type: str = Field("", max_length=120)
    document_number: str = Field("", max_length=64)
    document_date: dt.date | None = None
    issuer: str = Field("", max_length=200)


class StatusOut(StatusIn):
    id: int


class PersonFields(Schema):
    external_id: str | None = Field(None, max_length=64)
    birth_date: dt.date | None = None
    birth_place: str = Field("", max_length=200)
    sex: SexT = "U"
    region: str | None = Field(None, description="Region code, e.g. UA-46")
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    lifecycle: LifecycleT = "alive"
    lifecycle_date: dt.date | None = None
    preferred_language: Literal["uk", "fr", "en"] = "uk"


class PersonIn(PersonFields):
    names: list[NameIn] = Field(min_length=1)
    statuses: list[StatusIn] = []


class PersonPatch(Schema):
    version: int = Field(description="The version you read; a conflict (409) if it changed.")
    external_id: str | None = Field(None, max_length=64)
    birth_date: dt.date | None = None
    birth_place: str | None = Field(None, max_length=200)
    sex: SexT | None = None
    region: str | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)
    lifecycle: LifecycleT | None = None
    lifecycle_date: dt.date | None = None
    preferred_language: Literal["uk", "fr", "en"] | None = None


class PersonSummary(Schema):
    id: int
    external_id: str | None
    display_name: str
    birth_date: dt.date | None
    sex: str
    region: str | None
    lifecycle: str
    version: int


class RelativeOut(Schema):
    id: int
    display_name: str
    kind: str


class PersonOut(PersonSummary):
    birth_place: str
    lifecycle_date: dt.date | None
    preferred_language: str
    names: list[NameOut]
    statuses: list[StatusOut] | None = Field(
        None, description="Null when your role may not see statuses."
    )
    phone: str | None
    email: str | None
    address: str | None
    relatives: list[RelativeOut]


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PersonSummary]


class PersonFilters(Schema):
    q: str | None = Field(None, max_length=200)
    lifecycle: LifecycleT | None = None
    status: StatusT | None = None
    region: str | None = None
    sex: SexT | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=200)


class LinkIn(Schema):
    relative_id: int
    kind: Literal["spouse", "child", "parent"]


class HistoryEntry(Schema):
    at: dt.datetime
    actor: str
    action: str
    summary: str
    changes: dict[str, Any]


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code.upper()).first()
    if region is None:
        raise ApplicationError(
            _("Some fields are not valid."), fields={"region": [_("Unknown region code.")]}
        )
    return region


def _summary(p: Person) -> dict[str, Any]:
    return {
        "id": p.pk,
        "external_id": p.external_id,
        "display_name": p.display_name(),
        "birth_date": p.birth_date,
        "sex": p.sex,
        "region": p.region.code if p.region else None,
        "lifecycle": p.lifecycle,
        "version": p.version,
    }


def _detail(user: User, p: Person) -> dict[str, Any]:
    sensitive = can_view_sensitive(user)
    return {
        **_summary(p),
        "birth_place": p.birth_place,
        "lifecycle_date": p.lifecycle_date,
        "preferred_language": p.preferred_language,
        "names": list(p.names.all()),
        "statuses": list(p.statuses.all()) if sensitive else None,
        "phone": p.phone if sensitive else None,
        "email": p.email if sensitive else None,
        "address": p.address if sensitive else None,
        "relatives": [
            {"id": r.person.pk, "display_name": r.person.display_name(), "kind": r.kind}
            for r in selectors.person_relatives(user=user, person=p)
        ],
    }


@router.get("/people", response=PersonPage, summary="List people within your access")
def list_people(request: HttpRequest, filters: Query[PersonFilters]) -> dict[str, Any]:
    user = api_user(request)
    require(user, Capability.PEOPLE_VIEW)
    data = filters.dict()
    region = _region(data.get("region"))
    data["region"] = region.pk if region else None
    # A page past the end (however large its number) is an empty page.
    start = (min(filters.page, MAX_PAGE + 1) - 1) * filters.page_size
    if data.get("q"):
        hits = selectors.person_search(user=user, q=data["q"], filters=data, limit=SEARCH_MAX).hits
        return {
            "count": len(hits),
            "page": filters.page,
            "page_size": filters.page_size,
            "results": [_summary(h.person) for h in hits[start : start + filters.page_size]],
        }
    qs = selectors.person_list(user=user, filters=data)
    count = qs.count()
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_summary(p) for p in qs[start : start + filters.page_size]]
        if start < count
        else [],
    }


class ReasonOut(Schema):
    query: str | None = None
    matched: str | None = None
    how: str = Field(
        description="exact, same_sound, equivalent_name, spelling_distance, "
        "initial, not_found or external_id"
    )
    label: str = Field(description="`how` in the user's language")
    distance: int | None = None
    field: str | None = Field(
        None,
        description="for facts beyond the name: born, region; for the linkage: the field compared",
    )
    weight: float | None = Field(
        None, description="linkage: match weight of this field (log2 m/u, bits)"
    )


class SearchResultOut(Schema):
    id: int
    external_id: str | None
    display_name: str
    score: float = Field(description="0 to 1; 1 is the same text")
    spelling: str = Field(description="the stored spelling that matched best")
    reasons: list[ReasonOut]
    birth_date: dt.date | None
    lifecycle: str


class NoticeOut(Schema):
    code: str
    message: str


class SearchOut(Schema):
    results: list[SearchResultOut]
    notices: list[NoticeOut]


class SearchParams(Schema):
    q: str = Field("", description="a name in any script or spelling; cut at 200 characters")
    limit: int = Field(10, ge=1, le=SEARCH_MAX)
    born: str = Field(
        "",
        description="birth year (YYYY) or date (YYYY-MM-DD): namesakes "
        "born then come first; in the reasons",
    )
    region: str = Field(
        "",
        description="region code of residence (e.g. UA-46): used in "
        "ranking and the reasons, not as a filter",
    )
    patronymic: str = Field("", max_length=120, description="patronymic, if known")


def _reasons(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "label": selectors.reason_label(r)} for r in reasons]


@router.get(
    "/people/search",
    response=SearchOut,
    summary="Find people by name across scripts and spellings, ranked with reasons",
)
def search_people(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    user = api_user(request)
    require(user, Capability.PEOPLE_VIEW)
    born = None
    if params.born.strip():
        try:
            born = name_index.Born.parse(params.born)
        except ValueError:
            raise ApplicationError(
                _("Some fields are not valid."), fields={"born": [str(BORN_ERROR)]}
            ) from None
    region = _region(params.region)
    search = selectors.person_search(
        user=user,
        q=params.q,
        limit=params.limit,
        born=born,
        region_id=region.pk if region else None,
        patronymic=params.patronymic,
    )
    return {
        "results": [
            {
                "id": h.person.pk,
                "external_id": h.person.external_id,
                "display_name": h.person.display_name(),
                "score": h.score,
                "spelling": h.spelling,
                "reasons": _reasons(h.reasons),
                "birth_date": h.person.birth_date,
                "lifecycle": h.person.lifecycle,
            }
            for h in search.hits
        ],
        "notices": [
            {"code": c, "message": str(selectors.NOTICES[c])}
            for c in search.notices
            if c in selectors.NOTICES
        ],
    }


class DuplicateCheckIn(Schema):
    surname: str = Field(min_length=1, max_length=120)
    given_name: str = Field("", max_length=120)
    patronymic: str = Field("", max_length=120)
    birth_date: dt.date | None = None


class CandidateOut(Schema):
    id: int
    display_name: str
    birth_date: dt.date | None
    score: float
    confidence: Literal["high", "low"]
    reasons: list[ReasonOut]


@router.post(
    "/people/duplicates/check",
    response=list[CandidateOut],
    summary="Likely duplicates of a person about to be registered",
)
def check_duplicates(request: HttpRequest, payload: DuplicateCheckIn) -> list[dict[str, Any]]:
    user = api_user(request)
    require(user, Capability.PEOPLE_EDIT)
    return [
        {
            "id": c.person.pk,
            "display_name": c.person.display_name(),
            "birth_date": c.person.birth_date,
            "score": c.score,
            "confidence": c.confidence,
            "reasons": _reasons(c.reasons),
        }
        for c in duplicates.likely_duplicates(user=user, **payload.dict())
    ]


class SuspectOut(Schema):
    id: int
    person_a: int
    person_b: int
    names_a: list[str]
    names_b: list[str]
    score: float
    confidence: str
    reasons: list[ReasonOut]
    state: str


@router.get(
    "/people/duplicates",
    response=list[SuspectOut],
    summary="Suspected duplicates to review (both people within your access)",
)
def list_suspects(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_user(request)
    return [
        {
            "id": s.pk,
            "person_a": s.person_a_id,
            "person_b": s.person_b_id,
            "names_a": [n.full_name() for n in s.person_a.names.all()],
            "names_b": [n.full_name() for n in s.person_b.names.all()],
            "score": s.score,
            "confidence": s.confidence,
            "reasons": _reasons(s.reasons),
            "state": s.state,
        }
        for s in duplicates.suspects_for(user)[:200]
    ]


class MergeIn(Schema):
    survivor_id: int = Field(description="the record to keep; the other is merged into it")


class MergeOut(Schema):
    id: int
    survivor_id: int
    absorbed_id: int
    moved: dict[str, Any]
    undone: bool


def _merge_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "survivor_id": m.survivor_id,
        "absorbed_id": m.absorbed_id,
        "moved": m.moved,
        "undone": m.undone_at is not None,
    }


@router.post(
    "/people/duplicates/{suspect_id}/merge",
    response=MergeOut,
    summary="Merge a suspected pair (a human decision, audited, reversible)",
)
def merge_suspect(request: HttpRequest, suspect_id: int, payload: MergeIn) -> dict[str, Any]:
    user = api_user(request)
    suspect = duplicates.suspects_for(user).filter(pk=suspect_id).first()
    if suspect is None:
        raise NotFoundError(_("No such suspected duplicate, or already decided."))
    pair = (suspect.person_a_id, suspect.person_b_id)
    if payload.survivor_id not in pair:
        raise ApplicationError(
            _("Some fields are not valid."),
            fields={"survivor_id": [_("Choose one of the two records of the pair.")]},
        )
    absorbed = pair[1] if payload.survivor_id == pair[0] else pair[0]
    return _merge_out(
        duplicates.person_merge(
            actor=user, survivor_id=payload.survivor_id, absorbed_id=absorbed, suspect_id=suspect_id
        )
    )


class DismissIn(Schema):
    note: str = Field("", max_length=300)


@router.post(
    "/people/duplicates/{suspect_id}/dismiss",
    response=SuspectOut,
    summary="Record that a suspected pair are two different people",
)
def dismiss_suspect(request: HttpRequest, suspect_id: int, payload: DismissIn) -> dict[str, Any]:
    user = api_user(request)
    s = duplicates.suspect_dismiss(actor=user, suspect_id=suspect_id, note=payload.note)
    return {
        "id": s.pk,
        "person_a": s.person_a_id,
        "person_b": s.person_b_id,
        "names_a": [n.full_name() for n in s.person_a.names.all()],
        "names_b": [n.full_name() for n in s.person_b.names.all()],
        "score": s.score,
        "confidence": s.confidence,
        "reasons": _reasons(s.reasons),
        "state": s.state,
    }


@router.post(
    "/people/merges/{merge_id}/undo",
    response=MergeOut,
    summary="Undo a merge: both records and their links come back",
)
def undo_merge(request: HttpRequest, merge_id: int) -> dict[str, Any]:
    return _merge_out(duplicates.person_unmerge(actor=api_user(request), merge_id=merge_id))


@router.post("/people", response={201: PersonOut}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Any]:
    user = api_user(request)
    data = input_from(
        services.PersonInput,
        payload.dict(exclude={"names", "statuses"}),
        region=_region(payload.region),
    )
    person = services.person_create(
        actor=user,
        data=data,
        names=[input_from(services.NameInput, n.dict()) for n in payload.names],
        statuses=[input_from(services.StatusInput, s.dict()) for s in payload.statuses],
    )
    return Status(201, _detail(user, person))


@router.get("/people/{person_id}", response=PersonOut, summary="One person's file")
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    user = api_user(request)
    person, _sensitive = services.person_open(actor=user, person_id=person_id)
    return _detail(user, person)


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person's fields")
def patch_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    user = api_user(request)
    data = nulls_as_empty(payload.dict(exclude_unset=True, exclude={"version"}), Person)
    if "region" in data:
        data["region"] = _region(data["region"])
    person = services.person_update(
        actor=user,
        person_id=person_id,
        expected_version=payload.version,
        data=input_from(services.PersonChanges, data),
    )
    return _detail(user, person)


@router.post("/people/{person_id}/names", response={201: NameOut}, summary="Add a spelling")
def add_name(request: HttpRequest, person_id: int, payload: NameIn) -> Status[Any]:
    return Status(
        201,
        services.person_name_add(
            actor=api_user(request),
            person_id=person_id,
            data=input_from(services.NameInput, payload.dict()),
        ),
    )


@router.post("/people/{person_id}/statuses", response={201: StatusOut}, summary="Add a status")
def add_status(request: HttpRequest, person_id: int, payload: StatusIn) -> Status[Any]:
    return Status(
        201,
        services.person_status_add(
            actor=api_user(request),
            person_id=person_id,
            data=input_from(services.StatusInput, payload.dict()),
        ),
    )


@router.post(
    "/people/{person_id}/links", response={201: RelativeOut}, summary="Link a family member"
)
def add_link(request: HttpRequest, person_id: int, payload: LinkIn) -> Status[Any]:
    assert payload.kind in LinkKind.values
    link = services.family_link_add(
        actor=api_user(request),
        person_id=person_id,
        relative_id=payload.relative_id,
        kind=payload.kind,
    )
    return Status(
        201,
        {"id": link.relative.pk, "display_name": link.relative.display_name(), "kind": link.kind},
    )


@router.get(
    "/people/{person_id}/history",
    response=list[HistoryEntry],
    summary="History of changes to a person's file",
)
def person_history(request: HttpRequest, person_id: int) -> list[dict[str, Any]]:
    user = api_user(request)
    _person, entries = history.person_history_open(actor=user, person_id=person_id)
    return [item.as_dict() for item in history.redact(list(entries[:500]), user=user)]


@router.get("/stats", summary="Registry aggregates (small cells suppressed)")
def stats(request: HttpRequest) -> dict[str, Any]:
    return selectors.registry_stats(user=api_user(request))
