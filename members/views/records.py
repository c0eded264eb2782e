"""Member records: the list, a member's page with timeline and history, editing, and the member's own view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Subquery, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import AuditRecord, Role
from buildingparty.scope import role_required
from buildingparty.services import audit, stored

from .. import access, services, timeline
from ..forms import (
    DecisionForm,
    LostContactForm,
    MemberFilterForm,
    MemberForm,
    MobileEndForm,
    MobileStartForm,
    ProposalForm,
    StandingDecisionForm,
)
from ..models import ChangeProposal, Member, MobilePeriod, StandingDecision, Transfer
from ..templatetags.member_tags import member_badges

PAGE_SIZE = 25
# The columns the list shows (the table, the phone cards and the badges).
LIST_FIELDS = (
    "name",
    "gender",
    "id_number",
    "category",
    "status",
    "phone",
    "is_mobile",
    "lost_contact_since",
    "is_hardship",
    "organization__name",
    "enterprise__name",
)


def _member_or_404(request, pk, *related):
    return get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "enterprise", "user", *related), pk=pk
    )


@role_required(Role.ADMIN, Role.SECRETARY, Role.STREET)
def member_list(request):
    # The list is kept whole, as HTML, under the viewer's scope (all ``for_user`` and the buttons look at for these
    # three roles), the query, the language and the day (the age filter), until a table it was read from changes.
    body = data_cache.page(
        request, "members:list", "members/_member_list_body.html", lambda: _member_list(request), by="scope"
    )
    return render(request, "members/member_list.html", {"body": body})


def _member_list(request) -> dict:
    form = MemberFilterForm(request.GET or None, user=request.user)
    # The page's 25 are chosen by pk alone, then read with their branch and enterprise: sorting the register's
    # wide rows for the top 25 took three times as long as sorting their pks, and joining the enterprise before
    # ORDER BY … LIMIT made PostgreSQL hash the district's every enterprise first. Only the columns shown are read.
    members = form.filter(Member.objects.for_user(request.user))
    ordered = members.order_by("organization__name", "name", "pk").values_list("pk", flat=True)
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = (
        Member.objects.select_related("organization", "enterprise").only(*LIST_FIELDS).in_bulk(list(page.object_list))
    )
    page.object_list = [shown[pk] for pk in page.object_list]
    # What each row shows, worked out once for the phone cards and the table alike.
    rows = [
        (m, m.get_absolute_url(), member_badges(m), m.get_category_display(), m.organization.name)
        for m in page.object_list
    ]
    return {
        "page": page,
        "rows": rows,
        "form": form,
        "can_add": request.user.role in (Role.ADMIN, Role.SECRETARY),
        "can_export": access.can_export(request.user),
        "can_export_full_ids": access.can_export_full_ids(request.user),
        "can_import": access.can_import(request.user),
    }


def _read_related(instance, **present):
    """Read the reverse relations named (``name=True``) as ``prefetch_related`` would, and mark those known to be
    empty (``name=False``) as read and empty, so that ``instance.<name>.all()`` runs no query either way."""
    prefetch_related_objects([instance], *[name for name, exists in present.items() if exists])
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, exists in present.items():
        if not exists:
            cache[name] = getattr(instance, name).none()


def member_detail(request, pk, revealed_id: str = ""):
    # The page is kept whole, as HTML (data_cache.page_with), under the account (what it shows and offers depends
    # on the viewer: the change history, the buttons, the proposal notice), until a table it was read from changes.
    # A revealed ID number is shown only in answer to the audited POST of ``reveal_id``, which is never kept.
    body, kept = data_cache.page_with(
        request,
        "members:detail",
        "members/_member_detail_body.html",
        lambda: _member_detail(request, pk, revealed_id),
        keep=("title",),
    )
    return render(request, "members/member_detail.html", {"title": kept["title"], "body": body})


def _member_detail(request, pk, revealed_id: str = "") -> dict:
    # The record in scope with what the page shows, read once, with whether it has transfers and mobile periods
    # (most members have neither: no query for them then) and the date of a change proposal waiting; one query
    # each for the timeline's related rows, however long the history; the change history (its latest 50) only
    # for those who see it.
    pending = ChangeProposal.objects.filter(member=OuterRef("pk"), status=ChangeProposal.Status.PENDING)
    member = get_object_or_404(
        Member.objects.for_user(request.user)
        .select_related("organization", "enterprise", "user", "job_category")
        .annotate(
            has_transfers=Exists(Transfer.objects.filter(member=OuterRef("pk"))),
            has_mobile_periods=Exists(MobilePeriod.objects.filter(member=OuterRef("pk"))),
            pending_proposed_at=Subquery(pending.order_by("-proposed_at").values("proposed_at")[:1]),
        ),
        pk=pk,
    )
    _read_related(member, transfers=member.has_transfers, mobile_periods=member.has_mobile_periods)
    user = request.user
    can_edit = access.can_edit(user, member)
    own = access.is_own_record(user, member)
    events = timeline.events_for(member)
    shows_history = can_edit or user.role in (Role.ADMIN, Role.STREET)
    context = {
        "title": member.name,
        "member": member,
        "events": events,
        "timeline": timeline.folded(events),
        "history": list(member.changes.select_related("changed_by")[:50]) if shows_history else [],
        "revealed_id": revealed_id,
        "can_edit": can_edit,
        "can_reveal": access.can_reveal_id(user, member),
        "can_transfer": access.can_manage_transfers(user, member)
        and member.is_active_member
        and not any(t.is_open for t in member.transfers.all()),
        "is_own": own,
        "open_period": next((p for p in member.mobile_periods.all() if p.until is None), None),
        "pending_proposal_at": member.pending_proposed_at if (own or can_edit) else None,
        "today": timezone.localdate(),
    }
    if can_edit:
        context.update(
            mobile_start_form=MobileStartForm(initial={"since": timezone.localdate()}),
            mobile_end_form=MobileEndForm(initial={"until": timezone.localdate()}),
            lost_form=LostContactForm(initial={"lost_contact_since": member.lost_contact_since}),
        )
    return context


def my_record(request):
    member = Member.objects.filter(user=request.user).only("pk").first()
    if member is None:
        raise Http404
    return redirect(member)


@require_POST
def reveal_id(request, pk):
    """Show the full ID number once, to those who may see it, and record who looked at whose number."""
    member = _member_or_404(request, pk)
    if not access.can_reveal_id(request.user, member):
        raise PermissionDenied
    audit(
        action=AuditRecord.Action.REVEAL_ID,
        actor=request.user,
        subject=member.name,
        object_id=member.pk,
        request=request,
    )
    return member_detail(request, pk, revealed_id=member.id_number)


@role_required(Role.ADMIN, Role.SECRETARY)
def member_create(request):
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        member = form.save(commit=False)
        if not access.can_add_to(request.user, member.organization):
            raise PermissionDenied
        services.member_create(member=member, created_by=request.user)
        messages.success(request, _("%(name)s has been added to the register.") % {"name": member.name})
        return redirect(member)
    return render(request, "members/member_form.html", {"form": form, "creating": True})


def member_edit(request, pk):
    member = _member_or_404(request, pk)
    if not access.can_edit(request.user, member):
        raise PermissionDenied
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        if not access.can_add_to(request.user, edited.organization):
            raise PermissionDenied
        changes = services.member_update(member=edited, changed_by=request.user)
        if changes:
            messages.success(
                request,
                ngettext("Saved. %(n)d field changed.", "Saved. %(n)d fields changed.", len(changes))
                % {"n": len(changes)},
            )
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect(edited)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "member": member, "can_reveal": access.can_reveal_id(request.user, member)},
    )


@require_POST
def member_edit_reveal_id(request, pk):
    """The edit form with the full ID number in it, to correct it: the same audited reveal as the member's page."""
    member = _member_or_404(request, pk)
    if not (access.can_edit(request.user, member) and access.can_reveal_id(request.user, member)):
        raise PermissionDenied
    audit(
        action=AuditRecord.Action.REVEAL_ID,
        actor=request.user,
        subject=member.name,
        object_id=member.pk,
        detail=stored(gettext_lazy("Shown to edit the record")),
        request=request,
    )
    form = MemberForm(instance=member, user=request.user, reveal_id=True)
    response = render(request, "members/member_form.html", {"form": form, "member": member, "id_revealed": True})
    patch_cache_control(response, private=True, no_store=True)
    return response


