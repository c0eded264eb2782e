from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the pages are built
    raise Http404


reception_list = reception_create = reception_to_request = _todo
