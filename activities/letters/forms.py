import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.models import Building

from .models import LetterTemplate

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LetterTemplateForm(forms.ModelForm):
    """A letter's text; the model's clean() rejects merge fields the audience does not have."""

    class Meta:
        model = LetterTemplate
        fields = ["title", "audience", "body", "signature"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "spellcheck": "false"})}
        help_texts = {
            "body": _(
                "One line is one paragraph. Merge fields in braces are replaced for each recipient, "
                "e.g. {姓名}, {企业}, {房间}. About 1,000 characters fit on one A4 page."
            ),
        }

    def __init__(self, *args, building: Building, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.instance.building = building

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        # The building is not a form field, so the model's unique constraint is not checked by the form.
        clash = LetterTemplate.objects.filter(building_id=self.instance.building_id, title=title)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The building already has a letter with this title."))
        return title


class LetterDateForm(forms.Form):
    """The date printed under the signature."""

    date = forms.DateField(
        label=_("Date on the letters"), required=False, widget=DATE_WIDGET, help_text=_("Today when left empty.")
    )

    def letter_date(self) -> datetime.date:
        if self.is_valid() and self.cleaned_data["date"]:
            return self.cleaned_data["date"]
        return timezone.localdate()
