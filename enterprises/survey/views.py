"""Survey views (调查摸底): campaigns and their progress, visits with the five clears, follow-ups, leads.

Each view: check the role (403), fetch through ``for_user`` (404 out of scope), check the write permission
on the row (403), then write through ``enterprises.survey.services`` or render. Turning a lead into a register
record lives with the members (``members.leads.views``): this floor only links there.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from buildingparty import data_cache
from buildingparty.links import ROW, url_maker
from buildingparty.models import Role
from buildingparty.redirects import safe_next
from buildingparty.scope import role_required
from enterprises.models import Enterprise

from . import services
from .forms import (
    CampaignForm,
    FollowUpDoneForm,
    FollowUpFormSet,
    LeadCloseForm,
    LeadFilterForm,
    LeadFormSet,
    ProgressFilterForm,
    VisitForm,
    assignees_for,
)
from .models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit
from .selectors import (
    COMPLETE,
    INCOMPLETE,
    NOT_VISITED,
    campaign_progress,
    campaigns_overview,
    progress_queryset,
    progress_rows,
    tally,
)

READERS = (Role.ADMIN, Role.SECRETARY, Role.LIAISON, Role.STREET)
VISITORS = (Role.ADMIN, Role.LIAISON)  # record visits
LEAD_MANAGERS = (Role.ADMIN, Role.SECRETARY)  # convert and close leads
FOLLOW_UP_DOERS = (Role.ADMIN, Role.LIAISON, Role.SECRETARY)  # a secretary only when it is assigned to them
PAGE_SIZE = 25
ENTERPRISE_PAGE_SIZE = 50

# The five clears in the order the report names them: key in SurveyVisit.five_clears, label.
FIVE_CLEARS = [
    ("situation", gettext_lazy("Enterprise situation clear")),
    ("members", gettext_lazy("Number of members clear")),
    ("relationships", gettext_lazy("Organisational relationships clear")),
    ("thinking", gettext_lazy("Members' thinking clear")),
    ("attitude", gettext_lazy("Owner's attitude clear")),
]


# --- who may do what -----------------------------------------------------------------------------------------


def can_record_visit(user, enterprise: Enterprise) -> bool:
    """Liaisons visit the enterprises assigned to them; the building admin any enterprise of the building."""
    if user.role == Role.ADMIN:
        return enterprise.building_id == user.building_id
    if user.role == Role.LIAISON:
        return enterprise.liaison_id == user.pk
    return False


def can_edit_visit(user, visit: SurveyVisit) -> bool:
    """Whoever recorded the visit, or the building admin."""
    if user.role == Role.ADMIN:
        return visit.campaign.building_id == user.building_id
    return user.role == Role.LIAISON and visit.recorded_by_id == user.pk


def can_mark_done(user, follow_up: FollowUp) -> bool:
    """Those who record visits, and whoever the follow-up was given to (a secretary, say)."""
    return user.role in VISITORS or (user.role in FOLLOW_UP_DOERS and follow_up.assigned_to_id == user.pk)


def _campaign_or_404(request, pk) -> SurveyCampaign:
    return get_object_or_404(SurveyCampaign.objects.for_user(request.user).select_related("building"), pk=pk)


def _visit_or_404(request, pk) -> SurveyVisit:
    return get_object_or_404(
        SurveyVisit.objects.for_user(request.user).select_related("campaign", "enterprise", "recorded_by"), pk=pk
    )


# --- campaigns -----------------------------------------------------------------------------------------------


@role_required(*READERS)
def campaign_list(request):
    campaigns = SurveyCampaign.objects.for_user(request.user).select_related("building").order_by("-starts_on", "-pk")
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    overview = campaigns_overview(page.object_list, cached=True)
    for campaign in page:
        campaign.progress = overview[campaign.pk]
    return render(
        request,
        "survey/campaign_list.html",
        {"page": page, "can_create": request.user.role == Role.ADMIN},
    )


def _campaign_form(request, campaign: SurveyCampaign, *, created: bool):
    form = CampaignForm(request.POST or None, instance=campaign, building=campaign.building)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                campaign = form.save()
        except IntegrityError:
            form.add_error("name", _("The building already has a campaign with this name."))
        else:
            messages.success(
                request,
                _("Campaign %(name)s created.") % {"name": campaign.name}
                if created
                else _("Campaign %(name)s saved.") % {"name": campaign.name},
            )
            return redirect(campaign)
    return render(request, "survey/campaign_form.html", {"form": form, "campaign": campaign})


@role_required(Role.ADMIN)
def campaign_create(request):
    campaign = SurveyCampaign(building=request.user.building, created_by=request.user)
    return _campaign_form(request, campaign, created=True)


@role_required(Role.ADMIN)
def campaign_edit(request, pk):
    return _campaign_form(request, _campaign_or_404(request, pk), created=False)


@role_required(*READERS)
def campaign_detail(request, pk):
    """The campaign's progress, and its enterprises a page at a time (a liaison's own only). A fixed number of
    queries however many enterprises and visits the building has.

    Kept whole, as HTML (data_cache.page_with, with the title), until a table it was read from changes: under the
    scope for admins, secretaries and street viewers (``for_user``, the progress and the buttons look at role and
    building only), under the account for a liaison (their enterprises, their progress). The chart's numbers are
    in the content (a json_script tag); the page's style keeps the request's CSP nonce, outside."""
    by = "user" if request.user.role == Role.LIAISON else "scope"
    body, kept = data_cache.page_with(
        request,
        "survey:campaign_detail",
        "survey/_campaign_detail_body.html",
        lambda: _campaign_detail(request, pk),
        keep=("title",),
        by=by,
    )
    return render(request, "survey/campaign_detail.html", {"title": kept["title"], "body": body})


def _campaign_detail(request, pk) -> dict:
    user = request.user
    campaign = _campaign_or_404(request, pk)
    progress = campaign_progress(campaign, cached=True)
    liaison = user if user.role == Role.LIAISON else None
    mine = campaign_progress(campaign, liaison=liaison, cached=True) if liaison else None
    form = ProgressFilterForm(request.GET or None, floors=[f.floor for f in progress.floors])
    rows = form.filter(progress_queryset(campaign, liaison=liaison), campaign)
    paginator = Paginator(rows, ENTERPRISE_PAGE_SIZE)
    paginator.count = _listed_count(form, (mine or progress).floors)  # counted already, per floor and state
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = progress_rows(campaign, page.object_list)
    may_record = campaign.status != SurveyCampaign.Status.CLOSED and user.role in VISITORS
    # The rows' links, once a page rather than by get_absolute_url() and {% url %} a row.
    enterprise_url, visit_url = url_maker("enterprises:detail"), url_maker("survey:visit_detail")
    record_url = url_maker("survey:visit_create", campaign.pk, ROW)
    for row in page:
        row.can_record = may_record and can_record_visit(user, row.enterprise)
        row.enterprise_url = enterprise_url(row.enterprise.pk)
        row.latest_url = visit_url(row.latest.pk) if row.latest else None
        row.record_url = record_url(row.enterprise.pk) if row.can_record else None
    return {
        "title": campaign.name,
        "campaign": campaign,
        "progress": progress,
        "mine": mine,
        "form": form,
        "page": page,
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "can_edit": user.role == Role.ADMIN,
        "show_building": user.role == Role.STREET,
        "chart": _chart(progress),
    }


def _listed_count(form: ProgressFilterForm, floors) -> int:
    """How many enterprises ``form.filter`` lists, from the tallies of the same enterprises (the per-floor
    numbers, by the same rule: enterprises/survey/tests/test_survey_sql.py checks the two agree)."""
    state, floor = (form.cleaned_data["state"], form.cleaned_data["floor"]) if form.is_valid() else ("", None)
    counted = tally(f for f in floors if floor is None or f.floor == floor)
    return {
        "": counted.total,
        COMPLETE: counted.complete,
        INCOMPLETE: counted.incomplete,
        NOT_VISITED: counted.not_visited,
    }[state]


def _chart(progress) -> dict:
    """What the per-floor chart draws (static/js/survey.js reads it from a json_script tag)."""
    return {
        **progress.chart_data(),
        "floor_labels": [_("Floor %(n)s") % {"n": f.floor} for f in progress.floors],
        "labels": {
            "complete": _("Five clears complete"),
            "incomplete": _("Visited, five clears incomplete"),
            "not_visited": _("Not yet visited"),
        },
    }


# --- visits --------------------------------------------------------------------------------------------------


def _lead_count(visit: SurveyVisit, leads) -> int:
    """The members this visit found whose relationship is elsewhere: the rows being saved and those already
    converted or closed."""
    count = len(leads.initial_forms) + sum(1 for f in leads.extra_forms if f.has_changed())
    if visit.pk:
        count += visit.leads.exclude(status=SurveyLead.Status.OPEN).count()
    return count


def _visit_form(request, visit: SurveyVisit):
    """The visit form with its follow-ups and leads, saved together or not at all.

    On an existing visit the follow-ups not done yet and the open leads can be corrected; new rows can be added.
    """
    data = request.POST or None
    initial = {} if visit.pk else {"visitors": request.user.display_name}
    form = VisitForm(data, instance=visit, initial=initial)
    follow_ups = FollowUpFormSet(
        data,
        instance=visit,
        prefix="follow_ups",
        queryset=FollowUp.objects.filter(done_on__isnull=True).order_by("due_on", "pk"),
        form_kwargs={"assignees": assignees_for(visit.campaign.building_id, keep_from=visit)},
    )
    leads = LeadFormSet(
        data, instance=visit, prefix="leads", queryset=SurveyLead.objects.filter(status=SurveyLead.Status.OPEN)
    )
    if request.method == "POST" and all([form.is_valid(), follow_ups.is_valid(), leads.is_valid()]):
        found, lead_count = form.cleaned_data["members_found"], _lead_count(visit, leads)
        if lead_count and (found is None or found < lead_count):
            form.add_error(
                "members_found",
                ngettext(
                    "You recorded %(n)d lead, a member whose relationship is elsewhere; "
                    "members found must be at least that.",
                    "You recorded %(n)d leads, members whose relationship is elsewhere; "
                    "members found must be at least that.",
                    lead_count,
                )
                % {"n": lead_count},
            )
        else:
            is_new = visit.pk is None
            with transaction.atomic():
                visit = services.visit_record(visit=form.save(commit=False), by=request.user)
                follow_ups.instance = leads.instance = visit
                follow_ups.save()
                leads.save()
            if is_new:
                message = _("Visit to %(name)s recorded.") % {"name": visit.enterprise.name}
            else:
                message = _("Visit to %(name)s saved.") % {"name": visit.enterprise.name}
            if not visit.is_complete:
                message += " " + _("Some of the five clears are still open; you can complete them later.")
            messages.success(request, message)
            return redirect(visit)
    return render(
        request,
        "survey/visit_form.html",
        {
            "form": form,
            "follow_ups": follow_ups,
            "leads": leads,
            "visit": visit,
            "campaign": visit.campaign,
            "enterprise": visit.enterprise,
        },
    )


@role_required(*VISITORS)
def visit_create(request, pk, enterprise_pk):
    campaign = _campaign_or_404(request, pk)
    enterprise = get_object_or_404(
        Enterprise.objects.for_user(request.user).filter(
            building_id=campaign.building_id, status=Enterprise.Status.ACTIVE
        ),
        pk=enterprise_pk,
    )
    if not can_record_visit(request.user, enterprise):
        raise PermissionDenied
    if campaign.status == SurveyCampaign.Status.CLOSED:
        messages.error(request, _("This campaign is closed; it takes no more visits."))
        return redirect(campaign)
    return _visit_form(request, SurveyVisit(campaign=campaign, enterprise=enterprise))


@role_required(*VISITORS)
def visit_edit(request, pk):
    visit = _visit_or_404(request, pk)
    if not can_edit_visit(request.user, visit):
        raise PermissionDenied
    return _visit_form(request, visit)


def _render_visit(request, visit: SurveyVisit, bound: tuple | None = None):
    user, today = request.user, timezone.localdate()
    clears = visit.five_clears
    follow_ups = list(
        visit.follow_ups.select_related("assigned_to").order_by(F("done_on").asc(nulls_first=True), "due_on", "pk")
    )
    for follow_up in follow_ups:
        follow_up.overdue = follow_up.done_on is None and follow_up.due_on < today
        follow_up.can_mark = (
            follow_up.done_on is None and user.role in FOLLOW_UP_DOERS and can_mark_done(user, follow_up)
        )
        if follow_up.can_mark:
            if bound is not None and bound[0] == follow_up.pk:
                follow_up.form = bound[1]
            else:
                follow_up.form = FollowUpDoneForm(auto_id=f"fu{follow_up.pk}_%s")
    leads = list(visit.leads.select_related("closed_by").order_by("-pk"))
    return render(
        request,
        "survey/visit_detail.html",
        {
            "visit": visit,
            "campaign": visit.campaign,
            "enterprise": visit.enterprise,
            "clears": [{"key": k, "label": label, "done": clears[k]} for k, label in FIVE_CLEARS],
            "clears_done": sum(clears.values()),
            "follow_ups": follow_ups,
            "leads": leads,
            "can_edit": user.role in VISITORS and can_edit_visit(user, visit),
            "can_act_on_leads": user.role in LEAD_MANAGERS,
        },
    )


@role_required(*READERS)
def visit_detail(request, pk):
    return _render_visit(request, _visit_or_404(request, pk))


@require_POST
@role_required(*FOLLOW_UP_DOERS)
def follow_up_done(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.filter(visit__in=SurveyVisit.objects.for_user(request.user)), pk=pk)
    if not can_mark_done(request.user, follow_up):
        raise PermissionDenied
    visit = _visit_or_404(request, follow_up.visit_id)
    form = FollowUpDoneForm(request.POST, auto_id=f"fu{follow_up.pk}_%s")
    if form.is_valid():
        try:
            done = services.follow_up_complete(
                follow_up=follow_up,
                done_on=form.cleaned_data["done_on"],
                outcome=form.cleaned_data["outcome"],
                by=request.user,
            )
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field, errors)
        else:
            if done is None:
                messages.info(request, _("This follow-up was already marked done."))
                return redirect(visit)
    if not form.is_valid():
        return _render_visit(request, visit, bound=(follow_up.pk, form))
    messages.success(request, _("Follow-up marked done: %(action)s") % {"action": follow_up.action})
    return redirect(visit)


# --- leads ---------------------------------------------------------------------------------------------------


@role_required(*READERS)
def lead_list(request):
    """Members found on visits whose relationship is elsewhere (隐形党员): open ones first.

    Kept whole, as HTML (data_cache.page), until a table it was read from changes: under the scope for admins,
    secretaries and street viewers (``for_user``, the campaigns and the actions look at role and building only),
    under the account for a liaison (the leads of their visits)."""
    by = "user" if request.user.role == Role.LIAISON else "scope"
    body = data_cache.page(
        request, "survey:lead_list", "survey/_lead_list_body.html", lambda: _lead_list(request), by=by
    )
    return render(request, "survey/lead_list.html", {"body": body})


def _lead_list(request) -> dict:
    form = LeadFilterForm(request.GET or None, user=request.user)
    leads = SurveyLead.objects.for_user(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            leads = leads.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["campaign"]:
            leads = leads.filter(visit__campaign=form.cleaned_data["campaign"])
    leads = leads.annotate(
        open_first=Case(
            When(status=SurveyLead.Status.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("open_first", "-visit__visited_on", "-pk")
    # The page is chosen by ids first (ordering every lead joined to its enterprise, campaign and closer cost
    # more than the page); then only the page's leads are read with them.
    page = Paginator(leads.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    found = (
        SurveyLead.objects.select_related("visit__enterprise", "visit__campaign", "closed_by")
        .order_by()
        .in_bulk(list(page.object_list))
    )
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    can_act = request.user.role in LEAD_MANAGERS
    return {
        "page": page,
        "rows": _lead_rows(page.object_list, can_act),
        "form": form,
        "can_act": can_act,
        "close_form": LeadCloseForm(auto_id=False),
        "filtered": bool(request.GET),
        "next": request.get_full_path(),
    }


LEAD_BADGES = {
    SurveyLead.Status.OPEN: "text-bg-warning",
    SurveyLead.Status.TRANSFERRED_IN: "text-bg-success",
    SurveyLead.Status.MOBILE: "text-bg-info",
}


def _lead_rows(leads, can_act) -> list[tuple]:
    """Each lead's links and badge, worked out once here rather than by {% url %} and includes per row:
    (lead, status badge, visit url, actions: (transfer in, incoming, close) urls or None)."""
    urls = {
        name: url_maker(name)
        for name in ("survey:visit_detail", "members:lead_transfer_in", "members:lead_incoming", "survey:lead_close")
    }
    labels = {value: str(label) for value, label in SurveyLead.Status.choices}
    rows = []
    for lead in leads:
        badge = format_html(
            '<span class="badge {}">{}</span>',
            LEAD_BADGES.get(lead.status, "text-bg-secondary"),
            labels.get(lead.status, lead.status),
        )
        actions = None
        if can_act and lead.status == SurveyLead.Status.OPEN:
            actions = tuple(
                urls[name](lead.pk)
                for name in ("members:lead_transfer_in", "members:lead_incoming", "survey:lead_close")
            )
        rows.append((lead, badge, urls["survey:visit_detail"](lead.visit_id), actions))
    return rows


@require_POST
@role_required(*LEAD_MANAGERS)
def lead_close(request, pk):
    lead = get_object_or_404(SurveyLead.objects.for_user(request.user), pk=pk)
    back = safe_next(request, reverse("survey:lead_list"))
    form = LeadCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the reason for closing the lead."))
        return redirect(back)
    try:
        services.lead_close(lead=lead, reason=form.cleaned_data["close_reason"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The lead for %(name)s is closed.") % {"name": lead.name})
    return redirect(back)
