"""Reads of the bulletin board: the board for a user, what she has not read yet, and a notice's read receipts.

Every query is scoped by ``Notice.objects.for_user``; a list takes the same few queries however many rows it has.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from members.models import Member

from .forms import NOTICES_AND_NEWS
from .models import Notice, NoticeAttachment, NoticeRead

READ, UNREAD, EVERYONE = "read", "unread", "all"


def _with_flags(notices: QuerySet, user) -> QuerySet:
    """Each notice with whether the user has read it and whether it has attachments (two EXISTS, no N+1)."""
    return notices.annotate(
        is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)),
        has_attachments=Exists(NoticeAttachment.objects.filter(notice=OuterRef("pk"))),
    )


def board(user, *, kind: str = NOTICES_AND_NEWS, state: str = Notice.State.CURRENT, q: str = "") -> QuerySet:
    """The board: pinned first, then the newest. Readers see what is current; those who manage notices may list
    the scheduled, expired or withdrawn ones they manage."""
    now = timezone.now()
    notices = Notice.objects.for_user(user)
    if state == Notice.State.CURRENT:
        notices = notices.current(now)
    else:
        notices = notices.filter(pk__in=Notice.objects.managed_by(user).values("pk"))
        if state == Notice.State.SCHEDULED:
            notices = notices.filter(publish_at__gt=now, withdrawn_at__isnull=True)
        elif state == Notice.State.EXPIRED:
            notices = notices.filter(expires_at__lte=now, withdrawn_at__isnull=True)
        else:
            notices = notices.filter(withdrawn_at__isnull=False)
    if kind == NOTICES_AND_NEWS:
        notices = notices.exclude(kind=Notice.Kind.RULE)
    else:
        notices = notices.filter(kind=kind)
    if q:
        notices = notices.filter(title__icontains=q)
    return (
        _with_flags(notices, user)
        .select_related("audience", "building", "author")
        .order_by("-pinned", "-publish_at", "-pk")
    )


def rules(user) -> QuerySet:
    """The building's rules on the board (a street viewer: every building's), pinned ones first, then in the
    order they were posted."""
    return (
        _with_flags(Notice.objects.for_user(user).current().filter(kind=Notice.Kind.RULE), user)
        .select_related("building")
        .order_by("building__name", "-pinned", "publish_at", "pk")
    )


def unread(user) -> QuerySet:
    """The current notices the user may read and has not opened yet, newest first."""
    return (
        Notice.objects.for_user(user)
        .current()
        .exclude(Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)))
        .select_related("audience")
        .order_by("-publish_at", "-pk")
    )


def pinned(user) -> QuerySet:
    """The current pinned notices and news (the rules have their own page)."""
    return (
        Notice.objects.for_user(user)
        .current()
        .filter(pinned=True)
        .exclude(kind=Notice.Kind.RULE)
        .annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)))
        .select_related("audience")
        .order_by("-publish_at", "-pk")
    )


# --- read receipts ------------------------------------------------------------------------------------------


def audience(notice: Notice) -> QuerySet:
    """The members who should read the notice (应读): in normal standing and still here, of the whole building or
    of the branch it is addressed to (with its party groups)."""
    members = Member.objects.active()
    if notice.audience_id is None:
        return members.filter(organization__building_id=notice.building_id)
    return members.filter(Q(organization_id=notice.audience_id) | Q(organization__parent_id=notice.audience_id))


@dataclass(frozen=True)
class Receipts:
    should_read: int  # 应读
    have_read: int  # 已读
    members: QuerySet  # the rows to list, each with ``read_at`` (None: not read)


def receipts(notice: Notice, show: str = UNREAD) -> Receipts:
    """Who of the audience has read the notice and who has not. A member without an account cannot read it on
    the board; she is among those who have not. The counts and the rows: three queries with the page's count."""
    read_at = NoticeRead.objects.filter(notice=notice, user_id=OuterRef("user_id")).values("read_at")[:1]
    members = audience(notice).annotate(read_at=Subquery(read_at))
    has_read = Exists(NoticeRead.objects.filter(notice=notice, user_id=OuterRef("user_id")))
    counts = members.aggregate(should_read=Count("pk"), have_read=Count("pk", filter=has_read))
    if show == READ:
        rows = members.filter(has_read).order_by("-read_at", "pk")
    elif show == UNREAD:
        rows = members.exclude(has_read).order_by("organization__name", "name", "pk")
    else:
        rows = members.order_by("organization__name", "name", "pk")
    rows = rows.select_related("organization", "enterprise")
    return Receipts(should_read=counts["should_read"], have_read=counts["have_read"], members=rows)
