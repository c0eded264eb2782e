"""Register views: export (xlsx, csv), import with preview, the import template, the printable form."""
from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the register pages are built
    raise Http404


export_members = import_members = import_template = print_form = _todo
