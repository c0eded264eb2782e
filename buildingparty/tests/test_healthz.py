import pytest
from django.db import OperationalError

from buildingparty.services import record_heartbeat

from .jobs_factories import UNREACHABLE_BROKER, broker_at

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_broker_and_heartbeat_without_login(client):
    record_heartbeat(name="worker")
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["heartbeat"]["count"] == 1 and body["heartbeat"]["age_seconds"] < 60


def test_healthz_shows_no_heartbeat_before_the_first_beat(client):
    assert client.get("/healthz").json()["heartbeat"] is None


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_healthz_reports_an_unreachable_broker_without_hanging(client):
    # broker_at drops the app's pool references without closing kombu's shared pools, which later tests reuse
    with broker_at(UNREACHABLE_BROKER):
        body = client.get("/healthz").json()
    assert body["broker"].startswith("unreachable")
