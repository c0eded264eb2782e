"""Every write of the democratic appraisal: atomic, keyword-only, each recording who did it.

The cap on 优秀 is a count over the round's appraisals: ``grade`` locks the round's row first, so two secretaries
grading at the same moment queue behind each other and the second sees the first's 优秀.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.meetings import rules
from activities.meetings.models import Meeting
from buildingparty.models import PartyOrganization
from buildingparty.notifications import notify
from members.models import Member

from .models import Appraisal, AppraisalRound, Grade, PeerAssessment

BRANCH_KINDS = (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)
MAX_TEXT = 2000


def _open_round(round_id: int, *, lock: bool = False) -> AppraisalRound:
    """The round, refused unless it is still open (locked for the rest of the transaction when asked)."""
    rounds = AppraisalRound.objects.select_for_update() if lock else AppraisalRound.objects
    round = rounds.get(pk=round_id)
    if not round.is_open:
        raise ValidationError(_("The appraisal of %(year)s is closed; nothing can be changed.") % {"year": round.year})
    return round


def _text(value: str, field: str, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write something here.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": MAX_TEXT}})
    return text


@transaction.atomic
def round_open(
    *,
    organization: PartyOrganization,
    year: int,
    by,
    life_meeting: Meeting | None = None,
    notify_members: bool = True,
) -> AppraisalRound:
    """Open a branch's appraisal of a year.

    1. Refuse anything but a branch or joint branch, a second round of the year, and a 组织生活会 of another
       organisation.
    2. Write one appraisal per member of the branch and its groups in normal standing and still here: full
       members take a grade, probationary members take part without one.
    3. Tell the members with an account that their self-assessment is expected (not when the demo writes a
       past year's round).
    """
    if organization.kind not in BRANCH_KINDS:
        raise ValidationError({"organization": _("A democratic appraisal is held by a branch or a joint branch.")})
    if life_meeting is not None and (
        life_meeting.organization_id != organization.pk or life_meeting.kind != Meeting.Kind.LIFE_MEETING
    ):
        raise ValidationError({"life_meeting": _("Choose an organisational life meeting of this branch.")})
    already = ValidationError(
        {"year": _("%(branch)s already has an appraisal of %(year)s.") % {"branch": organization, "year": year}}
    )
    if AppraisalRound.objects.filter(organization=organization, year=year).exists():
        raise already
    try:
        with transaction.atomic():
            round = AppraisalRound.objects.create(
                organization=organization, year=year, life_meeting=life_meeting, opened_by=by
            )
    except IntegrityError:  # the same round opened at the same moment by someone else
        raise already
    members = list(
        Member.objects.active()
        .filter(organization_id__in=organization.subtree_ids())
        .select_related("user")
        .order_by("name", "pk")
    )
    Appraisal.objects.bulk_create(
        Appraisal(round=round, member=member, takes_grade=member.category == Member.Category.FULL) for member in members
    )
    if not notify_members:
        return round
    notify(
        users=[member.user for member in members if member.user_id],
        event="appraisal_opened",
        context={"round": round, "branch": organization.name, "year": year},
        url=reverse("appraisal:mine"),
        dedupe_key=f"appraisal_opened:{round.pk}",
    )
    return round


@transaction.atomic
def self_assess(*, appraisal: Appraisal, text: str) -> Appraisal:
    """The member's self-assessment (自我评价); written again while the round is open, it replaces the last."""
    _open_round(appraisal.round_id)
    appraisal.self_assessment = _text(text, "self_assessment", required=True)
    appraisal.self_submitted_at = timezone.now()
    appraisal.save(update_fields=["self_assessment", "self_submitted_at"])
    return appraisal


@transaction.atomic
def peer_assess(*, assessor: Member, appraisal: Appraisal, grade: str, comment: str) -> PeerAssessment:
    """One member's assessment of another of her round (党员互评); given again, it replaces the last.

    A full member's assessment suggests a grade; a probationary member is not graded, so hers is a comment.
    Nobody assesses herself, and only members of the same round assess each other.
    """
    _open_round(appraisal.round_id)
    if assessor.pk == appraisal.member_id:
        raise ValidationError(_("A self-assessment is written on its own form, not as a peer assessment."))
    if not Appraisal.objects.filter(round_id=appraisal.round_id, member=assessor).exists():
        raise ValidationError(_("Only members taking part in this appraisal assess each other."))
    comment = _text(comment, "comment", required=False)
    if appraisal.takes_grade:
        if grade not in Grade.values:
            raise ValidationError({"grade": _("Suggest one of the four grades.")})
    elif grade:
        raise ValidationError({"grade": _("Probationary members take part without a grade.")})
    elif not comment:
        raise ValidationError({"comment": _("Write a comment for a probationary member.")})
    assessment, _created = PeerAssessment.objects.update_or_create(
        appraisal=appraisal,
        assessor=assessor,
        defaults={"grade": grade, "comment": comment, "at": timezone.now()},
    )
    return assessment


@transaction.atomic
def grade(*, appraisal: Appraisal, grade: str, follow_up: str, by) -> Appraisal:
    """The branch's grade of a full member.

    1. Lock the round: the cap is a count over its appraisals.
    2. Refuse a probationary member, an unknown grade, 不合格 without the follow-up (组织处置).
    3. For 优秀: refuse when the round already has as many 优秀 as a third of those graded allows
       (``rules.max_excellent``), with the figures.
    """
    round = _open_round(appraisal.round_id, lock=True)
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    appraisal.round = round
    if not appraisal.takes_grade:
        raise ValidationError(_("Probationary members take part without a grade."))
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose one of the four grades.")})
    follow_up = _text(follow_up, "follow_up", required=grade == Grade.UNQUALIFIED)
    if grade == Grade.EXCELLENT and appraisal.grade != Grade.EXCELLENT:
        taking = round.appraisals.filter(takes_grade=True)
        graded = taking.count()
        cap = rules.max_excellent(graded)
        if taking.filter(grade=Grade.EXCELLENT).count() >= cap:
            raise ValidationError(
                {
                    "grade": _(
                        "No more than a third of the members graded may be excellent: "
                        "%(graded)d graded, at most %(cap)d excellent."
                    )
                    % {"graded": graded, "cap": cap}
                }
            )
    appraisal.grade = grade
    appraisal.follow_up = follow_up
    appraisal.graded_by = by
    appraisal.graded_at = timezone.now()
    appraisal.save(update_fields=["grade", "follow_up", "graded_by", "graded_at"])
    return appraisal


@transaction.atomic
def round_close(*, round: AppraisalRound, by) -> AppraisalRound:
    """Close the round once every full member has a grade; nothing changes after that."""
    round = _open_round(round.pk, lock=True)
    ungraded = round.appraisals.filter(takes_grade=True, grade="").count()
    if ungraded:
        raise ValidationError(
            _("%(n)d full members have no grade yet; grade every full member before closing.") % {"n": ungraded}
        )
    round.status = AppraisalRound.Status.CLOSED
    round.closed_by = by
    round.closed_at = timezone.now()
    round.save(update_fields=["status", "closed_by", "closed_at"])
    return round
