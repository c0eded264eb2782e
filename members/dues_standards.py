"""Each member's dues standard per year (DOMAIN.md §6): declared by the member, confirmed by the branch.

The yearly round:

1. at the start of the year the secretary (or the building admin) opens the round: every paying member with an
   account is asked, once per year, to declare their kind and monthly base (``open_declaration_round``);
2. the member declares (``declare_standard``): the amount is computed by ``members.dues.monthly_dues`` and
   the standard waits for confirmation; a member may declare again until it is confirmed, never after;
3. the secretary confirms it, correcting the kind or base where the declaration is wrong
   (``confirm_standard``), or sets a member's standard directly, e.g. for a member without an account
   (``set_standard``); only a confirmed standard is billed;
4. a hardship reduction or exemption, or a rural member's amount, is an override with its reason and who
   approved it (``override_standard``).

As in ``members.services``, every function is atomic and keyword-only and locks the member's row before it
reads what it changes (two people confirming and declaring at once are serialised, the unique constraint
backs it). The functions check that ``by`` may act, but scope (404) is the views' job. Secretaries' changes go
into the member's history.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty.models import Role
from buildingparty.notifications import notify
from buildingparty.officers import officers_of
from buildingparty.scope import in_reach
from buildingparty.services import stored

from . import access
from .dues import FIXED_AMOUNT, RURAL_MAXIMUM, monthly_dues
from .dues_models import DuesKind, DuesStandard, first_of_month
from .dues_selectors import paying_by
from .dues_services import lock_member
from .models import Member, MemberChange
from .services import record_change

# Kinds whose amount follows a declared base; the others pay a fixed amount and need none.
BASE_KINDS = (DuesKind.EMPLOYED, DuesKind.SELF_EMPLOYED, DuesKind.RETIRED)
# Members may declare for the current year and, towards its end, for the next one.
DECLARE_AHEAD_YEARS = 1


def applies_from(member: Member, year: int) -> datetime.date | None:
    """The first month of ``year`` the member pays dues for: January, or the month the branch meeting
    admitted them (probationary members pay from admission). None when they joined after the year."""
    if member.joined_on.year > year:
        return None
    return max(datetime.date(year, 1, 1), first_of_month(member.joined_on))


def paying_in_year(members, year: int):
    """Of a member queryset, those who pay dues in ``year``: normal standing, admitted by the year's end."""
    return paying_by(members, datetime.date(year, 12, 31))


def check_terms(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    payer: str,
    payer_enterprise=None,
    payer_name: str = "",
) -> dict:
    """The terms of a standard, checked and tidied: the fields to save, with ``computed_amount``.

    Raises ``ValidationError`` keyed by field (the forms show each message next to its field). A fixed-amount
    kind keeps no base; a member who pays themselves names no payer.
    """
    errors = {}
    if kind not in DuesKind.values:
        errors["kind"] = _("Choose the member's kind.")
    elif kind in BASE_KINDS:
        if declared_base is None:
            errors["declared_base"] = _(
                "Employed, self-employed and retired members enter their monthly base; the amount follows from it."
            )
        elif declared_base <= 0:
            errors["declared_base"] = _("Enter the monthly base in yuan, more than 0.")
    else:
        declared_base = None  # students, the unemployed, members on relief and rural members pay a fixed amount
    if declared_base is not None and declared_base != declared_base.quantize(Decimal("0.01")):
        errors["declared_base"] = _("Enter the base in yuan with at most two decimals.")

    payer_name = (payer_name or "").strip()
    if payer == DuesStandard.Payer.SELF:
        payer_enterprise, payer_name = None, ""
    elif payer == DuesStandard.Payer.ENTERPRISE:
        payer_name = ""
        if payer_enterprise is None:
            errors["payer_enterprise"] = _("Choose the enterprise that pays on the member's behalf.")
        elif payer_enterprise.building_id != member.organization.building_id:
            errors["payer_enterprise"] = _("Choose an enterprise of the member's building.")
    elif payer == DuesStandard.Payer.OTHER:
        payer_enterprise = None
        if not payer_name:
            errors["payer_name"] = _("Name the person who pays on the member's behalf.")
    else:
        errors["payer"] = _("Choose who pays.")

    if member.joined_on.year > year:
        errors["year"] = _("%(name)s joined the party in %(joined)s; a standard starts with that year.") % {
            "name": member.name,
            "joined": member.joined_on.year,
        }
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "declared_base": declared_base,
        "computed_amount": monthly_dues(declared_base, kind),
        "payer": payer,
        "payer_enterprise": payer_enterprise,
        "payer_name": payer_name,
    }


