"""``url_maker`` gives the links ``reverse`` gives."""

import pytest
from django.urls import reverse

from buildingparty.links import ROW, url_maker


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("members:detail", ()),
        ("funds:edit", ()),
        ("dues:standard", (ROW, 2026)),
        ("survey:visit_create", (7, ROW)),
    ],
)
def test_a_made_link_is_the_reversed_one(name, args):
    make = url_maker(name, *args)
    for pk in (1, 42, 2147483647):
        full = [pk if a is ROW else a for a in (args or (ROW,))]
        assert make(pk) == reverse(name, args=full)
