"""The bench's URLconf: the project's URLs plus a trivial page. Only the bench process sets it as ROOT_URLCONF;
production URLs never carry a bench route."""

from django.shortcuts import render
from django.urls import path

from buildingparty.urls import urlpatterns as project_urlpatterns


def trivial(request):
    """``base.html`` and nothing else, for the same signed-in user: the floor every page is measured against."""
    return render(request, "base.html")


urlpatterns = [path("__bench__/trivial/", trivial, name="bench_trivial"), *project_urlpatterns]
