"""The member edit form shows the ID number masked (issue 14 point 4): the full number only after the same audited
「显示」 the member's page has; an unchanged masked value keeps the stored number; a changed one is checked."""

import pytest
from django.urls import reverse

from buildingparty.models import AuditRecord
from members.models import Member
from members.validators import mask_id_number
from tests.factories import MemberFactory, make_id_number

from .test_record_views import form_data

pytestmark = pytest.mark.django_db

NUMBER = make_id_number(321)


@pytest.fixture
def member(branch_a):
    return MemberFactory(organization=branch_a, name="王五", id_number=NUMBER, phone="13912340000", education="21")


def _edit(member):
    return reverse("members:edit", args=[member.pk])


def _reveal(member):
    return reverse("members:edit_reveal_id", args=[member.pk])


def test_the_edit_form_shows_the_id_number_masked_and_records_nothing(secretary_a_client, member):
    body = secretary_a_client.get(_edit(member)).content.decode()
    assert f'value="{mask_id_number(NUMBER)}"' in body and NUMBER not in body
    assert 'data-testid="reveal-id"' in body and _reveal(member) in body
    assert not AuditRecord.objects.exists()


def test_saving_the_masked_number_unchanged_keeps_the_stored_number(secretary_a_client, member, branch_a):
    data = form_data(branch_a, id_number=mask_id_number(NUMBER), phone="13912349999")
    response = secretary_a_client.post(_edit(member), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.id_number == NUMBER and member.phone == "13912349999"
    assert list(member.changes.get(action="updated").changes) == ["phone"]


def test_the_audited_show_puts_the_full_number_in_the_form(secretary_a_client, secretary_a, member):
    response = secretary_a_client.post(_reveal(member))
    assert response.status_code == 200
    assert f'value="{NUMBER}"' in response.content.decode()
    assert 'data-testid="id-revealed"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.subject, record.object_id) == (
        AuditRecord.Action.REVEAL_ID,
        secretary_a,
        member.name,
        str(member.pk),
    )


def test_a_changed_number_is_saved_after_the_usual_checks(secretary_a_client, member, branch_a):
    new = make_id_number(322)
    assert secretary_a_client.post(_edit(member), form_data(branch_a, id_number=new)).status_code == 302
    member.refresh_from_db()
    assert member.id_number == new and list(Member.objects.with_id_numbers(new)) == [member]
    assert member.changes.get(action="updated").changes["id_number"] == [mask_id_number(NUMBER), mask_id_number(new)]


@pytest.mark.parametrize(
    "value, words",
    [
        ("320106198808081233", "校验"),  # a wrong check character, as today
        (NUMBER[:6] + "********" + "1230", "显示"),  # a masked value someone altered: show it in full first
    ],
)
def test_a_bad_number_is_refused_next_to_the_field_and_nothing_changes(
    secretary_a_client, member, branch_a, value, words
):
    response = secretary_a_client.post(_edit(member), form_data(branch_a, id_number=value))
    assert response.status_code == 200
    assert words in response.context["form"].errors["id_number"][0]
    member.refresh_from_db()
    assert member.id_number == NUMBER


def test_a_number_another_member_has_is_refused(secretary_a_client, member, branch_a, branch_b):
    other = MemberFactory(organization=branch_b)
    response = secretary_a_client.post(_edit(member), form_data(branch_a, id_number=other.id_number))
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    member.refresh_from_db()
    assert member.id_number == NUMBER


def test_showing_for_editing_is_a_post(secretary_a_client, member):
    assert secretary_a_client.get(_reveal(member)).status_code == 405
    assert not AuditRecord.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, member):
    response = client.post(_reveal(member))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize(
    "persona, status", [("street_user", 403), ("member_user", 403), ("secretary_b", 404), ("liaison_user", 404)]
)
def test_others_cannot_show_the_number_for_editing(login_as, request, member, member_user, persona, status):
    target = member_user.member if persona == "member_user" else member
    response = login_as(request.getfixturevalue(persona)).post(_reveal(target))
    assert response.status_code == status
    assert not AuditRecord.objects.exists()


def test_another_buildings_admin_gets_404(login_as, member):
    from tests.factories import BuildingFactory, UserFactory

    other_admin = UserFactory(username="admin2", role="admin", building=BuildingFactory(name="另一幢楼"))
    assert login_as(other_admin).post(_reveal(member)).status_code == 404
    assert not AuditRecord.objects.exists()
