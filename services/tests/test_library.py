import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildingparty.submissions import new_token
from services import library
from services.models import Loan, Material
from tests.concurrency import at_the_same_moment
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def material(building):
    return Material.objects.create(
        building=building, title="习近平新时代中国特色社会主义思想学习纲要", copies=2, location="A-1"
    )


@pytest.fixture
def member_a(member_user):
    return member_user.member


def borrower(branch, **kwargs):
    user = UserFactory(role="member", building=branch.building)
    return MemberFactory(organization=branch, user=user, **kwargs)


def lend(material, member, by, **kwargs):
    loan = library.loan_request(material=material, member=member)
    return library.loan_lend(loan=loan, by=by, **kwargs)


def available(material):
    return library.with_availability(Material.objects.filter(pk=material.pk)).get().available


# --- availability and limits -------------------------------------------------------------------------------


def test_two_copies_both_lent_leave_none_and_a_return_frees_one(material, branch_a, admin_user):
    first = lend(material, borrower(branch_a), admin_user)
    lend(material, borrower(branch_a), admin_user)
    assert available(material) == 0 == library.available_copies(material)

    library.loan_return(loan=first, by=admin_user)
    assert available(material) == 1 == library.available_copies(material)


def test_a_request_does_not_take_a_copy_until_it_is_lent(material, branch_a, admin_user):
    library.loan_request(material=material, member=borrower(branch_a))
    assert available(material) == 2


def test_a_member_cannot_request_when_every_copy_is_lent(material, branch_a, admin_user):
    lend(material, borrower(branch_a), admin_user)
    lend(material, borrower(branch_a), admin_user)
    with pytest.raises(ValidationError) as refused:
        library.loan_request(material=material, member=borrower(branch_a))
    assert refused.value.code == "none_available"


def test_a_member_at_the_limit_cannot_request_another(building, branch_a, admin_user, settings):
    settings.BUILDINGPARTY = {**settings.BUILDINGPARTY, "LOAN_LIMIT": 2}
    member = borrower(branch_a)
    books = [Material.objects.create(building=building, title=f"资料{i}") for i in range(3)]
    library.loan_request(material=books[0], member=member)
    lend(books[1], member, admin_user)
    with pytest.raises(ValidationError) as refused:
        library.loan_request(material=books[2], member=member)
    assert refused.value.code == "limit"
    assert "2" in refused.value.messages[0]


def test_the_default_limit_is_three_and_returned_loans_do_not_count(building, branch_a, admin_user):
    member = borrower(branch_a)
    books = [Material.objects.create(building=building, title=f"资料{i}") for i in range(5)]
    library.loan_return(loan=lend(books[0], member, admin_user), by=admin_user)
    for book in books[1:4]:
        library.loan_request(material=book, member=member)
    with pytest.raises(ValidationError):
        library.loan_request(material=books[4], member=member)


def test_a_member_cannot_request_the_same_material_twice(material, member_a):
    library.loan_request(material=material, member=member_a)
    with pytest.raises(ValidationError) as refused:
        library.loan_request(material=material, member=member_a)
    assert refused.value.code == "duplicate"


def test_the_desk_cannot_lend_more_copies_than_the_library_holds(material, branch_a, admin_user):
    requests = [library.loan_request(material=material, member=borrower(branch_a)) for _ in range(3)]
    library.loan_lend(loan=requests[0], by=admin_user)
    library.loan_lend(loan=requests[1], by=admin_user)
    with pytest.raises(ValidationError) as refused:
        library.loan_lend(loan=requests[2], by=admin_user)
    assert refused.value.code == "none_available"
    assert Loan.objects.filter(material=material, status="lent").count() == 2
    assert Loan.objects.get(pk=requests[2].pk).status == "requested"


