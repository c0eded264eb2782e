"""Transfer views: list, issue, register a transfer in, detail, status actions, the printable letter."""
from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the transfer pages are built
    raise Http404


transfer_list = transfer_create = transfer_in = transfer_detail = transfer_action = transfer_letter = _todo
