"""党员亮相 pages: the board of the building and of a branch, on screen and printed (A4 and an A3 poster), the
photos, a member's own card and consent (我的亮相), and the officers' list and page for one member.

Each view: check the role (403), fetch through the scope of ``selectors`` or ``Member.objects.for_user`` (404 out of
scope), then call ``activities.showcase.services``. Every signed-in user of a building sees its board; the street
reads every building's; the officers' pages are for the admin and the secretaries.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.links import url_maker
from buildingparty.models import Role
from buildingparty.scope import can_write, in_reach, role_required
from buildingparty.uploads import photo_content_type, private_file_response
from members.models import Member

from . import selectors, services
from .forms import MineForm, OfficerForm, StatusFilterForm
from .models import ShowcaseProfile

PAGE_SIZE = 12
BUILDINGS_PAGE_SIZE = 25
MEMBERS_PAGE_SIZE = 50
OFFICERS = (Role.ADMIN, Role.SECRETARY)
# What the officers' list reads of a member (``selectors.status_of`` and the table's columns).
MANAGE_FIELDS = (
    "name",
    "status",
    "whereabouts",
    "shows_membership",
    "showcase_post",
    "organization__name",
    "showcase_profile__consent_given_at",
    "showcase_profile__consent_withdrawn_at",
)
# The printed layouts and their cards a page: A4 portrait 3×3, an A3 landscape poster 3×2.
LAYOUTS = {"a4": 9, "poster": 6}


def _own_member(request) -> Member:
    """The member record linked to the signed-in account; without one the page is not for them (403)."""
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    if member is None:
        raise PermissionDenied
    return member


# --- the board ----------------------------------------------------------------------------------------------


@require_GET
def index(request):
    """The board of the user's own building; the street picks a building."""
    user = request.user
    if user.role != Role.STREET:
        building = get_object_or_404(selectors.buildings_for(user))
        return redirect("showcase:building", pk=building.pk)
    buildings = Paginator(selectors.buildings_for(user).order_by("name"), BUILDINGS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.board_counts(buildings.object_list)
    rows = [(building, counts.get(building.pk, 0)) for building in buildings]
    return render(request, "showcase/index.html", {"page": buildings, "rows": rows})


def _board(request, *, building, branch=None):
    # The board's content is kept whole for the viewer (her own card's button and the officers' button are hers),
    # the page, the language and the day, until a table it was read from changes; the building (or branch) is
    # fetched in her reach on every request (404 otherwise).
    body = data_cache.page(
        request, "showcase:board", "showcase/_board_body.html", lambda: _board_context(request, building, branch)
    )
    return render(request, "showcase/board.html", {"body": body, "building": building, "branch": branch})


def _board_context(request, building, branch) -> dict:
    organization_ids = branch.subtree_ids() if branch is not None else None
    cards = selectors.cards(building_id=building.pk, organization_ids=organization_ids)
    branches, total = selectors.board_summary(building.pk)
    paginator = Paginator(cards, PAGE_SIZE)
    if branch is None:
        paginator.count = total  # the whole building's cards, summed from the branches' counts: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    return {
        "building": building,
        "branch": branch,
        "page": page,
        "branches": branches,
        "is_officer": request.user.role in OFFICERS,
        "own": Member.objects.filter(user=request.user).exists(),
    }


@require_GET
def building(request, pk):
    """The building's board: a card for each member on show, in pages."""
    return _board(request, building=get_object_or_404(selectors.buildings_for(request.user), pk=pk))


@require_GET
def branch(request, pk):
    """One branch's board (its party groups' members included)."""
    organization = get_object_or_404(selectors.branches_for(request.user).select_related("building"), pk=pk)
    return _board(request, building=organization.building, branch=organization)


def _printed(request, *, building, branch=None):
    """The whole board on paper: ``?layout=a4`` (3×3 cards a page, the default) or ``poster`` (A3 landscape, 3×2
    big cards for the lobby)."""
    layout = request.GET.get("layout", "a4")
    if layout not in LAYOUTS:
        layout = "a4"
    organization_ids = branch.subtree_ids() if branch is not None else None
    cards = list(selectors.cards(building_id=building.pk, organization_ids=organization_ids))
    per_page = LAYOUTS[layout]
    pages = [cards[i : i + per_page] for i in range(0, len(cards), per_page)] or [[]]
    back = reverse("showcase:branch", args=[branch.pk]) if branch else reverse("showcase:building", args=[building.pk])
    return render(
        request,
        f"showcase/print_{layout}.html",
        {"building": building, "branch": branch, "pages": pages, "count": len(cards), "layout": layout, "back": back},
    )


@require_GET
def building_print(request, pk):
    return _printed(request, building=get_object_or_404(selectors.buildings_for(request.user), pk=pk))


@require_GET
def branch_print(request, pk):
    organization = get_object_or_404(selectors.branches_for(request.user).select_related("building"), pk=pk)
    return _printed(request, building=organization.building, branch=organization)