def test_lending_sets_today_and_thirty_days_and_accepts_another_due_date(material, member_a, admin_user):
    today = timezone.localdate()
    loan = lend(material, member_a, admin_user)
    assert (loan.lent_on, loan.due_on, loan.handled_by) == (today, today + datetime.timedelta(days=30), admin_user)
    other = lend(material, borrower(member_a.organization), admin_user, due_on=today + datetime.timedelta(days=7))
    assert other.due_on == today + datetime.timedelta(days=7)


def test_a_loan_is_lent_once_and_returned_once(material, member_a, admin_user):
    loan = lend(material, member_a, admin_user)
    with pytest.raises(ValidationError):
        library.loan_lend(loan=loan, by=admin_user)
    library.loan_return(loan=loan, by=admin_user)
    with pytest.raises(ValidationError):
        library.loan_return(loan=loan, by=admin_user)


def test_the_member_cancels_their_request_but_not_another_members(material, member_a, member_user, branch_a):
    other = library.loan_request(material=material, member=borrower(branch_a))
    with pytest.raises(PermissionDenied):
        library.loan_cancel(loan=other, by=member_user)
    mine = library.loan_request(material=material, member=member_a)
    assert library.loan_cancel(loan=mine, by=member_user).status == "cancelled"


def test_another_branchs_secretary_cannot_lend(material, member_a, secretary_b):
    loan = library.loan_request(material=material, member=member_a)
    with pytest.raises(PermissionDenied):
        library.loan_lend(loan=loan, by=secretary_b)


def test_overdue_lists_only_lent_loans_past_their_due_date(material, building, branch_a, admin_user):
    today = timezone.localdate()
    late = lend(material, borrower(branch_a), admin_user, today=today - datetime.timedelta(days=40))
    lend(material, borrower(branch_a), admin_user)
    returned = lend(
        Material.objects.create(building=building, title="旧书"),
        borrower(branch_a),
        admin_user,
        today=today - datetime.timedelta(days=40),
    )
    library.loan_return(loan=returned, by=admin_user)
    assert list(library.overdue(Loan.objects.all())) == [late]
    assert late.is_overdue()


# --- views: the catalogue ----------------------------------------------------------------------------------


def test_the_member_sees_the_catalogue_with_availability_and_their_own_loans(
    member_client, member_a, material, admin_user, branch_a
):
    lend(material, member_a, admin_user)
    response = member_client.get(reverse("services:material_list"))
    assert response.status_code == 200
    row = response.context["page"].object_list[0]
    assert (row.copies, row.available) == (2, 1)
    assert [loan.material for loan in response.context["my_loans"]] == [material]
    assert "我的借阅" in response.content.decode() or "My loans" in response.content.decode()


def test_the_member_requests_a_loan_from_the_catalogue(member_client, member_a, material):
    response = member_client.post(reverse("services:loan_request", args=[material.pk]))
    assert response.status_code == 302
    assert Loan.objects.get(member=member_a, material=material).status == "requested"


def test_a_refused_request_tells_the_member_why(member_client, member_a, building, settings):
    settings.BUILDINGPARTY = {**settings.BUILDINGPARTY, "LOAN_LIMIT": 1}
    first, second = (Material.objects.create(building=building, title=t) for t in ("甲", "乙"))
    member_client.post(reverse("services:loan_request", args=[first.pk]))
    response = member_client.post(reverse("services:loan_request", args=[second.pk]), follow=True)
    refusal = list(response.context["messages"])[-1]
    assert refusal.level_tag == "error" and "1" in str(refusal)
    assert not Loan.objects.filter(material=second).exists()


def test_the_catalogue_hides_withdrawn_materials_except_from_admins(member_client, building, login_as, admin_user):
    Material.objects.create(building=building, title="已下架", active=False)
    assert member_client.get(reverse("services:material_list")).context["page"].paginator.count == 0
    assert login_as(admin_user).get(reverse("services:material_list")).context["page"].paginator.count == 1