def propose_change(request, pk):
    """A member proposes new contact and job details for their own record."""
    member = _member_or_404(request, pk)
    if not access.is_own_record(request.user, member):
        raise PermissionDenied
    initial = {field: getattr(member, field) for field in ChangeProposal.FIELDS}
    form = ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_submit(member=member, values=form.cleaned_data, proposed_by=request.user)
        except ValidationError as error:
            if not add_service_errors(form, error):
                form.add_error(None, error)
        else:
            messages.success(request, _("Your change has been sent to your branch secretary for approval."))
            return redirect(member)
    return render(request, "members/proposal_form.html", {"form": form, "member": member})


@role_required(Role.ADMIN, Role.SECRETARY)
def proposal_list(request):
    """Proposals waiting, a page at a time (newest first), and the latest decided. Kept whole, as HTML
    (data_cache.page), under the viewer's scope (``Member.objects.for_user`` looks at role, building and branch
    alone for these two roles) until a table it was read from changes: a decision drops it. Its forms get each
    request's CSRF token."""
    body = data_cache.page(
        request, "members:proposals", "members/_proposal_list_body.html", lambda: _proposal_list(request), by="scope"
    )
    return render(request, "members/proposal_list.html", {"body": body})


def _proposal_list(request) -> dict:
    members = Member.objects.for_user(request.user)
    proposals = ChangeProposal.objects.filter(member__in=members).select_related("member", "decided_by")
    waiting = proposals.filter(status=ChangeProposal.Status.PENDING).order_by("-proposed_at", "-pk")
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    decided = list(
        proposals.exclude(status=ChangeProposal.Status.PENDING).order_by("-proposed_at", "-pk")[:DECIDED_SHOWN]
    )
    return {"page": page, "pending": page.object_list, "decided": decided}


