"""Outreach letters and the funding ledger."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the pages are built
    raise Http404


letter_list = letter_create = letter_edit = letter_print = _todo
fund_list = fund_create = fund_edit = fund_summary = fund_export = _todo
