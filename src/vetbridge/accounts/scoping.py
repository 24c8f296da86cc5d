"""Object-level scoping: which records a user may reach. Enforced here and only here.

Every view and API endpoint that touches a person goes through `people_for(user)` or
`access_person_by_id(...)`; the role matrix test checks that none bypasses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vetbridge.core.exceptions import NotFoundError, PermissionDeniedError

from .models import User
from .roles import Capability, Role

if TYPE_CHECKING:
    from vetbridge.people.models import Person


def require(user: User | AnonymousUser, capability: Capability) -> User:
    if not isinstance(user, User) or not user.can(capability):
        raise PermissionDeniedError(_("Your role does not allow this action."))
    return user


def people_for(
    user: User | AnonymousUser,
    capability: Capability = Capability.PEOPLE_VIEW,
) -> QuerySet[Person]:
    """The persons this user may reach for `capability`; empty when the role may not."""
    from vetbridge.people.models import Lifecycle, Person

    qs = Person.objects.filter(merged_into__isnull=True)
    if not isinstance(user, User) or not user.can(capability):
        return qs.none()
    if user.role in (Role.ADMIN, Role.MEDICAL_ASSESSOR, Role.PENSION_OFFICER):
        # National services: they handle claims from every region.
        return qs
    if user.role == Role.CASE_WORKER:
        scope = Q(contact_person=user)
        if user.region_id:
            scope |= Q(region_id=user.region_id)
        return qs.filter(scope)
    if user.role == Role.MEMORIAL_EDITOR:
        return qs.filter(lifecycle__in=[Lifecycle.FALLEN, Lifecycle.MISSING])
    if user.role == Role.VETERAN:
        if user.person_id is None:
            return qs.none()
        return qs.filter(pk=user.person_id)
    return qs.none()


def access_person_by_id(
    user: User | AnonymousUser, person_id: int, capability: Capability = Capability.PEOPLE_VIEW
) -> Person:
    """The person if the user may reach it; otherwise NotFound (never reveal existence)."""
    require(user, capability)
    person = people_for(user, capability).filter(pk=person_id).first()
    if person is None:
        raise NotFoundError(_("No such person, or not within your access."))
    return person


def can_view_sensitive(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.can(Capability.PEOPLE_VIEW_SENSITIVE)
