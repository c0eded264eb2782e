"""Transfer pages: the list, issuing, registering a transfer in, the detail with its steps, the printed letter."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from buildingparty.models import AuditRecord
from members.models import Member, Transfer
from members.transfers.tests.factories import TransferFactory, days_ago, issue
from tests.factories import MemberFactory, OrganizationFactory, make_id_number

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def member_a(branch_a):
    return MemberFactory(
        organization=branch_a,
        name="王建华",
        gender="M",
        ethnicity="01",
        id_number=make_id_number(11, born=datetime.date(1985, 6, 15)),
    )


@pytest.fixture
def transfer_a(member_a, secretary_a):
    return issue(
        member_a, by=secretary_a, to_name="宁波市鄞州区某科技公司党支部", dues_paid_until=datetime.date(2026, 3, 1)
    )


def action_url(transfer, action):
    return reverse("members:transfer_action", args=[transfer.pk, action])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may open what --------------------------------------------------------------------------------------


def all_urls(transfer, member):
    return [
        reverse("members:transfer_list"),
        reverse("members:transfer_in"),
        reverse("members:transfer_create", args=[member.pk]),
        transfer.get_absolute_url(),
        reverse("members:transfer_letter", args=[transfer.pk]),
    ]


def test_anonymous_visitor_is_sent_to_the_login_page(client, transfer_a, member_a):
    for url in all_urls(transfer_a, member_a) + [action_url(transfer_a, "report")]:
        response = client.post(url) if url.endswith("/report/") else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user"])
def test_members_liaisons_and_contacts_are_refused_every_transfer_page(
    request, login_as, transfer_a, member_a, persona
):
    client = login_as(request.getfixturevalue(persona))
    for url in all_urls(transfer_a, member_a):
        assert client.get(url).status_code == 403, url
    assert client.post(action_url(transfer_a, "report"), {"report-reported_on": TODAY()}).status_code == 403


def test_a_member_cannot_issue_a_letter_for_their_own_record(member_client, member_user):
    assert member_client.get(reverse("members:transfer_create", args=[member_user.member.pk])).status_code == 403


def test_the_street_viewer_reads_but_changes_nothing(login_as, street_user, transfer_a, member_a):
    client = login_as(street_user)
    assert client.get(reverse("members:transfer_list")).status_code == 200
    response = client.get(transfer_a.get_absolute_url())
    assert response.status_code == 200
    assert response.context["forms"] == {} and not response.context["can_manage"]
    assert client.get(reverse("members:transfer_letter", args=[transfer_a.pk])).status_code == 200
    assert client.get(reverse("members:transfer_create", args=[member_a.pk])).status_code == 403
    assert client.get(reverse("members:transfer_in")).status_code == 403
    assert client.post(action_url(transfer_a, "report"), {"report-reported_on": TODAY()}).status_code == 403
    transfer_a.refresh_from_db()
    assert transfer_a.status == Transfer.Status.ISSUED


def test_another_branchs_secretary_finds_nothing(login_as, secretary_b, transfer_a, member_a):
    client = login_as(secretary_b)
    for url in all_urls(transfer_a, member_a)[2:]:
        assert client.get(url).status_code == 404, url
    assert client.post(action_url(transfer_a, "report"), {"report-reported_on": TODAY()}).status_code == 404
    assert transfer_a.letter_number not in client.get(reverse("members:transfer_list")).content.decode()


def test_another_buildings_admin_finds_nothing(login_as, transfer_a, member_a):
    from tests.factories import BuildingFactory, UserFactory

    other_admin = UserFactory(username="other_admin", role="admin", building=BuildingFactory(name="别的大厦"))
    client = login_as(other_admin)
    for url in all_urls(transfer_a, member_a)[2:]:
        assert client.get(url).status_code == 404, url


def test_the_receiving_branch_records_that_the_member_reported_for_an_internal_move(
    login_as, secretary_b, member_a, branch_b
):
    transfer = issue(member_a, direction=Transfer.Direction.INTERNAL, to_organization=branch_b)
    client = login_as(secretary_b)
    response = client.get(transfer.get_absolute_url())
    assert response.status_code == 200 and "report" in response.context["forms"]
    assert client.post(action_url(transfer, "report"), {"report-reported_on": TODAY()}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REPORTED


def test_an_unrelated_branch_cannot_act_on_an_internal_move(login_as, secretary_b, member_a, branch_a, general_branch):
    from tests.factories import OrganizationFactory

    branch_c = OrganizationFactory(building=branch_a.building, name="第三党支部", parent=general_branch)
    transfer = issue(member_a, direction=Transfer.Direction.INTERNAL, to_organization=branch_c)
    assert (
        login_as(secretary_b).post(action_url(transfer, "report"), {"report-reported_on": TODAY()}).status_code == 404
    )


@pytest.mark.parametrize("action", ["report", "receipt", "close", "cancel", "expire", "reissue"])
def test_status_actions_are_post_only(secretary_a_client, transfer_a, action):
    assert secretary_a_client.get(action_url(transfer_a, action)).status_code == 405


def test_an_unknown_action_is_not_found(secretary_a_client, transfer_a):
    assert secretary_a_client.post(action_url(transfer_a, "extend")).status_code == 404


# --- list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_the_branchs_transfers_with_their_facts(secretary_a_client, transfer_a, branch_b):
    other = issue(MemberFactory(organization=branch_b))
    body = secretary_a_client.get(reverse("members:transfer_list")).content.decode()
    assert transfer_a.letter_number in body and "王建华" in body and "宁波市鄞州区某科技公司党支部" in body
    assert transfer_a.expires_on.isoformat() in body
    assert other.letter_number not in body
    assert reverse("members:transfer_in") in body


def test_the_street_viewer_is_not_offered_to_register_a_transfer_in(login_as, street_user, transfer_a):
    body = login_as(street_user).get(reverse("members:transfer_list")).content.decode()
    assert transfer_a.letter_number in body
    assert reverse("members:transfer_in") not in body


def test_the_list_filters_by_status_and_direction(secretary_a_client, branch_a, branch_b):
    out = issue(MemberFactory(organization=branch_a))
    internal = issue(MemberFactory(organization=branch_a), direction="internal", to_organization=branch_b)
    done = TransferFactory(member=MemberFactory(organization=branch_a), status=Transfer.Status.CLOSED)
    url = reverse("members:transfer_list")

    def listed(**params):
        return {t.pk for t in secretary_a_client.get(url, params).context["page"]}

    assert listed() == {out.pk, internal.pk, done.pk}
    assert listed(status="closed") == {done.pk}
    assert listed(direction="internal") == {internal.pk}
    assert listed(status="issued", direction="out") == {out.pk}


def test_needs_attention_lists_letters_expiring_or_past_validity_and_receipts_overdue(secretary_a_client, branch_a):
    def member():
        return MemberFactory(organization=branch_a)

    expiring = TransferFactory(member=member(), issued_on=days_ago(25), validity_days=30)  # 5 days left
    past = TransferFactory(member=member(), issued_on=days_ago(20), validity_days=10)
    overdue = TransferFactory(member=member(), status="reported", reported_on=days_ago(40), receipt_due_on=days_ago(9))
    TransferFactory(member=member(), issued_on=days_ago(1), validity_days=30)  # plenty of time
    TransferFactory(member=member(), issued_on=days_ago(22), validity_days=30)  # 8 days left
    TransferFactory(member=member(), status="reported", reported_on=days_ago(3), receipt_due_on=days_ago(-27))
    TransferFactory(member=member(), status="expired", issued_on=days_ago(90), validity_days=10)
    response = secretary_a_client.get(reverse("members:transfer_list"), {"attention": "on"})
    assert {t.pk for t in response.context["page"]} == {expiring.pk, past.pk, overdue.pk}
    body = response.content.decode()
    assert 'data-flag="expiring"' in body and 'data-flag="past-validity"' in body
    assert 'data-flag="receipt-overdue"' in body


def test_the_list_runs_the_same_queries_for_3_and_30_transfers(secretary_a_client, branch_a, group_a):
    def make(n):
        for i in range(n):
            TransferFactory(
                member=MemberFactory(organization=group_a if i % 2 else branch_a),
                issued_on=days_ago(5),
                validity_days=10 + i % 3,
                status="reported" if i % 3 == 0 else "issued",
                receipt_due_on=days_ago(1) if i % 3 == 0 else None,
            )

    url = reverse("members:transfer_list")
    counts = []
    for n in (3, 27):
        make(n)
        secretary_a_client.get(url)  # warm the session
        for params in ({}, {"attention": "on", "status": "issued"}):
            with CaptureQueriesContext(connection) as queries:
                response = secretary_a_client.get(url, params)
            assert response.status_code == 200
            counts.append(len(queries))
    assert response.context["page"].paginator.count == 20  # the issued ones, all expiring within a week
    assert counts[:2] == counts[2:], counts
    page = secretary_a_client.get(url).context["page"]
    assert (page.paginator.count, len(page.object_list)) == (30, 25)


def test_the_list_pages_keep_the_filters(secretary_a_client, branch_a):
    for _ in range(26):
        TransferFactory(member=MemberFactory(organization=branch_a))
    response = secretary_a_client.get(reverse("members:transfer_list"), {"status": "issued"})
    assert "?status=issued&amp;page=2" in response.content.decode()


# --- issuing ------------------------------------------------------------------------------------------------


def issue_data(**overrides):
    data = {
        "direction": "out",
        "to_name": "中共宁波市鄞州区某公司支部委员会",
        "reason": "工作单位变动",
        "issued_on": TODAY().isoformat(),
        "validity_days": "30",
        "dues_paid_until": "2026-03",
        "letter_number": "",
    }
    return {**data, **overrides}


def test_the_issue_form_starts_from_today_and_the_configured_validity(secretary_a_client, member_a, settings):
    settings.BUILDINGPARTY = {**settings.BUILDINGPARTY, "TRANSFER_VALIDITY_DAYS": 10}
    response = secretary_a_client.get(reverse("members:transfer_create", args=[member_a.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["issued_on"].value() == TODAY() and form["validity_days"].value() == 10
    assert response.context["next_number"] == f"中大党转〔{TODAY().year}〕001号"


def test_the_secretary_issues_a_letter_out_from_the_members_page(secretary_a_client, secretary_a, member_a):
    response = secretary_a_client.post(
        reverse("members:transfer_create", args=[member_a.pk]), issue_data(), follow=True
    )
    transfer = Transfer.objects.get(member=member_a)
    assert response.redirect_chain[-1][0] == transfer.get_absolute_url()
    assert transfer.letter_number == f"中大党转〔{TODAY().year}〕001号"
    assert (transfer.direction, transfer.status, transfer.created_by) == ("out", "issued", secretary_a)
    assert transfer.dues_paid_until == datetime.date(2026, 3, 1)
    assert transfer.to_name == "中共宁波市鄞州区某公司支部委员会"
    assert any(transfer.letter_number in m for m in messages_of(response))


def test_an_internal_transfer_offers_only_the_buildings_other_branches(
    secretary_a_client, member_a, branch_a, branch_b, group_a
):
    OrganizationFactory(name="另一幢楼的支部")  # another building
    form = secretary_a_client.get(reverse("members:transfer_create", args=[member_a.pk])).context["form"]
    assert list(form.fields["to_organization"].queryset) == [branch_b]
    response = secretary_a_client.post(
        reverse("members:transfer_create", args=[member_a.pk]),
        issue_data(direction="internal", to_name="", to_organization=branch_b.pk),
    )
    assert response.status_code == 302
    assert Transfer.objects.get(member=member_a).to_organization == branch_b


def test_a_member_of_a_group_is_not_offered_their_own_branch(secretary_a_client, group_a, branch_a, branch_b):
    member = MemberFactory(organization=group_a)
    form = secretary_a_client.get(reverse("members:transfer_create", args=[member.pk])).context["form"]
    assert list(form.fields["to_organization"].queryset) == [branch_b]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"validity_days": "0"}, "validity_days"),
        ({"validity_days": "91"}, "validity_days"),
        ({"to_name": ""}, "to_name"),
        ({"direction": "internal", "to_name": ""}, "to_organization"),
        ({"dues_paid_until": "2026-13"}, "dues_paid_until"),
        ({"dues_paid_until": f"{TODAY().year + 1}-12"}, "dues_paid_until"),
        ({"direction": "in"}, "direction"),
    ],
)
def test_a_mistake_in_the_issue_form_is_shown_next_to_its_field(secretary_a_client, member_a, overrides, field):
    response = secretary_a_client.post(reverse("members:transfer_create", args=[member_a.pk]), issue_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Transfer.objects.exists()


def test_a_validity_outside_1_to_90_days_gets_a_clear_message(secretary_a_client, member_a):
    with translation.override("en"):
        response = secretary_a_client.post(
            reverse("members:transfer_create", args=[member_a.pk]),
            issue_data(validity_days="91"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.context["form"].errors["validity_days"] == ["A letter is valid for 1 to 90 days."]
    response = secretary_a_client.post(
        reverse("members:transfer_create", args=[member_a.pk]), issue_data(validity_days="0")
    )
    assert 'id="id_validity_days"' in response.content.decode() and "is-invalid" in response.content.decode()


def test_a_letter_number_typed_by_hand_must_be_new(secretary_a_client, member_a, branch_a):
    issue(MemberFactory(organization=branch_a), letter_number="中大党转〔2026〕009号")
    response = secretary_a_client.post(
        reverse("members:transfer_create", args=[member_a.pk]), issue_data(letter_number="中大党转〔2026〕009号")
    )
    assert "letter_number" in response.context["form"].errors
    assert not member_a.transfers.exists()


def test_a_second_letter_for_a_member_is_refused_with_a_message(secretary_a_client, transfer_a, member_a):
    page = secretary_a_client.get(reverse("members:transfer_create", args=[member_a.pk]))
    assert page.context["open_transfer"] == transfer_a
    response = secretary_a_client.post(reverse("members:transfer_create", args=[member_a.pk]), issue_data())
    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    assert member_a.transfers.count() == 1


# --- transfer in --------------------------------------------------------------------------------------------


def transfer_in_data(organization, **overrides):
    data = {
        # the member
        "name": "赵新来",
        "gender": "",
        "ethnicity": "01",
        "id_number": make_id_number(88, born=datetime.date(1990, 4, 2), male=False).lower(),
        "birth_date": "",
        "education": "21",
        "category": "full",
        "organization": organization.pk,
        "joined_on": "2014-06-01",
        "full_member_on": "2015-06-01",
        "phone": "13912345678",
        # the letter
        "from_name": "中共宁波市海曙区某公司支部委员会",
        "letter_number": "甬海组转〔2026〕12号",
        "issued_on": days_ago(10).isoformat(),
        "validity_days": "30",
        "reported_on": days_ago(2).isoformat(),
        "dues_paid_until": "2026-02",
        "reason": "工作单位变动",
    }
    return {**data, **overrides}


def test_the_secretary_registers_a_member_arriving_with_a_letter(secretary_a_client, branch_a, branch_b):
    form = secretary_a_client.get(reverse("members:transfer_in")).context["member_form"]
    assert branch_a in form.fields["organization"].queryset and branch_b not in form.fields["organization"].queryset
    response = secretary_a_client.post(reverse("members:transfer_in"), transfer_in_data(branch_a))
    member = Member.objects.get(name="赵新来")
    transfer = member.transfers.get()
    assert response.status_code == 302 and response["Location"] == transfer.get_absolute_url()
    assert (member.organization, member.gender, member.birth_date) == (branch_a, "F", datetime.date(1990, 4, 2))
    assert member.id_number.endswith(member.id_number[-1].upper())
    assert (transfer.direction, transfer.status, transfer.reported_on) == ("in", "reported", days_ago(2))
    assert transfer.dues_paid_until == datetime.date(2026, 2, 1)


def test_the_secretary_can_only_register_into_their_own_branch(secretary_a_client, branch_b):
    response = secretary_a_client.post(reverse("members:transfer_in"), transfer_in_data(branch_b))
    assert "organization" in response.context["member_form"].errors
    assert not Member.objects.filter(name="赵新来").exists()


def test_a_person_already_registered_gets_a_clear_error_and_nothing_is_written(secretary_a_client, branch_a, member_a):
    with translation.override("en"):
        response = secretary_a_client.post(
            reverse("members:transfer_in"),
            transfer_in_data(branch_a, id_number=member_a.id_number),
            HTTP_ACCEPT_LANGUAGE="en",
        )
        errors = response.context["member_form"].errors["id_number"]
        assert "already in the register" in errors[0] and "internal transfer" in errors[0]
    assert Member.objects.count() == 1 and not Transfer.objects.exists()


def test_a_letter_that_expired_before_reporting_cannot_be_registered(secretary_a_client, branch_a):
    response = secretary_a_client.post(
        reverse("members:transfer_in"),
        transfer_in_data(branch_a, issued_on=days_ago(40).isoformat(), reported_on=days_ago(1).isoformat()),
    )
    assert response.status_code == 200
    assert "reported_on" in response.context["letter_form"].errors
    assert not Member.objects.filter(name="赵新来").exists()


def test_an_incoming_letter_number_already_registered_is_refused(secretary_a_client, branch_a, transfer_a):
    response = secretary_a_client.post(
        reverse("members:transfer_in"), transfer_in_data(branch_a, letter_number=transfer_a.letter_number)
    )
    assert "letter_number" in response.context["letter_form"].errors
    assert not Member.objects.filter(name="赵新来").exists()


# --- detail and steps ---------------------------------------------------------------------------------------


def test_the_detail_shows_the_facts_the_steps_and_what_can_be_done_now(secretary_a_client, transfer_a):
    response = secretary_a_client.get(transfer_a.get_absolute_url())
    body = response.content.decode()
    assert transfer_a.letter_number in body and "宁波市鄞州区某科技公司党支部" in body
    assert transfer_a.expires_on.isoformat() in body
    assert list(response.context["forms"]) == ["report", "cancel"]
    assert [s["done"] for s in response.context["steps"]] == [True, False, False, False]
    assert transfer_a.member.get_absolute_url() in body


def test_a_letter_past_validity_offers_to_expire_it_and_warns(secretary_a_client, branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(31), validity_days=30)
    response = secretary_a_client.get(transfer.get_absolute_url())
    assert list(response.context["forms"]) == ["report", "expire", "cancel"]
    assert 'data-flag="past-validity"' in response.content.decode()


def test_the_secretary_walks_a_letter_from_reported_to_closed(secretary_a_client, transfer_a, member_a):
    response = secretary_a_client.post(
        action_url(transfer_a, "report"), {"report-reported_on": TODAY().isoformat()}, follow=True
    )
    assert response.redirect_chain[-1][0] == transfer_a.get_absolute_url()
    assert list(response.context["forms"]) == ["receipt", "cancel"]
    secretary_a_client.post(action_url(transfer_a, "receipt"), {"receipt-returned_on": TODAY().isoformat()})
    member_a.refresh_from_db()
    assert member_a.whereabouts == Member.Whereabouts.TRANSFERRED_OUT
    secretary_a_client.post(action_url(transfer_a, "close"), {"close-closed_on": TODAY().isoformat()})
    transfer_a.refresh_from_db()
    assert transfer_a.status == Transfer.Status.CLOSED
    response = secretary_a_client.get(transfer_a.get_absolute_url())
    assert response.context["forms"] == {}
    assert all(s["done"] for s in response.context["steps"])


def test_the_receipt_of_an_internal_transfer_moves_the_member_to_the_new_branch(admin_client, member_a, branch_b):
    transfer = issue(member_a, direction=Transfer.Direction.INTERNAL, to_organization=branch_b)
    admin_client.post(action_url(transfer, "report"), {"report-reported_on": TODAY().isoformat()})
    response = admin_client.post(action_url(transfer, "receipt"), {"receipt-returned_on": TODAY().isoformat()})
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.organization, member_a.status) == (branch_b, Member.Status.NORMAL)


def test_a_letter_cancelled_after_reporting_shows_where_it_stopped(secretary_a_client, transfer_a):
    secretary_a_client.post(action_url(transfer_a, "report"), {"report-reported_on": TODAY().isoformat()})
    secretary_a_client.post(action_url(transfer_a, "cancel"), {"cancel-cancel_reason": "接收单位不同意"})
    response = secretary_a_client.get(transfer_a.get_absolute_url())
    assert [s["done"] for s in response.context["steps"]] == [True, True, False, False]
    assert not any(s["current"] for s in response.context["steps"])
    assert "接收单位不同意" in response.content.decode()


def test_reporting_after_expiry_is_shown_next_to_the_date(secretary_a_client, branch_a):
    transfer = issue(MemberFactory(organization=branch_a), issued_on=days_ago(40), validity_days=30)
    response = secretary_a_client.post(action_url(transfer, "report"), {"report-reported_on": TODAY().isoformat()})
    assert response.status_code == 200
    assert "reported_on" in response.context["forms"]["report"].errors
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.ISSUED


def test_a_report_dated_in_the_future_is_refused(secretary_a_client, transfer_a):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = secretary_a_client.post(action_url(transfer_a, "report"), {"report-reported_on": tomorrow})
    assert "reported_on" in response.context["forms"]["report"].errors


def test_a_step_out_of_order_is_refused_with_a_message(secretary_a_client, transfer_a):
    response = secretary_a_client.post(
        action_url(transfer_a, "receipt"), {"receipt-returned_on": TODAY().isoformat()}, follow=True
    )
    assert response.status_code == 200
    assert len(messages_of(response)) == 1
    transfer_a.refresh_from_db()
    assert transfer_a.status == Transfer.Status.ISSUED


def test_cancelling_needs_a_reason_and_then_shows_it(secretary_a_client, transfer_a):
    response = secretary_a_client.post(action_url(transfer_a, "cancel"), {"cancel-cancel_reason": ""})
    assert "cancel_reason" in response.context["forms"]["cancel"].errors
    response = secretary_a_client.post(
        action_url(transfer_a, "cancel"), {"cancel-cancel_reason": "本人决定不调动"}, follow=True
    )
    assert "本人决定不调动" in response.content.decode()
    transfer_a.refresh_from_db()
    assert transfer_a.status == Transfer.Status.CANCELLED


def test_an_expired_letter_is_reissued_and_the_chain_is_shown(secretary_a_client, branch_a):
    old = issue(MemberFactory(organization=branch_a), issued_on=days_ago(40), validity_days=30)
    secretary_a_client.post(action_url(old, "expire"))
    old.refresh_from_db()
    assert old.status == Transfer.Status.EXPIRED
    response = secretary_a_client.post(
        action_url(old, "reissue"),
        {
            "reissue-issued_on": TODAY().isoformat(),
            "reissue-validity_days": "30",
            "reissue-dues_paid_until": f"{TODAY():%Y-%m}",
        },
    )
    new = Transfer.objects.get(reissue_of=old)
    assert response["Location"] == new.get_absolute_url()
    assert old.letter_number in secretary_a_client.get(new.get_absolute_url()).content.decode()
    page = secretary_a_client.get(old.get_absolute_url())
    assert page.context["reissued_as"] == new and page.context["forms"] == {}
    # A second re-issue of the same letter is refused, not a server error.
    again = secretary_a_client.post(
        action_url(old, "reissue"),
        {
            "reissue-issued_on": TODAY().isoformat(),
            "reissue-validity_days": "30",
            "reissue-dues_paid_until": f"{TODAY():%Y-%m}",
        },
        follow=True,
    )
    assert again.status_code == 200 and len(messages_of(again)) == 1
    assert Transfer.objects.count() == 2


def test_expiring_a_letter_still_valid_is_refused(secretary_a_client, transfer_a):
    secretary_a_client.post(action_url(transfer_a, "expire"))
    transfer_a.refresh_from_db()
    assert transfer_a.status == Transfer.Status.ISSUED


# --- the printed letter -------------------------------------------------------------------------------------


def test_the_letter_has_its_three_parts_and_masks_the_id_number(secretary_a_client, transfer_a, member_a):
    response = secretary_a_client.get(reverse("members:transfer_letter", args=[transfer_a.pk]))
    body = response.content.decode()
    for part in ("stub", "letter", "receipt"):
        assert f'data-part="{part}"' in body
    assert "（存根）" in body and "（回执）" in body and body.count("骑缝") == 2
    assert member_a.masked_id_number in body and member_a.id_number not in body
    age = TODAY().year - 1985 - ((TODAY().month, TODAY().day) < (6, 15))
    assert f'兹介绍<span class="fill">王建华</span>同志（男，{age}岁，汉族），系中共正式党员' in body
    assert (
        "请转接组织关系" in body
        and "2026年3月" in body
        and '有效期<span class="fill" data-testid="validity">叁拾</span>天' in body
    )
    assert "王建华</span>同志的党员组织关系已转达我处，特此回执。" in body
    assert not AuditRecord.objects.exists()


def test_the_full_id_number_is_printed_only_on_request_and_recorded(
    secretary_a_client, secretary_a, transfer_a, member_a
):
    response = secretary_a_client.get(reverse("members:transfer_letter", args=[transfer_a.pk]), {"full_id": "1"})
    assert member_a.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.subject, record.object_id, record.detail) == (
        AuditRecord.Action.PRINT,
        secretary_a,
        member_a.name,
        str(member_a.pk),
        transfer_a.letter_number,
    )


def test_the_street_viewer_cannot_print_the_full_id_number(login_as, street_user, transfer_a):
    response = login_as(street_user).get(reverse("members:transfer_letter", args=[transfer_a.pk]), {"full_id": "1"})
    assert response.status_code == 403
    assert not AuditRecord.objects.exists()


def test_a_cancelled_letter_prints_as_void(secretary_a_client, transfer_a):
    secretary_a_client.post(action_url(transfer_a, "cancel"), {"cancel-cancel_reason": "写错"})
    body = secretary_a_client.get(reverse("members:transfer_letter", args=[transfer_a.pk])).content.decode()
    assert 'data-testid="void-mark"' in body


def test_there_is_no_letter_to_print_for_a_transfer_in(secretary_a_client, branch_a):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a),
        direction="in",
        from_organization=None,
        from_name="外地党委",
        to_organization=branch_a,
        status="reported",
    )
    assert secretary_a_client.get(reverse("members:transfer_letter", args=[transfer.pk])).status_code == 404


# --- home page panel ----------------------------------------------------------------------------------------


def test_the_secretarys_home_page_shows_a_letter_about_to_expire(secretary_a_client, branch_a):
    transfer = TransferFactory(
        member=MemberFactory(organization=branch_a, name="李将到"), issued_on=days_ago(27), validity_days=30
    )
    body = secretary_a_client.get("/").content.decode()
    assert 'data-testid="transfer-panel"' in body
    assert transfer.letter_number in body and "李将到" in body


def test_the_panel_lists_letters_past_validity_and_receipts_overdue(admin_client, branch_a, branch_b):
    past = TransferFactory(member=MemberFactory(organization=branch_a), issued_on=days_ago(20), validity_days=10)
    overdue = TransferFactory(
        member=MemberFactory(organization=branch_b),
        status="reported",
        reported_on=days_ago(40),
        receipt_due_on=days_ago(9),
    )
    panel = next(p for p in admin_client.get("/").context["panels"] if p["template"] == "members/transfers/_panel.html")
    assert panel["past_validity"] == [past] and panel["receipt_overdue"] == [overdue] and panel["expiring"] == []


def test_the_panel_hides_when_nothing_needs_attention(secretary_a_client, branch_a):
    TransferFactory(member=MemberFactory(organization=branch_a), issued_on=days_ago(1), validity_days=30)
    assert 'data-testid="transfer-panel"' not in secretary_a_client.get("/").content.decode()


def test_the_panel_shows_only_the_secretarys_own_branch(login_as, secretary_b, branch_a):
    TransferFactory(member=MemberFactory(organization=branch_a), issued_on=days_ago(27), validity_days=30)
    assert 'data-testid="transfer-panel"' not in login_as(secretary_b).get("/").content.decode()


def test_the_sending_branch_sees_a_completed_move_but_no_longer_links_to_the_member(
    login_as, secretary_b, branch_a, branch_b
):
    from members import services

    member = MemberFactory(organization=branch_b)
    transfer = issue(member, direction=Transfer.Direction.INTERNAL, to_organization=branch_a)
    services.transfer_report(transfer=transfer, reported_on=transfer.issued_on, by=None)
    services.transfer_receipt(transfer=transfer, returned_on=timezone.localdate(), by=None)
    response = login_as(secretary_b).get(transfer.get_absolute_url())
    assert response.status_code == 200 and response.context["member_visible"] is False
    assert member.get_absolute_url() not in response.content.decode()
