"""The demo's service requests, reception visits and library (services/demo.py)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from buildingparty.models import Notification, User
from services.models import Loan, Material, ReceptionVisit, RequestEvent, ServiceCategory, ServiceRequest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

Status = ServiceRequest.Status


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "categories": sorted(ServiceCategory.objects.values_list("building__name", "code")),
        "requests": sorted(
            ServiceRequest.objects.values_list(
                "requester__username",
                "title",
                "status",
                "submitted_at",
                "due_at",
                "accepted_at",
                "resolved_at",
                "closed_at",
                "rating",
                "assigned_to__username",
            )
        ),
        "events": RequestEvent.objects.count(),
        "visits": sorted(ReceptionVisit.objects.values_list("visited_at", "visitor_name", "request__title")),
        "materials": sorted(Material.objects.values_list("title", "copies")),
        "loans": sorted(
            Loan.objects.values_list("material__title", "member__id_number", "status", "lent_on", "due_on")
        ),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


def test_requests_in_every_state_with_ratings_and_a_reason(seeded):
    statuses = set(ServiceRequest.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    closed = ServiceRequest.objects.filter(status=Status.CLOSED)
    assert closed.exists() and all(3 <= r <= 5 for r in closed.values_list("rating", flat=True))
    assert {3, 5} <= set(closed.values_list("rating", flat=True))
    assert all(ServiceRequest.objects.filter(status=Status.REJECTED).values_list("reject_reason", flat=True))
    assert {"member1", "contact1"} == set(ServiceRequest.objects.values_list("requester__username", flat=True))
    assert "服务事项" in seeded


def test_some_open_requests_are_past_due_and_their_handlers_were_told(seeded):
    now = timezone.now()
    overdue = ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN_STATUSES, due_at__lt=now)
    assert overdue.count() >= 2
    assert Notification.objects.filter(event="request_overdue").exists()
    # The requesters were told of each step; those historical notifications are not emailed again.
    member1 = User.objects.get(username="member1")
    told = Notification.objects.filter(user=member1, event="request_status")
    assert told.exists() and not told.filter(emailed_at__isnull=True).exists()


def test_timelines_are_dated_when_things_happened(seeded):
    for request in ServiceRequest.objects.exclude(status=Status.SUBMITTED):
        times = list(request.events.values_list("at", flat=True))
        assert times == sorted(times) and times[0] == request.submitted_at
        assert request.submitted_at < timezone.now()
        if request.resolved_at:
            assert request.submitted_at < request.resolved_at <= (request.closed_at or request.resolved_at)
    comments = RequestEvent.objects.filter(kind=RequestEvent.Kind.COMMENT)
    assert comments.filter(public=True).exists() and comments.filter(public=False).exists()


def test_a_reception_visit_became_a_request_and_another_was_answered_at_the_desk(seeded):
    visits = list(ReceptionVisit.objects.order_by("visited_at"))
    assert len(visits) == 2
    turned = [v for v in visits if v.request_id]
    assert len(turned) == 1 and turned[0].request.requester.username == "member1"
    assert turned[0].request.status == Status.IN_PROGRESS
    assert turned[0].request.submitted_at > turned[0].visited_at


def test_the_library_has_a_catalogue_and_loans_in_each_state(seeded):
    assert 8 <= Material.objects.count() <= 12
    assert {"中国共产党章程", "求是", "党建"} <= set(Material.objects.values_list("title", flat=True))
    loans = Loan.objects.all()
    today = timezone.localdate()
    assert loans.filter(status=Loan.Status.LENT, due_on__lt=today).count() == 1
    assert loans.filter(status=Loan.Status.RETURNED).exists()
    assert loans.filter(status=Loan.Status.REQUESTED).exists()
    assert loans.filter(member__user__username="member1").count() == 3
    assert loans.values("member").distinct().count() >= 2


def test_a_second_run_changes_nothing(seeded):
    before = snapshot()
    out = seed()
    assert snapshot() == before
    assert "本次新增 0 件" in out


def test_the_demo_feeds_the_statistics_and_the_register(seeded, client):
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    start = (timezone.localdate() - datetime.timedelta(days=400)).isoformat()
    query = {"from": start, "to": timezone.localdate().isoformat()}
    stats = client.get(reverse("services:statistics"), query).context["stats"]
    assert stats.total.volume == ServiceRequest.objects.count()
    assert stats.total.overdue >= 2 and stats.total.rating_count == 4 and stats.total.median_hours
    response = client.get(reverse("services:export"), {**query, "format": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8").strip().splitlines()
    assert len(lines) == 1 + ServiceRequest.objects.count()
