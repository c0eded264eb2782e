"""The visit list, the hardship register and the counts are kept whole (``data_cache.page``, by scope): a second GET
reads no visit or record, a write shows at once, and two branches' secretaries never see each other's page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.visits.models import HardshipRecord, HomeVisit
from tests.factories import MemberFactory
from tests.kept import main, signed_in

from .factories import HardshipRecordFactory, HomeVisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

LIST, HARDSHIP, SUMMARY = "/activities/visits/", "/activities/visits/hardship/", "/activities/visits/summary/"


def read(client, url, table) -> tuple[str, list[str]]:
    """The page's content and the statements of this GET that named ``table``."""
    with CaptureQueriesContext(connection) as queries:
        html = main(client.get(url))
    return html, [q["sql"] for q in queries.captured_queries if table in q["sql"]]


def test_the_visit_list_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    today = timezone.localdate()
    mine_visit = HomeVisitFactory(
        member=MemberFactory(organization=branch_a, name="甲一"), follow_up_on=today - datetime.timedelta(days=2)
    )
    HomeVisitFactory(member=MemberFactory(organization=branch_b, name="乙一"))
    mine, other = signed_in(secretary_a), signed_in(secretary_b)
    first, _ = read(mine, LIST, "visits_homevisit")
    second, again = read(mine, LIST, "visits_homevisit")
    assert second == first and not again  # from the cache
    assert "甲一" in first and "乙一" not in first
    # The badges are those of visits/_kind.html and visits/_follow_up.html.
    assert 'data-kind="enquire"' in first and 'data-follow-up="overdue"' in first
    theirs, _ = read(other, LIST, "visits_homevisit")
    assert "乙一" in theirs and "甲一" not in theirs  # another branch: its own page
    HomeVisit.objects.filter(pk=mine_visit.pk).update(kind=HomeVisit.Kind.HELP, follow_up_done_at=timezone.now())
    now = main(mine.get(LIST))
    assert 'data-kind="help"' in now and 'data-follow-up="done"' in now
    HomeVisitFactory(member=MemberFactory(organization=branch_a, name="甲二"))  # an ORM save
    assert "甲二" in main(mine.get(LIST)) and "甲二" in main(mine.get(LIST + "?q=甲二"))
    assert "甲二" not in main(other.get(LIST))


def test_the_hardship_register_is_kept_per_scope_and_shows_a_write_at_once(
    branch_a, branch_b, secretary_a, secretary_b
):
    record = HardshipRecordFactory(member__organization=branch_a, member__name="甲一", description="腿伤")
    HardshipRecordFactory(member__organization=branch_b, member__name="乙一")
    MemberFactory(organization=branch_a, name="甲未录", is_hardship=True)  # marked on the register, no record
    mine, other = signed_in(secretary_a), signed_in(secretary_b)
    first, _ = read(mine, HARDSHIP, "visits_hardshiprecord")
    second, again = read(mine, HARDSHIP, "visits_hardshiprecord")
    assert second == first and not again
    assert "甲一" in first and "腿伤" in first and "甲未录" in first and "乙一" not in first
    theirs, _ = read(other, HARDSHIP, "visits_hardshiprecord")
    assert "乙一" in theirs and "甲一" not in theirs and "甲未录" not in theirs
    HardshipRecord.objects.filter(pk=record.pk).update(description="腿伤已好转")
    assert "腿伤已好转" in main(mine.get(HARDSHIP))
    HardshipRecordFactory(member__organization=branch_a, member__name="甲二")
    assert "甲二" in main(mine.get(HARDSHIP))


def test_the_counts_are_kept_per_scope_and_show_a_write_at_once(branch_a, branch_b, secretary_a, street_user):
    HomeVisitFactory(member=MemberFactory(organization=branch_a), kind=HomeVisit.Kind.HELP)
    street, mine = signed_in(street_user), signed_in(secretary_a)
    first, _ = read(street, SUMMARY, "visits_homevisit")
    second, again = read(street, SUMMARY, "visits_homevisit")
    assert second == first and not again
    assert branch_a.name in first and branch_b.name in first  # the street: every organisation
    own, _ = read(mine, SUMMARY, "visits_homevisit")
    assert branch_a.name in own and branch_b.name not in own  # a secretary: her branch only
    assert 'data-testid="visits-tabs"' in own and 'data-testid="visits-tabs"' not in first

    def visits_of(html, name):
        row = html.split(name, 1)[1].split("</tr>", 1)[0]
        return int(row.split('<td class="text-end">', 1)[1].split("<", 1)[0])

    assert visits_of(first, branch_b.name) == 0
    HomeVisitFactory(member=MemberFactory(organization=branch_b))
    assert visits_of(main(street.get(SUMMARY)), branch_b.name) == 1
    assert branch_b.name not in main(mine.get(SUMMARY))
