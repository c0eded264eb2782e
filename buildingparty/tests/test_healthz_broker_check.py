"""/healthz stays a cheap probe (issue 15): the broker is asked at most once every BROKER_CHECK_SECONDS per
process, over a pooled connection; an unreachable broker is still reported once the window has passed."""

import os
import socket
import threading

import pytest
from django.conf import settings

from buildingparty import views

from .jobs_factories import UNREACHABLE_BROKER, broker_at

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    views.reset_broker_check()
    clock = Clock()
    monkeypatch.setattr(views, "_clock", clock)
    yield clock
    views.reset_broker_check()


@pytest.fixture
def checks(monkeypatch):
    """Counts the real broker checks (each still goes to the broker)."""
    calls = []
    real = views.check_broker

    def counted(app):
        calls.append(app.conf.broker_url)
        return real(app)

    monkeypatch.setattr(views, "check_broker", counted)
    return calls


def test_two_healthz_calls_within_the_window_ask_the_broker_once(client, clock, checks):
    assert client.get("/healthz").json()["broker"] == "ok"
    clock.now += views.BROKER_CHECK_SECONDS - 0.5
    assert client.get("/healthz").json()["broker"] == "ok"
    assert len(checks) == 1


def test_the_broker_is_asked_again_once_the_window_has_passed(client, clock, checks):
    client.get("/healthz")
    clock.now += views.BROKER_CHECK_SECONDS
    client.get("/healthz")
    assert len(checks) == 2


def test_an_unreachable_broker_is_reported_and_checked_again_after_the_window(client, clock, checks):
    with broker_at(UNREACHABLE_BROKER):
        first = client.get("/healthz")
        clock.now += 1
        cached = client.get("/healthz").json()["broker"]
        clock.now += views.BROKER_CHECK_SECONDS
        again = client.get("/healthz").json()["broker"]
    # The database answers, so the probe stays 200 (as before): the web works while the outbox keeps the work.
    assert first.status_code == 200 and first.json()["broker"].startswith("unreachable")
    assert cached == first.json()["broker"] and again.startswith("unreachable")
    assert len(checks) == 2


class _Proxy:
    """A TCP forwarder to the test Redis that can be cut, so "the broker goes down" happens at the same URL."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets = [self.server]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                downstream, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [downstream, upstream]
            for a, b in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self):
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


redis_only = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")


@redis_only
def test_a_broker_that_goes_down_is_reported_unreachable_after_the_window(client, clock, checks):
    from urllib.parse import urlsplit

    url = urlsplit(settings.CELERY_BROKER_URL)
    proxy = _Proxy(url.hostname, url.port or 6379)
    try:
        with broker_at(f"redis://127.0.0.1:{proxy.port}{url.path}"):
            assert client.get("/healthz").json()["broker"] == "ok"
            proxy.cut()
            clock.now += 1
            assert client.get("/healthz").json()["broker"] == "ok"  # within the window the last answer stands
            clock.now += views.BROKER_CHECK_SECONDS
            response = client.get("/healthz")
    finally:
        proxy.cut()
    assert response.status_code == 200 and response.json()["broker"].startswith("unreachable")
    assert len(checks) == 2


@redis_only
def test_the_broker_check_reuses_one_pooled_connection(clock):
    from buildingparty.celery import app

    def connection_id():
        with app.pool.acquire(block=True, timeout=2) as conn:
            return conn.default_channel.client.client_id()

    assert views.broker_state() == "ok"
    first = connection_id()
    clock.now += views.BROKER_CHECK_SECONDS
    assert views.broker_state() == "ok"
    assert connection_id() == first