def _require_manager(by, member: Member):
    """Confirm, set and override a member's standard: whoever may edit the member (``access.can_edit``)."""
    if by is None or not access.can_edit(by, member):
        raise PermissionDenied


def _require_normal(member: Member):
    if member.status != Member.Status.NORMAL:
        raise ValidationError(
            _("%(name)s is not in normal party standing and pays no dues.") % {"name": member.name}, code="standing"
        )


def describe(standard: DuesStandard) -> str:
    """The standard in words for the history, in the site's language: 在职，月基数 8000.00 元，每月 120.00 元."""
    params = {
        "year": standard.year,
        "kind": standard.get_kind_display(),
        "amount": standard.computed_amount,
        "base": standard.declared_base,
    }
    if standard.declared_base is None:
        return stored(gettext_lazy("%(year)s dues: %(kind)s, %(amount)s yuan a month"), params)
    return stored(gettext_lazy("%(year)s dues: %(kind)s, base %(base)s yuan, %(amount)s yuan a month"), params)


# --- the member declares ------------------------------------------------------------------------------------


@transaction.atomic
def declare_standard(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    payer: str = DuesStandard.Payer.SELF,
    payer_enterprise=None,
    payer_name: str = "",
    by,
    today: datetime.date | None = None,
) -> DuesStandard:
    """The member declares their kind and base for ``year``; it waits for the secretary's confirmation.

    A declaration not yet confirmed is replaced by the new one; a confirmed standard is the branch's decision
    and the member cannot change it (they ask their secretary, or declare for the next year).
    """
    if by is None or member.user_id is None or member.user_id != by.pk:
        raise PermissionDenied
    today = today or timezone.localdate()
    if not today.year <= year <= today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("Declare for this year or the next.")})
    member = lock_member(member)
    _require_normal(member)
    terms = check_terms(
        member=member,
        year=year,
        kind=kind,
        declared_base=declared_base,
        payer=payer,
        payer_enterprise=payer_enterprise,
        payer_name=payer_name,
    )
    standard = DuesStandard.objects.select_for_update().filter(member=member, year=year).first()
    if standard is not None and standard.is_confirmed:
        raise ValidationError(
            _(
                "Your %(year)s standard has been confirmed by your branch and can no longer be changed here. If "
                "your income has changed, tell your branch secretary."
            )
            % {"year": year},
            code="confirmed",
        )
    if standard is None:
        standard = DuesStandard(member=member, year=year)
    for field, value in terms.items():
        setattr(standard, field, value)
    standard.status = DuesStandard.Status.DECLARED
    standard.declared_by, standard.declared_at = by, timezone.now()
    standard.save()
    notify(
        users=officers_of(member.organization_id),
        event="dues_declared",
        context={"member": member, "standard": standard},
        url=reverse("members:dues_standard", args=[member.pk, year]),
    )
    return standard


# --- the secretary confirms or sets --------------------------------------------------------------------------


def _confirm(standard: DuesStandard, *, by, note: str, action_note: str) -> DuesStandard:
    standard.status = DuesStandard.Status.CONFIRMED
    standard.confirmed_by, standard.confirmed_at = by, timezone.now()
    standard.note = note.strip()[:200]
    standard.save()
    record_change(
        member=standard.member,
        action=MemberChange.Action.UPDATED,
        by=by,
        note="；".join(p for p in (action_note, describe(standard), note.strip()) if p),
    )
    return standard


