"""Issue 15: every job that touches every member writes in bulk (``notify_bulk``, keyset batches).

For each job: the same number of queries for three times the members (or records), and three times the
notifications. Each scale is set up and run inside a savepoint that is rolled back, so both run on the same
fixtures; ``JOBS_BULK_SCALE=30`` prints the counts at 30 and 90 (``-s``).
"""

import datetime
import os
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.meetings import jobs as meeting_jobs
from activities.meetings.tests.test_jobs import at, plan, tomorrow
from activities.visits import jobs as visit_jobs
from activities.visits.tests.factories import HomeVisitFactory
from activities.volunteering import jobs as volunteering_jobs
from activities.volunteering.tests.factories import published, sign_up, soon
from buildingparty.models import Notification
from enterprises.survey import jobs as survey_jobs
from enterprises.survey.tests.factories import FollowUpFactory
from members import jobs as member_jobs
from members.dues import jobs as dues_jobs
from members.dues.tests.factories import open_bill, paid_bill, paying_member
from members.models import Member
from members.points import jobs as points_jobs
from members.points.models import PointEntry
from members.points.services import ensure_default_rules
from members.transfers.tests.factories import TransferFactory
from services import jobs as service_jobs
from services.models import Loan, Material, ServiceCategory, ServiceRequest
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

SCALE = int(os.environ.get("JOBS_BULK_SCALE", "5"))
DAY = datetime.date(2026, 6, 15)
NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 9, 0))


def today() -> datetime.date:
    return timezone.localdate()


class _Undo(Exception):
    pass


def measure(setup, run, n: int) -> tuple[int, int, dict]:
    """(queries, notifications and points entries written, the job's counts) of ``run`` after ``setup(n)``,
    all rolled back."""
    try:
        with transaction.atomic():
            setup(n)
            with CaptureQueriesContext(connection) as queries:
                counts = run()
            raise _Undo(len(queries), Notification.objects.count() + PointEntry.objects.count(), counts)
    except _Undo as undo:
        return undo.args


def with_account(organization, **values) -> Member:
    return MemberFactory(organization=organization, user=UserFactory(building=organization.building), **values)


def dues_unpaid(branch):
    def setup(n):
        for _ in range(n):
            open_bill(paying_member(branch, user=UserFactory(building=branch.building)), 0)

    return setup


def dues_arrears(branch):
    def setup(n):
        for _ in range(n):
            member = paying_member(branch, user=UserFactory(building=branch.building))
            for offset in range(-7, 0):  # six months and more: a reminder and a candidate notice
                open_bill(member, offset, amount=Decimal("10.00"))

    return setup


def declaring(branch):
    def setup(n):
        for _ in range(n):
            paying_member(branch, user=UserFactory(building=branch.building))

    return setup


def letters(branch):
    def setup(n):
        for _ in range(n):
            TransferFactory(member=with_account(branch), issued_on=DAY - datetime.timedelta(days=25), validity_days=30)

    return setup


def probationers(branch):
    def setup(n):
        due = DAY + datetime.timedelta(days=10)
        for _ in range(n):
            with_account(
                branch,
                category=Member.Category.PROBATIONARY,
                joined_on=due - datetime.timedelta(days=365),
                full_member_on=None,
                expected_full_on=due,
            )

    return setup


def lost(branch):
    def setup(n):
        for _ in range(n):
            MemberFactory(organization=branch, lost_contact_since=datetime.date(2025, 12, 1))

    return setup


def meeting_tomorrow(branch, secretary):
    def setup(n):
        for _ in range(n):
            with_account(branch)
        plan(branch, by=secretary, starts_at=at(tomorrow(), 9))

    return setup


def volunteers_tomorrow(branch):
    def setup(n):
        activity = published(branch.building, starts_at=soon(1, 14), capacity=1000)
        for _ in range(n):
            sign_up(activity, with_account(branch))
        Notification.objects.all().delete()

    return setup


