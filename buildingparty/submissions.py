"""Forms that create money or records are submitted once: a double click, a second tab or a retried POST
shows the first result instead of writing the same payment, ledger line or request again.

Each rendered form carries a one-time token (a hidden, signed uuid4, ``OnceFormMixin``). The view writes inside
``once()``, which inserts the token's ``FormSubmission`` row first, in the same transaction as the record: a
second submit arriving at the same moment waits on the unique index until the first commits, then fails to
insert and is sent to the first result; a later one is caught by ``first_result()`` before the form is even
checked. If the write fails (a form error, a refusal), the token row is rolled back with it and the same form
may be sent again. Usage in a view::

    if (first := submissions.first_result(request)) is not None:
        return first
    form = PaymentForm(request.POST, member=member)
    if form.is_valid():
        try:
            with submissions.once(request, form, label="dues.payment") as submission:
                payment = services.record_payment(...)
                submission.result_url = reverse("dues:member", args=[member.pk])
        except submissions.AlreadySubmitted as done:
            return done.response
"""

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FormSubmission

TOKEN_FIELD = "submission_token"
SALT = "buildingparty.submissions"
KEEP = datetime.timedelta(days=2)  # long enough for any Back button; then the rows are swept
INVALID_TOKEN = gettext_lazy(
    "This form has expired or was not sent from its page. Please check the entries and submit again."
)


def new_token() -> str:
    """A fresh token for a rendered form: a uuid4, signed so that a made-up one is refused."""
    return signing.Signer(salt=SALT).sign(str(uuid.uuid4()))


def _token(value) -> uuid.UUID | None:
    """The uuid inside a posted token, or None when it is missing, forged or mangled."""
    if not value:
        return None
    try:
        return uuid.UUID(signing.Signer(salt=SALT).unsign(str(value)))
    except (signing.BadSignature, ValueError):
        return None


class OnceFormMixin:
    """Adds the hidden one-time token to a form (render it with ``{{ form.submission_token }}``).

    A form without the field (a subclass may drop it, e.g. when editing) is not checked. A missing or forged
    token is a form error at the top of the form, and the form comes back with a fresh token."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[TOKEN_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput, initial=new_token)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or TOKEN_FIELD not in self.fields:
            return
        token = _token(self.data.get(TOKEN_FIELD))
        if token is None:
            self.add_error(None, INVALID_TOKEN)
            self.renew_token()
        else:
            self.cleaned_data[TOKEN_FIELD] = token

    def renew_token(self):
        """Give the form shown again a token that has not been used."""
        self.data = self.data.copy()
        self.data[TOKEN_FIELD] = new_token()


def _shown_again(request, submission: FormSubmission, fallback: str | None) -> HttpResponse:
    messages.info(request, _("This form was already submitted; here is the result of the first submission."))
    return redirect(submission.result_url or fallback or "/")


def first_result(request, *, fallback: str | None = None) -> HttpResponse | None:
    """For a POST whose token this user has already used: a redirect to the first submission's result, with a
    message; otherwise None (the view goes on)."""
    if request.method != "POST":
        return None
    token = _token(request.POST.get(TOKEN_FIELD))
    if token is None:
        return None
    submission = FormSubmission.objects.filter(token=token, user=request.user).first()
    return None if submission is None else _shown_again(request, submission, fallback)


class AlreadySubmitted(Exception):
    """The token was used by a submission that committed while this one waited; ``response`` shows its result.
    ``response`` is None when the token was another user's: the form has the error and is shown again."""

    def __init__(self, response: HttpResponse | None):
        super().__init__("already submitted")
        self.response = response


@contextmanager
def once(request, form, *, label: str, fallback: str | None = None) -> Iterator[FormSubmission]:
    """Run the block once per form token, atomically with the token's row.

    1. Open a transaction and insert the token's row (in a savepoint). A concurrent submit of the same token
       blocks on the unique index until the first commits, then gets an IntegrityError: it raises
       ``AlreadySubmitted`` with a redirect to the first result (the other user's token: a form error).
    2. Run the block; it sets ``result_url`` on the yielded row (where the first result is shown).
    3. Save ``result_url`` and commit with the record. An exception in the block rolls back the token too.

    A form without the token (an edit of an existing record) runs the block in a transaction, as it is.
    """
    if TOKEN_FIELD not in form.fields:
        with transaction.atomic():
            yield FormSubmission()  # not saved: nothing to remember
        return
    token = form.cleaned_data[TOKEN_FIELD]
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(token=token, user=request.user, form=label[:50])
        except IntegrityError:
            first = FormSubmission.objects.filter(token=token).first()
            if first is None or first.user_id != request.user.pk:
                form.add_error(None, INVALID_TOKEN)
                form.renew_token()
                raise AlreadySubmitted(None) from None
            raise AlreadySubmitted(_shown_again(request, first, fallback)) from None
        yield submission
        if submission.result_url:
            submission.save(update_fields=["result_url"])


def prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the tokens of submissions older than ``KEEP``; returns how many."""
    cutoff = (now or timezone.now()) - KEEP
    return FormSubmission.objects.filter(created_at__lt=cutoff).delete()[0]
