"""The member register's reminder jobs: transfer letters, conversions due, members out of contact.

Each job tells the right people once, in Chinese, whatever number of times it runs, and tells nobody out of
reach. The day is passed as text, as the scheduler and a re-run would.
"""

import datetime

import pytest
from django.db import connection

from buildingparty import jobs
from buildingparty.models import JobRun, Notification
from members import jobs as member_jobs
from members.models import Member, Transfer
from members.transfers.tests.factories import TransferFactory
from tests.concurrency import at_the_same_moment
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 15)
TODAY = DAY.isoformat()


def before(days: int) -> datetime.date:
    return DAY - datetime.timedelta(days=days)


def after(days: int) -> datetime.date:
    return DAY + datetime.timedelta(days=days)


def told(event: str | None = None) -> dict:
    """{username: [title, …]} of the notifications written, for one event or all."""
    rows = Notification.objects.select_related("user").order_by("pk")
    if event:
        rows = rows.filter(event=event)
    result = {}
    for row in rows:
        result.setdefault(row.user.username, []).append(row.title)
    return result


def member_with_account(organization, username, **kwargs) -> Member:
    user = UserFactory(username=username, role="member", building=organization.building)
    return MemberFactory(organization=organization, user=user, **kwargs)


# --- transfer letters ------------------------------------------------------------------------------------------


@pytest.fixture
def member_a(member_user):
    return member_user.member


def test_a_letter_about_to_expire_reminds_the_secretary_and_the_member(
    member_a, member_user, secretary_a, secretary_b, admin_user
):
    letter = TransferFactory(member=member_a, issued_on=before(25), validity_days=30)

    counts = member_jobs.transfer_reminders(today=TODAY)

    assert counts == {"expiring": 2, "expired": 0, "receipt_overdue": 0}
    assert told() == {
        "sec_a": [f"介绍信即将到期：{member_a.name}（{letter.letter_number}）"],
        "member_a": ["您的组织关系介绍信有效期至 2026-06-20"],
    }
    to_member = Notification.objects.get(user=member_user)
    assert to_member.body == (
        f"请于 2026-06-20 前持介绍信 {letter.letter_number} 到宁波市鄞州区某科技公司党支部报到。介绍信过期须重新开具。"
    )
    assert to_member.url == "/members/mine/"
    to_secretary = Notification.objects.get(user=secretary_a)
    assert "党员尚未报到" in to_secretary.body and to_secretary.url == letter.get_absolute_url()
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {f"transfer:{letter.pk}:expiring"}


def test_a_letter_past_validity_tells_the_secretary_to_issue_a_new_one(member_a, secretary_a, secretary_b):
    letter = TransferFactory(member=member_a, issued_on=before(40), validity_days=30)

    counts = member_jobs.transfer_reminders(today=TODAY)

    assert counts == {"expiring": 0, "expired": 2, "receipt_overdue": 0}
    assert told() == {
        "sec_a": [f"介绍信已超过有效期：{member_a.name}（{letter.letter_number}）"],
        "member_a": ["您的组织关系介绍信已过期"],
    }
    assert "请将其标记为过期并重新开具" in Notification.objects.get(user=secretary_a).body


def test_a_letter_valid_for_weeks_yet_reminds_nobody(member_a, secretary_a):
    TransferFactory(member=member_a, issued_on=DAY, validity_days=30)
    TransferFactory(member=MemberFactory(organization=member_a.organization), issued_on=before(22), validity_days=30)

    assert member_jobs.transfer_reminders(today=TODAY) == {"expiring": 0, "expired": 0, "receipt_overdue": 0}
    assert not Notification.objects.exists()


def test_an_overdue_receipt_reminds_the_secretaries_only(member_a, secretary_a, secretary_b):
    letter = TransferFactory(
        member=member_a,
        issued_on=before(50),
        validity_days=30,
        status=Transfer.Status.REPORTED,
        reported_on=before(45),
        receipt_due_on=before(14),
    )

    counts = member_jobs.transfer_reminders(today=TODAY)

    assert counts == {"expiring": 0, "expired": 0, "receipt_overdue": 1}
    assert told() == {"sec_a": [f"回执逾期：{member_a.name}（{letter.letter_number}）"]}
    assert Notification.objects.get().body == "党员已于 2026-05-01 报到，回执应于 2026-06-01 前退回，至今尚未登记退回。"


