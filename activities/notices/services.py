"""Every write of the bulletin board: atomic, keyword-only; and the check of an attached file.

Views check who may act (``models.can_manage``); forms check what a person typed; these functions check again
what a form cannot see (the notice's building, its state) and act. Messages are keyed by the form field they
belong to.
"""

import os
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.models import PartyOrganization
from buildingparty.uploads import KNOWN_TYPES, content_agrees

from .models import Notice, NoticeAttachment, NoticeRead

# --- attachments --------------------------------------------------------------------------------------------

# extension → (the type it is served with, its magic numbers, the folder an Office zip holds): the ground floor's
# table of known types (buildingparty.uploads), which also checks the content.
ATTACHMENT_TYPES = {
    extension: KNOWN_TYPES[extension]
    for extension in (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")
}
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


def attachment_content_type(name: str) -> str:
    """The type a stored file is served with: from its extension, never from what a browser claimed."""
    return ATTACHMENT_TYPES[os.path.splitext(name)[1].lower()][0]


def check_attachment(file):
    """A PDF, Word or Excel document or a photo of at most 10 MB, whose content agrees with its name."""
    extension = os.path.splitext(file.name)[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("%(name)s: only PDF, Word, Excel, JPG or PNG files can be attached."),
            code="file_type",
            params={"name": file.name},
        )
    if file.size > MAX_ATTACHMENT_SIZE:
        raise ValidationError(
            _("%(name)s is %(size)s; a file can be at most 10 MB."),
            code="file_size",
            params={"name": file.name, "size": filesizeformat(file.size)},
        )
    if not content_agrees(file, extension):
        raise ValidationError(
            _("%(name)s is not the kind of file its name says it is."), code="file_content", params={"name": file.name}
        )
    return file


# --- notices ------------------------------------------------------------------------------------------------


def _check(notice: Notice) -> None:
    """What the form cannot see: the audience is a branch of the notice's building; a rule is the building's."""
    if notice.audience_id is not None:
        audience = (
            PartyOrganization.objects.filter(pk=notice.audience_id).values_list("building_id", "kind").first() or ()
        )
        branch_kinds = (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)
        if len(audience) != 2 or audience[0] != notice.building_id or audience[1] not in branch_kinds:
            raise ValidationError({"audience": _("Address the notice to the whole building or one of its branches.")})
        if notice.kind == Notice.Kind.RULE:
            raise ValidationError({"kind": _("A rule is the building's: address it to the whole building.")})
    if notice.expires_at and notice.expires_at <= notice.publish_at:
        raise ValidationError({"expires_at": _("A notice leaves the board after it is published, not before.")})


@transaction.atomic
def notice_save(*, notice: Notice, by, files: Iterable = (), remove: Iterable[NoticeAttachment] = ()) -> Notice:
    """Publish (or schedule) a new notice, or save an edited one, with its attachments.

    1. A withdrawn notice stays as it was.
    2. What a form cannot see (``_check``); the author is whoever wrote it first.
    3. The attachments ticked for removal go (with their files, once the change is committed); the new files,
       checked by the form, are stored under random names (``models.attachment_path``), ten at most.
    """
    if notice.pk and Notice.objects.filter(pk=notice.pk, withdrawn_at__isnull=False).exists():
        raise ValidationError(_("This notice was withdrawn; it can no longer be changed."), code="withdrawn")
    if notice.publish_at is None:
        notice.publish_at = timezone.now()
    _check(notice)
    if notice.pk is None:
        notice.author = by
    notice.full_clean(exclude=["author", "withdrawn_by"])
    notice.save()

    gone = [a for a in remove if a.notice_id == notice.pk]
    for attachment in gone:
        stored = attachment.file
        transaction.on_commit(lambda stored=stored: stored.delete(save=False))
    NoticeAttachment.objects.filter(pk__in=[a.pk for a in gone]).delete()
    files = list(files)
    if notice.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("A notice can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}}
        )
    for file in files:
        attachment = NoticeAttachment(
            notice=notice, name=os.path.basename(file.name)[:200], size=file.size, uploaded_by=by
        )
        attachment.file.save(file.name, file, save=False)
        attachment.save()
    return notice


@transaction.atomic
def notice_pin(*, notice: Notice, pinned: bool) -> Notice:
    """Pin a notice to the top of the board, or take the pin out."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.withdrawn_at:
        raise ValidationError(_("This notice was withdrawn; it can no longer be changed."), code="withdrawn")
    if notice.pinned != pinned:
        notice.pinned = pinned
        notice.save(update_fields=["pinned", "updated_at"])
    return notice


@transaction.atomic
def notice_withdraw(*, notice: Notice, by) -> Notice:
    """Take a notice off the board for good. Its read receipts stay: who read it is still a fact."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.withdrawn_at is None:
        notice.withdrawn_at = timezone.now()
        notice.withdrawn_by = by
        notice.pinned = False
        notice.save(update_fields=["withdrawn_at", "withdrawn_by", "pinned", "updated_at"])
    return notice


def mark_read(*, notices: Iterable[Notice], user) -> None:
    """Record that ``user`` has read these notices: one insert that skips those already read, so the first
    reading's time stays and a receipt is never written twice (the unique constraint is the second guard)."""
    if not user.is_authenticated:
        return
    now = timezone.now()
    NoticeRead.objects.bulk_create(
        [NoticeRead(notice_id=notice.pk, user_id=user.pk, read_at=now) for notice in notices], ignore_conflicts=True
    )