@require_GET
def photo(request, pk):
    """A card's photo: to everybody of the building while the card is on the board (the member consented to
    that), else only to the member and her officers; files are never served from /media."""
    profile = get_object_or_404(ShowcaseProfile.objects.photos_for(request.user).exclude(photo=""), pk=pk)
    # The address carries the photo's version (?v=), so a replaced photo is fetched again.
    return private_file_response(profile.photo, content_type=photo_content_type(profile.photo.name), cache_seconds=3600)


# --- the member's own card ----------------------------------------------------------------------------------


def _save(request, form, *, member, consent, note="") -> ShowcaseProfile | None:
    """Call the service with the form's card: the saved profile, or None (the errors are on the form)."""
    try:
        return services.profile_save(member=member, by=request.user, consent=consent, note=note, **form.card())
    except ValidationError as error:
        if not add_service_errors(form, error):
            messages.error(request, " ".join(error.messages))
        return None


@require_http_methods(["GET", "POST"])
def mine(request):
    """我的亮相: the member's card (photo and pledge) and her consent to be shown, on her phone."""
    member = _own_member(request)
    profile = services.profile_of(member)
    form = MineForm(request.POST or None, request.FILES or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        consent = form.cleaned_data["consent"]
        saved = _save(request, form, member=member, consent=consent)
        if saved is not None:
            if saved.is_on_board:
                messages.success(request, _("Saved. Your card is on the building's board."))
            elif consent:
                messages.success(
                    request,
                    _("Saved. The card is shown once the branch records that you show your membership at work."),
                )
            else:
                messages.success(request, _("Saved. Your card is not shown on the board."))
            return redirect("showcase:mine")
    return render(request, "showcase/mine.html", {"member": member, "profile": profile, "form": form})


@require_POST
def mine_withdraw(request):
    """The member withdraws her consent: her card leaves the board at once."""
    member = _own_member(request)
    if services.withdraw(member=member, by=request.user):
        messages.success(request, _("Your consent is withdrawn: your card is no longer shown."))
    return redirect("showcase:mine")


# --- the officers -------------------------------------------------------------------------------------------


@require_GET
@role_required(*OFFICERS)
def manage(request):
    """The members in reach and where each stands with the board: on it, showing membership without consent,
    consent given but not shown, consent withdrawn."""
    # Kept whole under the viewer's scope (``for_user`` of the members looks at role, building and organisation
    # only), the query, the language and the day, until a table it was read from changes.
    body = data_cache.page(
        request, "showcase:manage", "showcase/_manage_body.html", lambda: _manage(request), by="scope"
    )
    return render(request, "showcase/manage.html", {"body": body})


def _manage(request) -> dict:
    form = StatusFilterForm(request.GET or None)
    members = form.filter(Member.objects.for_user(request.user).in_party())
    # The page's members are chosen by pk alone, then read with only the columns shown: sorting the members'
    # wide rows for the top 50 cost more than the rest of the page's SQL.
    ordered = members.order_by("organization__name", "name", "pk").values_list("pk", flat=True)
    page = Paginator(ordered, MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = selectors.members_with_status(Member.objects.only(*MANAGE_FIELDS)).in_bulk(list(page.object_list))
    page.object_list = [shown[pk] for pk in page.object_list]
    # One reverse for the page, not one a row: every row's link differs only in the member's id.
    member_url = url_maker("showcase:member")
    for member in page.object_list:
        member.officer_url = member_url(member.pk)
    rows = [(member, selectors.status_of(member)) for member in page.object_list]
    return {"form": form, "page": page, "rows": rows}


def _officer_member(request, pk) -> Member:
    member = get_object_or_404(
        Member.objects.for_user(request.user).select_related("organization", "enterprise", "user"), pk=pk
    )
    if not (can_write(request.user) and in_reach(request.user, member.organization_id)):
        raise PermissionDenied
    return member


@role_required(*OFFICERS)
@require_http_methods(["GET", "POST"])
def member(request, pk):
    """One member's card, kept by an officer; and a consent the member gave on paper."""
    member = _officer_member(request, pk)
    profile = services.profile_of(member)
    form = OfficerForm(request.POST or None, request.FILES or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        paper = form.cleaned_data.get("paper_consent")
        note = form.cleaned_data.get("consent_note", "")
        if _save(request, form, member=member, consent=True if paper else None, note=note) is not None:
            messages.success(request, _("The card of %(name)s is saved.") % {"name": member.name})
            return redirect("showcase:member", pk=member.pk)
    return render(request, "showcase/member.html", {"member": member, "profile": profile, "form": form})


@require_POST
@role_required(*OFFICERS)
def member_withdraw(request, pk):
    """The member asked her officer to take her off the board: her consent is withdrawn on her word."""
    member = _officer_member(request, pk)
    if services.withdraw(member=member, by=request.user):
        messages.success(
            request, _("The consent of %(name)s is withdrawn: the card is no longer shown.") % {"name": member.name}
        )
    return redirect("showcase:member", pk=member.pk)
