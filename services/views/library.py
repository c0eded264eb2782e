from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the pages are built
    raise Http404


material_list = material_create = material_edit = loan_request = loan_lend = loan_return = loan_list = _todo