DECIDED_SHOWN = 30


@require_POST
@role_required(Role.ADMIN, Role.SECRETARY)
def proposal_decide(request, pk):
    proposal = get_object_or_404(
        ChangeProposal.objects.filter(member__in=Member.objects.for_user(request.user)).select_related("member"), pk=pk
    )
    if not access.can_edit(request.user, proposal.member):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decide(
                proposal=proposal,
                approve=form.cleaned_data["decision"] == "approve",
                decided_by=request.user,
                note=form.cleaned_data["decision_note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The proposal from %(name)s has been decided.") % {"name": proposal.member.name}
            )
    return redirect("members:proposals")


def _edit_action(request, pk):
    member = _member_or_404(request, pk)
    if not access.can_edit(request.user, member):
        raise PermissionDenied
    return member


def _done(request, member, message):
    messages.success(request, message)
    return redirect(member)


def _failed(request, member, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect(member)


def change_status(request, pk):
    """Record a decision about the member's standing (停止党籍, 除名, …, 恢复党籍), with its history."""
    member = _edit_action(request, pk)
    form = StandingDecisionForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.standing_decide(
                member=member,
                kind=form.cleaned_data["kind"],
                decided_on=form.cleaned_data["decided_on"],
                reason=form.cleaned_data["reason"],
                approved_by_organization=form.cleaned_data["approved_by_organization"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            if not add_service_errors(form, error):
                form.add_error(None, error)
        else:
            return _done(request, member, _("The party standing has been recorded."))
    decisions = StandingDecision.objects.filter(member=member).select_related("recorded_by")
    return render(request, "members/standing.html", {"member": member, "form": form, "decisions": decisions})


@require_POST
def mobile(request, pk):
    """Start (``action=start``) or end (``action=end``) a mobile period."""
    member = _edit_action(request, pk)
    try:
        if request.POST.get("action") == "end":
            form = MobileEndForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errs in form.errors.values() for e in errs])
            services.mobile_end(member=member, until=form.cleaned_data["until"], by=request.user)
            return _done(request, member, _("The member is back; the mobile period has ended."))
        form = MobileStartForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label}: {e}" for f, errs in form.errors.items() for e in errs])
        services.mobile_start(member=member, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _failed(request, member, error)
    return _done(request, member, _("The mobile period has been recorded."))


@require_POST
def lost_contact(request, pk):
    member = _edit_action(request, pk)
    form = LostContactForm(request.POST)
    if not form.is_valid():
        return _failed(request, member, ValidationError([e for errs in form.errors.values() for e in errs]))
    services.lost_contact_set(
        member=member, since=form.cleaned_data["lost_contact_since"], by=request.user, note=form.cleaned_data["note"]
    )
    return _done(request, member, _("Contact status saved."))
