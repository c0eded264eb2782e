"""STUB: replaced by the real views."""

from django.http import Http404


def compliance(request, *args, **kwargs):
    raise Http404


def compliance_settings(request, *args, **kwargs):
    raise Http404
