"""Turning survey leads into register records: a transfer in, or an incoming mobile member."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the lead pages are built
    raise Http404


lead_transfer_in = lead_incoming = incoming_list = _todo
