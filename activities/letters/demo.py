"""Demo outreach letters for `manage.py seed_demo`: the two letters of the building survey (调查摸底).

An admin may have edited them; a letter is known by its title, so a re-run adds only the ones missing.
"""

from buildingparty import demo
from buildingparty.models import User

from .services import ensure_default_letters


@demo.register(order=40)
def seed_letters(*, building, scale, stdout):
    """Make sure the two outreach letters exist, written by the admin."""
    admin = User.objects.filter(username="admin").first()
    if admin is not None:
        ensure_default_letters(building=building, by=admin)