@transaction.atomic
def confirm_standard(
    *,
    standard: DuesStandard,
    by,
    kind: str | None = None,
    declared_base: Decimal | None = None,
    payer: str | None = None,
    payer_enterprise=None,
    payer_name: str = "",
    note: str = "",
) -> DuesStandard:
    """The secretary confirms a member's declaration. With ``kind`` given, the terms given replace the
    declared ones (a correction); without it the declaration is confirmed as it stands. The member is told."""
    member = lock_member(standard.member)
    _require_manager(by, member)
    _require_normal(member)
    standard = DuesStandard.objects.select_for_update().get(pk=standard.pk)
    standard.member = member
    if standard.is_confirmed:
        raise ValidationError(_("This standard is already confirmed."), code="confirmed")
    corrected = False
    if kind is not None:
        terms = check_terms(
            member=member,
            year=standard.year,
            kind=kind,
            declared_base=declared_base,
            payer=payer or DuesStandard.Payer.SELF,
            payer_enterprise=payer_enterprise,
            payer_name=payer_name,
        )
        for field, value in terms.items():
            if getattr(standard, field) != value:
                corrected = True
                setattr(standard, field, value)
    action = (
        gettext_lazy("Dues standard confirmed with corrections")
        if corrected
        else gettext_lazy("Dues standard confirmed")
    )
    _confirm(standard, by=by, note=note, action_note=stored(action))
    if member.user is not None:
        notify(
            users=[member.user],
            event="dues_declare_confirmed",
            context={"member": member, "standard": standard, "corrected": corrected},
            url=reverse("members:dues_declare"),
        )
    return standard


@transaction.atomic
def set_standard(
    *,
    member: Member,
    year: int,
    kind: str,
    declared_base: Decimal | None,
    by,
    payer: str = DuesStandard.Payer.SELF,
    payer_enterprise=None,
    payer_name: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> DuesStandard:
    """The secretary sets a member's standard for ``year`` directly (a member without an account, or a change
    the branch decided): created or replaced, and confirmed.

    The amount is set at the start of the year and normally kept (组电明字〔2017〕5号): changing the amount
    of a confirmed standard needs a note saying why. An override stays as it was approved.
    """
    today = today or timezone.localdate()
    member = lock_member(member)
    _require_manager(by, member)
    _require_normal(member)
    if year > today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("A standard can be set up to next year.")})
    terms = check_terms(
        member=member,
        year=year,
        kind=kind,
        declared_base=declared_base,
        payer=payer,
        payer_enterprise=payer_enterprise,
        payer_name=payer_name,
    )
    standard = DuesStandard.objects.select_for_update().filter(member=member, year=year).first()
    if standard is None:
        standard = DuesStandard(member=member, year=year, declared_by=by, declared_at=timezone.now())
        action = gettext_lazy("Dues standard set")
    else:
        unchanged = all(getattr(standard, field) == value for field, value in terms.items())
        if standard.is_confirmed and unchanged and not note.strip():
            return standard  # nothing to record
        if standard.is_confirmed and standard.computed_amount != terms["computed_amount"] and not note.strip():
            raise ValidationError(
                {
                    "note": _(
                        "The amount is normally kept for the whole year. Say why it changes (for example, a "
                        "mistake in the declared base)."
                    )
                }
            )
        action = (
            gettext_lazy("Dues standard changed")
            if standard.is_confirmed
            else gettext_lazy("Dues standard confirmed with corrections")
        )
    standard.member = member
    for field, value in terms.items():
        setattr(standard, field, value)
    return _confirm(standard, by=by, note=note, action_note=stored(action))


# --- hardship, exemptions, rural amounts --------------------------------------------------------------------


