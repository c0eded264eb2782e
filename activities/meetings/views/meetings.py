"""STUB: replaced by the real views."""

from django.http import Http404


def meeting_list(request, *args, **kwargs):
    raise Http404


def my_meetings(request, *args, **kwargs):
    raise Http404


def meeting_create(request, *args, **kwargs):
    raise Http404


def meeting_detail(request, *args, **kwargs):
    raise Http404


def meeting_edit(request, *args, **kwargs):
    raise Http404


def meeting_hold(request, *args, **kwargs):
    raise Http404


def meeting_cancel(request, *args, **kwargs):
    raise Http404


def attendance_record(request, *args, **kwargs):
    raise Http404


def leave_request(request, *args, **kwargs):
    raise Http404


def leave_decide(request, *args, **kwargs):
    raise Http404


def photo_upload(request, *args, **kwargs):
    raise Http404


def photo_file(request, *args, **kwargs):
    raise Http404


def meeting_record(request, *args, **kwargs):
    raise Http404
