"""The one place that decides what a user may see.

Every model family has a ``for_user(user)`` queryset method; each of them is built from the primitives here,
so a rule changes in one place for views, exports, search and jobs alike. Out of scope means absent: views
fetch with ``get_object_or_404(Model.objects.for_user(user), ...)`` and answer 404.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Role


def organization_ids(user) -> list[int]:
    """The organisations a secretary runs: their branch and its groups (cached on the user per request)."""
    cached = getattr(user, "_bp_organization_ids", None)
    if cached is None:
        cached = user.organization.subtree_ids() if user.organization_id else []
        user._bp_organization_ids = cached
    return cached


def by_organization(user, queryset: QuerySet, field: str) -> QuerySet:
    """Rows whose ``field`` (a path to a PartyOrganization) lies within the user's organisational reach.

    Street viewers see every building; admins their building; secretaries their branch and its groups;
    everybody else nothing by organisation (their own rows come from the family's ``for_user``).
    """
    return by_organizations(user, queryset, field)


def by_organizations(user, queryset: QuerySet, *fields: str) -> QuerySet:
    """``by_organization`` where a row is in reach when any of ``fields`` is (a transfer: either end)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.STREET:
        return queryset
    if user.role == Role.ADMIN:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__building_id": user.building_id})
        return queryset.filter(condition)
    if user.role == Role.SECRETARY:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}_id__in": organization_ids(user)})
        return queryset.filter(condition)
    return queryset.none()


def building_officers(user, queryset: QuerySet, field: str = "building_id") -> QuerySet:
    """The building's own papers (its funding ledger, its letters): admins and secretaries of the building whose
    ``field`` it is; street viewers everywhere; nobody else."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.STREET:
        return queryset
    if user.role in (Role.ADMIN, Role.SECRETARY):
        return queryset.filter(**{field: user.building_id})
    return queryset.none()


def in_reach(user, organization_id: int | None) -> bool:
    """May this user act on things of this organisation (edit members, issue letters)?"""
    if organization_id is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        from .models import PartyOrganization

        return PartyOrganization.objects.filter(pk=organization_id, building_id=user.building_id).exists()
    if user.role == Role.SECRETARY:
        return organization_id in organization_ids(user)
    return False


def organizations_for(user, queryset: QuerySet) -> QuerySet:
    """Party organisations a user may see. A member sees the organisation of their own record."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role == Role.STREET:
        return queryset
    if user.role == Role.ADMIN:
        return queryset.filter(building_id=user.building_id)
    if user.role == Role.SECRETARY:
        return queryset.filter(pk__in=organization_ids(user))
    if user.role == Role.MEMBER:
        return queryset.filter(members__user=user)
    return queryset.none()


def own_or_organization(user, queryset: QuerySet, field: str, own: Q) -> QuerySet:
    """``by_organization`` plus the rows that are the user's own (a member's record, their requests)."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.role in (Role.STREET, Role.ADMIN, Role.SECRETARY):
        return by_organization(user, queryset, field)
    return queryset.filter(own)


def role_required(*roles):
    """A view for some roles only. Other roles get 403: they are signed in, the page exists, it is not theirs."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def can_write(user) -> bool:
    """Street viewers read everything and change nothing."""
    return user.is_authenticated and user.role != Role.STREET
