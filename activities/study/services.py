"""Every write of study sessions: atomic, keyword-only, recording who did it; and the check of a materials file.

Forms check what a person typed; ``session_save`` checks again what a form cannot see (the clock, whose names
were offered) and acts. Its messages are keyed by the form field they belong to.
"""

import os
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from buildingparty.uploads import KNOWN_TYPES, content_agrees

from .models import StudyParticipation, StudySession

# --- the materials file -------------------------------------------------------------------------------------

# extension → (the type it is served with, its magic numbers, the folder an Office zip holds): the ground floor's
# table of known types (buildingparty.uploads), which also checks the content.
MATERIAL_TYPES = {
    extension: KNOWN_TYPES[extension]
    for extension in (".pdf", ".doc", ".docx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png")
}
MAX_MATERIAL_SIZE = 10 * 1024 * 1024


def material_content_type(name: str) -> str:
    """The type a stored file is served with: from its extension, never from what a browser claimed."""
    return MATERIAL_TYPES[os.path.splitext(name)[1].lower()][0]


def check_material(file):
    """A PDF, Word or PowerPoint document or a photo of at most 10 MB, whose content agrees with its name."""
    extension = os.path.splitext(file.name)[1].lower()
    if extension not in MATERIAL_TYPES:
        raise ValidationError(
            _("%(name)s: only PDF, Word, PowerPoint, JPG or PNG files can be attached."),
            code="file_type",
            params={"name": file.name},
        )
    if file.size > MAX_MATERIAL_SIZE:
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


# --- sessions -----------------------------------------------------------------------------------------------


@transaction.atomic
def session_save(
    *, session: StudySession, by, participant_ids: Iterable[int], candidate_ids: Iterable[int]
) -> StudySession:
    """Record a new study session, or save an edited one, with who took part.

    1. What a form cannot see: the session was held (its date is not in the future); the ticked members were
       among the names offered (``candidate_ids``, one branch's at most: ``selectors.participant_candidates``).
    2. The session (a new materials file, checked by the form, is stored under a random name:
       ``models.material_path``).
    3. Of the names offered, those ticked take part and the others do not. Participants who were not offered
       (another branch's, in a general-branch session) stay as they are.
    """
    participant_ids, candidate_ids = set(participant_ids), set(candidate_ids)
    if session.held_on and session.held_on > timezone.localdate():
        raise ValidationError(
            {"held_on": _("A study session is recorded once it has been held: the date cannot be in the future.")}
        )
    if not participant_ids <= candidate_ids:
        raise ValidationError({"participants": _("Tick members of the organisation only.")})
    if session.pk is None:
        session.created_by = by
    session.full_clean(exclude=["created_by"])
    session.save()

    taking_part = set(
        StudyParticipation.objects.filter(session=session, member_id__in=candidate_ids).values_list(
            "member_id", flat=True
        )
    )
    StudyParticipation.objects.filter(session=session, member_id__in=candidate_ids - participant_ids).delete()
    StudyParticipation.objects.bulk_create(
        [StudyParticipation(session=session, member_id=pk) for pk in sorted(participant_ids - taking_part)],
        ignore_conflicts=True,
    )
    return session
