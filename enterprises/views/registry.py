"""Registry views: the list, an enterprise's page, adding and editing, moving out and back in, coverage."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from buildingparty import data_cache
from buildingparty.autocomplete import search_response
from buildingparty.links import url_maker
from buildingparty.models import Role
from buildingparty.scope import in_reach, role_required

from .. import access, sections, selectors, services
from ..forms import ENTERPRISE_SEARCH, EnterpriseFilterForm, EnterpriseForm, MoveForm, enterprise_label
from ..models import Enterprise, EnterpriseChange
from ..templatetags.enterprise_tags import attitude_class, coverage_class, coverage_flags

PAGE_SIZE = 25
HISTORY_LIMIT = 50
MEMBER_PAGE_SIZE = 50  # the members working at an enterprise, on its page
COVERAGE_PAGE_SIZE = 20  # each of the coverage page's lists


def _enterprise_or_404(request, pk, *related):
    return get_object_or_404(Enterprise.objects.for_user(request.user).select_related(*related), pk=pk)


@role_required(*access.LIST_ROLES)
def enterprise_search(request):
    """The enterprise pickers' suggestions (JSON): in the user's scope, by name, pinyin initials or credit code;
    ``status=active`` keeps to those in the building."""
    enterprises = Enterprise.objects.for_user(request.user)
    if request.GET.get("status") == "active":
        enterprises = enterprises.filter(status=Enterprise.Status.ACTIVE)
    return search_response(enterprises, request.GET.get("q"), ENTERPRISE_SEARCH, enterprise_label)


@role_required(*access.LIST_ROLES)
def enterprise_list(request):
    # The list is kept whole, as HTML (data_cache.page), until a table it was read from changes: under the scope
    # for admins, secretaries and street viewers (``for_user``, the filters' choices and the buttons look at role
    # and building only), under the account for a liaison (their own enterprises).
    by = "user" if request.user.role == Role.LIAISON else "scope"
    body = data_cache.page(
        request, "enterprises:list", "enterprises/_enterprise_list_body.html", lambda: _enterprise_list(request), by=by
    )
    return render(request, "enterprises/enterprise_list.html", {"body": body})


def _enterprise_list(request) -> dict:
    user = request.user
    form = EnterpriseFilterForm(request.GET or None, user=user)
    enterprises = form.filter(Enterprise.objects.for_user(user)).select_related("liaison", "party_organization")
    page = Paginator(enterprises.order_by("floor", "room", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "rows": _list_rows(page),
        "form": form,
        "can_create": access.can_create(user),
        "can_transfer_register": user.role == Role.ADMIN,  # export and import
        "can_see_coverage": user.role in access.COVERAGE_ROLES,
        "min_full": selectors.FORM_BRANCH_MIN_FULL,
    }


def _list_rows(page) -> list[tuple]:
    """Each row's link, labels and badges, worked out once here rather than by includes and tags per row:
    (enterprise, url, kind, liaison, party organisation badge, attitude badge, status, flags)."""
    url = url_maker("enterprises:detail")
    flag_badges = {
        "should_form_branch": format_html(
            '<span class="badge text-bg-warning" data-flag="should_form_branch"><i class="bi bi-flag me-1" '
            'aria-hidden="true"></i>{}</span> ',
            _("Should form its own branch"),
        ),
        "members_without_organization": format_html(
            '<span class="badge text-bg-danger" data-flag="members_without_organization"><i class="bi '
            'bi-exclamation-triangle me-1" aria-hidden="true"></i>{}</span> ',
            _("Members but no organisation"),
        ),
    }
    # The choices' labels translated once a page (get_FOO_display() costs as much as a template variable).
    kinds, orgs, attitudes, statuses = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Enterprise.Kind, Enterprise.PartyOrgStatus, Enterprise.Attitude, Enterprise.Status)
    )
    rows = []
    for e in page:
        org = format_html(
            '<span class="badge {}">{}</span>',
            coverage_class(e.party_org_status),
            orgs.get(e.party_org_status, e.party_org_status),
        )
        if e.party_organization:
            org += format_html(' <span class="small">{}</span>', e.party_organization)
        status = statuses.get(e.status, e.status)
        if e.status != Enterprise.Status.ACTIVE:
            status = format_html('<span class="badge text-bg-secondary">{}</span>', status)
        rows.append(
            (
                e,
                url(e.pk),
                kinds.get(e.kind, e.kind),
                e.liaison or "—",
                org,
                format_html(
                    '<span class="badge {}">{}</span>',
                    attitude_class(e.attitude),
                    attitudes.get(e.attitude, e.attitude),
                ),
                status,
                mark_safe("".join(flag_badges[flag] for flag in coverage_flags(e))),  # noqa: S308 -- (escaped above)  # nosec B308 B703
            )
        )
    return rows


def enterprise_detail(request, pk):
    # Kept whole, as HTML, under the account (what a viewer sees of the members, the buttons and the survey's
    # visits depend on who they are) until a table it was read from changes, with the enterprise's name (the
    # page's title, outside the content) kept beside it.
    body, kept = data_cache.page_with(
        request,
        "enterprises:detail",
        "enterprises/_enterprise_detail_body.html",
        lambda: _enterprise_detail(request, pk),
        keep=("name",),
    )
    return render(request, "enterprises/enterprise_detail.html", {"body": body, "name": kept["name"]})


def _enterprise_detail(request, pk) -> dict:
    user = request.user
    enterprise = _enterprise_or_404(request, pk, "building", "liaison", "party_organization")
    counts = selectors.member_counts(enterprise)
    facts = {"status": enterprise.status, "party_org_status": enterprise.party_org_status}
    internal = access.can_see_internal(user)
    can_edit = access.can_edit(user, enterprise)
    context = {
        "name": enterprise.name,
        "enterprise": enterprise,
        "counts": counts,
        "internal": internal,
        "can_edit": can_edit,
        "can_move": access.can_move(user, enterprise),
        "contacts": list(enterprise.contacts.order_by("name")) if internal else [],
        "should_form_branch": selectors.should_form_branch(**facts, full_members=counts["full"]),
        "members_without_organization": selectors.members_without_organization(
            **facts, members=counts["total"], members_in_building=counts["in_building"]
        ),
        "covered_by_building": selectors.organisation_coverage(
            party_org_status=enterprise.party_org_status, members_in_building=counts["in_building"]
        )
        == selectors.BY_BUILDING,
        "min_full": selectors.FORM_BRANCH_MIN_FULL,
        "show_members": access.can_see_member_names(user),
        "show_building": user.role == Role.STREET,
        "link_organization": enterprise.party_organization_id is not None
        and (
            user.role == Role.STREET
            # in_reach for an admin (its building's organisations), from the organisation already read
            or (user.role == Role.ADMIN and enterprise.party_organization.building_id == user.building_id)
            or (user.role != Role.ADMIN and in_reach(user, enterprise.party_organization_id))
        ),
        "today": timezone.localdate(),
    }
    if context["show_members"]:
        # In normal standing first, then by name, a page at a time (the largest enterprise has hundreds): the
        # order is decided over every member's status and name (here, so the queries need no ORDER BY), the page's
        # members are then read by pk.
        in_scope = enterprise.members.for_user(user)
        order = sorted(
            in_scope.order_by().values_list("status", "name", "pk"),
            key=lambda m: (m[0] != selectors.MEMBER_NORMAL, m[1]),
        )
        number = request.GET.get("page") if request.GET.get("list") == "members" else 1
        page = Paginator([pk for _status, _name, pk in order], MEMBER_PAGE_SIZE).get_page(number)
        # Only what the list shows (the other columns include encrypted ones, decrypted on reading).
        found = (
            in_scope.filter(pk__in=page.object_list)
            .select_related("organization")
            .only("name", "category", "status", "enterprise_id", "organization__name")
            .order_by()
            .in_bulk()
        )
        # One reverse() for the page, not one {% url %} per row.
        member_url = url_maker("members:detail")
        members = [found[pk] for pk in page.object_list if pk in found]
        # The category and status labels translated once a page, not by get_FOO_display() a row.
        member_fields = enterprise.members.model._meta
        categories, statuses = (
            {value: str(label) for value, label in member_fields.get_field(name).flatchoices}
            for name in ("category", "status")
        )
        for member in members:
            member.detail_url = member_url(member.pk)
            member.category_label = categories.get(member.category, member.category)
            member.status_label = statuses.get(member.status, member.status)
        page.object_list = members
        shown_in_standing = sum(1 for status, _name, _pk in order if status == selectors.MEMBER_NORMAL)
        context.update(
            members=members, members_page=page, members_not_shown=max(counts["total"] - shown_in_standing, 0)
        )
    if internal:
        context["history"] = list(enterprise.changes.select_related("changed_by")[:HISTORY_LIMIT])
    if context["can_move"]:
        direction = MoveForm.OUT if enterprise.status == Enterprise.Status.ACTIVE else MoveForm.IN
        context["move_form"] = MoveForm(
            initial={"direction": direction, "on": timezone.localdate()}, enterprise=enterprise
        )
    # What the apps above the registry add to the page (the survey's visits, its "record a visit" button).
    context["actions"] = sections.actions_for(request, enterprise, context)
    context["sections"] = sections.sections_for(request, enterprise, context) if internal else []
    return context


def my_enterprise(request):
    enterprise = Enterprise.objects.filter(contacts=request.user).only("pk").first()
    if enterprise is None:
        raise Http404
    return redirect(enterprise)


def enterprise_create(request):
    user = request.user
    if not access.can_create(user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, instance=Enterprise(building=user.building), user=user)
    if request.method == "POST" and form.is_valid():
        enterprise = services.enterprise_create(enterprise=form.save(commit=False), created_by=user)
        form.save_m2m()
        messages.success(request, _("%(name)s has been registered.") % {"name": enterprise.name})
        return redirect(enterprise)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "creating": True})


def enterprise_edit(request, pk):
    user = request.user
    enterprise = _enterprise_or_404(request, pk, "building")
    if not access.can_edit(user, enterprise):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=user)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        changes = services.enterprise_update(enterprise=edited, changed_by=user)
        if "contacts" in form.fields:
            changes.update(_save_contacts(form, edited, user))
        if changes:
            messages.success(
                request,
                ngettext("Saved. %(n)d field changed.", "Saved. %(n)d fields changed.", len(changes))
                % {"n": len(changes)},
            )
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect(edited)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise})


def _save_contacts(form, enterprise, user) -> dict:
    """The contacts are a many-to-many the field services do not track: save them and record the change."""
    before = sorted(str(u) for u in enterprise.contacts.all())
    after = sorted(str(u) for u in form.cleaned_data["contacts"])
    if before == after:
        return {}
    form.save_m2m()
    changes = {"contacts": [before, after]}
    services.record_change(enterprise=enterprise, action=EnterpriseChange.Action.UPDATED, changes=changes, by=user)
    return changes


@require_POST
def enterprise_move(request, pk):
    """Move out of the building (``direction=out``) or back in (``direction=in``), with a date and a note."""
    enterprise = _enterprise_or_404(request, pk)
    if not access.can_move(request.user, enterprise):
        raise PermissionDenied
    form = MoveForm(request.POST, enterprise=enterprise)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(enterprise)
    data = form.cleaned_data
    move = services.enterprise_move_out if data["direction"] == MoveForm.OUT else services.enterprise_move_in
    try:
        move(enterprise=enterprise, on=data["on"], by=request.user, note=data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if data["direction"] == MoveForm.OUT:
            messages.success(request, _("%(name)s has moved out of the building.") % {"name": enterprise.name})
        else:
            messages.success(request, _("%(name)s has moved back into the building.") % {"name": enterprise.name})
    return redirect(enterprise)


@role_required(*access.COVERAGE_ROLES)
def coverage(request):
    # Kept whole, as HTML (data_cache.page), under the viewer's scope (``for_user`` and the building column look at
    # role and building only) until a table it was read from changes; the chart's numbers are in the kept HTML.
    body = data_cache.page(
        request, "enterprises:coverage", "enterprises/_coverage_body.html", lambda: _coverage(request), by="scope"
    )
    return render(request, "enterprises/coverage.html", {"body": body})


def _coverage(request) -> dict:
    enterprises = Enterprise.objects.for_user(request.user)
    report = selectors.coverage_report(enterprises, selectors.organizations_of(enterprises), cached=True)
    # Each flagged list shows a page of its enterprises; ?list=<name>&page=N turns the pages of one of them.
    shown = request.GET.get("list")
    pages = {
        name: getattr(report, name).page(request.GET.get("page") if name == shown else 1, COVERAGE_PAGE_SIZE)
        for name in selectors.FLAGGED
    }
    return {
        "report": report,
        "pages": pages,
        "chart_data": report.chart_data(),
        "show_building": request.user.role == Role.STREET,
        "min_full": selectors.FORM_BRANCH_MIN_FULL,
        "max_units": selectors.JOINT_BRANCH_MAX_UNITS,
    }
