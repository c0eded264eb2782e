"""Bulletin-board pages: the board, one notice (which marks it read), writing, editing, pinning and withdrawing a
notice, its attachments, its read receipts, and the building's rules.

Each view: check the role (403), fetch through ``Notice.objects.for_user`` (404 out of scope; a reader finds a
notice only while it is on the board), check the write permission (``models.can_manage``, 403), then call
``activities.notices.services``. Everybody signed in reads the board; admins write for the whole building or a
branch, secretaries for their own branch.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buildingparty import data_cache
from buildingparty.forms import add_service_errors
from buildingparty.models import Role
from buildingparty.scope import role_required
from buildingparty.uploads import private_file_response

from . import selectors, services
from .forms import BoardFilterForm, NoticeForm
from .models import Notice, can_manage

PAGE_SIZE = 20
RULES_PAGE_SIZE = 10
RECEIPTS_PAGE_SIZE = 50
MANAGERS = (Role.ADMIN, Role.SECRETARY)


def _readable(request, pk) -> tuple[Notice, bool]:
    """The notice, if the user may read it now: in scope, and on the board unless she manages it."""
    notice = get_object_or_404(
        Notice.objects.for_user(request.user).select_related("building", "audience", "author", "withdrawn_by"), pk=pk
    )
    manages = can_manage(request.user, notice)
    if not notice.is_current and not manages:
        raise Http404
    return notice, manages


def _managed(request, pk) -> Notice:
    """The notice, if the user may change it: 404 out of scope, 403 when she only reads it."""
    notice = get_object_or_404(Notice.objects.for_user(request.user), pk=pk)
    if not can_manage(request.user, notice):
        raise PermissionDenied
    return notice


def _may_see_receipts(user, notice: Notice) -> bool:
    return can_manage(user, notice) or (notice.author_id is not None and notice.author_id == user.pk)


# --- the board ----------------------------------------------------------------------------------------------


@require_GET
def board(request):
    """Pinned first, then the newest; the kind and, for those who manage notices, the state to list.

    The content is kept whole, as HTML, under the account (the unread marks are the viewer's own), the query, the
    language and the day, until a table it was read from changes (a notice written, pinned or withdrawn, a notice
    read: ``data_cache.page``), and for a minute at most: a scheduled notice goes on the board at its time and an
    expiring one leaves it without any write. Opening the board marks nothing read."""
    body = data_cache.page(
        request, "notices:board", "notices/_board_body.html", lambda: _board(request), by="user", timeout=60
    )
    return render(request, "notices/board.html", {"body": body})


def _board(request) -> dict:
    form = BoardFilterForm(request.GET or None, user=request.user)
    choice = form.choice()
    notices = selectors.board(request.user, **choice)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "form": form,
        "choice": choice,
        "page": page,
        "can_write": request.user.role in MANAGERS,
        "show_building": request.user.role == Role.STREET,
        "filtered": bool(request.GET.get("kind") or request.GET.get("state") or request.GET.get("q")),
    }


@require_GET
def rules(request):
    """The building's rules in full (支部活动制度, 党员行为规范, 党员亮相制度, 积分制); shown is read."""
    page = Paginator(selectors.rules(request.user), RULES_PAGE_SIZE).get_page(request.GET.get("page"))
    services.mark_read(notices=[n for n in page if not n.is_read], user=request.user)
    return render(request, "notices/rules.html", {"page": page, "show_building": request.user.role == Role.STREET})


@require_GET
def detail(request, pk):
    """One notice in full. The first opening while it is on the board writes the reader's receipt."""
    notice, manages = _readable(request, pk)
    if notice.is_current:
        services.mark_read(notices=[notice], user=request.user)
    context = {
        "notice": notice,
        "attachments": list(notice.attachments.order_by("pk")),
        "can_manage": manages,
        "state": notice.state(),
    }
    if _may_see_receipts(request.user, notice):
        context["receipts"] = selectors.receipts(notice)
    return render(request, "notices/detail.html", context)


@require_GET
def attachment(request, pk, attachment_pk):
    """An attachment, only to those who may read its notice; files are never served from /media."""
    notice, _manages = _readable(request, pk)
    file_row = get_object_or_404(notice.attachments, pk=attachment_pk)
    # PDFs and photos open in the browser; Word and Excel files are downloaded.
    return private_file_response(
        file_row.file, content_type=services.attachment_content_type(file_row.file.name), filename=file_row.name
    )


# --- writing ------------------------------------------------------------------------------------------------


def _saved_message(notice: Notice, is_new: bool) -> str:
    if notice.publish_at > timezone.now():
        when = date_format(timezone.localtime(notice.publish_at), "Y-m-d H:i")
        return _("The notice is saved; it goes on the board at %(when)s.") % {"when": when}
    return _("The notice is on the board.") if is_new else _("The notice is saved.")


def _notice_form(request, notice: Notice):
    form = NoticeForm(request.POST or None, request.FILES or None, instance=notice, user=request.user)
    if request.method == "POST" and form.is_valid():
        is_new = notice.pk is None
        try:
            notice = services.notice_save(
                notice=form.save(commit=False),
                by=request.user,
                files=form.cleaned_data["attachments"],
                remove=form.cleaned_data.get("remove") or (),
            )
        except ValidationError as error:
            if not add_service_errors(form, error):
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _saved_message(notice, is_new))
            return redirect(notice)
    return render(request, "notices/form.html", {"form": form, "notice": notice})


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def create(request):
    """An admin writes for the whole building (or one branch); a secretary for her own branch."""
    user = request.user
    if user.role == Role.SECRETARY:
        if user.organization_id is None:
            raise PermissionDenied
        branch = user.organization.branch
        notice = Notice(building_id=branch.building_id, audience=branch)
    else:
        if user.building_id is None:
            raise PermissionDenied
        notice = Notice(building_id=user.building_id)
    return _notice_form(request, notice)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    notice = _managed(request, pk)
    if notice.withdrawn_at:
        messages.error(request, _("This notice was withdrawn; it can no longer be changed."))
        return redirect(notice)
    return _notice_form(request, notice)


