"""STUB: replaced by the real views."""

from django.http import Http404


def checkin_qr(request, *args, **kwargs):
    raise Http404


def checkin_qr_image(request, *args, **kwargs):
    raise Http404


def checkin(request, *args, **kwargs):
    raise Http404
