"""Enterprise register views: export (xlsx, csv), import with preview, the import template."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the register pages are built
    raise Http404


export_enterprises = import_enterprises = import_template = _todo