def test_the_catalogue_runs_the_same_queries_for_3_and_30_materials(member_client, member_a, building, admin_user):
    url = reverse("services:material_list")
    counts = []
    for n in (3, 27):
        for i in range(n):
            book = Material.objects.create(building=building, title=f"资料{n}-{i}", copies=3)
            if i % 4 == 0:
                lend(book, borrower(member_a.organization), admin_user)
        member_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert member_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_admins_add_and_edit_materials(admin_client, building):
    response = admin_client.post(
        reverse("services:material_create"),
        {"kind": "book", "title": "党章", "copies": 5, "location": "B-2", "submission_token": new_token()},
    )
    assert response.status_code == 302
    material = Material.objects.get(title="党章")
    assert (material.building, material.copies) == (building, 5)
    admin_client.post(
        reverse("services:material_edit", args=[material.pk]),
        {"kind": "book", "title": "中国共产党章程", "copies": 6, "active": "on"},
    )
    material.refresh_from_db()
    assert (material.title, material.copies) == ("中国共产党章程", 6)


def test_copies_cannot_drop_below_those_on_loan(admin_client, material, branch_a, admin_user):
    lend(material, borrower(branch_a), admin_user)
    lend(material, borrower(branch_a), admin_user)
    response = admin_client.post(
        reverse("services:material_edit", args=[material.pk]),
        {"kind": "book", "title": material.title, "copies": 1, "active": "on"},
    )
    assert response.status_code == 200 and response.context["form"].errors["copies"]


# --- views: the desk ---------------------------------------------------------------------------------------


def test_the_secretary_lends_with_an_edited_due_date_and_records_the_return(secretary_a_client, member_a, material):
    loan = library.loan_request(material=material, member=member_a)
    due = timezone.localdate() + datetime.timedelta(days=14)
    response = secretary_a_client.post(reverse("services:loan_lend", args=[loan.pk]), {"due_on": due.isoformat()})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert (loan.status, loan.lent_on, loan.due_on) == ("lent", timezone.localdate(), due)
    secretary_a_client.post(reverse("services:loan_return", args=[loan.pk]))
    loan.refresh_from_db()
    assert (loan.status, loan.returned_on) == ("returned", timezone.localdate())


def test_the_loan_list_filters_and_highlights_overdue_loans(admin_client, material, branch_a, admin_user):
    material.copies = 3
    material.save(update_fields=["copies"])
    late = lend(material, borrower(branch_a), admin_user, today=timezone.localdate() - datetime.timedelta(days=31))
    lend(material, borrower(branch_a), admin_user)
    library.loan_request(material=material, member=borrower(branch_a))
    url = reverse("services:loan_list")
    assert admin_client.get(url).context["page"].paginator.count == 3
    response = admin_client.get(url, {"status": "overdue"})
    assert [loan.pk for loan in response.context["page"]] == [late.pk]
    assert response.context["overdue_count"] == 1
    assert f'class="table-danger" data-testid="loan-{late.pk}"' in response.content.decode()
    assert admin_client.get(url, {"status": "requested"}).context["page"].paginator.count == 1
    assert admin_client.get(url, {"status": "lent"}).context["page"].paginator.count == 2


def test_the_loan_list_runs_the_same_queries_for_3_and_30_loans(admin_client, building, branch_a, admin_user):
    url = reverse("services:loan_list")
    counts = []
    for n in (3, 27):
        for i in range(n):
            book = Material.objects.create(building=building, title=f"资料{n}-{i}")
            loan = library.loan_request(material=book, member=borrower(branch_a))
            if i % 2:
                library.loan_lend(loan=loan, by=admin_user)
        admin_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- views: access ------------------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login_page(client, material):
    loan_urls = [reverse("services:loan_lend", args=[1]), reverse("services:loan_return", args=[1])]
    for url in [
        reverse("services:material_list"),
        reverse("services:material_create"),
        reverse("services:material_edit", args=[material.pk]),
        reverse("services:loan_list"),
        reverse("services:loan_request", args=[material.pk]),
        *loan_urls,
    ]:
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_member_can_request_but_not_lend_return_or_see_the_desk(member_client, member_a, material):
    loan = library.loan_request(material=material, member=member_a)
    assert member_client.post(reverse("services:loan_lend", args=[loan.pk])).status_code == 403
    assert member_client.post(reverse("services:loan_return", args=[loan.pk])).status_code == 403
    assert member_client.get(reverse("services:loan_list")).status_code == 403
    assert member_client.get(reverse("services:material_create")).status_code == 403
    assert member_client.get(reverse("services:material_edit", args=[material.pk])).status_code == 403