def _act(request, notice: Notice, action, success: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(notice)


@require_POST
@role_required(*MANAGERS)
def pin(request, pk):
    notice = _managed(request, pk)
    return _act(
        request, notice, lambda: services.notice_pin(notice=notice, pinned=True), _("Pinned to the top of the board.")
    )


@require_POST
@role_required(*MANAGERS)
def unpin(request, pk):
    notice = _managed(request, pk)
    return _act(request, notice, lambda: services.notice_pin(notice=notice, pinned=False), _("The pin is taken out."))


@require_POST
@role_required(*MANAGERS)
def withdraw(request, pk):
    notice = _managed(request, pk)
    return _act(
        request,
        notice,
        lambda: services.notice_withdraw(notice=notice, by=request.user),
        _("The notice is withdrawn from the board."),
    )


# --- read receipts ------------------------------------------------------------------------------------------


@require_GET
@role_required(*MANAGERS)
def receipts(request, pk):
    """已读 N / 应读 M: who of the audience has read the notice, and who has not (first)."""
    notice = get_object_or_404(Notice.objects.for_user(request.user).select_related("audience", "building"), pk=pk)
    if not _may_see_receipts(request.user, notice):
        raise PermissionDenied
    show = request.GET.get("show")
    if show not in (selectors.READ, selectors.UNREAD, selectors.EVERYONE):
        show = selectors.UNREAD
    found = selectors.receipts(notice, show)
    page = Paginator(found.members, RECEIPTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/receipts.html",
        {"notice": notice, "receipts": found, "page": page, "show": show, "shows": _receipt_tabs()},
    )


def _receipt_tabs():
    return [
        (selectors.UNREAD, _("Not read yet")),
        (selectors.READ, pgettext("receipts", "Read")),
        (selectors.EVERYONE, pgettext("receipts", "Everybody")),
    ]
