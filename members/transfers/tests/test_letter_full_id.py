"""A transfer letter with the full ID number (issue 14 point 5): only for whoever may reveal that member's number
now (``can_reveal_id``), never for either end's branch once the member is not theirs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import AuditRecord
from members import services
from members.transfers.tests.factories import issue
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def internal(branch_a, branch_b, secretary_a):
    """A move from branch A to branch B inside the building, letter issued, member still in A."""
    member = MemberFactory(organization=branch_a)
    return issue(member, by=secretary_a, direction="internal", to_organization=branch_b, to_name=branch_b.name)


def _full(client, transfer):
    return client.get(reverse("members:transfer_letter", args=[transfer.pk]), {"full_id": "1"})


def _complete(transfer, by):
    today = timezone.localdate()
    reported = services.transfer_report(transfer=transfer, reported_on=today, by=by)
    services.transfer_receipt(transfer=reported, returned_on=today, by=by)
    transfer.member.refresh_from_db()


def test_the_sending_branch_prints_the_full_id_while_the_member_is_theirs(login_as, secretary_a, internal):
    response = _full(login_as(secretary_a), internal)
    assert response.status_code == 200 and internal.member.id_number in response.content.decode()
    assert AuditRecord.objects.get().action == AuditRecord.Action.PRINT


def test_the_receiving_branch_may_print_the_letter_but_not_the_full_id_before_the_member_arrives(
    login_as, secretary_b, internal
):
    client = login_as(secretary_b)
    masked = client.get(reverse("members:transfer_letter", args=[internal.pk]))
    assert masked.status_code == 200 and internal.member.id_number not in masked.content.decode()
    assert "full_id=1" not in masked.content.decode()  # no link to a page it would be refused
    assert _full(client, internal).status_code == 403
    assert not AuditRecord.objects.exists()


def test_once_the_member_has_moved_only_the_new_branch_prints_the_full_id(
    login_as, secretary_a, secretary_b, internal, branch_b
):
    _complete(internal, secretary_b)
    assert internal.member.organization == branch_b
    assert _full(login_as(secretary_a), internal).status_code == 403  # the branch the member has left
    response = _full(login_as(secretary_b), internal)
    assert response.status_code == 200 and internal.member.id_number in response.content.decode()
    assert list(AuditRecord.objects.values_list("actor__username", flat=True)) == ["sec_b"]


def test_the_transfer_page_offers_the_full_id_print_only_to_who_may_reveal(
    login_as, secretary_a, secretary_b, internal
):
    link = f"{reverse('members:transfer_letter', args=[internal.pk])}?full_id=1"
    assert link in login_as(secretary_a).get(internal.get_absolute_url()).content.decode()
    assert link not in login_as(secretary_b).get(internal.get_absolute_url()).content.decode()


def test_the_admin_prints_the_full_id_at_any_step(admin_client, internal, secretary_b):
    assert _full(admin_client, internal).status_code == 200
    _complete(internal, secretary_b)
    assert _full(admin_client, internal).status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client, internal):
    response = _full(client, internal)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_buildings_admin_gets_404(login_as, internal):
    from tests.factories import BuildingFactory, UserFactory

    other_admin = UserFactory(username="admin2", role="admin", building=BuildingFactory(name="另一幢楼"))
    assert _full(login_as(other_admin), internal).status_code == 404
    assert not AuditRecord.objects.exists()
