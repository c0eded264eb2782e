"""Committees pages: every organisation's current term, one organisation's committee and its history, recording
an election (换届), a post taken or ended mid-term, and the general branch's list of terms falling due.

Each view: check the role (403), fetch through ``selectors.organizations`` or ``CommitteeTerm.objects.for_user``
(404 out of scope), check the write permission (403), then call ``members.committees.services``. Admins manage
every organisation of their building, secretaries their own branch; street viewers read; a member reads her own
branch's current committee.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import PartyOrganization, Role
from buildingparty.scope import in_reach, role_required
from members.models import Member

from . import selectors, services
from .forms import DATALIST_ID, ElectionForm, SeatAddForm, SeatEndForm, candidate_names, seat_formset, seats_from
from .models import CommitteeSeat, CommitteeTerm

PAGE_SIZE = 25
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.MEMBER)
MANAGERS = (Role.ADMIN, Role.SECRETARY)
DUE_READERS = (Role.ADMIN, Role.STREET)  # the general branch's view, and the street's above it


def can_manage(user, organization: PartyOrganization) -> bool:
    """Admins record the elections of every organisation of their building, secretaries those of their branch."""
    return user.role in MANAGERS and in_reach(user, organization.pk)


def _organization(request, pk) -> PartyOrganization:
    return get_object_or_404(selectors.organizations(request.user).select_related("building", "parent"), pk=pk)


def _managed_organization(request, pk) -> PartyOrganization:
    organization = _organization(request, pk)
    if not can_manage(request.user, organization):
        raise PermissionDenied
    return organization


def _lookup(organization: PartyOrganization):
    """Whom a typed name is looked up among: the organisation's members who are here (the service then says
    why a probationary or suspended one cannot hold a post)."""
    return Member.objects.filter(
        organization_id__in=organization.subtree_ids(), whereabouts=Member.Whereabouts.HERE
    ).order_by("pk")


def _suggestions(organization: PartyOrganization) -> dict:
    return {"datalist_id": DATALIST_ID, "suggestions": candidate_names(selectors.eligible_members(organization))}


def _dated(term: CommitteeTerm, today) -> CommitteeTerm:
    """What the pages show of a term on ``today``: ``standing_now``, ``days_left`` and, past due, ``days_over``."""
    term.standing_now = term.standing(today)
    term.days = term.days_left(today)
    term.days_over = -term.days
    return term


# --- reading ------------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def committee_list(request):
    """The organisations in reach with their current term: when elected, when it ends, how it stands."""
    # Kept whole, as HTML (data_cache.page), until a table it was read from changes: under the scope for officers
    # and street viewers (their reach and the links look at role, building and branch only), under the account
    # for a member (her own branch, found from her record); with the day (days left).
    by = "user" if request.user.role == Role.MEMBER else "scope"
    body = data_cache.page(
        request, "committees:list", "committees/_list_body.html", lambda: _committee_list(request), by=by
    )
    return render(request, "committees/list.html", {"body": body})


def _committee_list(request) -> dict:
    today = timezone.localdate()
    page = Paginator(selectors.with_current_term(selectors.organizations(request.user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for organization in page:
        organization.term = _dated(organization.current_terms[0], today) if organization.current_terms else None
        organization.standing = organization.term.standing_now if organization.term else "none"
    return {
        "page": page,
        "today": today,
        "show_building": request.user.role == Role.STREET,
        "can_see_due": request.user.role in DUE_READERS,
    }


@require_GET
@role_required(*READERS)
def committee_detail(request, pk):
    """One organisation's current committee; for officers and street viewers its past terms too."""
    organization = _organization(request, pk)
    history = request.user.role != Role.MEMBER
    terms = selectors.organization_terms(organization, history=history)
    current = next((t for t in terms if t.ended_on is None), None)
    if current is not None:
        current.held_posts = [s for s in current.posts if s.until is None]
        current.ended_posts = [s for s in current.posts if s.until is not None]
    today = timezone.localdate()
    return render(
        request,
        "committees/detail.html",
        {
            "organization": organization,
            "current": _dated(current, today) if current else None,
            "standing": current.standing_now if current else "none",
            "past": [t for t in terms if t is not current],
            "history": history,
            "today": today,
            "can_manage": can_manage(request.user, organization),
        },
    )


