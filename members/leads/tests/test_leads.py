"""Survey leads into the register: a transfer in or an incoming mobile member, the lead closed with it."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enterprises.survey.models import SurveyLead
from enterprises.survey.tests.factories import FIVE_CLEARS, CampaignFactory, LeadFactory, VisitFactory
from members import services
from members.models import IncomingMobileMember, Member, MemberChange, Transfer
from tests.factories import BuildingFactory, MemberFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ID_NUMBER = make_id_number(321, born=datetime.date(1988, 4, 12))


@pytest.fixture
def lead(building, enterprise):
    visit = VisitFactory(campaign=CampaignFactory(building=building), enterprise=enterprise, **FIVE_CLEARS)
    return LeadFactory(
        visit=visit, name="赵立群", phone="13712345678", relationship_location="中共余姚市梨洲街道某社区委员会"
    )


@pytest.fixture
def other_admin(db):
    return UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))


def messages_of(response):
    # From the request: the context of a page's content kept by data_cache holds no messages.
    return [str(m) for m in get_messages(response.wsgi_request)] if response.context else []


def transfer_in_post(organization, **overrides) -> dict:
    data = {
        # the letter
        "from_name": "中共余姚市梨洲街道某社区委员会",
        "letter_number": "余组转〔2026〕031号",
        "issued_on": (TODAY() - datetime.timedelta(days=5)).isoformat(),
        "validity_days": "30",
        "reported_on": TODAY().isoformat(),
        "dues_paid_until": "2026-10",
        # the member
        "name": "赵立群",
        "gender": "",
        "ethnicity": "01",
        "id_number": ID_NUMBER,
        "birth_date": "",
        "education": "21",
        "category": "full",
        "organization": organization.pk,
        "joined_on": "2012-06-01",
        "full_member_on": "2013-06-01",
        "phone": "13712345678",
    }
    data.update(overrides)
    return data


def incoming_post(host, **overrides) -> dict:
    data = {
        "name": "赵立群",
        "gender": "",
        "id_number": ID_NUMBER,
        "phone": "13712345678",
        "enterprise": "",
        "home_organization": "中共余姚市梨洲街道某社区委员会",
        "host_organization": host.pk,
        "since": TODAY().isoformat(),
        "card_number": "浙流 2026-0815",
    }
    data.update(overrides)
    return data


def urls(lead):
    return [reverse("members:lead_transfer_in", args=[lead.pk]), reverse("members:lead_incoming", args=[lead.pk])]


# --- who may open what --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, lead):
    for url in urls(lead) + [reverse("members:incoming_list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["liaison_user", "street_user", "member_user", "contact_user"])
def test_only_admins_and_secretaries_convert_leads(request, login_as, persona, lead, branch_a):
    client = login_as(request.getfixturevalue(persona))
    for url in urls(lead):
        assert client.get(url).status_code == 403, url
    assert client.post(urls(lead)[0], transfer_in_post(branch_a)).status_code == 403
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN


def test_another_buildings_admin_finds_no_lead(login_as, other_admin, lead):
    client = login_as(other_admin)
    for url in urls(lead):
        assert client.get(url).status_code == 404, url


# --- transfer in --------------------------------------------------------------------------------------------


def test_the_transfer_in_form_starts_from_the_lead(secretary_a_client, lead, branch_a, enterprise):
    response = secretary_a_client.get(reverse("members:lead_transfer_in", args=[lead.pk]))
    member_form, letter_form = response.context["member_form"], response.context["letter_form"]
    assert member_form["name"].value() == "赵立群" and member_form["phone"].value() == "13712345678"
    assert member_form["enterprise"].value() == enterprise.pk
    assert member_form["organization"].value() == branch_a.pk  # the secretary's own branch
    assert letter_form["from_name"].value() == "中共余姚市梨洲街道某社区委员会"
    assert "reason" not in letter_form.fields  # the service writes "found in the survey"


def test_a_landline_on_the_lead_is_not_carried_into_the_mobile_field(secretary_a_client, lead):
    SurveyLead.objects.filter(pk=lead.pk).update(phone="0574-63001234")
    response = secretary_a_client.get(reverse("members:lead_transfer_in", args=[lead.pk]))
    assert not response.context["member_form"]["phone"].value()


def test_a_lead_becomes_a_member_transferred_in_and_is_closed_together(
    secretary_a_client, secretary_a, lead, branch_a, enterprise
):
    data = transfer_in_post(branch_a, enterprise=enterprise.pk)
    response = secretary_a_client.post(reverse("members:lead_transfer_in", args=[lead.pk]), data)
    member = Member.objects.with_id_numbers(ID_NUMBER).get()
    transfer = member.transfers.get()
    assert response.status_code == 302 and response["Location"] == transfer.get_absolute_url()
    assert member.source_lead == lead and member.organization == branch_a and member.enterprise == enterprise
    assert (transfer.direction, transfer.status, transfer.from_name) == (
        Transfer.Direction.IN,
        Transfer.Status.REPORTED,
        "中共余姚市梨洲街道某社区委员会",
    )
    lead.refresh_from_db()
    assert (lead.status, lead.closed_by, lead.closed_on) == (SurveyLead.Status.TRANSFERRED_IN, secretary_a, TODAY())
    assert member.changes.filter(action=MemberChange.Action.CREATED).exists()


def test_a_second_conversion_of_the_same_lead_is_refused(secretary_a_client, lead, branch_a):
    url = reverse("members:lead_transfer_in", args=[lead.pk])
    secretary_a_client.post(url, transfer_in_post(branch_a))
    again = transfer_in_post(branch_a, id_number=make_id_number(322), letter_number="余组转〔2026〕032号")
    response = secretary_a_client.post(url, again, follow=True)
    assert response.redirect_chain[-1][0] == reverse("survey:lead_list")
    assert Member.objects.filter(source_lead=lead).count() == 1 and Transfer.objects.count() == 1
    assert messages_of(response)
    assert secretary_a_client.get(reverse("members:lead_incoming", args=[lead.pk])).status_code == 302


def test_the_service_refuses_a_lead_already_dealt_with_and_writes_nothing(lead, branch_a, secretary_a):
    def convert(id_number, letter):
        member = MemberFactory.build(organization=branch_a, id_number=id_number, name="赵立群")
        return services.lead_to_transfer_in(
            lead=lead,
            member=member,
            by=secretary_a,
            from_name="某党委",
            letter_number=letter,
            issued_on=TODAY(),
            validity_days=30,
            reported_on=TODAY(),
        )

    convert(ID_NUMBER, "甲-1")
    with pytest.raises(ValidationError):
        convert(make_id_number(323), "甲-2")
    assert Member.objects.filter(source_lead=lead).count() == 1


def test_a_letter_past_validity_leaves_the_lead_open_and_the_register_untouched(secretary_a_client, lead, branch_a):
    data = transfer_in_post(branch_a, issued_on=(TODAY() - datetime.timedelta(days=40)).isoformat(), validity_days="30")
    response = secretary_a_client.post(reverse("members:lead_transfer_in", args=[lead.pk]), data)
    assert response.status_code == 200 and "reported_on" in response.context["letter_form"].errors
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN
    assert not Member.objects.with_id_numbers(ID_NUMBER).exists() and not Transfer.objects.exists()


@pytest.mark.parametrize("issued_on", ["9999-12-01", "1899-01-01"])
def test_a_letter_dated_beyond_any_arithmetic_is_refused_by_the_form(secretary_a_client, lead, branch_a, issued_on):
    response = secretary_a_client.post(
        reverse("members:lead_transfer_in", args=[lead.pk]), transfer_in_post(branch_a, issued_on=issued_on)
    )
    assert response.status_code == 200  # was a 500: an OverflowError adding the validity days
    assert "请填写 1900-01-01 到 2199-12-31 之间的日期" in response.context["letter_form"].errors["issued_on"][0]
    assert not Transfer.objects.exists()


def test_a_secretary_cannot_receive_the_member_into_another_branch(login_as, secretary_b, lead, branch_a):
    response = login_as(secretary_b).post(
        reverse("members:lead_transfer_in", args=[lead.pk]), transfer_in_post(branch_a)
    )
    assert response.status_code == 200 and "organization" in response.context["member_form"].errors
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN and not Member.objects.with_id_numbers(ID_NUMBER).exists()


def test_the_admin_receives_the_member_into_any_branch_of_the_building(admin_client, lead, branch_b):
    assert (
        admin_client.post(reverse("members:lead_transfer_in", args=[lead.pk]), transfer_in_post(branch_b)).status_code
        == 302
    )
    assert Member.objects.with_id_numbers(ID_NUMBER).get().organization == branch_b


def test_a_person_already_in_the_register_is_not_registered_twice(secretary_a_client, lead, branch_a):
    MemberFactory(organization=branch_a, id_number=ID_NUMBER)
    response = secretary_a_client.post(reverse("members:lead_transfer_in", args=[lead.pk]), transfer_in_post(branch_a))
    assert "id_number" in response.context["member_form"].errors
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN


# --- incoming mobile member ---------------------------------------------------------------------------------


def test_the_incoming_form_starts_from_the_lead_and_offers_only_the_users_branches(
    secretary_a_client, lead, branch_a, group_a, branch_b, enterprise
):
    form = secretary_a_client.get(reverse("members:lead_incoming", args=[lead.pk])).context["form"]
    assert form["name"].value() == "赵立群" and form["phone"].value() == "13712345678"
    assert form["enterprise"].value() == enterprise.pk
    assert form["home_organization"].value() == "中共余姚市梨洲街道某社区委员会"
    assert list(form.fields["host_organization"].queryset) == [branch_a]  # not the group, not branch B


def test_a_lead_becomes_an_incoming_mobile_member(secretary_a_client, secretary_a, lead, branch_a):
    response = secretary_a_client.post(reverse("members:lead_incoming", args=[lead.pk]), incoming_post(branch_a))
    assert response.status_code == 302 and response["Location"] == reverse("members:incoming_list")
    incoming = IncomingMobileMember.objects.get()
    assert (incoming.source_lead, incoming.created_by, incoming.host_organization) == (lead, secretary_a, branch_a)
    assert incoming.gender == "M"  # from the ID number
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.MOBILE and lead.closed_by == secretary_a
    assert not Member.objects.with_id_numbers(ID_NUMBER).exists()  # not in the register


def test_an_incoming_member_needs_a_host_branch_in_the_users_scope(login_as, secretary_b, lead, branch_a):
    response = login_as(secretary_b).post(reverse("members:lead_incoming", args=[lead.pk]), incoming_post(branch_a))
    assert "host_organization" in response.context["form"].errors
    assert not IncomingMobileMember.objects.exists()


def test_a_registered_member_is_not_recorded_as_incoming(secretary_a_client, lead, branch_a):
    MemberFactory(organization=branch_a, id_number=ID_NUMBER)
    response = secretary_a_client.post(reverse("members:lead_incoming", args=[lead.pk]), incoming_post(branch_a))
    assert "id_number" in response.context["form"].errors
    lead.refresh_from_db()
    assert lead.status == SurveyLead.Status.OPEN


def test_an_id_number_and_gender_that_disagree_are_refused(secretary_a_client, lead, branch_a):
    response = secretary_a_client.post(
        reverse("members:lead_incoming", args=[lead.pk]), incoming_post(branch_a, gender="F")
    )
    assert "gender" in response.context["form"].errors


def test_an_incoming_member_may_be_recorded_without_an_id_number(secretary_a_client, lead, branch_a):
    response = secretary_a_client.post(
        reverse("members:lead_incoming", args=[lead.pk]), incoming_post(branch_a, id_number="")
    )
    assert response.status_code == 302 and IncomingMobileMember.objects.get().id_number == ""


# --- the incoming list --------------------------------------------------------------------------------------


def incoming(host, n, **fields) -> IncomingMobileMember:
    return IncomingMobileMember.objects.create(
        name=f"流入党员{n}",
        id_number=make_id_number(600 + n),
        home_organization="某地党委",
        host_organization=host,
        since=TODAY(),
        **fields,
    )


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "street_user"])
def test_managers_and_street_viewers_see_the_incoming_list(request, login_as, persona, branch_a):
    person = incoming(branch_a, 1)
    response = login_as(request.getfixturevalue(persona)).get(reverse("members:incoming_list"))
    body = response.content.decode()
    assert response.status_code == 200 and person.name in body
    assert person.masked_id_number in body and person.id_number not in body


@pytest.mark.parametrize("persona", ["liaison_user", "member_user", "contact_user"])
def test_others_are_refused_the_incoming_list(request, login_as, persona):
    assert login_as(request.getfixturevalue(persona)).get(reverse("members:incoming_list")).status_code == 403


def test_a_secretary_sees_the_incoming_members_of_their_branch_only(login_as, secretary_b, branch_a, branch_b):
    incoming(branch_a, 1)
    theirs = incoming(branch_b, 2)
    assert list(login_as(secretary_b).get(reverse("members:incoming_list")).context["page"]) == [theirs]


@pytest.mark.parametrize("scale", [1, 3])
def test_the_incoming_list_runs_the_same_queries_at_1x_and_3x(
    admin_client, branch_a, enterprise, django_assert_num_queries, scale
):
    for n in range(8 * scale):
        incoming(branch_a, n, enterprise=enterprise)
    admin_client.get(reverse("members:incoming_list"))
    with django_assert_num_queries(INCOMING_LIST_QUERIES):
        response = admin_client.get(reverse("members:incoming_list"))
    assert response.context["page"].paginator.count == 8 * scale


# Session read, user, count, the page (with enterprise and branch joined), and the session write with its
# savepoint and release.
INCOMING_LIST_QUERIES = 8
