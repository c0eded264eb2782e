"""The activities' photos (meetings, volunteer activities, the showcase): what a photo may be, its one check and
the form that takes several. The checks of any upload's content and name live on the ground floor
(``buildingparty.uploads``); this module only says which of them a photo gets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from buildingparty.uploads import KNOWN_TYPES, PHOTO_EXTENSIONS, MultipleFileField, check_upload

MAX_PHOTO_SIZE = 5 * 1024 * 1024
MAX_PHOTOS = 10
# What a photo may be: its extension and the type it is served with (from the extension, never from what the
# browser claimed); its first bytes must agree.
PHOTO_TYPES = {extension: KNOWN_TYPES[extension][0] for extension in PHOTO_EXTENSIONS}


def check_photo(file):
    """A JPG, PNG or WebP photo of at most 5 MB: its name, the type the browser sent and its content agree.

    Meetings, volunteer activities and the showcase all use this, the stricter of the checks they once had: a
    browser upload must also have been sent as a photo type (a file that did not come from a browser, such as
    the demo's, has no sent type to check)."""
    return check_upload(
        file,
        extensions=PHOTO_TYPES,
        max_size=MAX_PHOTO_SIZE,
        sent_types=PHOTO_TYPES.values(),
        messages={
            "file_type": _("%(name)s: only a photo (JPG, PNG or WebP) can be uploaded."),
            "file_size": _("%(name)s is %(size)s; a photo can be at most 5 MB."),
            "file_content": _("%(name)s is not the photo its name says it is."),
        },
    )


class PhotoForm(forms.Form):
    """Several photos of a meeting or a volunteer activity, with one caption."""

    photos = MultipleFileField(label=_("Photos"), help_text=_("Up to 10 photos, 5 MB each: JPG, PNG or WebP."))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs["accept"] = ",".join(sorted(set(PHOTO_TYPES.values())))

    def clean_photos(self):
        files = self.cleaned_data["photos"]
        if not files:
            raise forms.ValidationError(_("Choose at least one photo."), code="required")
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Upload at most %(max)d photos at a time; you chose %(count)d."),
                code="too_many",
                params={"max": MAX_PHOTOS, "count": len(files)},
            )
        errors = []
        for file in files:
            try:
                check_photo(file)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files
