"""Study pages: the sessions (list, record, edit, one session, its materials file), a branch's study hours
against what each member owes, and a member's own year.

Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check the write permission
(403), then call ``activities.study.services``. Secretaries see their branch and its groups, admins their
building, street viewers everything read-only, members the sessions they took part in and their own hours.
"""

import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import PartyOrganization, Role
from buildingparty.scope import in_reach, role_required
from buildingparty.uploads import private_file_response
from members.models import Member

from . import selectors, services
from .forms import EVERYONE, BranchPickForm, HoursFilterForm, SessionFilterForm, SessionForm, organization_choices
from .models import StudyParticipation, StudySession

PAGE_SIZE = 25
HOURS_PAGE_SIZE = 50
PARTICIPANTS_PAGE_SIZE = 100
READERS = (Role.ADMIN, Role.SECRETARY, Role.STREET)
MANAGERS = (Role.ADMIN, Role.SECRETARY)
VIEWERS = (Role.ADMIN, Role.SECRETARY, Role.STREET, Role.MEMBER)


def _own_member(request) -> Member:
    """The member record linked to the signed-in account; without one the page is not for them (403)."""
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    if member is None:
        raise PermissionDenied
    return member


def _can_manage(user, session: StudySession) -> bool:
    return user.role in MANAGERS and in_reach(user, session.organization_id)


# --- the sessions -------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def session_list(request):
    """The sessions in reach, newest first, by form of study, year and organisation."""
    # Kept whole, as HTML, under the viewer's scope (all ``for_user``, the filters and the button look at for these
    # three roles), the query, the language and the day, until a table it was read from changes.
    body = data_cache.page(
        request, "study:session_list", "study/_session_list_body.html", lambda: _session_list(request), by="scope"
    )
    return render(request, "study/session_list.html", {"body": body})


def _session_list(request) -> dict:
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = form.filter(
        StudySession.objects.for_user(request.user)
        .select_related("organization", "organization__building")
        .order_by("-held_on", "-pk")
    )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _list_rows(page.object_list)
    return {
        "form": form,
        "page": page,
        "can_record": request.user.role in MANAGERS,
        "show_building": request.user.role == Role.STREET,
    }


def _list_rows(sessions) -> list[StudySession]:
    """The page's sessions with their participants counted in one grouped query over those sessions only
    (annotating the filtered list counted every session's participations before the page was cut), and each
    row's link and form of study worked out once (the list draws every row twice: cards and table)."""
    sessions = list(sessions)
    counts = dict(
        StudyParticipation.objects.filter(session_id__in=[s.pk for s in sessions])
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
        if sessions
        else []
    )
    badges = {}
    for session in sessions:
        session.participant_count = counts.get(session.pk, 0)
        session.url = session.get_absolute_url()
        if session.kind not in badges:
            badges[session.kind] = render_to_string("study/_kind.html", {"s": session})
        session.kind_badge = badges[session.kind]
    return sessions


def _general_branch_pick(request, organization: PartyOrganization):
    """For the general branch's session: which branch's names to offer (one at a time), and the picker."""
    if organization.kind != PartyOrganization.Kind.GENERAL_BRANCH:
        return None, None
    branches = PartyOrganization.objects.filter(building_id=organization.building_id).branches().order_by("name")
    source = request.POST if request.method == "POST" else request.GET
    pick = BranchPickForm(source if source.get("branch") else None, branches=branches)
    branch = pick.cleaned_data["branch"] if pick.is_bound and pick.is_valid() else None
    return branch, pick