def test_a_secretary_lends_but_does_not_edit_the_catalogue(secretary_a_client, material):
    assert secretary_a_client.get(reverse("services:loan_list")).status_code == 200
    assert secretary_a_client.get(reverse("services:material_edit", args=[material.pk])).status_code == 403


def test_the_street_viewer_reads_but_changes_nothing(login_as, street_user, material, member_a):
    client = login_as(street_user)
    loan = library.loan_request(material=material, member=member_a)
    assert client.get(reverse("services:material_list")).status_code == 200
    assert client.get(reverse("services:loan_list")).context["page"].paginator.count == 1
    assert client.post(reverse("services:loan_request", args=[material.pk])).status_code == 403
    assert client.post(reverse("services:loan_lend", args=[loan.pk])).status_code == 403
    assert client.post(reverse("services:loan_return", args=[loan.pk])).status_code == 403


def test_a_user_without_a_member_record_cannot_borrow(secretary_a_client, material):
    assert secretary_a_client.post(reverse("services:loan_request", args=[material.pk])).status_code == 403


def test_another_branchs_secretary_does_not_find_the_loan(login_as, secretary_b, member_a, material):
    loan = library.loan_request(material=material, member=member_a)
    client = login_as(secretary_b)
    assert client.post(reverse("services:loan_lend", args=[loan.pk])).status_code == 404
    assert client.get(reverse("services:loan_list")).context["page"].paginator.count == 0


def test_another_buildings_people_find_nothing(login_as, outsider, material, member_a):
    loan = library.loan_request(material=material, member=member_a)
    assert login_as(outsider).post(reverse("services:loan_request", args=[material.pk])).status_code == 404
    other = BuildingFactory(name="另一幢楼")
    other_admin = UserFactory(username="other_admin", role="admin", building=other)
    client = login_as(other_admin)
    assert client.get(reverse("services:material_edit", args=[material.pk])).status_code == 404
    assert client.post(reverse("services:loan_lend", args=[loan.pk])).status_code == 404
    assert client.get(reverse("services:material_list")).context["page"].paginator.count == 0


def test_a_member_of_another_building_cannot_borrow_here_even_by_the_service(material):
    elsewhere = OrganizationFactory(building=BuildingFactory(name="别处"))
    with pytest.raises(ValidationError):
        library.loan_request(material=material, member=MemberFactory(organization=elsewhere))


@pytest.mark.parametrize("name", ["loan_request", "loan_lend", "loan_return"])
def test_library_actions_are_post_only(admin_client, material, name):
    assert admin_client.get(reverse(f"services:{name}", args=[material.pk])).status_code == 405


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_desks_lending_the_last_copy_at_once_lend_it_once(building, branch_a, admin_user, secretary_a):
    material = Material.objects.create(building=building, title="最后一本", copies=1)
    first, second = [library.loan_request(material=material, member=borrower(branch_a)) for _ in range(2)]

    outcomes = at_the_same_moment(
        lambda: library.loan_lend(loan=first, by=admin_user),
        lambda: library.loan_lend(loan=second, by=secretary_a),
    )

    lent = [o for o in outcomes if o.error is None]
    refused = [o for o in outcomes if isinstance(o.error, ValidationError)]
    assert (len(lent), len(refused)) == (1, 1), outcomes
    assert Loan.objects.filter(material=material, status="lent").count() == 1
