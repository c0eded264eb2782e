"""Forms for the study-material library: the catalogue entry, the loan filter, and lending."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin

from .library import loan_days
from .models import Loan, Material

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MaterialForm(OnceFormMixin, forms.ModelForm):
    """A catalogue entry; a new one is added once (its token), an edit carries no token."""

    class Meta:
        model = Material
        fields = ["kind", "title", "author", "copies", "location", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields[TOKEN_FIELD]

    def clean_copies(self):
        copies = self.cleaned_data["copies"]
        if self.instance.pk:
            lent = self.instance.loans.filter(status=Loan.Status.LENT).count()
            if copies is not None and copies < lent:
                raise forms.ValidationError(
                    _("%(lent)d copies are on loan now; the library cannot hold fewer than that.") % {"lent": lent}
                )
        return copies


class LoanFilterForm(forms.Form):
    OVERDUE = "overdue"
    STATUS_CHOICES = [
        ("", _("All")),
        (Loan.Status.REQUESTED, Loan.Status.REQUESTED.label),
        (Loan.Status.LENT, Loan.Status.LENT.label),
        (OVERDUE, _("Overdue")),
        (Loan.Status.RETURNED, Loan.Status.RETURNED.label),
        (Loan.Status.CANCELLED, Loan.Status.CANCELLED.label),
    ]
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)


class LendForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate() + datetime.timedelta(days=loan_days())

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be before today."))
        return value
