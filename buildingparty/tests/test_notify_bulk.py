"""notify_bulk: the jobs' way to tell many people at once, in a fixed number of queries per batch."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buildingparty.models import Notification, OutboxMessage
from buildingparty.notifications import Notice, notify, notify_bulk
from tests.factories import UserFactory

EVENT = "dues_reminder"


def notices(users, **context):
    context = context or {"month": "2026年12月", "amount": "40.00"}
    return [Notice(u.pk, context, url="/dues/", dedupe_key=f"k:{u.pk}") for u in users]


@pytest.mark.django_db
def test_writes_one_per_active_user_and_key_and_skips_the_rest(django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(4)
    users[3].is_active = False
    users[3].save(update_fields=["is_active"])
    notify(
        users=[users[0]], event=EVENT, context={"month": "2026年12月", "amount": "40.00"}, dedupe_key=f"k:{users[0].pk}"
    )
    batch = notices(users) + notices(users[1:2]) + [Notice(None, {})]
    with django_capture_on_commit_callbacks(execute=True):
        made = notify_bulk(batch, event=EVENT)
    assert made == 2
    assert sorted(Notification.objects.filter(dedupe_key__startswith="k:").values_list("user_id", flat=True)) == sorted(
        [users[0].pk, users[1].pk, users[2].pk]
    )
    row = Notification.objects.get(user=users[1])
    assert "2026年12月" in row.title + row.body and row.url == "/dues/"
    assert len(mail.outbox) == 2  # the batch's two (notify's own email waits for a commit that never comes)


@pytest.mark.django_db
def test_a_second_run_writes_nothing(django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_bulk(notices(users), event=EVENT) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_bulk(notices(users), event=EVENT) == 0
    assert Notification.objects.count() == 3


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_people(django_capture_on_commit_callbacks):
    few, many = UserFactory.create_batch(3), UserFactory.create_batch(30)
    counts = []
    for users in (few, many):
        with django_capture_on_commit_callbacks(), CaptureQueriesContext(connection) as queries:
            notify_bulk(notices(users), event=EVENT)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert OutboxMessage.objects.count() == 2  # one outbox message per batch, not per person


@pytest.mark.django_db
def test_batches_and_renders_once_per_distinct_context(django_capture_on_commit_callbacks, monkeypatch):
    from buildingparty import notifications

    calls = []
    real = notifications.render
    monkeypatch.setattr(notifications, "render", lambda event, context: calls.append(1) or real(event, context))
    users = UserFactory.create_batch(5)
    batch = (Notice(u.pk, {"month": "2026年12月", "amount": "40.00" if i % 2 else "2.00"}) for i, u in enumerate(users))
    with django_capture_on_commit_callbacks():
        assert notify_bulk(batch, event=EVENT, batch_size=2) == 5
    assert len(calls) == 2
    assert OutboxMessage.objects.count() == 3
    assert set(Notification.objects.values_list("body", flat=True)) | set(
        Notification.objects.values_list("title", flat=True)
    )


@pytest.mark.django_db
def test_a_key_written_meanwhile_is_skipped_not_an_error(django_capture_on_commit_callbacks, monkeypatch):
    """Another run writes one of the keys between the look-up and the insert: the rest are still written."""
    from buildingparty import notifications

    users = UserFactory.create_batch(3)
    Notification.objects.create(user=users[1], event=EVENT, title="t", dedupe_key=f"k:{users[1].pk}")
    monkeypatch.setattr(notifications, "_keys_taken", lambda user_ids, keys: set())  # the look-up ran before it
    with django_capture_on_commit_callbacks():
        made = notify_bulk(notices(users), event=EVENT)
    assert made == 2
    assert Notification.objects.filter(user=users[1]).count() == 1
    assert Notification.objects.filter(user__in=[users[0], users[2]]).count() == 2


def test_the_postgresql_statement_writes_every_required_column():
    from buildingparty.notifications import BULK_COLUMNS

    required = {f.column for f in Notification._meta.concrete_fields if not f.null and not f.primary_key}
    assert required == set(BULK_COLUMNS)


@pytest.mark.django_db(transaction=True)
def test_two_batches_at_the_same_moment_write_each_key_once():
    """Two runs in two transactions (two connections on PostgreSQL): the second inserts nothing it may not."""
    users = UserFactory.create_batch(3)
    assert notify_bulk(notices(users), event=EVENT) == 3
    assert notify_bulk(notices(users) + notices(users[:1]), event=EVENT) == 0
    assert Notification.objects.count() == 3
