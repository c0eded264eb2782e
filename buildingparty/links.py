"""Links for a page of rows: the URL pattern resolved once, each row's link filled in.

``reverse()`` walks the URL patterns every time; a list of 25–100 rows, each with a link or two, spent more on
that than on the rest of the row (issue 15). ``url_maker(name)`` reverses once with a marker in the row's place and
returns a function that puts a primary key there.
"""

from collections.abc import Callable

from django.urls import reverse

ROW = object()  # where the row's key goes among a URL's arguments, when it has others
_MARK = 2147483647  # fits every <int:…> converter and appears nowhere else in a path


def url_maker(name: str, *args) -> Callable[[int], str]:
    """``pk -> reverse(name, args=[…])``: ``args`` with ``ROW`` where the key goes (by default the key alone)."""
    args = args or (ROW,)
    head, tail = reverse(name, args=[_MARK if arg is ROW else arg for arg in args]).split(str(_MARK))
    return lambda pk: f"{head}{pk}{tail}"