def check_override(standard: DuesStandard, *, amount: Decimal, reason: str, approved_by: str) -> dict:
    """An agreed amount instead of the rule's: a hardship reduction (less than the rule), an exemption (0), or
    a rural member's amount of 0.20 to 1.00. A reason and the approving body are required."""
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = _("Enter the agreed monthly amount in yuan, 0 for an exemption.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("Enter the amount in yuan with at most two decimals.")
    elif standard.kind == DuesKind.RURAL:
        if amount != 0 and not FIXED_AMOUNT <= amount <= RURAL_MAXIMUM:
            errors["amount"] = _("A rural member pays between 0.20 and 1.00 yuan a month (0 for an exemption).")
    elif amount >= standard.computed_amount:
        errors["amount"] = _(
            "A hardship reduction is less than the amount by the rule (%(amount)s yuan); 0 is an exemption."
        ) % {"amount": standard.computed_amount}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for the agreed amount, e.g. long illness or unemployment.")
    if not (approved_by or "").strip():
        errors["approved_by"] = _("Record who approved it: the branch meeting and the higher organisation.")
    if errors:
        raise ValidationError(errors)
    return {
        "override_amount": amount,
        "override_reason": reason.strip()[:200],
        "override_approved_by": approved_by.strip()[:100],
    }


@transaction.atomic
def override_standard(
    *, standard: DuesStandard, amount: Decimal | None, reason: str = "", approved_by: str = "", by
) -> DuesStandard:
    """Record the agreed amount (``amount=None`` withdraws it, back to the rule). Kept in the history."""
    member = lock_member(standard.member)
    _require_manager(by, member)
    standard = DuesStandard.objects.select_for_update().get(pk=standard.pk)
    standard.member = member
    if amount is None:
        if standard.override_amount is None:
            return standard
        fields = {"override_amount": None, "override_reason": "", "override_approved_by": ""}
        history = stored(
            gettext_lazy("%(year)s dues: agreed amount withdrawn, back to %(amount)s yuan a month"),
            {"year": standard.year, "amount": standard.computed_amount},
        )
    else:
        fields = check_override(standard, amount=amount, reason=reason, approved_by=approved_by)
        history = stored(
            gettext_lazy(
                "%(year)s dues: %(amount)s yuan a month agreed instead of %(rule)s (%(reason)s; approved by "
                "%(approver)s)"
            ),
            {
                "year": standard.year,
                "amount": amount,
                "rule": standard.computed_amount,
                "reason": fields["override_reason"],
                "approver": fields["override_approved_by"],
            },
        )
    for field, value in fields.items():
        setattr(standard, field, value)
    standard.save(update_fields=list(fields))
    record_change(member=member, action=MemberChange.Action.UPDATED, by=by, note=history)
    return standard


# --- the yearly round ---------------------------------------------------------------------------------------


def round_dedupe_key(member: Member, year: int) -> str:
    return f"dues:declare:{member.pk}:{year}"


@transaction.atomic
def open_declaration_round(
    *, year: int, by, organization_ids: list[int] | None = None, building=None, today: datetime.date | None = None
) -> dict:
    """Ask every paying member with an account in scope to declare their base for ``year``.

    Scope is ``organization_ids`` (a secretary's branch and its groups) or ``building`` (the admin's). Members
    who already have a standard for the year are not asked; nobody is asked twice for a year, however often
    the round is opened (a notification dedupe key per member and year). Returns the counts.
    """
    today = today or timezone.localdate()
    if by is None or by.role not in (Role.ADMIN, Role.SECRETARY):
        raise PermissionDenied
    if not today.year <= year <= today.year + DECLARE_AHEAD_YEARS:
        raise ValidationError({"year": _("Open the round for this year or the next.")})
    if organization_ids is not None:
        if not organization_ids or not all(in_reach(by, pk) for pk in organization_ids):
            raise PermissionDenied
        members = Member.objects.filter(organization_id__in=organization_ids)
    elif building is not None:
        if by.role != Role.ADMIN or by.building_id != building.pk:
            raise PermissionDenied
        members = Member.objects.filter(organization__building=building)
    else:
        raise ValueError("open_declaration_round needs organization_ids or building")
    return ask_to_declare(members=members, year=year)


def ask_to_declare(*, members, year: int) -> dict:
    """Notify the paying members among ``members`` who have no standard for ``year`` yet (once per year each).
    The declaration round's work, shared by the button and the December job."""
    members = list(paying_in_year(members, year).select_related("user").order_by("pk"))
    declared = set(
        DuesStandard.objects.filter(year=year, member_id__in=[m.pk for m in members]).values_list(
            "member_id", flat=True
        )
    )
    counts = {"paying": len(members), "already": len(declared), "without_account": 0, "notified": 0}
    url = reverse("members:dues_declare") + f"?year={year}"
    for member in members:
        if member.pk in declared:
            continue
        if member.user is None or not member.user.is_active:
            counts["without_account"] += 1
            continue
        counts["notified"] += len(
            notify(
                users=[member.user],
                event="dues_declare",
                context={"member": member, "year": year, "starts": applies_from(member, year)},
                url=url,
                dedupe_key=round_dedupe_key(member, year),
            )
        )
    return counts
