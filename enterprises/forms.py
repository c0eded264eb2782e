from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.autocomplete import SearchChoiceField
from buildingparty.models import PartyOrganization, Role

from . import access
from .models import Enterprise
from .selectors import (
    BY_BUILDING,
    ORGANISATION_COVERAGE,
    ORGANISATION_COVERAGE_Q,
    SHOULD_FORM_BRANCH,
    with_member_counts,
    with_member_counts_grouped,
)
from .validators import validate_credit_code, validate_phone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# How an enterprise is found in a picker (EnterpriseSearchField and its endpoint, views.registry.enterprise_search).
ENTERPRISE_SEARCH = ("name__icontains", "name_initials__startswith", "credit_code__icontains")


def enterprise_label(enterprise) -> str:
    return f"{enterprise.name} · {enterprise.room}"


class EnterpriseSearchField(SearchChoiceField):
    """An enterprise of ``queryset`` (set it to a ``for_user`` scope), picked by name, initials or credit code.
    ``active_only`` asks the endpoint for enterprises in the building only, as such a queryset holds."""

    def __init__(self, *, active_only: bool = False, **kwargs):
        kwargs.setdefault("label", _("Enterprise"))
        super().__init__(
            queryset=Enterprise.objects.none(),
            url_name="enterprises:search",
            url_query="status=active" if active_only else "",
            label_from=enterprise_label,
            fields=ENTERPRISE_SEARCH,
            hint=_("type its full name or its credit code and choose from the list."),
            placeholder=_("Name, pinyin initials or credit code"),
            **kwargs,
        )


YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
NO_LIAISON = "none"
# The list shows the enterprises in the building unless asked otherwise.
STATUS_CHOICES = [
    ("", _("In the building")),
    ("moved_out", _("Moved out")),
    ("all", _("Including moved out")),
]
# Filters that compare one field: form field → model field.
FIELD_FILTERS = {"kind": "kind", "industry": "industry", "attitude": "attitude"}
# 组织覆盖 as the coverage report counts it (over ``with_member_counts``): no branch or joint branch splits into
# covered by the building's organisation (区域兜底) and none.
NO_ORG = Enterprise.PartyOrgStatus.NONE
COVERAGE_FILTERS = {value: ORGANISATION_COVERAGE_Q[value] for value in (BY_BUILDING, NO_ORG)}


