"""Forms of the bulletin board: writing or editing a notice with its attachments, and the board's filters.

Field names match the keys of ``services.notice_save``'s ValidationErrors, so those land next to the right field.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import PartyOrganization, Role
from buildingparty.uploads import MultipleFileField

from .models import Notice
from .services import ATTACHMENT_TYPES, MAX_ATTACHMENTS, check_attachment

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_BODY = 20000


def audience_choices(building_id):
    """The branches a notice can be addressed to: the building's branches and joint branches."""
    return PartyOrganization.objects.filter(building_id=building_id).branches().order_by("name")


class NoticeForm(forms.ModelForm):
    """A notice: an admin addresses it to the whole building or one branch and may write a rule; a secretary
    writes notices and news for her own branch (the view sets the audience)."""

    attachments = MultipleFileField(label=_("Attach files"), required=False)
    remove = forms.ModelMultipleChoiceField(
        label=_("Remove attachments"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = Notice
        fields = ["kind", "audience", "title", "body", "pinned", "publish_at", "expires_at"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 14}),
            "publish_at": DATETIME_WIDGET,
            "expires_at": DATETIME_WIDGET,
        }

    def __init__(self, data=None, files=None, *, user, **kwargs):
        super().__init__(data, files, **kwargs)
        self.user = user
        if user.role == Role.ADMIN:
            field = self.fields["audience"]
            field.queryset = audience_choices(user.building_id)
            field.empty_label = _("The whole building")
            field.help_text = _("A rule is always for the whole building.")
        else:
            del self.fields["audience"]
            self.fields["kind"].choices = [c for c in Notice.Kind.choices if c[0] != Notice.Kind.RULE]
        self.fields["body"].max_length = MAX_BODY
        self.fields["body"].widget.attrs["maxlength"] = MAX_BODY
        self.fields["publish_at"].required = False
        self.fields["publish_at"].help_text = _("Empty: at once. A later time puts it on the board then.")
        self.fields["expires_at"].help_text = _("Empty: it stays until it is withdrawn.")
        self.fields["attachments"].widget.attrs["accept"] = ",".join(ATTACHMENT_TYPES)
        self.fields["attachments"].help_text = _(
            "PDF, Word, Excel, JPG or PNG, at most 10 MB each. Only those who can read the notice can open them."
        )
        if self.instance.pk:
            self.fields["remove"].queryset = self.instance.attachments.order_by("pk")
        else:
            del self.fields["remove"]
            self.initial.setdefault("publish_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > MAX_BODY:
            raise forms.ValidationError(_("The text is too long."))
        return body

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        for file in files:
            check_attachment(file)
        kept = self.instance.attachments.count() if self.instance.pk else 0
        if kept + len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("A notice can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}, code="too_many"
            )
        return files

    def clean(self):
        data = super().clean()
        if data.get("kind") == Notice.Kind.RULE and data.get("audience"):
            self.add_error("kind", _("A rule is the building's: address it to the whole building."))
        if not data.get("publish_at") and "publish_at" not in self.errors:
            data["publish_at"] = timezone.now()
        publish_at = data.get("publish_at") or timezone.now()
        expires_at = data.get("expires_at")
        if expires_at and expires_at <= publish_at:
            self.add_error("expires_at", _("A notice leaves the board after it is published, not before."))
        return data


ALL, NOTICES_AND_NEWS = "all", ""


class BoardFilterForm(forms.Form):
    """The board's filters. Those who manage notices may also look at the scheduled, expired and withdrawn ones
    they manage."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    q = forms.CharField(label=_("Title contains"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (NOTICES_AND_NEWS, _("Notices and news")),
            (Notice.Kind.NOTICE, Notice.Kind.NOTICE.label),
            (Notice.Kind.NEWS, Notice.Kind.NEWS.label),
            (Notice.Kind.RULE, _("Rules")),
        ]
        self.may_manage = user.role in (Role.ADMIN, Role.SECRETARY)
        if self.may_manage:
            self.fields["state"].choices = [
                (Notice.State.CURRENT, Notice.State.CURRENT.label),
                (Notice.State.SCHEDULED, Notice.State.SCHEDULED.label),
                (Notice.State.EXPIRED, Notice.State.EXPIRED.label),
                (Notice.State.WITHDRAWN, Notice.State.WITHDRAWN.label),
            ]
        else:
            del self.fields["state"]

    def choice(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kind": data.get("kind") or NOTICES_AND_NEWS,
            "state": data.get("state") or Notice.State.CURRENT,
            "q": (data.get("q") or "").strip(),
        }
