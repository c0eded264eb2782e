"""The one-time form tokens themselves (``buildingparty.submissions``); each app's double-submit tests show them
at work on its forms."""

import datetime
import uuid

import pytest
from django import forms
from django.utils import timezone

from buildingparty.builtin_jobs import prune_history
from buildingparty.models import FormSubmission
from buildingparty.submissions import TOKEN_FIELD, OnceFormMixin, new_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class NoteForm(OnceFormMixin, forms.Form):
    text = forms.CharField()


def test_every_rendered_form_gets_a_new_signed_token():
    first, second = (NoteForm()[TOKEN_FIELD].value() for _ in range(2))
    assert first != second and ":" in first


def test_a_signed_token_is_accepted_and_its_uuid_kept():
    token = new_token()
    form = NoteForm({"text": "x", TOKEN_FIELD: token})
    assert form.is_valid()
    assert form.cleaned_data[TOKEN_FIELD] == uuid.UUID(token.split(":")[0])


@pytest.mark.parametrize("token", ["", str(uuid.uuid4()), new_token() + "x"], ids=["missing", "unsigned", "tampered"])
def test_a_bad_token_is_an_error_at_the_top_and_the_form_is_given_a_fresh_one(token):
    form = NoteForm({"text": "x", TOKEN_FIELD: token})
    assert not form.is_valid() and form.non_field_errors()
    assert form[TOKEN_FIELD].value() not in ("", token)
    assert NoteForm({"text": "x", TOKEN_FIELD: form[TOKEN_FIELD].value()}).is_valid()


def test_the_nightly_prune_deletes_tokens_older_than_two_days():
    user = UserFactory()
    old = FormSubmission.objects.create(
        token=uuid.uuid4(), user=user, form="t", created_at=timezone.now() - datetime.timedelta(days=3)
    )
    fresh = FormSubmission.objects.create(token=uuid.uuid4(), user=user, form="t")

    assert prune_history()["tokens_deleted"] == 1
    assert list(FormSubmission.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not FormSubmission.objects.filter(pk=old.pk).exists()
