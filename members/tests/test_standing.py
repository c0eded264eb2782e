"""Standing (党籍) and leaving the party (DOMAIN.md §5a): every change is a decision with a date, a reason and the
approving organisation; restoring standing is a decision too; transferred out is a whereabouts, not a standing;
a member out of contact goes the lost-contact route only, and two years after 停止党籍 the secretary is reminded.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from buildingparty.models import Notification
from members import jobs as member_jobs
from members import services
from members.dues.selectors import arrears_map
from members.dues.tests.factories import open_bill, paying_member
from members.models import Member, MemberChange, StandingDecision
from members.validators import id_birth_date, id_gender
from tests.factories import BuildingFactory, MemberFactory, OrganizationFactory, make_id_number

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


def decide(member, kind, *, on=DAY, reason="支部大会研究决定", approved="中共慈溪市浒山街道工作委员会", by=None):
    return services.standing_decide(
        member=member, kind=kind, decided_on=on, reason=reason, approved_by_organization=approved, recorded_by=by
    )


# --- the service --------------------------------------------------------------------------------------------------


def test_rule_suspending_standing_is_a_decision_with_date_reason_and_approver(branch_a, secretary_a):
    member = MemberFactory(organization=branch_a)

    decision = decide(member, StandingDecision.Kind.SUSPEND, reason="失联超过六个月", by=secretary_a)

    member.refresh_from_db()
    assert member.status == Member.Status.SUSPENDED and member.status_changed_on == DAY
    assert (decision.decided_on, decision.reason, decision.approved_by_organization) == (
        DAY,
        "失联超过六个月",
        "中共慈溪市浒山街道工作委员会",
    )
    assert decision.recorded_by == secretary_a and decision.previous_status == Member.Status.NORMAL
    change = member.changes.get(action=MemberChange.Action.STATUS)
    assert change.changes["status"] == ["normal", "suspended"] and change.changed_by == secretary_a


def test_rule_self_lapse_is_handled_as_removal(branch_a):
    member = MemberFactory(organization=branch_a)

    decide(member, StandingDecision.Kind.SELF_LAPSED, reason="连续六个月不交纳党费")

    member.refresh_from_db()
    assert member.status == Member.Status.REMOVED


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (StandingDecision.Kind.REMOVE, Member.Status.REMOVED),
        (StandingDecision.Kind.EXPEL, Member.Status.EXPELLED),
        (StandingDecision.Kind.WITHDRAW, Member.Status.WITHDRAWN),
        (StandingDecision.Kind.DEATH, Member.Status.DECEASED),
    ],
)
def test_rule_each_way_out_of_the_party_leaves_its_own_standing(branch_a, kind, status):
    member = MemberFactory(organization=branch_a)

    decide(member, kind)

    member.refresh_from_db()
    assert member.status == status and not member.is_in_party


def test_rule_restoring_standing_is_a_recorded_decision_not_a_click(branch_a):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(ValidationError) as error:
        decide(member, StandingDecision.Kind.RESTORE)  # nothing to restore
    assert "kind" in error.value.message_dict

    decide(member, StandingDecision.Kind.SUSPEND)
    decide(member, StandingDecision.Kind.RESTORE, on=DAY + datetime.timedelta(days=30), reason="已恢复联系")

    member.refresh_from_db()
    assert member.status == Member.Status.NORMAL
    assert list(member.standing_decisions.values_list("kind", flat=True)) == ["restore", "suspend"]


def test_a_decision_needs_a_reason_a_past_date_and_a_fitting_standing(branch_a):
    member = MemberFactory(organization=branch_a)
    with pytest.raises(ValidationError) as error:
        decide(member, StandingDecision.Kind.SUSPEND, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        decide(member, StandingDecision.Kind.SUSPEND, on=datetime.date.today() + datetime.timedelta(days=1))
    assert "decided_on" in error.value.message_dict
    decide(member, StandingDecision.Kind.DEATH)
    with pytest.raises(ValidationError):
        decide(member, StandingDecision.Kind.SUSPEND)
    assert StandingDecision.objects.count() == 1


def test_rule_transferred_out_is_a_whereabouts_not_a_standing(branch_a):
    member = MemberFactory(organization=branch_a, whereabouts=Member.Whereabouts.TRANSFERRED_OUT)

    assert member.status == Member.Status.NORMAL and not member.is_in_party
    assert "transferred_out" not in Member.Status.values
    with pytest.raises(ValidationError):
        decide(member, StandingDecision.Kind.SUSPEND)


# --- the page -----------------------------------------------------------------------------------------------------


def test_secretary_records_a_suspension_on_the_standing_page(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)
    url = reverse("members:change_status", args=[member.pk])
    assert secretary_a_client.get(url).status_code == 200

    response = secretary_a_client.post(
        url,
        {
            "kind": "suspend",
            "decided_on": "2026-01-10",
            "reason": "失联超过六个月，支部大会决定",
            "approved_by_organization": "中共慈溪市浒山街道工作委员会",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "suspended"
    assert member.standing_decisions.get().approved_by_organization == "中共慈溪市浒山街道工作委员会"


def test_a_decision_without_reason_is_shown_next_to_the_field_in_chinese(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)

    response = secretary_a_client.post(
        reverse("members:change_status", args=[member.pk]),
        {"kind": "suspend", "decided_on": "2026-01-10", "reason": ""},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.status_code == 200 and "reason" in response.context["form"].errors
    member.refresh_from_db()
    assert member.status == "normal"


def test_restoring_a_normal_member_is_refused_next_to_the_decision(secretary_a_client, branch_a):
    member = MemberFactory(organization=branch_a)

    response = secretary_a_client.post(
        reverse("members:change_status", args=[member.pk]),
        {"kind": "restore", "decided_on": "2026-01-10", "reason": "x"},
    )

    assert response.status_code == 200 and "kind" in response.context["form"].errors


def test_the_standing_page_needs_login_the_right_role_and_scope(client, login_as, member_user, secretary_b, branch_a):
    member = MemberFactory(organization=branch_a)
    url = reverse("members:change_status", args=[member.pk])

    assert reverse("login") in client.get(url).url
    own = reverse("members:change_status", args=[member_user.member.pk])
    assert login_as(member_user).get(own).status_code == 403
    assert login_as(secretary_b).get(url).status_code == 404
    assert login_as(secretary_b).post(url, {"kind": "death"}).status_code == 404


# --- lost contact, dues and the two-year reminder -----------------------------------------------------------------


def test_rule_a_lost_contact_member_is_not_flagged_as_self_lapsed_by_the_dues_route(branch_a):
    lost = paying_member(branch_a, lost_contact_since=datetime.date(2025, 1, 1))
    present = paying_member(branch_a)
    for member in (lost, present):
        for offset in range(-6, 0):
            open_bill(member, offset)

    debts = arrears_map([lost.pk, present.pk])

    assert debts[present.pk].is_candidate
    assert debts[lost.pk].longest_run == 6 and not debts[lost.pk].is_candidate


def test_rule_two_years_after_suspension_without_contact_the_secretary_is_reminded_once(
    branch_a, secretary_a, secretary_b
):
    today = "2026-06-15"
    due = MemberFactory(organization=branch_a, lost_contact_since=datetime.date(2023, 6, 1))
    decide(due, StandingDecision.Kind.SUSPEND, on=datetime.date(2024, 6, 15))
    not_yet = MemberFactory(organization=branch_a, lost_contact_since=datetime.date(2023, 6, 1))
    decide(not_yet, StandingDecision.Kind.SUSPEND, on=datetime.date(2024, 6, 16))
    found = MemberFactory(organization=branch_a)  # suspended long ago, but back in contact
    decide(found, StandingDecision.Kind.SUSPEND, on=datetime.date(2023, 1, 1))

    assert member_jobs.suspension_reminders(today=today) == {"suspended_two_years": 1}
    assert member_jobs.suspension_reminders(today=today) == {"suspended_two_years": 0}

    note = Notification.objects.get()
    assert note.user == secretary_a and due.name in note.title
    assert note.dedupe_key == f"suspended_two_years:{due.pk}:2024-06-15"


# --- the migration ------------------------------------------------------------------------------------------------

BEFORE = [("members", "0007_source_lead_to_survey")]
AFTER = [("members", "0008_standing_decisions")]


def applied_state():
    """The models as the migrations applied right now describe them (other apps stay at their latest)."""
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations), at_end=True).apps


@pytest.mark.django_db(transaction=True)
def test_rule_migration_turns_transferred_out_standing_into_whereabouts_and_keeps_every_row():
    MigrationExecutor(connection).migrate(BEFORE)
    old = applied_state()
    building = BuildingFactory()
    branch = OrganizationFactory(building=building)
    OldMember = old.get_model("members", "Member")
    made = {}
    for index, status in enumerate(["normal", "suspended", "transferred_out", "deceased", "transferred_out"]):
        id_number = make_id_number(9000 + index)
        member = OldMember.objects.create(
            name=f"党员{index}",
            id_number=id_number,
            gender=id_gender(id_number),
            birth_date=id_birth_date(id_number),
            organization_id=branch.pk,
            joined_on=datetime.date(2015, 7, 1),
            full_member_on=datetime.date(2016, 7, 1),
            status=status,
            status_note=f"note {index}",
        )
        made[member.pk] = status

    MigrationExecutor(connection).migrate(AFTER)
    new = applied_state()
    rows = {
        m["pk"]: m
        for m in new.get_model("members", "Member").objects.values("pk", "status", "whereabouts", "status_note")
    }

    assert set(rows) == set(made)
    for pk, status in made.items():
        if status == "transferred_out":
            assert (rows[pk]["status"], rows[pk]["whereabouts"]) == ("normal", "transferred_out")
        else:
            assert (rows[pk]["status"], rows[pk]["whereabouts"]) == (status, "here")
        assert rows[pk]["status_note"].startswith("note ")

    # and back: the old standing returns
    MigrationExecutor(connection).migrate(BEFORE)
    back = applied_state()
    assert dict(back.get_model("members", "Member").objects.values_list("pk", "status")) == made
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
