"""Outreach letters (the two letters of the building survey): the building's letters, editing them, and choosing
the recipients and printing one A4 page each."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from buildingparty.models import Role
from buildingparty.scope import role_required
from enterprises.forms import EnterpriseFilterForm
from members.forms import MemberFilterForm

from . import selectors, services
from .forms import LetterDateForm, LetterTemplateForm
from .models import LetterTemplate

# What each merge field holds, shown beside the letter's text.
MERGE_FIELD_HELP = {
    "姓名": gettext_lazy("the member; for owners the legal representative, else the contact person"),
    "企业": gettext_lazy("the enterprise's name"),
    "房间": gettext_lazy("the room in the building"),
    "联络员": gettext_lazy("the enterprise's liaison"),
    "联络员电话": gettext_lazy("the liaison's phone"),
    "支部": gettext_lazy("the member's branch"),
}

# Letters printed in one go: a whole building's enterprises (241 in the seed) fit; a mistaken "everyone" of a
# big district does not hang the browser.
LETTER_CAP = 300


@role_required(Role.ADMIN, Role.SECRETARY)
@require_http_methods(["GET", "POST"])
def letter_list(request):
    """The building's letters. An admin can add the two default letters the building does not have (POST)."""
    user = request.user
    if request.method == "POST":
        if user.role != Role.ADMIN:
            raise PermissionDenied
        created = services.ensure_default_letters(user.building, by=user)
        count = len(created)
        messages.success(
            request,
            ngettext("%(count)d default letter added.", "%(count)d default letters added.", count) % {"count": count},
        )
        return redirect("letters:list")
    letters = list(selectors.letters_for(user))
    titles = {letter.title for letter in letters}
    is_admin = user.role == Role.ADMIN
    return render(
        request,
        "letters/list.html",
        {
            "letters": letters,
            "can_edit": is_admin,
            "missing_defaults": [d for d in services.default_letters() if d["title"] not in titles] if is_admin else [],
        },
    )


def _letter_form(request, form, *, letter=None):
    if request.method == "POST" and form.is_valid():
        letter = services.letter_save(letter=form.save(commit=False), by=request.user)
        messages.success(request, _("The letter “%(title)s” is saved.") % {"title": letter.title})
        return redirect("letters:list")
    return render(
        request,
        "letters/form.html",
        {
            "form": form,
            "letter": letter,
            "merge_fields": [
                (audience, label, [(name, MERGE_FIELD_HELP.get(name, "")) for name in LetterTemplate.FIELDS[audience]])
                for audience, label in LetterTemplate.Audience.choices
            ],
        },
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def letter_create(request):
    return _letter_form(request, LetterTemplateForm(request.POST or None, building=request.user.building))


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def letter_edit(request, pk):
    letter = get_object_or_404(LetterTemplate.objects.for_user(request.user), pk=pk)
    form = LetterTemplateForm(request.POST or None, instance=letter, building=letter.building)
    return _letter_form(request, form, letter=letter)


@role_required(Role.ADMIN, Role.SECRETARY)
@require_GET
def letter_print(request, pk):
    """Choose the recipients, then print one A4 page per recipient (``?print=1``).

    Owners' letters go to the enterprises of the building (the enterprise list's filters); members' letters to
    the members in the user's scope (the member list's filters; a secretary's branch). The queries are the same
    however many letters there are.
    """
    user = request.user
    letter = get_object_or_404(LetterTemplate.objects.for_user(user), pk=pk)
    if letter.audience == LetterTemplate.Audience.OWNERS:
        form = EnterpriseFilterForm(request.GET, user=user)
        candidates = form.filter(selectors.owner_candidates(user))
        main_filters = ("floor", "status", "q")
    else:
        form = MemberFilterForm(request.GET, user=user)
        candidates = form.filter(selectors.member_candidates(user))
        main_filters = ("organization", "enterprise", "q")
    date_form = LetterDateForm(request.GET)

    chosen = list(candidates[: LETTER_CAP + 1])
    too_many = len(chosen) > LETTER_CAP
    letters = [] if too_many else selectors.compose(letter, selectors.recipients(letter, chosen))
    query = request.GET.copy()
    query.pop("print", None)
    context = {
        "letter": letter,
        "letters": letters,
        "form": form,
        "main_filters": [form[name] for name in main_filters if name in form.fields],
        "more_filters": [field for field in form if field.name not in main_filters],
        "date_form": date_form,
        "date": date_form.letter_date(),
        "cap": LETTER_CAP,
        "too_many": too_many,
        "total": candidates.count() if too_many else len(letters),
        "incomplete": [item for item in letters if item.missing],
        "query": query.urlencode(),
    }
    if request.GET.get("print") and letters:
        return render(request, "letters/print.html", context)
    return render(request, "letters/choose.html", context)
