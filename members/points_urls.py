"""URLs under /members/ (included by members/urls.py, in the members namespace)."""

urlpatterns = []