def test_a_letter_between_two_branches_reaches_both_secretaries(member_a, branch_b, secretary_a, secretary_b):
    TransferFactory(
        member=member_a,
        direction=Transfer.Direction.INTERNAL,
        to_organization=branch_b,
        to_name=branch_b.name,
        issued_on=before(5),
        validity_days=10,
    )

    member_jobs.transfer_reminders(today=TODAY)

    assert set(told("transfer_expiring")) == {"sec_a", "sec_b"}


def test_a_group_members_letter_reaches_the_branch_secretary(group_a, secretary_a, secretary_b):
    TransferFactory(member=MemberFactory(organization=group_a), issued_on=before(25), validity_days=30)

    member_jobs.transfer_reminders(today=TODAY)

    assert set(told()) == {"sec_a"}


def test_a_branch_without_a_secretary_has_its_reminders_go_to_the_admins(branch_b, admin_user, secretary_a, outsider):
    TransferFactory(member=MemberFactory(organization=branch_b), issued_on=before(25), validity_days=30)

    member_jobs.transfer_reminders(today=TODAY)

    assert set(told()) == {"admin"}


def test_transfer_reminders_run_twice_and_through_celery_notify_once(member_a, secretary_a):
    TransferFactory(member=member_a, issued_on=before(25), validity_days=30)

    first = member_jobs.transfer_reminders(today=TODAY)
    member_jobs.transfer_reminders.job.task.delay(today=TODAY)
    second = member_jobs.transfer_reminders(today=TODAY)

    assert first["expiring"] == 2 and second == {"expiring": 0, "expired": 0, "receipt_overdue": 0}
    assert Notification.objects.count() == 2
    run = JobRun.objects.get(job="members.transfer_reminders")
    assert run.outcome == JobRun.Outcome.SUCCEEDED and run.task_id and run.counts["expiring"] == 0


def test_transfer_reminders_run_now_records_a_job_run(member_a, secretary_a):
    TransferFactory(member=member_a, issued_on=before(25), validity_days=30)

    assert jobs.run_now("members.transfer_reminders", today=TODAY)["expiring"] == 2

    run = JobRun.objects.get()
    assert (run.job, run.outcome, run.arguments) == ("members.transfer_reminders", "succeeded", {"today": TODAY})
    assert run.counts == {"expiring": 2, "expired": 0, "receipt_overdue": 0} and run.finished_at


# --- conversions due ---------------------------------------------------------------------------------------------


def probationary(organization, username, expected_full_on, **kwargs) -> Member:
    return member_with_account(
        organization,
        username,
        category=Member.Category.PROBATIONARY,
        joined_on=expected_full_on - datetime.timedelta(days=365),
        full_member_on=None,
        expected_full_on=expected_full_on,
        **kwargs,
    )


def test_a_probation_ending_within_30_days_reminds_the_secretary_and_the_member(branch_a, secretary_a, secretary_b):
    member = probationary(branch_a, "yubei", after(10))

    assert member_jobs.conversion_reminders(today=TODAY) == {"conversions": 2}

    assert told() == {"sec_a": [f"预备期即将期满：{member.name}"], "yubei": ["您的预备期将于 2026-06-25 期满"]}
    assert Notification.objects.get(user=secretary_a).body == (
        f"{member.name} 的预备期将于 2026-06-25 期满，请做好转正准备：本人转正申请、征求意见和支部党员大会。"
    )
    assert Notification.objects.get(user=member.user).body == "请向所在支部提交书面转正申请。"
    assert set(Notification.objects.values_list("dedupe_key", flat=True)) == {f"conversion:{member.pk}:2026-06-25"}


def test_a_probation_already_ended_says_so(branch_a, secretary_a):
    probationary(branch_a, "yubei", before(3))

    member_jobs.conversion_reminders(today=TODAY)

    assert "已于 2026-06-12 期满，请尽快召开支部党员大会" in Notification.objects.get(user=secretary_a).body
    assert told("conversion_due_member") == {"yubei": ["您的预备期已于 2026-06-12 期满"]}


def test_no_conversion_reminder_for_a_probation_far_off_or_a_full_member(branch_a, secretary_a, member_user):
    probationary(branch_a, "yubei", after(60))
    probationary(branch_a, "tingzhi", after(5), status=Member.Status.SUSPENDED)

    assert member_jobs.conversion_reminders(today=TODAY) == {"conversions": 0}
    assert not Notification.objects.exists()


