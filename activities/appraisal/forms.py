"""Forms of the democratic appraisal. Forms check what a person typed; ``activities.appraisal.services`` checks the
rules again and acts. Field names match the keys of the services' ValidationErrors."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.meetings.models import Meeting
from buildingparty.models import PartyOrganization

from . import selectors
from .models import Appraisal, AppraisalRound, Grade
from .services import BRANCH_KINDS, MAX_TEXT

GRADE_CHOICES = [("", _("— choose —")), *Grade.choices]


class RoundFilterForm(forms.Form):
    """The year the round list shows; empty: every year."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        years = selectors.years_of(AppraisalRound.objects.for_user(user))
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]

    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None


class LifeMeetingField(forms.ModelChoiceField):
    def label_from_instance(self, meeting):
        return f"{meeting.organization.name} · {meeting.starts_at:%Y-%m-%d} · {meeting.topic}"


class RoundOpenForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), empty_label=None
    )
    year = forms.IntegerField(
        label=_("Year appraised"),
        min_value=2000,
        help_text=_("The year the members' conduct is appraised for; the meeting is often early the next year."),
    )
    life_meeting = LifeMeetingField(
        label=_("Organisational life meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("Optional: the branch's organisational life meeting the appraisal is held with."),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        today = timezone.localdate()
        self.fields["year"].max_value = today.year
        self.fields["year"].widget.attrs["max"] = today.year
        # Most rounds appraise last year, at the start of this one; in December, this year.
        self.initial.setdefault("year", today.year if today.month >= 11 else today.year - 1)
        self.fields["organization"].queryset = (
            PartyOrganization.objects.for_user(user).filter(kind__in=BRANCH_KINDS).order_by("name")
        )
        since = timezone.make_aware(datetime.datetime(today.year - 1, 1, 1))
        self.fields["life_meeting"].queryset = (
            Meeting.objects.for_user(user)
            .filter(kind=Meeting.Kind.LIFE_MEETING, organization__kind__in=BRANCH_KINDS, starts_at__gte=since)
            .exclude(status=Meeting.Status.CANCELLED)
            .select_related("organization")
            .order_by("-starts_at")
        )

    def clean(self):
        cleaned = super().clean()
        meeting, organization = cleaned.get("life_meeting"), cleaned.get("organization")
        if meeting is not None and organization is not None and meeting.organization_id != organization.pk:
            self.add_error("life_meeting", _("Choose an organisational life meeting of this branch."))
        return cleaned


class GradeForm(forms.Form):
    """The branch's grade of one full member. A probationary member has no grade to choose."""

    grade = forms.ChoiceField(label=_("Grade"), choices=GRADE_CHOICES)
    follow_up = forms.CharField(
        label=_("Organisational follow-up"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed for unqualified, e.g. correction within a set time (限期改正)."),
    )

    def __init__(self, data=None, *, appraisal: Appraisal, **kwargs):
        super().__init__(data, **kwargs)
        self.appraisal = appraisal
        if not appraisal.takes_grade:
            self.fields["grade"].choices = [("", _("— choose —"))]

    def clean(self):
        cleaned = super().clean()
        if not self.appraisal.takes_grade:
            raise forms.ValidationError(_("Probationary members take part without a grade."))
        if cleaned.get("grade") == Grade.UNQUALIFIED and not (cleaned.get("follow_up") or "").strip():
            self.add_error("follow_up", _("Unqualified needs the follow-up the branch decided."))
        return cleaned


class SelfAssessmentForm(forms.Form):
    self_assessment = forms.CharField(
        label=_("My self-assessment"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Political stance, study, work, keeping the party's rules and serving the people this year: "
            "what went well, what fell short, and what comes next."
        ),
    )


class PeerForm(forms.Form):
    """Her suggestion for each other member of her round: a grade for a full member (a comment optional), a
    comment for a probationary member. A peer left blank is skipped."""

    def __init__(self, data=None, *, peers: list[Appraisal], **kwargs):
        super().__init__(data, **kwargs)
        self.peers = peers
        for peer in peers:
            mine = getattr(peer, "mine", None)
            if peer.takes_grade:
                self.fields[f"grade_{peer.pk}"] = forms.ChoiceField(
                    label=_("Suggested grade"),
                    choices=GRADE_CHOICES,
                    required=False,
                    initial=mine.grade if mine else "",
                )
            self.fields[f"comment_{peer.pk}"] = forms.CharField(
                label=_("Assessment remarks"),
                max_length=MAX_TEXT,
                required=False,
                initial=mine.comment if mine else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[dict]:
        """One dict a peer, everything the template prints worked out here once: her name and group, the grade
        ``<select>``'s options (the chosen one selected), the labels, the comment and each field's errors. Drawing
        30 rows with a ``{% for %}`` over the choices and two ``{% blocktranslate %}`` each cost more than the
        rest of the page."""
        grade_label, comment_label = gettext("Suggested grade for %(name)s"), gettext("Comment on %(name)s")
        choices = [(value, conditional_escape(label)) for value, label in GRADE_CHOICES]
        errors = self.errors if self.is_bound else {}
        rows = []
        for peer in self.peers:
            member = peer.member
            name = conditional_escape(member.name)
            grade = None
            if peer.takes_grade:
                field = self[f"grade_{peer.pk}"]
                current = field.value()
                grade = {
                    "id": field.id_for_label,
                    "name": field.html_name,
                    "label": mark_safe(grade_label % {"name": name}),  # noqa: S308 -- every value in it escaped  # nosec B308 B703
                    "options": mark_safe(  # noqa: S308 -- every value in it escaped  # nosec B308 B703
                        "".join(
                            f'<option value="{conditional_escape(value)}"'
                            f"{' selected' if value == current else ''}>{label}</option>"
                            for value, label in choices
                        )
                    ),
                    "errors": errors.get(field.name, ()),
                }
            field = self[f"comment_{peer.pk}"]
            comment = {
                "id": field.id_for_label,
                "name": field.html_name,
                "label": mark_safe(comment_label % {"name": name}),  # noqa: S308 -- every value in it escaped  # nosec B308 B703
                "value": field.value() or "",
                "errors": errors.get(field.name, ()),
            }
            organization = member.organization
            rows.append(
                {
                    "pk": peer.pk,
                    "name": member.name,
                    "group": organization.name if organization.kind == "group" else "",
                    "takes_grade": peer.takes_grade,
                    "assessed": getattr(peer, "mine", None) is not None,
                    "grade": grade,
                    "comment": comment,
                }
            )
        return rows

    def rows_html(self) -> str:
        """``rows`` as the page's markup, one ``list-group-item`` a peer, written here once: thirty rows of twenty
        template variables each cost more than the rest of the page. Every value is escaped (the options, labels
        and errors as ``rows`` prepared them)."""
        probationary = conditional_escape(gettext("Probationary member"))
        assessed = conditional_escape(gettext("assessed"))
        esc = conditional_escape
        parts = []
        for row in self.rows():
            grade, comment = row["grade"], row["comment"]
            status = esc(row["group"])
            if not row["takes_grade"]:
                status += f' <span class="badge text-bg-light">{probationary}</span>'
            if row["assessed"]:
                status += (
                    ' <i class="bi bi-check2-circle text-success" aria-hidden="true"></i>'
                    f'<span class="visually-hidden">{assessed}</span>'
                )
            grade_html = ""
            if grade:
                grade_errors = "".join(f'<div class="invalid-feedback d-block">{esc(e)}</div>' for e in grade["errors"])
                grade_html = (
                    '\n            <div class="col-12 col-sm-4">\n'
                    f'              <label class="form-label small mb-0" for="{esc(grade["id"])}">'
                    f"{esc(grade['label'])}</label>\n"
                    "              <select "
                    f'class="form-select form-select-sm{" is-invalid" if grade["errors"] else ""}" '
                    f'id="{esc(grade["id"])}" name="{esc(grade["name"])}">\n'
                    f"                {esc(grade['options'])}\n"
                    "              </select>\n"
                    f"              {grade_errors}\n"
                    "            </div>\n            "
                )
            comment_errors = "".join(f'<div class="invalid-feedback d-block">{esc(e)}</div>' for e in comment["errors"])
            parts.append(
                f'\n        <div class="list-group-item" data-peer="{row["pk"]}">\n'
                '          <div class="d-flex flex-wrap justify-content-between gap-2 mb-1">\n'
                f"            <strong>{esc(row['name'])}</strong>\n"
                f'            <span class="small text-body-secondary">{status}</span>\n'
                "          </div>\n"
                '          <div class="row g-2">\n'
                f"            {grade_html}\n"
                f'            <div class="col-12{" col-sm-8" if grade else ""}">\n'
                f'              <label class="form-label small mb-0" for="{esc(comment["id"])}">'
                f"{esc(comment['label'])}</label>\n"
                "              <textarea "
                f'class="form-control form-control-sm{" is-invalid" if comment["errors"] else ""}" '
                f'id="{esc(comment["id"])}" name="{esc(comment["name"])}" rows="2" maxlength="{MAX_TEXT}">'
                f"{esc(comment['value'])}</textarea>\n"
                f"              {comment_errors}\n"
                "            </div>\n"
                "          </div>\n"
                "        </div>\n        "
            )
        return mark_safe("".join(parts))  # noqa: S308 -- every value in it is escaped  # nosec B308 B703

    def clean(self):
        cleaned = super().clean()
        for peer in self.peers:
            comment = (cleaned.get(f"comment_{peer.pk}") or "").strip()
            if peer.takes_grade and comment and not cleaned.get(f"grade_{peer.pk}"):
                self.add_error(f"grade_{peer.pk}", _("Suggest a grade with the comment."))
        return cleaned

    def entries(self):
        """(peer, grade, comment) of each peer filled in."""
        for peer in self.peers:
            grade = self.cleaned_data.get(f"grade_{peer.pk}") or ""
            comment = (self.cleaned_data.get(f"comment_{peer.pk}") or "").strip()
            if grade or comment:
                yield peer, grade, comment
