"""``views.bills._page_bills``: a page of the month sorts only the bills of the branches it covers."""

from members.dues.views.bills import _page_bills


class Bills:
    """A stand-in for the month's ordered bills: ``rows`` are (organisation id, name) in page order."""

    def __init__(self, rows):
        self.rows = rows

    def filter(self, organization_id__in):
        return Bills([r for r in self.rows if r[0] in organization_id__in])

    def __getitem__(self, window):
        return self.rows[window]


def test_each_page_is_the_slice_of_the_whole_order():
    # Branch names in page order, two organisations sharing the name "B" (their bills interleave), one empty.
    branches = [["A", [1], 3], ["B", [2, 3], 5], ["C", [4], 0], ["D", [5], 4]]
    rows = [(1, "a1"), (1, "a2"), (1, "a3"), (2, "b1"), (3, "b2"), (2, "b3"), (3, "b4"), (2, "b5")]
    rows += [(5, "d1"), (5, "d2"), (5, "d3"), (5, "d4")]
    bills = Bills(rows)
    for size in (1, 2, 3, 4, 5, 12, 50):
        for bottom in range(0, len(rows) + size, size):
            assert _page_bills(bills, branches, bottom, bottom + size) == rows[bottom : bottom + size]


def test_no_bills():
    assert _page_bills(Bills([]), [], 0, 50) == []
