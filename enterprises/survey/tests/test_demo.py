"""The demo building survey (enterprises/survey/demo.py): what an admin, a liaison or a secretary finds of this
year's round and last year's on opening the demo."""

import pytest
from django.utils import timezone

from buildingparty import demo
from buildingparty.models import User
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.selectors import FORM_BRANCH_MIN_FULL, with_member_counts
from enterprises.survey.models import FollowUp, SurveyCampaign, SurveyVisit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


def current_campaign() -> SurveyCampaign:
    return SurveyCampaign.objects.get(status=SurveyCampaign.Status.ACTIVE)


def test_the_first_unit_with_three_full_members_is_asked_to_form_its_own_branch(seeded):
    candidates = with_member_counts(Enterprise.objects.all()).filter(member_full__gte=FORM_BRANCH_MIN_FULL)
    candidate = candidates.exclude(party_org_status=Enterprise.PartyOrgStatus.OWN_BRANCH).get()
    follow_up = FollowUp.objects.get(visit__enterprise=candidate, action__contains="组建党支部")
    assert follow_up.done_on is None and follow_up.due_on > timezone.localdate()
    assert follow_up.assigned_to.username == "admin"


def test_liaisons_record_the_visits_to_their_enterprises_and_the_admin_the_rest(seeded):
    visits = SurveyVisit.objects.select_related("enterprise__liaison", "recorded_by")
    for visit in visits:
        expected = visit.enterprise.liaison or User.objects.get(username="admin")
        assert visit.recorded_by == expected
        assert visit.recorded_at.date() >= visit.visited_on
        assert visit.visited_on.weekday() < 5  # the working group visits on working days
    for username in enterprise_demo.LIAISONS:
        assert visits.filter(recorded_by__username=username).count() >= 4


def test_members_found_on_a_visit_are_the_registered_ones_plus_the_leads(seeded):
    counts = dict(with_member_counts(Enterprise.objects.all()).values_list("pk", "member_total"))
    visits = SurveyVisit.objects.prefetch_related("leads")
    for visit in visits:
        if visit.members_found is not None:
            assert visit.members_found == counts[visit.enterprise_id] + len(visit.leads.all()), visit
    # A visit that missed the number of members is one where the register has nobody.
    assert all(counts[v.enterprise_id] == 0 for v in visits.filter(members_found__isnull=True))
    property_visit = visits.filter(campaign=current_campaign(), enterprise__name=enterprise_demo.PROPERTY_COMPANY).get()
    assert demo.PROPERTY_BRANCH in property_visit.relationships_note


def test_a_visit_that_found_the_owners_attitude_agrees_with_the_enterprise(seeded):
    latest = {}
    for visit in current_campaign().visits.exclude(owner_attitude="").order_by("visited_on"):
        latest[visit.enterprise_id] = visit.owner_attitude
    attitudes = dict(Enterprise.objects.values_list("pk", "attitude"))
    assert latest and all(attitudes[pk] == attitude for pk, attitude in latest.items())
    unknown = Enterprise.objects.filter(attitude=Enterprise.Attitude.UNKNOWN)
    assert not SurveyVisit.objects.filter(enterprise__in=unknown).exclude(owner_attitude="").exists()


def test_an_owner_reserved_last_year_and_supportive_now_has_both_in_the_history_on_the_days_of_the_visits(seeded):
    entries = list(EnterpriseChange.objects.order_by("changed_at"))
    assert [e.changes for e in entries] == [
        {"attitude": ["supportive", "reserved"]},
        {"attitude": ["reserved", "supportive"]},
    ]
    for entry in entries:
        visit = entry.enterprise.visits.get(visited_on=timezone.localtime(entry.changed_at).date())
        assert visit.owner_attitude == entry.changes["attitude"][1]
    assert entries[0].enterprise == entries[1].enterprise
    assert entries[0].enterprise.attitude == Enterprise.Attitude.SUPPORTIVE