@require_GET
@role_required(*DUE_READERS)
def committee_due(request):
    """Terms ending within six months and terms past due across the building, the soonest first."""
    today = timezone.localdate()
    page = Paginator(selectors.due_terms(request.user, today), PAGE_SIZE).get_page(request.GET.get("page"))
    for term in page:
        _dated(term, today)
    return render(
        request,
        "committees/due.html",
        {"page": page, "today": today, "show_building": request.user.role == Role.STREET},
    )


# --- writing ------------------------------------------------------------------------------------------------


@role_required(*MANAGERS)
def committee_elect(request, pk):
    """Record an election (换届): the date, the term's years, whether a committee was elected, and who holds
    which post. The current term ends on the election day."""
    organization = _managed_organization(request, pk)
    current = CommitteeTerm.objects.current().filter(organization=organization).first()
    held = list(selectors.held_seats().filter(term=current)) if current else []
    initial = {"is_committee": current.is_committee, "term_years": current.term_years} if current else {}
    data = request.POST if request.method == "POST" else None
    form = ElectionForm(data, initial=initial)
    formset = seat_formset(data, candidates=_lookup(organization), current_seats=held)
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):  # both, for all the errors
        try:
            term = services.term_elect(
                organization=organization,
                elected_on=form.cleaned_data["elected_on"],
                term_years=form.cleaned_data["term_years"],
                is_committee=form.cleaned_data["is_committee"],
                seats=seats_from(formset),
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Recorded: %(organization)s elected on %(date)s, the term ends on %(ends)s.")
                % {
                    "organization": organization,
                    "date": term.elected_on.isoformat(),
                    "ends": term.ends_on.isoformat(),
                },
            )
            return redirect("committees:detail", pk=organization.pk)
    return render(
        request,
        "committees/elect.html",
        {"organization": organization, "current": current, "form": form, "formset": formset}
        | _suggestions(organization),
    )


@role_required(*MANAGERS)
def seat_add(request, pk):
    """A post taken mid-term: a by-election (补选), or a new post after the old one ended."""
    organization = _managed_organization(request, pk)
    term = CommitteeTerm.objects.current().filter(organization=organization).first()
    if term is None:
        messages.error(request, _("Record the election first: there is no current term."))
        return redirect("committees:elect", pk=organization.pk)
    form = SeatAddForm(request.POST or None, candidates=_lookup(organization))
    if request.method == "POST" and form.is_valid():
        try:
            seat = services.seat_add(term=term, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s holds the post of %(post)s from %(date)s.")
                % {"name": seat.member.name, "post": seat.get_post_display(), "date": seat.since.isoformat()},
            )
            return redirect("committees:detail", pk=organization.pk)
    return render(
        request,
        "committees/seat_form.html",
        {"organization": organization, "term": term, "form": form} | _suggestions(organization),
    )


@require_POST
@role_required(*MANAGERS)
def seat_end(request, pk):
    """End a post mid-term (the form is on the committee's page)."""
    seat = get_object_or_404(
        CommitteeSeat.objects.filter(term__in=CommitteeTerm.objects.for_user(request.user)).select_related(
            "term__organization", "member"
        ),
        pk=pk,
    )
    organization = seat.term.organization
    if not can_manage(request.user, organization):
        raise PermissionDenied
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("committees:detail", pk=organization.pk)
    try:
        seat = services.seat_end(seat=seat, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s's post of %(post)s ended on %(date)s.")
            % {"name": seat.member.name, "post": seat.get_post_display(), "date": seat.until.isoformat()},
        )
    return redirect("committees:detail", pk=organization.pk)
