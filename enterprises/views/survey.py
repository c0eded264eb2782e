"""Survey views: campaigns and their progress, visits with the five clears, follow-ups, leads."""

from django.http import Http404


def _todo(request, *args, **kwargs):  # replaced as the survey pages are built
    raise Http404


campaign_list = campaign_create = campaign_detail = campaign_edit = _todo
visit_create = visit_detail = visit_edit = follow_up_done = lead_list = lead_close = _todo