class EnterpriseFilterForm(forms.Form):
    """The list's filters and search. The export uses the same form, so it exports what the list shows."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, credit code, room, legal representative, contact"), "type": "search"}
        ),
    )
    floor = forms.TypedChoiceField(label=_("Floor"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any"))] + Enterprise.Kind.choices)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    coverage = forms.ChoiceField(
        label=_("Party organisation"), required=False, choices=[("", _("Any"))] + ORGANISATION_COVERAGE
    )
    liaison = forms.ChoiceField(label=_("Liaison"), required=False)
    attitude = forms.ChoiceField(
        label=_("Owner's attitude"), required=False, choices=[("", _("Any"))] + Enterprise.Attitude.choices
    )
    has_members = forms.ChoiceField(label=_("Party members work there"), required=False, choices=YES_NO)
    should_form_branch = forms.BooleanField(
        label=_("Should form its own branch"),
        required=False,
        help_text=_("3 or more full members and no branch of its own."),
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        scope = Enterprise.objects.for_user(user)
        # Floors and industries come from one query over the user's enterprises.
        floors, industries = set(), set()
        for floor, industry in scope.order_by().values_list("floor", "industry").distinct():
            floors.add(floor)
            if industry:
                industries.add(industry)
        self.fields["floor"].choices = [("", _("Any"))] + [(f, str(f)) for f in sorted(floors)]
        self.fields["industry"].choices = [("", _("Any"))] + [(i, i) for i in sorted(industries)]
        if user.role == Role.LIAISON:
            del self.fields["liaison"]  # they see their own enterprises only
        else:
            liaisons = (
                get_user_model()
                .objects.filter(liaison_enterprises__in=scope)
                .distinct()
                .order_by("name", "username")
                .only("pk", "name", "username")
            )
            self.fields["liaison"].choices = [("", _("Any")), (NO_LIAISON, _("No liaison"))] + [
                (str(u.pk), u.display_name) for u in liaisons
            ]

    def filter(self, enterprises):
        """Apply the valid filters to a queryset already scoped with ``for_user``; the result carries the
        member counts of ``with_member_counts``."""
        if not self.is_valid():
            return with_member_counts(enterprises).filter(status=Enterprise.Status.ACTIVE)
        data = self.cleaned_data
        # Filtering on a count: one GROUP BY over the matching enterprises (the counts as correlated subqueries
        # in WHERE would run once for every enterprise of the district); else only the page's rows are counted.
        by_counts = data["coverage"] in COVERAGE_FILTERS or data["has_members"] or data["should_form_branch"]
        enterprises = (with_member_counts_grouped if by_counts else with_member_counts)(enterprises)
        if data["status"] == "":
            enterprises = enterprises.filter(status=Enterprise.Status.ACTIVE)
        elif data["status"] == "moved_out":
            enterprises = enterprises.filter(status=Enterprise.Status.MOVED_OUT)
        q = data["q"].strip()
        if q:
            enterprises = enterprises.filter(
                Q(name__icontains=q)
                | Q(credit_code__icontains=q.upper())
                | Q(room__icontains=q)
                | Q(legal_representative__icontains=q)
                | Q(contact_name__icontains=q)
                | Q(contact_phone__contains=q)
            )
        if data["floor"] is not None:
            enterprises = enterprises.filter(floor=data["floor"])
        for name, field in FIELD_FILTERS.items():
            if data[name]:
                enterprises = enterprises.filter(**{field: data[name]})
        if data["coverage"]:
            enterprises = enterprises.filter(
                COVERAGE_FILTERS.get(data["coverage"], Q(party_org_status=data["coverage"]))
            )
        liaison = data.get("liaison")
        if liaison == NO_LIAISON:
            enterprises = enterprises.filter(liaison__isnull=True)
        elif liaison:
            enterprises = enterprises.filter(liaison_id=int(liaison))
        if data["has_members"] == "yes":
            enterprises = enterprises.filter(member_total__gt=0)
        elif data["has_members"] == "no":
            enterprises = enterprises.filter(member_total=0)
        if data["should_form_branch"]:
            enterprises = enterprises.filter(SHOULD_FORM_BRANCH)
        return enterprises

    def active_filters(self) -> dict:
        """The filters in use, as plain values (recorded with an export)."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class EnterpriseForm(forms.ModelForm):
    """An enterprise's record. Status and the moved-out date change through the move action, with history."""

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "kind",
            "industry",
            "floor",
            "room",
            "employees",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "moved_in_on",
            "party_org_status",
            "party_organization",
            "attitude",
            "liaison",
            "contacts",
            "note",
        ]
        widgets = {
            "moved_in_on": DATE_WIDGET,
            "note": forms.Textarea(attrs={"rows": 3}),
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }
        error_messages = {
            "credit_code": {"unique": _("An enterprise with this credit code is already in the registry.")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        building_id = self.instance.building_id
        if access.is_restricted_editor(user):
            for name in access.LIAISON_LOCKED_FIELDS:
                del self.fields[name]
        else:
            self.fields["party_organization"].queryset = (
                PartyOrganization.objects.branches().filter(building_id=building_id).order_by("kind", "name")
            )
            users = get_user_model().objects.filter(building_id=building_id).order_by("name")
            self.fields["liaison"].queryset = users.filter(role=Role.LIAISON)
            self.fields["contacts"].queryset = users.filter(role=Role.CONTACT)
            self.fields["contacts"].widget.attrs["size"] = 4
            self.fields["contacts"].help_text = _("The enterprise's own sign-in accounts; they see its profile.")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_credit_code(self):
        return validate_credit_code(self.cleaned_data.get("credit_code"))

    def clean_contact_phone(self):
        value = (self.cleaned_data.get("contact_phone") or "").strip()
        return validate_phone(value) if value else value

    def clean_floor(self):
        floor = self.cleaned_data.get("floor")
        if floor == 0:
            raise ValidationError(_("There is no floor 0: the ground floor is 1, basements are -1, -2 …"))
        building = self.instance.building if self.instance.building_id else None
        if floor is not None and building is not None and building.floors > 1 and floor > building.floors:
            raise ValidationError(
                _("The building has %(floors)d floors.") % {"floors": building.floors}, code="above_top"
            )
        return floor

    def clean_moved_in_on(self):
        day = self.cleaned_data.get("moved_in_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        if day and self.instance.moved_out_on and day > self.instance.moved_out_on:
            raise ValidationError(
                _("It moved out on %(date)s; the date it moved in must be before that.")
                % {"date": self.instance.moved_out_on.isoformat()}
            )
        return day

    def clean(self):
        """The covering organisation must agree with the coverage status (DOMAIN.md §7)."""
        data = super().clean()
        if "party_org_status" not in self.fields:
            return data
        status, organization = data.get("party_org_status"), data.get("party_organization")
        Kind, Status = PartyOrganization.Kind, Enterprise.PartyOrgStatus
        if status == Status.NONE and organization is not None:
            self.add_error(
                "party_organization",
                _("An enterprise without a party organisation cannot name a covering organisation."),
            )
        elif status in (Status.OWN_BRANCH, Status.JOINT_BRANCH) and organization is None:
            self.add_error("party_organization", _("Choose the branch that covers it."))
        elif status == Status.OWN_BRANCH and organization.kind != Kind.BRANCH:
            self.add_error("party_organization", _("An enterprise with its own branch names that branch."))
        elif status == Status.JOINT_BRANCH and organization.kind != Kind.JOINT_BRANCH:
            self.add_error("party_organization", _("Choose the joint branch it belongs to."))
        return data


class MoveForm(forms.Form):
    """Moving out of the building, or back in (a new tenancy)."""

    OUT, IN = "out", "in"

    direction = forms.ChoiceField(choices=[(OUT, _("Move out")), (IN, _("Move back in"))], widget=forms.HiddenInput)
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return day

    def clean(self):
        data = super().clean()
        day, moved_out_on = data.get("on"), self.enterprise.moved_out_on
        if data.get("direction") == self.IN and day and moved_out_on and day < moved_out_on:
            self.add_error(
                "on",
                _("It moved out on %(date)s; it cannot move back in before that.") % {"date": moved_out_on.isoformat()},
            )
        return data
