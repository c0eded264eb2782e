"""Writes for the study-material library: a member asks for a loan, staff lend and record the return.

A copy is available when it is not lent: ``copies − loans lent``. Requests do not hold a copy; lending does, and
it re-checks under a lock on the material row, so two desks lending the last copy at once cannot both succeed.
Each function locks the material first and then the loan or member, always in that order, so they never
deadlock each other. Callers check scope first (``loans_for`` / ``materials_for``); these check who may act.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import Role
from buildingparty.scope import in_reach, own_or_organization
from members.models import Member

from .models import Loan, Material

Status = Loan.Status


def loan_limit() -> int:
    """Active loans (requested or lent) one member may hold at once."""
    return settings.BUILDINGPARTY["LOAN_LIMIT"]


def loan_days() -> int:
    return settings.BUILDINGPARTY["LOAN_DAYS"]


# --- reading ------------------------------------------------------------------------------------------------


def materials_for(user) -> QuerySet:
    """The catalogue a user may read: their building's (every signed-in role); street viewers every building's.
    Withdrawn materials only for the building's admins."""
    if not user.is_authenticated or not user.is_active:
        return Material.objects.none()
    if user.role == Role.STREET:
        return Material.objects.all()
    materials = Material.objects.filter(building_id=user.building_id)
    if user.role != Role.ADMIN:
        materials = materials.filter(active=True)
    return materials


def with_availability(materials: QuerySet) -> QuerySet:
    """Annotate ``lent`` and ``available`` (copies not lent; never below zero in practice, see ``loan_lend``)."""
    return materials.annotate(lent=Count("loans", filter=Q(loans__status=Status.LENT))).annotate(
        available=F("copies") - F("lent")
    )


def available_copies(material: Material) -> int:
    return material.copies - material.loans.filter(status=Status.LENT).count()


def loans_for(user) -> QuerySet:
    """Admins the loans of their building's members, secretaries their branch's, street viewers all; a member
    their own."""
    own = Q(member__user=user) if user.is_authenticated else Q()
    return own_or_organization(user, Loan.objects.all(), "member__organization", own)


def overdue(loans: QuerySet, today: datetime.date | None = None) -> QuerySet:
    return loans.filter(status=Status.LENT, due_on__lt=today or timezone.localdate())


def can_manage_loan(user, loan: Loan) -> bool:
    """Lend and take back: the building admin and the member's branch secretary."""
    return user.role in (Role.ADMIN, Role.SECRETARY) and in_reach(user, loan.member.organization_id)


def own_member(user) -> Member | None:
    """The member record a signed-in user borrows as, if they have one."""
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("organization").first()


# --- writing ------------------------------------------------------------------------------------------------


def _lock_material(material_id: int) -> Material:
    return Material.objects.select_for_update().get(pk=material_id)


def _lock_loan(loan_id: int) -> Loan:
    return Loan.objects.select_for_update(of=("self",)).select_related("member", "material").get(pk=loan_id)


@transaction.atomic
def loan_request(*, material: Material, member: Member, now: datetime.datetime | None = None) -> Loan:
    """A member asks to borrow a material.

    1. Lock the material, then the member (a member's requests queue here, so the limit holds).
    2. Refuse a withdrawn material, one of another building, a second active loan of the same material,
       a member at the limit, and a material with no copy on the shelf.
    3. Record the request; staff lend it at the desk.
    """
    material = _lock_material(material.pk)
    member = Member.objects.select_for_update(of=("self",)).select_related("organization").get(pk=member.pk)
    if not material.active or material.building_id != member.organization.building_id:
        raise ValidationError(_("This material is not in the catalogue."), code="not_in_catalogue")
    active = Loan.objects.filter(member=member, status__in=Loan.ACTIVE_STATUSES)
    if active.filter(material=material).exists():
        raise ValidationError(_("You have already requested or borrowed this material."), code="duplicate")
    limit = loan_limit()
    if active.count() >= limit:
        raise ValidationError(
            _("You may have at most %(limit)d materials requested or on loan. Return one first.") % {"limit": limit},
            code="limit",
        )
    if available_copies(material) <= 0:
        raise ValidationError(
            _("All copies of this material are on loan. Please try again after one is returned."),
            code="none_available",
        )
    return Loan.objects.create(material=material, member=member, requested_at=now or timezone.now())


@transaction.atomic
def loan_lend(*, loan: Loan, by, due_on: datetime.date | None = None, today: datetime.date | None = None) -> Loan:
    """Hand a requested material over: lent today, due in ``LOAN_DAYS`` (30) unless another date is given.

    The lent count is taken under the material's lock, so the copies lent never exceed the copies held."""
    today = today or timezone.localdate()
    material = _lock_material(loan.material_id)
    loan = _lock_loan(loan.pk)
    if not can_manage_loan(by, loan):
        raise PermissionDenied
    if loan.status != Status.REQUESTED:
        raise ValidationError(
            _("This loan is %(status)s; only a requested loan can be lent.") % {"status": loan.get_status_display()},
            code="invalid_transition",
        )
    due_on = due_on or today + datetime.timedelta(days=loan_days())
    if due_on < today:
        raise ValidationError({"due_on": _("The due date cannot be before today.")})
    if available_copies(material) <= 0:
        raise ValidationError(
            _("All copies of “%(title)s” are on loan; record a return first.") % {"title": material.title},
            code="none_available",
        )
    loan.status, loan.lent_on, loan.due_on, loan.handled_by = Status.LENT, today, due_on, by
    loan.save(update_fields=["status", "lent_on", "due_on", "handled_by"])
    return loan


@transaction.atomic
def loan_return(*, loan: Loan, by, returned_on: datetime.date | None = None) -> Loan:
    """Record that a lent material came back; the copy is available again."""
    _lock_material(loan.material_id)
    loan = _lock_loan(loan.pk)
    if not can_manage_loan(by, loan):
        raise PermissionDenied
    if loan.status != Status.LENT:
        raise ValidationError(
            _("This loan is %(status)s; only a material on loan can be returned.")
            % {"status": loan.get_status_display()},
            code="invalid_transition",
        )
    loan.status, loan.returned_on, loan.handled_by = Status.RETURNED, returned_on or timezone.localdate(), by
    loan.save(update_fields=["status", "returned_on", "handled_by"])
    return loan


@transaction.atomic
def loan_cancel(*, loan: Loan, by) -> Loan:
    """Withdraw a request not yet lent: by the member who asked, or by staff who may lend it."""
    _lock_material(loan.material_id)
    loan = _lock_loan(loan.pk)
    if not (loan.member.user_id == by.pk or can_manage_loan(by, loan)):
        raise PermissionDenied
    if loan.status != Status.REQUESTED:
        raise ValidationError(
            _("This loan is %(status)s; only a request can be cancelled.") % {"status": loan.get_status_display()},
            code="invalid_transition",
        )
    loan.status = Status.CANCELLED
    loan.save(update_fields=["status"])
    return loan
