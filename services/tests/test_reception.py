import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildingparty.submissions import new_token
from services.models import ReceptionVisit, ServiceCategory, ServiceRequest
from services.reception import reception_record, reception_to_request
from tests.factories import BuildingFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(building):
    return ServiceCategory.objects.create(building=building, code="help", name="困难帮扶", audience="members")


@pytest.fixture
def member_a(member_user):
    return member_user.member


@pytest.fixture
def walk_in(secretary_a):
    return reception_record(
        recorded_by=secretary_a, visitor_name="王阿姨", phone="13900000000", topic="咨询党费交纳标准"
    )


def to_request_url(visit):
    return reverse("services:reception_to_request", args=[visit.pk])


# --- services -----------------------------------------------------------------------------------------------


def test_a_walk_in_without_an_account_becomes_a_request_of_the_staff_member(walk_in, category, secretary_a):
    request = reception_to_request(visit=walk_in, category=category, by=secretary_a)
    walk_in.refresh_from_db()
    assert walk_in.request == request
    assert (request.requester, request.created_by, request.member) == (secretary_a, secretary_a, None)
    assert request.title == "咨询党费交纳标准"
    assert "王阿姨" in request.description and "13900000000" in request.description
    assert request.events.count() == 1


def test_a_member_with_an_account_becomes_the_requester(secretary_a, member_a, member_user, category):
    visit = reception_record(recorded_by=secretary_a, member=member_a, topic="申请困难补助")
    assert visit.visitor_name == member_a.name  # filled in from the member
    request = reception_to_request(visit=visit, category=category, by=secretary_a)
    assert (request.requester, request.created_by, request.member) == (member_user, secretary_a, member_a)
    assert request.organization == member_a.organization


def test_a_member_without_an_account_is_requested_by_the_staff_member(admin_user, branch_a, category):
    member = MemberFactory(organization=branch_a)
    visit = reception_record(recorded_by=admin_user, member=member, topic="开具党员证明")
    request = reception_to_request(visit=visit, category=category, by=admin_user)
    assert (request.requester, request.member) == (admin_user, member)


def test_a_visit_is_turned_into_a_request_only_once(walk_in, category, secretary_a):
    reception_to_request(visit=walk_in, category=category, by=secretary_a)
    with pytest.raises(ValidationError):
        reception_to_request(visit=walk_in, category=category, by=secretary_a)
    assert ServiceRequest.objects.count() == 1


def test_a_secretary_cannot_name_a_member_of_another_branch(secretary_a, branch_b):
    with pytest.raises(ValidationError):
        reception_record(recorded_by=secretary_a, member=MemberFactory(organization=branch_b), topic="x")


# --- views --------------------------------------------------------------------------------------------------


def test_the_secretary_records_a_walk_in(secretary_a_client, secretary_a, member_a, building):
    response = secretary_a_client.post(
        reverse("services:reception_create"),
        {
            "submission_token": new_token(),
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "member": member_a.pk,
            "phone": "13800000000",
            "topic": "组织关系转接咨询",
            "outcome": "已告知所需材料",
        },
    )
    assert response.status_code == 302
    visit = ReceptionVisit.objects.get()
    assert (visit.building, visit.member, visit.visitor_name, visit.recorded_by) == (
        building,
        member_a,
        member_a.name,
        secretary_a,
    )


def test_a_visit_needs_a_name_or_a_member(secretary_a_client):
    response = secretary_a_client.post(reverse("services:reception_create"), {"topic": "咨询"})
    assert response.status_code == 200 and response.context["form"].errors["visitor_name"]
    assert not ReceptionVisit.objects.exists()


def test_the_member_choice_offers_only_members_in_scope(secretary_a_client, member_a, branch_b):
    MemberFactory(organization=branch_b)
    form = secretary_a_client.get(reverse("services:reception_create")).context["form"]
    assert list(form.fields["member"].queryset) == [member_a]


def test_turning_a_visit_into_a_request_from_the_list(secretary_a_client, secretary_a, walk_in, category):
    response = secretary_a_client.post(to_request_url(walk_in), {"category": category.pk})
    assert response.status_code == 302
    walk_in.refresh_from_db()
    assert walk_in.request.created_by == secretary_a
    assert walk_in.request.category == category
    again = secretary_a_client.post(to_request_url(walk_in), {"category": category.pk}, follow=True)
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"
    assert ServiceRequest.objects.count() == 1


def test_another_buildings_category_is_refused(secretary_a_client, walk_in):
    other = ServiceCategory.objects.create(
        building=BuildingFactory(name="别处"), code="x", name="别处", audience="members"
    )
    secretary_a_client.post(to_request_url(walk_in), {"category": other.pk})
    walk_in.refresh_from_db()
    assert walk_in.request is None


def test_the_list_runs_the_same_queries_for_3_and_30_visits(admin_client, admin_user, branch_a, category):
    url = reverse("services:reception_list")
    counts = []
    for n in (3, 27):
        for i in range(n):
            member = MemberFactory(organization=branch_a) if i % 2 else None
            visit = reception_record(recorded_by=admin_user, visitor_name=f"来访{i}", member=member, topic=f"事项{i}")
            if i % 3 == 0:
                reception_to_request(visit=visit, category=category, by=admin_user)
        admin_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    page = admin_client.get(url).context["page"]
    assert (page.paginator.count, len(page.object_list)) == (30, 25)


def test_the_list_is_newest_first(admin_client, admin_user):
    old = reception_record(
        recorded_by=admin_user, visitor_name="甲", topic="旧", visited_at=timezone.now() - datetime.timedelta(days=3)
    )
    new = reception_record(recorded_by=admin_user, visitor_name="乙", topic="新")
    assert list(admin_client.get(reverse("services:reception_list")).context["page"]) == [new, old]


# --- access -------------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client, walk_in):
    for url in (reverse("services:reception_list"), reverse("services:reception_create"), to_request_url(walk_in)):
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_are_refused_the_reception(request, login_as, walk_in, category, persona):
    client = login_as(request.getfixturevalue(persona))
    assert client.get(reverse("services:reception_list")).status_code == 403
    assert client.get(reverse("services:reception_create")).status_code == 403
    assert client.post(to_request_url(walk_in), {"category": category.pk}).status_code == 403


def test_the_street_viewer_reads_but_changes_nothing(login_as, street_user, walk_in, category):
    client = login_as(street_user)
    response = client.get(reverse("services:reception_list"))
    assert list(response.context["page"]) == [walk_in] and not response.context["can_write"]
    assert client.get(reverse("services:reception_create")).status_code == 403
    assert client.post(to_request_url(walk_in), {"category": category.pk}).status_code == 403


def test_another_branchs_secretary_does_not_see_the_visit(login_as, secretary_b, walk_in, category):
    client = login_as(secretary_b)
    assert client.get(reverse("services:reception_list")).context["page"].paginator.count == 0
    assert client.post(to_request_url(walk_in), {"category": category.pk}).status_code == 404


def test_the_admin_sees_every_visit_of_the_building(admin_client, walk_in):
    assert list(admin_client.get(reverse("services:reception_list")).context["page"]) == [walk_in]


def test_another_buildings_admin_finds_nothing(login_as, walk_in, category):
    other_admin = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别处"))
    client = login_as(other_admin)
    assert client.get(reverse("services:reception_list")).context["page"].paginator.count == 0
    assert client.post(to_request_url(walk_in), {"category": category.pk}).status_code == 404


def test_turning_into_a_request_is_post_only(secretary_a_client, walk_in):
    assert secretary_a_client.get(to_request_url(walk_in)).status_code == 405
