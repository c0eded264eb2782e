"""A short load: gunicorn on the bench database, bound to 127.0.0.1 only, and N client threads for S seconds.

Each client signs in once per account it uses (a session written with ``SessionStore``, as a sign-in would
leave it) and fetches a fixed mix of URLs in turn, one request at a time, with a 30 s timeout. When the time is
up the clients start nothing new; a request still running 30 s later, or one that timed out, is "unfinished".
"""

import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from buildingparty.models import User

CLIENT_TIMEOUT = 30

# (label, URL name, account): /healthz is the floor the member list's p95 is compared with.
MIX = [
    ("/healthz", "healthz", None),
    ("member list (admin)", "members:list", "admin"),
    ("member list (secretary1)", "members:list", "secretary1"),
    ("home (admin)", "home", "admin"),
    ("home (member1)", "home", "member1"),
    ("dues collection (admin)", "dues:month", "admin"),
    ("enterprise list (admin)", "enterprises:list", "admin"),
    ("notices (member1)", "notices:board", "member1"),
    ("service requests (contact1)", "services:list", "contact1"),
]
MEMBER_LIST = "member list (admin)"


@dataclass
class UrlResult:
    label: str
    times: list = field(default_factory=list)
    errors: int = 0
    timeouts: int = 0
    error_samples: list = field(default_factory=list)

    def p(self, q: float) -> float | None:
        if not self.times:
            return None
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _get(port: int, url: str, cookie: str | None) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    try:
        started = time.perf_counter()
        conn.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def start_server(*, workers: int, log: Path, env: dict) -> tuple[subprocess.Popen, int]:
    """gunicorn as bin/run-dev starts it, on a free loopback port; waits until /healthz answers."""
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "buildingparty.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--no-control-socket",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    if os.environ.get("BENCH_PIDFILE"):
        # The outer bench run stops this server should this process die without stopping it.
        Path(os.environ["BENCH_PIDFILE"]).write_text(str(server.pid))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit status {server.returncode}); see {log}")
        try:
            if _get(port, "/healthz", None)[0] == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    if os.environ.get("BENCH_PIDFILE"):
        Path(os.environ["BENCH_PIDFILE"]).unlink(missing_ok=True)


def run(*, clients: int = 50, seconds: float = 60, workers: int = 3, log: Path, env: dict) -> dict:
    """Start the server, run the load, stop the server; returns the per-URL results and the totals."""
    users = {u.username: u for u in User.objects.filter(username__in={a for _, _, a in MIX if a})}
    mix = [(label, reverse(name), account) for label, name, account in MIX if account is None or account in users]
    cookies = [{account: _session_cookie(user) for account, user in users.items()} for _ in range(clients)]
    results = {label: UrlResult(label) for label, _, _ in mix}
    lock = threading.Lock()
    in_flight = [0]
    server, port = start_server(workers=workers, log=log, env=env)
    try:
        start = time.perf_counter()
        deadline = start + seconds

        def client(index: int) -> None:
            i = index
            while time.perf_counter() < deadline:
                label, url, account = mix[i % len(mix)]
                i += 1
                with lock:
                    in_flight[0] += 1
                try:
                    status, elapsed = _get(port, url, cookies[index].get(account))
                except TimeoutError:
                    with lock:
                        results[label].timeouts += 1
                    continue
                except OSError as exc:
                    with lock:
                        results[label].errors += 1
                        if len(results[label].error_samples) < 3:
                            results[label].error_samples.append(exc.__class__.__name__)
                    continue
                finally:
                    with lock:
                        in_flight[0] -= 1
                with lock:
                    results[label].times.append(elapsed)
                    if status != 200:
                        results[label].errors += 1
                        if len(results[label].error_samples) < 3:
                            results[label].error_samples.append(str(status))

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline + CLIENT_TIMEOUT - time.perf_counter()))
        elapsed = time.perf_counter() - start
        with lock:
            still_running = in_flight[0]
    finally:
        stop_server(server)
    completed = sum(len(r.times) for r in results.values())
    return {
        "clients": clients,
        "seconds": seconds,
        "workers": workers,
        "elapsed": elapsed,
        "urls": list(results.values()),
        "completed": completed,
        "errors": sum(r.errors for r in results.values()),
        "timeouts": sum(r.timeouts for r in results.values()),
        "unfinished": still_running + sum(r.timeouts for r in results.values()),
        "rps": completed / elapsed if elapsed else 0.0,
    }
