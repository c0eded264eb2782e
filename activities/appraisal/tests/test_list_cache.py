"""The list of appraisal rounds is kept whole, as HTML, by ``buildingparty.data_cache.page`` under the viewer's scope:
a repeat request reads no round or appraisal, a write shows on the next request, two branches' secretaries never see
each other's rounds.

These tests run in the test's transaction with ``kept_pages_at_once`` (conftest.py): each write gives its tables a
new version at once, as its commit would.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.appraisal.models import Appraisal, AppraisalRound
from activities.appraisal.tests.factories import YEAR, open_round
from tests.kept import main, queries_on, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_pages_at_once")]

URL = "/activities/appraisal/"


def test_the_round_list_is_kept_and_shows_a_write_at_once(secretary_a, branch_a):
    assert reverse("appraisal:list") == URL
    round = open_round(branch_a, full=2, probationary=1)
    client = signed_in(secretary_a)

    first = main(client.get(URL))
    with CaptureQueriesContext(connection) as again:
        second = main(client.get(URL))
    assert second == first and f'data-round="{round.pk}"' in second and 'data-testid="open-round"' in second
    assert not queries_on(again, "appraisal_")  # from the cache
    assert '<td class="text-end">0 / 3</td>' in second  # no self-assessment yet

    Appraisal.objects.filter(round=round).update(self_assessment="自评", self_submitted_at=round.opened_at)
    assert '<td class="text-end">3 / 3</td>' in main(client.get(URL))  # update(): no signal, still seen
    AppraisalRound.objects.filter(pk=round.pk).update(year=YEAR - 3)
    assert f"<td>{YEAR - 3}</td>" in main(client.get(URL))
    later = open_round(branch_a, year=YEAR + 1)
    assert f'data-round="{later.pk}"' in main(client.get(URL))
    assert f'data-round="{later.pk}"' not in main(client.get(URL, {"year": YEAR - 3}))  # the query is in the key


def test_two_branches_secretaries_never_see_each_others_rounds(secretary_a, secretary_b, branch_a, branch_b):
    round_a, round_b = open_round(branch_a, full=2), open_round(branch_b, full=2)

    for _ in range(2):  # the second time from the cache
        ours, theirs = main(signed_in(secretary_a).get(URL)), main(signed_in(secretary_b).get(URL))
        assert f'data-round="{round_a.pk}"' in ours and f'data-round="{round_b.pk}"' not in ours
        assert f'data-round="{round_b.pk}"' in theirs and f'data-round="{round_a.pk}"' not in theirs


def test_the_street_reads_every_round_and_opens_none(street_user, secretary_a, branch_a, branch_b):
    round_a, round_b = open_round(branch_a, full=1), open_round(branch_b, full=1)
    main(signed_in(secretary_a).get(URL))  # the secretary's page kept first

    street = main(signed_in(street_user).get(URL))
    assert f'data-round="{round_a.pk}"' in street and f'data-round="{round_b.pk}"' in street
    assert 'data-testid="open-round"' not in street
