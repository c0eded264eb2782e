import datetime

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.autocomplete import SearchChoiceField
from buildingparty.crypto import id_hashes
from buildingparty.models import PartyOrganization, User
from enterprises.forms import EnterpriseSearchField
from enterprises.models import Enterprise

from . import codes
from .models import JobCategory, Member, MobilePeriod, StandingDecision, add_years
from .selectors import linkable_accounts
from .validators import validate_phone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

AGE_BANDS = [
    ("under30", _("Under 30")),
    ("30s", _("30–39")),
    ("40s", _("40–49")),
    ("50s", _("50–59")),
    ("60plus", _("60 and over")),
]
AGE_RANGES = {"under30": (0, 30), "30s": (30, 40), "40s": (40, 50), "50s": (50, 60), "60plus": (60, 200)}
YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
COLLEGE_PLUS = "college_plus"  # the statistics' 大专及以上 (codes.COLLEGE_AND_ABOVE)

# How a member, and a member's sign-in account, are found in a picker (the fields and views.pickers).
MEMBER_SEARCH = ("name__icontains", "name_initials__startswith")
ACCOUNT_SEARCH = ("name__icontains", "username__icontains")


def member_label(member) -> str:
    return f"{member.name} · {member.organization.name}"


def account_label(account) -> str:
    return f"{account.display_name} · {account.username}"


class MemberSearchField(SearchChoiceField):
    """A member of ``queryset`` (a ``for_user`` scope with its organisation selected), by name or initials."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Member.objects.none(),
            url_name="members:search",
            label_from=member_label,
            fields=MEMBER_SEARCH,
            hint=_("type the full name and choose from the list."),
            placeholder=_("Name or pinyin initials"),
            **kwargs,
        )


class AccountSearchField(SearchChoiceField):
    """A sign-in account a member's record may be linked to (selectors.linkable_accounts), by name or username."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=User.objects.none(),
            url_name="members:account_search",
            label_from=account_label,
            fields=ACCOUNT_SEARCH,
            exact="username",
            hint=_("type the account's username and choose from the list."),
            placeholder=_("Name or username"),
            **kwargs,
        )


