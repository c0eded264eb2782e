"""Forms of 党员亮相: the member's own card and consent, an officer recording a card and a consent given on paper,
and the officers' list filter.

Forms check what a person typed; ``services.profile_save`` acts. Field names match the keys of the services'
ValidationErrors, so those land next to the right field.
"""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.uploads import PHOTO_TYPES, check_photo

from . import selectors
from .models import MAX_PLEDGE

CONSENT_TEXT = _(
    "I agree that my photo, name, enterprise, model post and pledge are shown on the building's 党员亮相 board."
)


class CardForm(forms.Form):
    """The card: a photo (replaced, kept or removed) and the pledge."""

    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A portrait, JPG, PNG or WebP, at most 5 MB. Only the building's users see it, while shown."),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    pledge = forms.CharField(
        label=_("Pledge"),
        max_length=MAX_PLEDGE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_PLEDGE}),
        help_text=_("At most 120 characters, e.g. 立足岗位作表率，服务企业显担当."),
    )

    def __init__(self, *args, profile, **kwargs):
        kwargs.setdefault("initial", {"pledge": profile.pledge})
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.fields["photo"].widget.attrs["accept"] = ",".join(sorted(set(PHOTO_TYPES.values())))
        if not profile.photo:
            del self.fields["remove_photo"]

    def clean_photo(self):
        file = self.cleaned_data.get("photo")
        if isinstance(file, UploadedFile):
            check_photo(file)
        return file or None

    def card(self) -> dict:
        """The keywords of ``services.profile_save`` for the card."""
        data = self.cleaned_data
        return {
            "pledge": data["pledge"],
            "photo": data["photo"],
            "clear_photo": bool(data.get("remove_photo")) and data["photo"] is None,
        }


class MineForm(CardForm):
    """The member's own page (我的亮相): her card, and a box she ticks to agree to be shown; unticked, her
    consent is withdrawn."""

    consent = forms.BooleanField(label=CONSENT_TEXT, required=False)

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, profile=profile, **kwargs)
        self.fields["consent"].initial = profile.has_consent


class OfficerForm(CardForm):
    """An officer's page for one member: the card, and, while the member has not consented, a consent she gave
    on paper with how (``consent_note``). An officer never ticks the member's box for her: only a consent on
    paper can be recorded, and the member is told."""

    paper_consent = forms.BooleanField(
        label=_("The member has consented on paper to be shown on the 党员亮相 board."), required=False
    )
    consent_note = forms.CharField(
        label=_("How the member consented"),
        max_length=200,
        required=False,
        help_text=_("e.g. 签字同意书已存支部档案 (2025-03-01)."),
    )

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, profile=profile, **kwargs)
        if profile.has_consent:
            del self.fields["paper_consent"]
            del self.fields["consent_note"]

    def clean(self):
        data = super().clean()
        if data.get("paper_consent") and not " ".join(data.get("consent_note", "").split()):
            self.add_error(
                "consent_note", _("Say how the member consented, e.g. a signed consent form kept by the branch.")
            )
        return data


class StatusFilterForm(forms.Form):
    """The officers' list: members by where they stand with the board, and by name."""

    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All members")),
            (selectors.ON_BOARD, _("On the board")),
            (selectors.NO_CONSENT, _("Showing membership, without consent")),
            (selectors.NOT_SHOWING, _("Consent given, not on the board")),
            (selectors.WITHDRAWN, _("Consent withdrawn")),
        ],
    )
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=50)

    def filter(self, members):
        if not self.is_valid():
            return members
        data = self.cleaned_data
        if data["status"]:
            members = selectors.filter_status(members, data["status"])
        if data["q"].strip():
            members = members.filter(name__icontains=data["q"].strip())
        return members
