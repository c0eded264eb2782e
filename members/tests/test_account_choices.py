"""The member form's "user account": only the building's member accounts not yet linked to a member (issue 14,
point 7), so the select stays small and a posted id of anyone else's account is refused."""

import pytest
from django.urls import reverse

from members.models import Member
from tests.factories import BuildingFactory, MemberFactory, UserFactory

from .test_record_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_account(building):
    return UserFactory(username="free", role="member", building=building)


def offered(client, url) -> set[str]:
    return {user.username for user in client.get(url).context["form"].fields["user"].queryset}


def test_the_choices_are_the_buildings_unlinked_member_accounts(
    secretary_a_client, building, free_account, member_user, liaison_user, contact_user, admin_user, outsider
):
    UserFactory(username="other_free", role="member", building=BuildingFactory(name="别的大厦"))
    UserFactory(username="closed", role="member", building=building, is_active=False)
    assert offered(secretary_a_client, reverse("members:create")) == {"free"}


def test_editing_keeps_the_account_linked_now(secretary_a_client, member_user, free_account):
    choices = offered(secretary_a_client, reverse("members:edit", args=[member_user.member.pk]))
    assert choices == {member_user.username, "free"}


def test_a_free_account_of_the_building_can_be_linked(secretary_a_client, branch_a, free_account):
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, user=free_account.pk))
    assert response.status_code == 302
    assert Member.objects.get(name="王五").user == free_account


@pytest.mark.parametrize("account", ["other_building", "liaison_user", "contact_user", "admin_user", "linked"])
def test_posting_an_account_outside_the_choices_is_refused_and_nothing_is_written(
    secretary_a_client, request, branch_a, account
):
    if account == "other_building":
        target = UserFactory(username="other_free", role="member", building=BuildingFactory(name="别的大厦"))
    elif account == "linked":
        target = MemberFactory(
            organization=branch_a, user=UserFactory(username="taken", role="member", building=branch_a.building)
        ).user
    else:
        target = request.getfixturevalue(account)
    response = secretary_a_client.post(reverse("members:create"), form_data(branch_a, user=target.pk))
    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    assert not Member.objects.filter(name="王五").exists()


def test_the_create_page_still_guards_its_door(client, login_as, member_user, street_user):
    url = reverse("members:create")
    assert client.get(url)["Location"].startswith(reverse("login"))
    assert login_as(member_user).get(url).status_code == 403
    assert login_as(street_user).get(url).status_code == 403
