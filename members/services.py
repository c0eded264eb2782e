"""Writes to the member register. Each function is atomic, keyword-only, and leaves a history entry.

Views validate with forms and call these; nothing here trusts that a caller checked scope, so the callers
must (views fetch through ``for_user`` before they call in).
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty.autocomplete import name_initials
from buildingparty.models import PartyOrganization
from buildingparty.notifications import notify
from buildingparty.services import field_changes, plain_value, stored
from enterprises.survey.models import SurveyLead
from enterprises.survey.services import lead_close

from .models import (
    ChangeProposal,
    Member,
    MemberChange,
    MobilePeriod,
    StandingDecision,
    Transfer,
    add_months,
)
from .validators import mask_id_number

# Fields whose changes the history records (everything a person edits; not bookkeeping columns).
TRACKED_FIELDS = [
    f.name
    for f in Member._meta.concrete_fields
    if f.name not in {"id", "name_initials", "created_at", "updated_at", "id_hash", "id_last4"}
]


def changed_fields(old: Member | None, new: Member, fields=TRACKED_FIELDS) -> dict:
    """The changes for the history; an ID number is recorded masked (the history is not encrypted)."""
    changes = field_changes(old, new, fields)
    if "id_number" in changes:
        changes["id_number"] = [mask_id_number(v) if v else v for v in changes["id_number"]]
    return changes


def record_change(
    *, member: Member, action: str, changes: dict | None = None, by=None, note: str = "", at=None
) -> MemberChange:
    return MemberChange.objects.create(
        member=member,
        action=action,
        changes=changes or {},
        note=note[:300],
        changed_by=by if by is not None and by.is_authenticated else None,
        changed_at=at or timezone.now(),
    )


@transaction.atomic
def member_create(*, member: Member, created_by, action: str = MemberChange.Action.CREATED, note: str = "") -> Member:
    """Save a new, validated member (from a form or an import row) and open their history."""
    member.name_initials = name_initials(member.name)
    member.save()
    record_change(member=member, action=action, changes=changed_fields(None, member), by=created_by, note=note)
    return member


@transaction.atomic
def member_update(*, member: Member, changed_by, action: str = MemberChange.Action.UPDATED, note: str = "") -> dict:
    """Save the edited fields of ``member`` and record old → new. Returns the changes (empty: nothing saved)."""
    # Lock only the member row: PostgreSQL refuses FOR UPDATE on the nullable side of the enterprise join.
    old = Member.objects.select_for_update(of=("self",)).select_related("organization", "enterprise").get(pk=member.pk)
    changes = changed_fields(old, member)
    if not changes:
        return {}
    member.name_initials = name_initials(member.name)
    fields = [Member._meta.get_field(f).name for f in changes] + ["name_initials", "updated_at"]
    member.save(update_fields=fields)
    record_change(member=member, action=action, changes=changes, by=changed_by, note=note)
    return changes


# --- proposed changes ---------------------------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, member: Member, values: dict, proposed_by) -> ChangeProposal:
    """A member proposes new values for some of their own contact and job fields."""
    unknown = set(values) - set(ChangeProposal.FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be proposed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    changed = {k: v for k, v in values.items() if getattr(member, k) != v}
    if not changed:
        raise ValidationError(_("Nothing is different from your record."), code="unchanged")
    if ChangeProposal.objects.filter(member=member, status=ChangeProposal.Status.PENDING).exists():
        raise ValidationError(_("You already have a change waiting for approval."), code="pending")
    return ChangeProposal.objects.create(member=member, changes=changed, proposed_by=proposed_by)


@transaction.atomic
def proposal_decide(*, proposal: ChangeProposal, approve: bool, decided_by, note: str = "") -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ChangeProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."), code="decided")
    if not approve and not note.strip():
        raise ValidationError({"decision_note": _("Please give the member a reason for rejecting.")})
    proposal.status = ChangeProposal.Status.APPROVED if approve else ChangeProposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = decided_by, timezone.now(), note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        member = Member.objects.get(pk=proposal.member_id)
        for field, value in proposal.changes.items():
            setattr(member, field, value)
        member.full_clean(exclude=["user"], validate_unique=False)
        member_update(member=member, changed_by=decided_by, action=MemberChange.Action.PROPOSAL, note=note)
    _tell_proposer(proposal)
    return proposal


def _field_label(name: str) -> str:
    try:
        return Member._meta.get_field(name).verbose_name
    except FieldDoesNotExist:  # a proposal kept from before a field was renamed
        return name


def _tell_proposer(proposal: ChangeProposal) -> None:
    """The member hears the decision on her proposal, with the reason: once per proposal and decision."""
    approved = proposal.status == ChangeProposal.Status.APPROVED
    changes = [(_field_label(field), value) for field, value in proposal.changes.items()]
    notify(
        users=[proposal.member.user],
        event="proposal_approved" if approved else "proposal_rejected",
        context={"changes": changes, "note": proposal.decision_note},
        url=reverse("members:mine"),
        dedupe_key=f"proposal:{proposal.pk}:{proposal.status}",
    )


# --- standing, mobile, lost contact -------------------------------------------------------------------------


# Which standings each decision may be taken from (DOMAIN.md §5a).
_IN_PARTY = (Member.Status.NORMAL, Member.Status.SUSPENDED)
DECISION_FROM = {
    StandingDecision.Kind.SUSPEND: (Member.Status.NORMAL,),
    StandingDecision.Kind.REMOVE: _IN_PARTY,
    StandingDecision.Kind.SELF_LAPSED: _IN_PARTY,
    StandingDecision.Kind.EXPEL: _IN_PARTY,
    StandingDecision.Kind.WITHDRAW: _IN_PARTY,
    StandingDecision.Kind.DEATH: _IN_PARTY,
    StandingDecision.Kind.RESTORE: (
        Member.Status.SUSPENDED,
        Member.Status.REMOVED,
        Member.Status.EXPELLED,
        Member.Status.WITHDRAWN,
    ),
}


@transaction.atomic
def standing_decide(
    *,
    member: Member,
    kind: str,
    decided_on: datetime.date,
    reason: str,
    approved_by_organization: str = "",
    recorded_by,
) -> StandingDecision:
    """Record a decision about a member's standing and set the standing it leads to, in one transaction.

    1. Lock the member and check the decision fits the standing they are in (a restore needs one to restore).
    2. Write the decision (never edited: a later restore is a new decision).
    3. Set the member's standing and write the history entry.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    kind = StandingDecision.Kind(kind)
    if not reason.strip():
        raise ValidationError({"reason": _("Please record the reason or the decision.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("This date is in the future.")})
    if member.whereabouts == Member.Whereabouts.TRANSFERRED_OUT:
        raise ValidationError(
            {"kind": _("The member has been transferred out; their new organisation decides about their standing.")}
        )
    if member.status not in DECISION_FROM[kind]:
        raise ValidationError(
            {
                "kind": _("This decision cannot be taken for a member whose standing is “%(status)s”.")
                % {"status": member.get_status_display()}
            }
        )
    last = member.standing_decisions.order_by("-decided_on", "-pk").first()
    if last is not None and decided_on < last.decided_on:
        raise ValidationError(
            {
                "decided_on": _("The decision cannot come before the previous one (%(date)s).")
                % {"date": last.decided_on.isoformat()}
            }
        )
    decision = StandingDecision.objects.create(
        member=member,
        kind=kind,
        decided_on=decided_on,
        reason=reason.strip(),
        approved_by_organization=approved_by_organization.strip(),
        previous_status=member.status,
        recorded_by=recorded_by,
    )
    old, new = member.status, StandingDecision.RESULTING_STATUS[kind]
    member.status, member.status_changed_on = new, decided_on
    member.status_note = f"{kind.label}：{decision.reason}"[: Member._meta.get_field("status_note").max_length]
    member.save(update_fields=["status", "status_changed_on", "status_note", "updated_at"])
    record_change(
        member=member,
        action=MemberChange.Action.STATUS,
        by=recorded_by,
        note=decision.reason,
        changes={"status": [old, new], "status_changed_on": [None, decided_on.isoformat()]},
    )
    return decision


@transaction.atomic
def mobile_start(
    *,
    member: Member,
    by,
    province: str,
    since: datetime.date,
    city: str = "",
    county: str = "",
    card_number: str = "",
    host_organization: str = "",
    note: str = "",
) -> MobilePeriod:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.mobile_periods.filter(until__isnull=True).exists():
        raise ValidationError(_("This member is already recorded as mobile; end that period first."))
    period = MobilePeriod.objects.create(
        member=member,
        province=province,
        city=city,
        county=county,
        since=since,
        card_number=card_number,
        host_organization=host_organization,
        note=note,
        created_by=by,
    )
    member.is_mobile, member.mobile_destination = True, period.destination
    member.save(update_fields=["is_mobile", "mobile_destination", "updated_at"])
    record_change(
        member=member,
        action=MemberChange.Action.MOBILE,
        by=by,
        note=note,
        changes={"is_mobile": [False, True], "mobile_destination": ["", period.destination]},
    )
    return period


@transaction.atomic
def mobile_end(*, member: Member, until: datetime.date, by) -> MobilePeriod:
    member = Member.objects.select_for_update().get(pk=member.pk)
    period = member.mobile_periods.filter(until__isnull=True).first()
    if period is None:
        raise ValidationError(_("This member is not recorded as mobile."))
    if until < period.since:
        raise ValidationError({"until": _("The return date cannot be before the date they left.")})
    period.until = until
    period.save(update_fields=["until"])
    member.is_mobile, old_destination, member.mobile_destination = False, member.mobile_destination, ""
    member.save(update_fields=["is_mobile", "mobile_destination", "updated_at"])
    record_change(
        member=member,
        action=MemberChange.Action.MOBILE,
        by=by,
        changes={"is_mobile": [True, False], "mobile_destination": [old_destination, ""]},
    )
    return period


@transaction.atomic
def lost_contact_set(*, member: Member, since: datetime.date | None, by, note: str = "") -> Member:
    """Mark a member out of contact since a date, or (``since=None``) back in contact."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    old = member.lost_contact_since
    if old == since:
        return member
    member.lost_contact_since = since
    member.save(update_fields=["lost_contact_since", "updated_at"])
    record_change(
        member=member,
        action=MemberChange.Action.LOST_CONTACT,
        by=by,
        note=note,
        changes={"lost_contact_since": [plain_value(old), plain_value(since)]},
    )
    return member


# --- transfers ----------------------------------------------------------------------------------------------

LETTER_PREFIX = "中大党转"


def default_validity_days() -> int:
    return settings.BUILDINGPARTY["TRANSFER_VALIDITY_DAYS"]


def next_letter_number(year: int) -> str:
    """中大党转〔2026〕007号: the next free number of the year."""
    pattern = re.compile(rf"^{LETTER_PREFIX}〔{year}〕(\d+)号$")
    numbers = [
        int(m.group(1))
        for n in Transfer.objects.filter(letter_number__startswith=f"{LETTER_PREFIX}〔{year}〕").values_list(
            "letter_number", flat=True
        )
        if (m := pattern.match(n))
    ]
    return f"{LETTER_PREFIX}〔{year}〕{max(numbers, default=0) + 1:03d}号"


def _lock(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().select_related("member").get(pk=transfer.pk)


def _refuse(message: str):
    raise ValidationError(message, code="invalid_transition")


def _create_letter(**fields) -> Transfer:
    """Create a transfer with the next letter number; two secretaries issuing at once get different ones."""
    if fields.get("letter_number"):
        return Transfer.objects.create(**fields)
    for _attempt in range(5):
        fields["letter_number"] = next_letter_number(fields["issued_on"].year)
        try:
            with transaction.atomic():
                return Transfer.objects.create(**fields)
        except IntegrityError:
            if Transfer.objects.filter(letter_number=fields["letter_number"]).exists():
                continue
            raise
    raise ValidationError(_("Could not find a free letter number; please try again."))


@transaction.atomic
def transfer_issue(
    *,
    member: Member,
    direction: str,
    issued_by,
    issued_on: datetime.date,
    to_organization: PartyOrganization | None = None,
    to_name: str = "",
    reason: str = "",
    validity_days: int | None = None,
    dues_paid_until: datetime.date | None = None,
    letter_number: str = "",
) -> Transfer:
    """Issue an introduction letter taking ``member`` out of the building or to another of its branches."""
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    if direction not in (Transfer.Direction.OUT, Transfer.Direction.INTERNAL):
        raise ValueError("transfers in are registered with transfer_receive")
    if not member.is_active_member:
        _refuse(_("Only a member in normal standing can be transferred."))
    if member.transfers.filter(status__in=Transfer.OPEN_STATUSES).exists():
        _refuse(_("This member already has a transfer under way."))
    if direction == Transfer.Direction.INTERNAL:
        if to_organization is None:
            raise ValidationError({"to_organization": _("Choose the branch the member moves to.")})
        if to_organization.pk == member.organization_id:
            raise ValidationError({"to_organization": _("The member is already in this branch.")})
        to_name = to_organization.branch.name
    elif not to_name.strip():
        raise ValidationError({"to_name": _("Enter the organisation the member transfers to.")})
    transfer = _create_letter(
        member=member,
        direction=direction,
        letter_number=letter_number,
        from_organization=member.organization,
        # A party group holds no relationships and has no seal: the letter is in its branch's name.
        from_name=member.organization.branch.name,
        to_organization=to_organization,
        to_name=to_name.strip(),
        reason=reason,
        issued_on=issued_on,
        validity_days=default_validity_days() if validity_days is None else validity_days,
        dues_paid_until=dues_paid_until,
        created_by=issued_by,
    )
    record_change(
        member=member,
        action=MemberChange.Action.TRANSFER,
        by=issued_by,
        note=stored(
            gettext_lazy("Letter %(number)s issued to %(to)s"),
            {"number": transfer.letter_number, "to": transfer.to_name},
        ),
    )
    return transfer


@transaction.atomic
def transfer_receive(
    *,
    member: Member,
    from_name: str,
    letter_number: str,
    issued_on: datetime.date,
    validity_days: int,
    reported_on: datetime.date,
    received_by,
    dues_paid_until: datetime.date | None = None,
    reason: str = "",
) -> Transfer:
    """A member arrives from outside the building with a letter: register them and record the transfer in.

    ``member`` is a new, validated record whose ``organization`` is the receiving branch.
    """
    if reported_on > issued_on + datetime.timedelta(days=validity_days):
        raise ValidationError(
            {"reported_on": _("The letter had expired by this date; the sending organisation must issue a new one.")}
        )
    if reported_on < issued_on:
        raise ValidationError({"reported_on": _("The member cannot report before the letter was issued.")})
    member = member_create(
        member=member,
        created_by=received_by,
        note=stored(gettext_lazy("Transferred in from %(org)s"), {"org": from_name}),
    )
    transfer = Transfer.objects.create(
        member=member,
        direction=Transfer.Direction.IN,
        letter_number=letter_number,
        from_name=from_name,
        to_organization=member.organization,
        to_name=member.organization.name,
        reason=reason,
        issued_on=issued_on,
        validity_days=validity_days,
        dues_paid_until=dues_paid_until,
        status=Transfer.Status.REPORTED,
        reported_on=reported_on,
        receipt_due_on=add_months(reported_on, 1),
        created_by=received_by,
    )
    record_change(
        member=member,
        action=MemberChange.Action.TRANSFER,
        by=received_by,
        note=stored(
            gettext_lazy("Reported with letter %(number)s from %(org)s"), {"number": letter_number, "org": from_name}
        ),
    )
    return transfer


@transaction.atomic
def transfer_report(*, transfer: Transfer, reported_on: datetime.date, by) -> Transfer:
    """The member reported to the receiving organisation (报到); the receipt is due a month later."""
    transfer = _lock(transfer)
    if transfer.status != Transfer.Status.ISSUED:
        _refuse(_("Only an issued letter can be reported."))
    if reported_on < transfer.issued_on:
        raise ValidationError({"reported_on": _("The member cannot report before the letter was issued.")})
    if reported_on > transfer.expires_on:
        raise ValidationError(
            {
                "reported_on": _("The letter expired on %(date)s; re-issue it instead.")
                % {"date": transfer.expires_on.isoformat()}
            }
        )
    transfer.status, transfer.reported_on = Transfer.Status.REPORTED, reported_on
    transfer.receipt_due_on = add_months(reported_on, 1)
    transfer.save(update_fields=["status", "reported_on", "receipt_due_on"])
    record_change(
        member=transfer.member,
        action=MemberChange.Action.TRANSFER,
        by=by,
        note=stored(
            gettext_lazy("Reported to %(org)s on %(date)s"), {"org": transfer.to_name, "date": reported_on.isoformat()}
        ),
    )
    return transfer


@transaction.atomic
def transfer_receipt(*, transfer: Transfer, returned_on: datetime.date, by) -> Transfer:
    """The receipt came back: the transfer is complete and the member moves, in the same transaction."""
    transfer = _lock(transfer)
    if transfer.status != Transfer.Status.REPORTED:
        _refuse(_("A receipt can only come back after the member reported."))
    if returned_on < transfer.reported_on:
        raise ValidationError({"returned_on": _("The receipt cannot come back before the member reported.")})
    transfer.status, transfer.receipt_returned_on = Transfer.Status.RECEIPTED, returned_on
    transfer.save(update_fields=["status", "receipt_returned_on"])
    member = Member.objects.select_for_update().select_related("organization").get(pk=transfer.member_id)
    if transfer.direction == Transfer.Direction.OUT:
        # Transferred out is a whereabouts; the standing stays what it was (DOMAIN.md §5a).
        member.whereabouts, member.status_changed_on = Member.Whereabouts.TRANSFERRED_OUT, returned_on
        member.status_note = stored(
            gettext_lazy("Transferred to %(org)s (%(number)s)"),
            {"org": transfer.to_name, "number": transfer.letter_number},
        )
        member_update(
            member=member,
            changed_by=by,
            action=MemberChange.Action.TRANSFER,
            note=stored(gettext_lazy("Receipt returned; transferred out")),
        )
    elif transfer.direction == Transfer.Direction.INTERNAL:
        member.organization = transfer.to_organization
        member_update(
            member=member,
            changed_by=by,
            action=MemberChange.Action.TRANSFER,
            note=stored(gettext_lazy("Receipt returned; moved to %(org)s"), {"org": transfer.to_name}),
        )
    else:
        record_change(
            member=member,
            action=MemberChange.Action.TRANSFER,
            by=by,
            note=stored(gettext_lazy("Receipt returned to %(org)s"), {"org": transfer.from_name}),
        )
    return transfer


@transaction.atomic
def transfer_close(*, transfer: Transfer, closed_on: datetime.date, by) -> Transfer:
    transfer = _lock(transfer)
    if transfer.status != Transfer.Status.RECEIPTED:
        _refuse(_("A transfer is closed after its receipt has come back."))
    transfer.status, transfer.closed_on = Transfer.Status.CLOSED, closed_on
    transfer.save(update_fields=["status", "closed_on"])
    record_change(
        member=transfer.member,
        action=MemberChange.Action.TRANSFER,
        by=by,
        note=stored(gettext_lazy("Transfer %(number)s closed"), {"number": transfer.letter_number}),
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, reason: str, by, on: datetime.date | None = None) -> Transfer:
    transfer = _lock(transfer)
    if transfer.status not in (Transfer.Status.ISSUED, Transfer.Status.REPORTED):
        _refuse(_("Only a letter not yet receipted can be cancelled."))
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Please give the reason for cancelling.")})
    transfer.status, transfer.cancel_reason = Transfer.Status.CANCELLED, reason.strip()
    transfer.cancelled_on = on or timezone.localdate()
    transfer.save(update_fields=["status", "cancel_reason", "cancelled_on"])
    record_change(
        member=transfer.member,
        action=MemberChange.Action.TRANSFER,
        by=by,
        note=stored(
            gettext_lazy("Letter %(number)s cancelled: %(reason)s"),
            {"number": transfer.letter_number, "reason": reason.strip()},
        ),
    )
    return transfer


@transaction.atomic
def transfer_expire(*, transfer: Transfer, by=None, today: datetime.date | None = None) -> Transfer:
    """A letter past its validity without reporting expires (and is re-issued, never extended)."""
    transfer = _lock(transfer)
    if not transfer.is_past_validity(today or timezone.localdate()):
        _refuse(_("Only an issued letter past its validity expires."))
    transfer.status = Transfer.Status.EXPIRED
    transfer.save(update_fields=["status"])
    record_change(
        member=transfer.member,
        action=MemberChange.Action.TRANSFER,
        by=by,
        note=stored(gettext_lazy("Letter %(number)s expired"), {"number": transfer.letter_number}),
    )
    return transfer


@transaction.atomic
def transfer_reissue(
    *,
    transfer: Transfer,
    issued_on: datetime.date,
    by,
    validity_days: int | None = None,
    dues_paid_until: datetime.date | None = None,
) -> Transfer:
    """A new letter in place of an expired one: same destination, new number, new validity."""
    transfer = _lock(transfer)
    if transfer.status != Transfer.Status.EXPIRED:
        _refuse(_("Only an expired letter is re-issued."))
    if Transfer.objects.filter(reissue_of=transfer).exists():
        _refuse(_("This letter has already been re-issued."))
    if Transfer.objects.filter(member_id=transfer.member_id, status__in=Transfer.OPEN_STATUSES).exists():
        _refuse(_("This member already has a transfer under way."))
    new = _create_letter(
        member=transfer.member,
        direction=transfer.direction,
        from_organization=transfer.from_organization,
        from_name=transfer.from_name,
        to_organization=transfer.to_organization,
        to_name=transfer.to_name,
        reason=transfer.reason,
        issued_on=issued_on,
        validity_days=transfer.validity_days if validity_days is None else validity_days,
        dues_paid_until=dues_paid_until or transfer.dues_paid_until,
        reissue_of=transfer,
        created_by=by,
    )
    record_change(
        member=transfer.member,
        action=MemberChange.Action.TRANSFER,
        by=by,
        note=stored(
            gettext_lazy("Letter %(old)s re-issued as %(new)s"),
            {"old": transfer.letter_number, "new": new.letter_number},
        ),
    )
    return new


# --- survey leads (隐形党员) --------------------------------------------------------------------------------


@transaction.atomic
def lead_to_transfer_in(
    *,
    lead,
    member: Member,
    by,
    from_name: str,
    letter_number: str,
    issued_on: datetime.date,
    validity_days: int,
    reported_on: datetime.date,
    dues_paid_until: datetime.date | None = None,
) -> Transfer:
    """A member found on a survey visit brings their relationship here: register the transfer in and close
    the lead, together."""
    lead_close(lead=lead, reason="", by=by, status=SurveyLead.Status.TRANSFERRED_IN)
    member.source_lead = lead
    return transfer_receive(
        member=member,
        from_name=from_name,
        letter_number=letter_number,
        issued_on=issued_on,
        validity_days=validity_days,
        reported_on=reported_on,
        received_by=by,
        dues_paid_until=dues_paid_until,
        reason=stored(gettext_lazy("Found in the survey")),
    )


@transaction.atomic
def lead_to_incoming(*, lead, incoming, by):
    """A member found on a survey visit keeps their relationship elsewhere but joins one of our branches'
    organisational life: record them as an incoming mobile member and close the lead, together."""
    lead_close(lead=lead, reason="", by=by, status=SurveyLead.Status.MOBILE)
    incoming.source_lead, incoming.created_by = lead, by
    incoming.save()
    return incoming