def test_a_prolonged_probation_reminds_again_for_its_new_date(branch_a, secretary_a):
    member = probationary(branch_a, "yubei", after(10))
    member_jobs.conversion_reminders(today=TODAY)
    assert member_jobs.conversion_reminders(today=TODAY) == {"conversions": 0}

    member.expected_full_on = after(20)
    member.save(update_fields=["expected_full_on"])

    assert member_jobs.conversion_reminders(today=TODAY) == {"conversions": 2}
    assert Notification.objects.filter(user=secretary_a).count() == 2


def test_conversion_reminders_through_celery_notify_once_and_are_recorded(group_a, secretary_a, secretary_b):
    probationary(group_a, "yubei", after(10))

    member_jobs.conversion_reminders.job.task.delay(today=TODAY)
    member_jobs.conversion_reminders.job.task.delay(today=TODAY)

    assert set(told()) == {"sec_a", "yubei"} and Notification.objects.count() == 2
    runs = JobRun.objects.filter(job="members.conversion_reminders").order_by("pk")
    assert [r.counts for r in runs] == [{"conversions": 2}, {"conversions": 0}]
    assert jobs.run_now("members.conversion_reminders", today=TODAY) == {"conversions": 0}
    assert JobRun.objects.filter(job="members.conversion_reminders", outcome="succeeded").count() == 3


# --- members out of contact --------------------------------------------------------------------------------------


def test_a_member_out_of_contact_six_months_is_flagged_to_the_secretary_not_to_themself(
    branch_a, secretary_a, secretary_b
):
    lost = member_with_account(branch_a, "shilian", lost_contact_since=datetime.date(2025, 12, 1))

    assert member_jobs.lost_contact_reminders(today=TODAY) == {"lost_contact": 1}

    assert told() == {"sec_a": [f"失联满六个月：{lost.name}"]}
    note = Notification.objects.get()
    assert note.body == (
        f"{lost.name} 自 2025-12-01 起失去联系（已 6 个月）。请再次设法联系；是否停止其党籍，由支部研究决定。"
    )
    assert note.dedupe_key == f"lost_contact:{lost.pk}:2025-12-01" and note.url == lost.get_absolute_url()


def test_no_lost_contact_reminder_before_six_months_or_for_a_suspended_member(branch_a, secretary_a):
    MemberFactory(organization=branch_a, lost_contact_since=datetime.date(2025, 12, 16))
    MemberFactory(organization=branch_a, lost_contact_since=datetime.date(2024, 1, 1), status=Member.Status.SUSPENDED)

    assert member_jobs.lost_contact_reminders(today=TODAY) == {"lost_contact": 0}
    assert not Notification.objects.exists()


def test_a_member_lost_again_after_being_found_is_flagged_again(branch_a, secretary_a):
    lost = MemberFactory(organization=branch_a, lost_contact_since=datetime.date(2025, 1, 1))
    member_jobs.lost_contact_reminders(today=TODAY)
    assert member_jobs.lost_contact_reminders(today=TODAY) == {"lost_contact": 0}

    lost.lost_contact_since = datetime.date(2025, 11, 1)
    lost.save(update_fields=["lost_contact_since"])

    assert member_jobs.lost_contact_reminders(today=TODAY) == {"lost_contact": 1}


def test_lost_contact_reminders_through_celery_notify_once_and_are_recorded(branch_b, secretary_a, secretary_b):
    MemberFactory(organization=branch_b, lost_contact_since=datetime.date(2025, 6, 1))

    member_jobs.lost_contact_reminders.job.task.delay(today=TODAY)
    jobs.run_now("members.lost_contact_reminders", today=TODAY)

    assert set(told()) == {"sec_b"} and Notification.objects.count() == 1
    assert list(JobRun.objects.order_by("pk").values_list("counts", flat=True)) == [
        {"lost_contact": 1},
        {"lost_contact": 0},
    ]


# --- two runs at the same moment -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_transfer_reminder_runs_at_the_same_moment_notify_once(member_user, secretary_a):
    TransferFactory(member=member_user.member, issued_on=before(25), validity_days=30)

    def run():
        return jobs.run_now("members.transfer_reminders", today=TODAY)

    outcomes = at_the_same_moment(run, run)

    assert [o.error for o in outcomes] == [None, None]
    assert sorted(told()) == ["member_a", "sec_a"] and Notification.objects.count() == 2
    assert JobRun.objects.filter(outcome="succeeded").count() == 2