def loans(branch):
    def setup(n):
        material = Material.objects.create(building=branch.building, title="中国共产党章程", copies=1000)
        for _ in range(n):
            Loan.objects.create(
                material=material,
                member=with_account(branch),
                status=Loan.Status.LENT,
                lent_on=datetime.date(2026, 5, 1),
                due_on=datetime.date(2026, 5, 31),
            )

    return setup


def visits_overdue(branch):
    def setup(n):
        for _ in range(n):
            late = today() - datetime.timedelta(days=3)
            HomeVisitFactory(member=MemberFactory(organization=branch), follow_up_on=late)

    return setup


def survey_follow_ups(branch):
    def setup(n):
        for _ in range(n):
            FollowUpFactory(
                visit__campaign__building=branch.building,
                assigned_to=UserFactory(building=branch.building),
                due_on=today() - datetime.timedelta(days=2),
            )

    return setup


def requests_overdue(branch):
    def setup(n):
        category = ServiceCategory.objects.create(
            building=branch.building, code="advice", name="政策咨询", limit_days=2
        )
        for i in range(n):
            member = with_account(branch)
            ServiceRequest.objects.create(
                building=branch.building,
                category=category,
                requester=member.user,
                member=member,
                title=f"咨询{i}",
                description="想了解政策。",
                assigned_to=UserFactory(building=branch.building),
                due_at=NOW - datetime.timedelta(hours=2),
            )

    return setup


def dues_paid(branch):
    def setup(n):
        ensure_default_rules(branch.building)
        for _ in range(n):
            paid_bill(paying_member(branch), -1)

    return setup


JOBS = {
    "members.dues_reminders": (dues_unpaid, lambda: dues_jobs.dues_reminders()),
    "members.arrears_flags": (dues_arrears, lambda: dues_jobs.arrears_flags()),
    "members.dues_declaration_round": (declaring, lambda: dues_jobs.dues_declaration_round(today="2026-12-01")),
    "members.transfer_reminders": (letters, lambda: member_jobs.transfer_reminders(today=DAY.isoformat())),
    "members.conversion_reminders": (probationers, lambda: member_jobs.conversion_reminders(today=DAY.isoformat())),
    "members.lost_contact_reminders": (lost, lambda: member_jobs.lost_contact_reminders(today=DAY.isoformat())),
    "meetings.remind_participants": (meeting_tomorrow, lambda: meeting_jobs.remind_participants()),
    "volunteering.remind_signups": (volunteers_tomorrow, lambda: volunteering_jobs.remind_signups()),
    "members.credit_points": (dues_paid, lambda: points_jobs.credit_points()),
    "services.loan_reminders": (loans, lambda: service_jobs.loan_reminders(today=DAY.isoformat())),
    "services.request_due_times": (requests_overdue, lambda: service_jobs.request_due_times(now=NOW.isoformat())),
    "visits.follow_up_reminders": (visits_overdue, lambda: visit_jobs.follow_up_reminders()),
    "enterprises.follow_up_reminders": (survey_follow_ups, lambda: survey_jobs.follow_up_reminders()),
}


@pytest.mark.parametrize("name", list(JOBS))
def test_the_job_does_as_many_queries_for_three_times_the_members(name, branch_a, secretary_a, admin_user):
    make, run = JOBS[name]
    setup = make(branch_a, secretary_a) if name == "meetings.remind_participants" else make(branch_a)
    few = measure(setup, run, SCALE)
    many = measure(setup, run, 3 * SCALE)
    if os.environ.get("JOBS_BULK_SCALE"):
        print(f"\n{name}: {few[0]} queries at {SCALE}, {many[0]} at {3 * SCALE}; notified {few[1]} / {many[1]}")
    assert few[1] >= SCALE and many[1] == 3 * few[1]  # everybody told, three times as many
    assert many[0] == few[0]
