"""Forms for points: a member's claim, a deduction, the secretary's decision, the rules and the base score.

Forms check what a person typed; ``members.points`` checks the rules again and acts. Field names match the keys
of the services' ValidationErrors, so those land next to the right field.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization
from buildingparty.uploads import check_upload
from members.forms import DATE_WIDGET
from members.forms import DecisionForm as DecisionForm  # the same approve / reject with a reason as proposals
from members.points.models import PointRule
from members.points.services import EVIDENCE_TYPES, MAX_EVIDENCE_SIZE


def _rules(building_id, kind):
    return PointRule.objects.filter(building_id=building_id, kind=kind, is_active=True).order_by("name")


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rule):
        cap = _(", at most %(cap)d a year") % {"cap": rule.yearly_cap} if rule.yearly_cap else ""
        return f"{rule.name}（{rule.points:+d}{cap}）"


def check_evidence(file):
    """An image or a PDF of at most 10 MB, whose first bytes agree with its extension."""
    return check_upload(
        file,
        extensions=EVIDENCE_TYPES,
        max_size=MAX_EVIDENCE_SIZE,
        messages={
            "file_type": _("%(name)s: only a photo (JPG, PNG) or a PDF can be attached."),
            "file_size": _("%(name)s is %(size)s; a file can be at most 10 MB."),
            "file_content": _("%(name)s is not the photo or PDF its name says it is."),
        },
    )


class ClaimForm(forms.Form):
    rule = RuleChoiceField(label=_("For"), queryset=PointRule.objects.none(), empty_label=None)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(
        label=_("What for"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did, where and with whom, so your secretary can check it."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        help_text=_("A photo or a PDF, at most 10 MB: a certificate, a photo of the activity, a screenshot."),
    )

    def __init__(self, data=None, files=None, *, member, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["rule"].queryset = _rules(member.organization.building_id, PointRule.Kind.CLAIMED)
        self.fields["evidence"].widget.attrs["accept"] = ",".join(EVIDENCE_TYPES)

    def clean_evidence(self):
        return check_evidence(self.cleaned_data["evidence"])


class DeductionForm(forms.Form):
    rule = RuleChoiceField(label=_("Deduction"), queryset=PointRule.objects.none(), empty_label=None)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, initial=timezone.localdate)
    note = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("The member sees it, e.g. which meeting was missed."),
    )

    def __init__(self, data=None, *, member, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["rule"].queryset = _rules(member.organization.building_id, PointRule.Kind.DEDUCTION)


class RuleForm(forms.ModelForm):
    class Meta:
        model = PointRule
        fields = ["name", "code", "kind", "points", "yearly_cap", "description", "is_active"]

    def __init__(self, *args, building, in_use: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.building = building
        self.fields["points"].help_text = _(
            "Per entry: positive for credits, negative for a deduction (e.g. -2). The cap counts a deduction by "
            "its size."
        )
        if in_use:
            for name in ("code", "kind"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed: members have points from this rule.")

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = PointRule.objects.filter(building=self.building, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another rule of the building has this code."))
        return code

    def clean(self):
        data = super().clean()
        kind, points = data.get("kind"), data.get("points")
        if kind and points is not None and "points" not in self.errors:
            if points == 0:
                self.add_error("points", _("A rule is worth at least one point."))
            elif kind == PointRule.Kind.DEDUCTION and points > 0:
                self.add_error("points", _("A deduction takes points off: enter a negative number, e.g. -2."))
            elif kind != PointRule.Kind.DEDUCTION and points < 0:
                self.add_error("points", _("Only a deduction takes points off: enter a positive number."))
        return data


class PointYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    base_score = forms.IntegerField(
        label=_("Base score"), min_value=0, max_value=100, help_text=_("Every member starts the year with it.")
    )


class BoardForm(forms.Form):
    """The year, and for admins and street viewers the branch (none: every branch's average)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=PartyOrganization.objects.none(),
        required=False,
        empty_label=_("All branches: averages"),
    )

    def __init__(self, data=None, *, years: list[int], branches=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].initial = years[0]
        if branches is None:
            del self.fields["branch"]
        else:
            self.fields["branch"].queryset = branches
