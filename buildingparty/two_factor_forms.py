"""The two-factor sign-in forms: a code (from the authenticator app, or a recovery code) and a password re-entry
before the account's second factor is changed."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    # Named otp_token so axes masks it in its record of failed attempts (AXES_SENSITIVE_PARAMETERS).
    otp_token = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args, recovery=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["otp_token"]
        if recovery:
            field.help_text = _("The six-digit code your authenticator app shows now, or one of your recovery codes.")
        else:
            field.help_text = _("The six-digit code your authenticator app shows after adding the key.")
            field.widget.attrs["inputmode"] = "numeric"


class PasswordConfirmForm(forms.Form):
    """The account's password again: someone who finds a signed-in screen cannot change its second factor."""

    # Named password so axes masks it when a wrong one is recorded as a failed sign-in.
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."), code="wrong_password")
        return password
