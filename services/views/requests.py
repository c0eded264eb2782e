from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the pages are built
    raise Http404


request_list = request_create = request_detail = request_step = request_comment = request_rate = request_assign = attachment = _todo