class MemberFilterForm(forms.Form):
    """The list's filters and search. The export uses the same form, so it exports what the list shows."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Name, pinyin initials, phone, ID tail"), "type": "search"}),
    )
    organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=PartyOrganization.objects.none(), required=False, empty_label=_("All branches")
    )
    enterprise = EnterpriseSearchField(required=False, free=True, active_only=True)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any"))] + Member.Category.choices
    )
    status = forms.ChoiceField(
        label=_("Party standing"), required=False, choices=[("", _("Any"))] + Member.Status.choices
    )
    whereabouts = forms.ChoiceField(
        label=_("Whereabouts"), required=False, choices=[("", _("Any"))] + Member.Whereabouts.choices
    )
    mobile = forms.ChoiceField(label=_("Mobile member"), required=False, choices=YES_NO)
    lost = forms.ChoiceField(label=_("Lost contact"), required=False, choices=YES_NO)
    age = forms.ChoiceField(label=_("Age"), required=False, choices=[("", _("Any"))] + AGE_BANDS)
    education = forms.ChoiceField(
        label=_("Education"),
        required=False,
        choices=[("", _("Any")), (COLLEGE_PLUS, _("College or above (大专及以上)"))] + codes.EDUCATIONS,
    )
    gender = forms.ChoiceField(label=_("Gender"), required=False, choices=[("", _("Any"))] + Member.Gender.choices)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["organization"].queryset = PartyOrganization.objects.for_user(user).order_by("kind", "name")
        self.fields["enterprise"].queryset = (
            Enterprise.objects.for_user(user).filter(status=Enterprise.Status.ACTIVE).order_by("name")
        )

    def filter(self, members, *, today: datetime.date | None = None):
        """Apply the valid filters to a queryset already scoped with ``for_user``."""
        if not self.is_valid():
            return members
        data, today = self.cleaned_data, today or timezone.localdate()
        q = data["q"].strip()
        if q:
            condition = Q(name__icontains=q)
            if q.isascii() and q.isalpha():
                condition |= Q(name_initials__startswith=q.lower())
            if q.isdigit() or (q[:-1].isdigit() and q[-1:] in "xX"):
                # ID numbers are encrypted: found by their last four characters, or whole by their keyed hash.
                condition |= Q(phone__contains=q)
                if len(q) <= 4:
                    condition |= Q(id_last4__endswith=q.upper())
                elif len(q) == 18:
                    condition |= Q(id_hash__in=id_hashes(q))
            members = members.filter(condition)
        if data["organization"]:
            members = members.filter(organization_id__in=data["organization"].subtree_ids())
        if isinstance(data["enterprise"], Enterprise):
            members = members.filter(enterprise=data["enterprise"])
        elif data["enterprise"]:  # text naming several enterprises, or none
            members = members.filter(enterprise__in=self.fields["enterprise"].matching(data["enterprise"]))
        for field in ("category", "status", "whereabouts", "gender"):
            if data[field]:
                members = members.filter(**{field: data[field]})
        if data["education"] == COLLEGE_PLUS:
            members = members.filter(education__in=codes.COLLEGE_AND_ABOVE)
        elif data["education"]:
            members = members.filter(education=data["education"])
        if data["mobile"]:
            members = members.filter(is_mobile=data["mobile"] == "yes")
        if data["lost"]:
            members = members.filter(lost_contact_since__isnull=data["lost"] == "no")
        if data["age"]:
            low, high = AGE_RANGES[data["age"]]
            # Age low..high-1 means born after (today - high years) and on or before (today - low years).
            members = members.filter(birth_date__gt=add_years(today, -high), birth_date__lte=add_years(today, -low))
        return members

    def active_filters(self) -> dict:
        """The filters in use, as plain values (recorded with an export)."""
        if not self.is_valid():
            return {}
        return {k: (str(v) if hasattr(v, "pk") else v) for k, v in self.cleaned_data.items() if v}


class MemberForm(forms.ModelForm):
    """The registration form (党员登记表): the 16 national items and the building's own facts."""

    enterprise = EnterpriseSearchField(required=False, label=Member._meta.get_field("enterprise").verbose_name)
    user = AccountSearchField(required=False, label=_("User account"))

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "id_number",
            "birth_date",
            "education",
            "category",
            "organization",
            "joined_on",
            "full_member_on",
            "expected_full_on",
            "job_category",
            "job_note",
            "phone",
            "home_address",
            "enterprise",
            "room",
            "skills",
            "posts",
            "is_hardship",
            "hardship_note",
            "shows_membership",
            "showcase_post",
            "rewards_penalties",
            "code_leftovers",
            "user",
        ]
        widgets = {
            "birth_date": DATE_WIDGET,
            "joined_on": DATE_WIDGET,
            "full_member_on": DATE_WIDGET,
            "expected_full_on": DATE_WIDGET,
            "rewards_penalties": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "birth_date": _("Filled in from the ID number when left empty."),
            "gender": _("Filled in from the ID number when left empty."),
        }

    def __init__(self, *args, user, reveal_id: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Editing shows the ID number masked; the full number only after the audited 「显示」 (reveal_id=True).
        # Saving the masked value unchanged keeps the stored number (clean_id_number).
        self.id_masked = bool(self.instance.pk) and not reveal_id
        if self.id_masked:
            self.initial["id_number"] = self.instance.masked_id_number
        self.fields["organization"].queryset = (
            PartyOrganization.objects.for_user(user)
            .exclude(kind=PartyOrganization.Kind.GENERAL_BRANCH)
            .order_by("kind", "name")
        )
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        # guards: only this building's member-role accounts not yet linked to a member, plus the one linked now;
        # a posted id of another building's (or an officer's) account is refused.
        self.fields["user"].queryset = linkable_accounts(user, keep_id=self.instance.user_id)
        self.fields["user"].help_text = _("The member's sign-in account, if they have one.")
        for name in ("birth_date", "gender"):
            self.fields[name].required = False
        # The code lists: selects. The model allows blanks only for old values the lists could not take.
        self.fields["ethnicity"].required = True
        self.fields["job_category"].queryset = JobCategory.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.job_category_id)
        )
        self.fields["job_category"].empty_label = _("— choose —")
        if not self.instance.code_leftovers:
            del self.fields["code_leftovers"]  # shown only while there is something left to sort out
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if self.instance.pk and value == self.instance.masked_id_number:
            return self.instance.id_number  # left as shown: the stored number stays
        if "*" in value:
            raise forms.ValidationError(
                _("To change the ID number, first click 「Show」 to see it in full."), code="masked"
            )
        return value

    def clean_phone(self):
        value = self.cleaned_data.get("phone") or ""
        return validate_phone(value) if value else ""


class ProposalForm(forms.Form):
    """What a member may propose for their own record."""

    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    home_address = forms.CharField(label=_("home address"), max_length=200, required=False)
    job_note = forms.CharField(label=_("job title"), max_length=100, required=False)
    skills = forms.CharField(label=_("skills"), max_length=200, required=False)

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        return validate_phone(value) if value else value


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    decision_note = forms.CharField(label=_("Reason"), max_length=200, required=False)


class StandingDecisionForm(forms.ModelForm):
    """A decision about the member's standing (DOMAIN.md §5a); the service checks it fits the current standing."""

    class Meta:
        model = StandingDecision
        fields = ["kind", "decided_on", "reason", "approved_by_organization"]
        widgets = {"decided_on": DATE_WIDGET}

    def clean_decided_on(self):
        value = self.cleaned_data["decided_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(_("Please record the reason or the decision."))
        return value


class MobileStartForm(forms.ModelForm):
    class Meta:
        model = MobilePeriod
        fields = ["province", "city", "county", "since", "card_number", "host_organization", "note"]
        widgets = {"since": DATE_WIDGET}


class MobileEndForm(forms.Form):
    until = forms.DateField(label=_("back on"), widget=DATE_WIDGET)


class LostContactForm(forms.Form):
    lost_contact_since = forms.DateField(
        label=_("lost contact since"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty when the member is back in contact."),
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class MonthField(forms.DateField):
    """A month typed as 2026-03 (or picked with <input type=month>), stored as the 1st of that month."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2026-03"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Enter a month as year-month, e.g. 2026-03.")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day