def _session_form(request, session: StudySession):
    """Record or edit a session: its facts and a box to tick for each of the names offered."""
    organization = session.organization
    branch, pick = _general_branch_pick(request, organization)
    candidates = selectors.participant_candidates(organization, branch, session)
    form = SessionForm(request.POST or None, request.FILES or None, instance=session, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        is_new = session.pk is None
        try:
            session = services.session_save(
                session=form.save(commit=False),
                by=request.user,
                participant_ids=[m.pk for m in form.cleaned_data["participants"]],
                candidate_ids=[m.pk for m in candidates],
            )
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            count = session.participations.count()
            text = (
                ngettext(
                    "The study session is recorded: %(count)d member took part.",
                    "The study session is recorded: %(count)d members took part.",
                    count,
                )
                if is_new
                else ngettext(
                    "The study session is saved: %(count)d member took part.",
                    "The study session is saved: %(count)d members took part.",
                    count,
                )
            )
            messages.success(request, text % {"count": count})
            return redirect(session)
    return render(
        request,
        "study/session_form.html",
        {
            "form": form,
            "session": session,
            "organization": organization,
            "pick": pick,
            "branch": branch,
            "candidate_count": len(form.fields["participants"].queryset),
        },
    )


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def session_create(request):
    """Choose the organisation (a secretary's own branch unless she picks one of its groups), then record."""
    user = request.user
    chosen = request.POST.get("organization") or request.GET.get("organization")
    if chosen:
        if not str(chosen).isdigit():
            raise Http404
        organization = get_object_or_404(organization_choices(user), pk=chosen)
    elif user.role == Role.SECRETARY and not PartyOrganization.objects.filter(parent_id=user.organization_id).exists():
        organization = user.organization
    else:
        return render(request, "study/session_choose.html", {"organizations": organization_choices(user)})
    if not in_reach(user, organization.pk):
        raise PermissionDenied
    return _session_form(request, StudySession(organization=organization))


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def session_edit(request, pk):
    session = get_object_or_404(StudySession.objects.for_user(request.user).select_related("organization"), pk=pk)
    if not _can_manage(request.user, session):
        raise PermissionDenied
    return _session_form(request, session)


@require_GET
@role_required(*VIEWERS)
def session_detail(request, pk):
    """One session; officers also see who took part (a member, only that she did)."""
    user = request.user
    session = get_object_or_404(StudySession.objects.for_user(user).select_related("organization", "created_by"), pk=pk)
    context = {"session": session, "can_edit": _can_manage(user, session), "is_member": user.role == Role.MEMBER}
    if user.role != Role.MEMBER:
        participants = session.participations.select_related("member", "member__organization").order_by(
            "member__name", "member__pk"
        )
        context["page"] = Paginator(participants, PARTICIPANTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "study/session_detail.html", context)


@require_GET
@role_required(*VIEWERS)
def material(request, pk):
    """A session's materials file, only to those who can see the session; files are never served from /media."""
    session = get_object_or_404(StudySession.objects.for_user(request.user).exclude(material_file=""), pk=pk)
    extension = os.path.splitext(session.material_file.name)[1].lower()
    # PDFs and photos open in the browser; Word and PowerPoint files are downloaded.
    return private_file_response(
        session.material_file,
        content_type=services.material_content_type(session.material_file.name),
        filename=f"{session.held_on:%Y%m%d}-{session.topic[:40]}{extension}",
    )


# --- hours --------------------------------------------------------------------------------------------------


@require_GET
@role_required(*READERS)
def hours(request):
    """One organisation's members, their hours of the year against 32 (56 for committee members) and whether
    they are behind. A secretary sees those behind first (the filter starts on); an admin picks the
    organisation."""
    # Kept whole under the viewer's scope (the organisations offered and the defaults look at nothing else), the
    # query, the language and the day (who is behind moves with it), until a table it was read from changes.
    body = data_cache.page(request, "study:hours", "study/_hours_body.html", lambda: _hours(request), by="scope")
    return render(request, "study/hours.html", {"body": body})


def _hours(request) -> dict:
    form = HoursFilterForm(request.GET or None, user=request.user)
    choice = form.choice()
    organization, year = choice["organization"], choice["year"]
    lines = []
    if organization is not None:
        # Every member's line (counted and filtered here) from the cached table; the records of the page's only.
        lines = selectors.standing_lines(selectors.organization_hours_table(organization, year), year)
    behind = sum(1 for line in lines if line.behind)
    shown = lines if choice["show"] == EVERYONE else [line for line in lines if line.behind]
    page = Paginator(shown, HOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.standings_of(page.object_list, year)
    _add_row_texts(page.object_list)
    return {
        "form": form,
        "organization": organization,
        "year": year,
        "show": choice["show"],
        "page": page,
        "member_count": len(lines),
        "behind_count": behind,
        "done_count": sum(1 for line in lines if line.done),
        "is_current_year": year == timezone.localdate().year,
    }


def _add_row_texts(rows) -> None:
    """What each row of the hours page shows, worked out once: every row is drawn twice (cards and table), and
    each number localised and each sentence translated in the template cost more than the rest of the row."""
    localized = {}

    def text(value) -> str:
        key = repr(value)  # 32 and Decimal("32.0") are equal keys but not the same text
        if key not in localized:
            localized[key] = formats.localize(value)
        return localized[key]

    label = gettext("%(hours)s of %(required)s study hours")
    split = gettext("Meetings %(meetings)s · sessions %(sessions)s")
    for row in rows:
        hours, required = text(row.hours), text(row.required)
        meetings, sessions = text(row.meeting_hours), text(row.session_hours)
        row.url = row.member.get_absolute_url()
        row.t = {
            "hours": hours,
            "required": required,
            "meetings": meetings,
            "sessions": sessions,
            "to_go": text(row.to_go),
            "percent": text(row.percent),
            "label": label % {"hours": hours, "required": required},
            "split": split % {"meetings": meetings, "sessions": sessions},
            "bar": "bg-success" if row.done else "bg-danger" if row.behind else "bg-primary",
        }


@require_GET
def my_hours(request):
    """A member's own year: her hours against what she owes, from meetings and from study sessions."""
    # Kept whole under her account, the year asked for, the language and the day, until a table it was read from
    # changes (her record among them: an account that loses its record gets the 403 on the next request).
    body = data_cache.page(request, "study:mine", "study/_mine_body.html", lambda: _my_hours(request), by="user")
    return render(request, "study/mine.html", {"body": body})


def _my_hours(request) -> dict:
    member = _own_member(request)
    years = selectors.years_offered(member.organization.building_id)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    standing = selectors.standings([member], year)[0]
    return {
        "member": member,
        "year": year,
        "years": years,
        "standing": standing,
        "attendances": list(selectors.member_meetings(member, year)),
        "sessions": list(selectors.member_sessions(member, year)),
        "meetings_url": reverse("meetings:mine"),
    }
