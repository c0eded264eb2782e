from collections import Counter

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buildingparty.models import Role, User
from buildingparty.submissions import OnceFormMixin
from buildingparty.uploads import KNOWN_TYPES, MultipleFileField, check_upload, extension_of

from .models import ServiceCategory, ServiceRequest

# --- attachments --------------------------------------------------------------------------------------------

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024
# The type we serve a file with comes from its extension, never from what the browser claimed; its content must
# agree with it (buildingparty.uploads, the same check as points' evidence and the activities' files).
ATTACHMENT_TYPES = {
    extension: KNOWN_TYPES[extension][0]
    for extension in (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx")
}


def attachment_content_type(name: str) -> str:
    return ATTACHMENT_TYPES[extension_of(name)]


# --- submitting ---------------------------------------------------------------------------------------------


class RequestForm(OnceFormMixin, forms.Form):
    """A new request (submitted once: its token). The categories are those for the requester's audience
    (members or enterprises)."""

    category = forms.ModelChoiceField(
        label=pgettext_lazy("service", "Category"), queryset=ServiceCategory.objects.none()
    )
    enterprise = forms.ModelChoiceField(label=_("For the enterprise"), queryset=None, required=False)
    title = forms.CharField(label=_("Subject"), max_length=100)
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}), help_text=_("What you need, and by when.")
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=ServiceRequest.Priority.choices,
        initial=ServiceRequest.Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files, 10 MB each: PDF, JPG, PNG, Word or Excel."),
    )

    def __init__(self, data=None, files=None, *, building, audience: str, enterprises=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.fields["category"].queryset = ServiceCategory.objects.filter(
            building=building, audience=audience, active=True
        ).order_by("order", "name")
        self.fields["attachments"].widget.attrs["accept"] = ",".join(ATTACHMENT_TYPES)
        # An enterprise contact with several enterprises says which one asks; with one, it is implied.
        if enterprises is not None and len(enterprises) > 1:
            self.fields["enterprise"].queryset = enterprises
            self.fields["enterprise"].required = True
        else:
            del self.fields["enterprise"]

    def clean_title(self):
        # One line: the title heads notifications and email subjects, where a line break would split it.
        return " ".join(self.cleaned_data["title"].split())

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Attach at most %(max)d files; you chose %(count)d."),
                code="too_many",
                params={"max": MAX_ATTACHMENTS, "count": len(files)},
            )
        errors = []
        for file in files:
            try:
                check_upload(
                    file,
                    extensions=ATTACHMENT_TYPES,
                    max_size=MAX_ATTACHMENT_SIZE,
                    messages={
                        "file_type": _("%(name)s: only PDF, JPG, PNG, Word and Excel files can be attached."),
                        "file_size": _("%(name)s is %(size)s; a file can be at most 10 MB."),
                        "file_content": _("%(name)s is not the kind of file its name says it is."),
                    },
                )
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files


# --- the list -----------------------------------------------------------------------------------------------

OPEN, ALL = "open", "all"


def category_labels(categories) -> list[tuple[ServiceCategory, str]]:
    """Each category with the label it shows in a list. Members' and enterprises' categories share names such as
    其他, and the street sees every building's: a name that repeats says whose it is, so no two read the same."""
    categories = list(categories)
    names = Counter(c.name for c in categories)
    per_audience = Counter((c.name, c.audience) for c in categories)
    labelled = []
    for category in categories:
        label = category.name
        if names[category.name] > 1:
            whose = [str(category.get_audience_display())]
            if per_audience[(category.name, category.audience)] > 1:
                whose.insert(0, category.building.name)
            label = f"{category.name}（{'，'.join(whose)}）"
        labelled.append((category, label))
    return labelled


class _DistinctCategoryLabels(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for category, label in category_labels(self.queryset):
            yield (self.choice(category)[0], label)


class CategoryChoiceField(forms.ModelChoiceField):
    """A choice of service category whose options never read the same (see ``category_labels``)."""

    iterator = _DistinctCategoryLabels


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[(OPEN, _("Open")), (ALL, _("All"))] + ServiceRequest.Status.choices,
    )
    category = CategoryChoiceField(
        label=pgettext_lazy("service", "Category"),
        queryset=ServiceCategory.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        categories = ServiceCategory.objects.order_by("audience", "order", "name")
        if user.role == Role.STREET:
            categories = categories.select_related("building")
        else:
            categories = categories.filter(building_id=user.building_id)
        self.fields["category"].queryset = categories


# --- actions on one request ---------------------------------------------------------------------------------


class StepForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CommentForm(OnceFormMixin, forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    public = forms.BooleanField(
        label=_("Visible to the requester"),
        required=False,
        initial=True,
        help_text=_("Untick for a note only the handlers see."),
    )

    def __init__(self, *args, handler: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not handler:
            del self.fields["public"]  # a requester's comment is always public


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Feedback"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("Hand over to"), queryset=User.objects.none())

    def __init__(self, *args, request: ServiceRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = (
            User.objects.filter(building_id=request.building_id, role__in=(Role.ADMIN, Role.SECRETARY), is_active=True)
            .exclude(pk=request.assigned_to_id)
            .select_related("organization")
            .order_by("role", "name")
        )
        self.fields["assigned_to"].label_from_instance = handler_label


def handler_label(user) -> str:
    where = user.organization.name if user.role == Role.SECRETARY and user.organization_id else ""
    return f"{user.display_name}（{user.get_role_display()}{' · ' + where if where else ''}）"
