"""Register imports confirmed as runs (issue 14, points 2 and 3), through the member register's pages.

A file over the row cap is refused at upload, next to the file field. A large file is confirmed without a
row-by-row preview and imported by the ``buildingparty.run_import`` job (eager in tests): every row is checked
first, then all are written or none, with the rows checked and written kept on the run. The run's page, its
progress JSON and the list of runs are for those who may import, each seeing their own runs (an admin: the
building's); confirming the same upload twice imports once and shows the first result.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection
from django.urls import reverse

from buildingparty import imports
from buildingparty.models import AuditRecord, ImportRun, JobRun
from members import services
from members.models import Member
from members.tests.test_register_import import _row, _xlsx
from tests.factories import BuildingFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db

IMPORT = reverse("members:import")


def _rows(n: int, **values) -> list[dict]:
    return [_row(姓名=f"党员{i}", 身份证号=make_id_number(600 + i), **values) for i in range(n)]


def _upload(client, rows, tmp_path, name="register.xlsx"):
    path = _xlsx(tmp_path / name, rows)
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, path.read_bytes())})


def _token(response) -> str:
    return response["Location"].split("token=")[1]


@pytest.fixture
def large(settings):
    """Files of more than two rows are large: imported by the job."""
    settings.IMPORT_INLINE_MAX_ROWS = 2


def _confirm(client, token, capture):
    with capture(execute=True):  # the job is queued on commit; eager in tests
        return client.post(IMPORT, {"token": token, "confirm": "1"})


# --- bounds at upload ---------------------------------------------------------------------------------------


def test_a_file_over_the_row_cap_is_refused_at_upload_with_the_reason_next_to_the_file_field(
    admin_client, branch_a, settings, tmp_path
):
    settings.IMPORT_MAX_ROWS = 3
    response = _upload(admin_client, _rows(4), tmp_path)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == ["文件超过 3 行，请拆分后再导入。"]
    assert not (settings.MEDIA_ROOT / "imports").exists() or not any((settings.MEDIA_ROOT / "imports").iterdir())


def test_a_zip_bomb_is_refused_at_upload(admin_client, branch_a, settings):
    from buildingparty.tests.test_import_bounds import _zip_bomb

    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("bomb.xlsx", _zip_bomb(declared_mb=2))})
    assert response.status_code == 200
    assert "1 MB" in response.context["form"].errors["file"][0]


# --- large imports as a job ---------------------------------------------------------------------------------


def test_a_large_file_is_previewed_by_its_row_count_and_imported_by_the_job_with_its_progress_kept(
    admin_client, admin_user, branch_a, large, tmp_path, django_capture_on_commit_callbacks
):
    location = _upload(admin_client, _rows(3), tmp_path)["Location"]
    preview = admin_client.get(location).content.decode()
    assert 'data-testid="import-large"' in preview and 'name="confirm"' in preview
    assert 'data-testid="import-rows"' not in preview  # no row-by-row table for a large file

    response = _confirm(admin_client, _token_of(location), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import_run_detail", args=[run.pk])
    assert run.in_background and run.state == ImportRun.State.DONE
    assert (run.rows_total, run.rows_checked, run.rows_written) == (3, 3, 3)
    assert run.counts == {"new": 3, "update": 0, "unchanged": 0}
    assert run.user == admin_user and run.building == admin_user.building
    assert Member.objects.count() == 3
    assert JobRun.objects.get(job="buildingparty.run_import").outcome == JobRun.Outcome.SUCCEEDED
    assert not any((admin_user and imports._upload_dir()).iterdir())  # the kept file is gone once done

    page = admin_client.get(response["Location"]).content.decode()
    assert 'data-testid="import-result"' in page and "data-import-progress" not in page  # finished: no polling
    progress = admin_client.get(reverse("import_run_progress", args=[run.pk])).json()
    assert progress == {
        "state": "done",
        "state_label": "已导入",
        "finished": True,
        "rows_total": 3,
        "rows_checked": 3,
        "rows_written": 3,
    }


def _token_of(location: str) -> str:
    return location.split("token=")[1]


def test_the_job_reports_rows_checked_and_written_as_it_goes(
    admin_client, branch_a, large, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from buildingparty import registers

    monkeypatch.setattr(registers.counting, "__kwdefaults__", {"every": 1})
    checked, written = [], []
    update, report = imports._update, imports.report_written

    def spy_update(run, **fields):
        if "rows_checked" in fields and run.state == ImportRun.State.CHECKING:
            checked.append(fields["rows_checked"])
        update(run, **fields)

    def spy_report(run, n):
        written.append((n, imports.written_so_far(run)))
        report(run, n)
        assert imports.written_so_far(run) == n  # what the progress JSON shows while the run writes

    monkeypatch.setattr(imports, "_update", spy_update)
    monkeypatch.setattr(imports, "report_written", spy_report)
    location = _upload(admin_client, _rows(3), tmp_path)["Location"]
    _confirm(admin_client, _token_of(location), django_capture_on_commit_callbacks)
    assert checked == [0, 1, 2, 3, 3, 3]  # the start, every row, the end of the loop, the move to writing
    assert [n for n, _ in written] == [1, 2, 3, 3]


def test_the_progress_json_shows_rows_written_while_the_run_writes(admin_client, admin_user, branch_a):
    run = ImportRun.objects.create(
        token="a" * 32,
        kind="members",
        user=admin_user,
        building=admin_user.building,
        file_name="x.xlsx",
        file_suffix=".xlsx",
        state=ImportRun.State.WRITING,
        in_background=True,
        rows_total=1000,
        rows_checked=1000,
    )
    imports._upload_dir().mkdir(parents=True, exist_ok=True)
    imports.report_written(run, 400)
    data = admin_client.get(reverse("import_run_progress", args=[run.pk])).json()
    assert (data["state"], data["rows_checked"], data["rows_written"]) == ("writing", 1000, 400)
    assert not data["finished"]
    page = admin_client.get(reverse("import_run_detail", args=[run.pk])).content.decode()
    assert f'data-import-progress="{reverse("import_run_progress", args=[run.pk])}"' in page
    assert "js/import-progress.js" in page and "<script>" not in page


def test_a_large_file_with_an_error_writes_nothing_and_keeps_its_errors_for_later(
    admin_client, branch_a, large, tmp_path, django_capture_on_commit_callbacks
):
    rows = _rows(3)
    rows[1]["入党日期"] = "不知道"
    location = _upload(admin_client, rows, tmp_path)["Location"]
    response = _confirm(admin_client, _token_of(location), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FAILED and run.rows_checked == 3 and run.rows_written == 0
    assert run.error_count == 1 and run.errors[0]["row"] == 3 and run.errors[0]["column"] == "入党日期"
    assert not Member.objects.exists() and not AuditRecord.objects.filter(action=AuditRecord.Action.IMPORT).exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert 'data-testid="import-errors"' in page and 'data-row="3"' in page and "入党日期" in page


def test_a_write_failing_on_the_last_row_leaves_nothing_written(
    admin_client, branch_a, large, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    create = services.member_create
    calls = []

    def failing_create(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("disk full")
        return create(**kwargs)

    monkeypatch.setattr(services, "member_create", failing_create)
    location = _upload(admin_client, _rows(3), tmp_path)["Location"]
    _confirm(admin_client, _token_of(location), django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert len(calls) == 3 and run.state == ImportRun.State.FAILED and "disk full" in run.message
    assert not Member.objects.exists() and not AuditRecord.objects.filter(action=AuditRecord.Action.IMPORT).exists()


def test_the_job_is_safe_to_run_twice_and_run_now_takes_what_is_still_waiting(admin_client, branch_a, large, tmp_path):
    location = _upload(admin_client, _rows(3), tmp_path)["Location"]
    admin_client.post(IMPORT, {"token": _token_of(location), "confirm": "1"})  # on_commit never runs: still queued
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.QUEUED and not Member.objects.exists()
    assert imports.run_queued() == {"imported": 1, "failed": 0, "skipped": 0}  # "run now": no run id
    assert imports.run_queued(run_id=run.pk) == {"imported": 0, "failed": 0, "skipped": 1}
    assert Member.objects.count() == 3


def test_a_run_abandoned_by_a_dead_worker_is_taken_again_and_imports_once(admin_client, branch_a, large, tmp_path):
    import datetime

    from django.utils import timezone

    location = _upload(admin_client, _rows(3), tmp_path)["Location"]
    admin_client.post(IMPORT, {"token": _token_of(location), "confirm": "1"})
    run = ImportRun.objects.get()
    now = timezone.now()
    worker = JobRun.objects.create(  # the job run that took it, its worker still alive
        job=imports.JOB, arguments={"run_id": run.pk}, started_at=now - datetime.timedelta(seconds=5), alive_at=now
    )
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.CHECKING, started_at=now)
    assert imports.run_queued(run_id=run.pk) == {"imported": 0, "failed": 0, "skipped": 1}  # still worked on
    assert imports.run_queued() == {"imported": 0, "failed": 0, "skipped": 1}
    JobRun.objects.filter(pk=worker.pk).update(alive_at=now - datetime.timedelta(minutes=10))  # the worker died
    assert imports.run_queued(run_id=run.pk)["imported"] == 1
    assert Member.objects.count() == 3
    assert imports.run_queued(run_id=run.pk) == {"imported": 0, "failed": 0, "skipped": 1}  # done: left alone


# --- the natural key: one import per upload -----------------------------------------------------------------


def test_confirming_the_same_upload_twice_imports_once_and_shows_the_first_result(admin_client, branch_a, tmp_path):
    token = _token(_upload(admin_client, _rows(1), tmp_path))
    first = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    assert first.status_code == 302 and first["Location"] == reverse("members:list")
    second = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    run = ImportRun.objects.get()
    assert second.status_code == 302 and second["Location"] == reverse("import_run_detail", args=[run.pk])
    assert Member.objects.count() == 1 and run.state == ImportRun.State.DONE and not run.in_background
    assert "新增 1" in admin_client.get(second["Location"]).content.decode().replace("：", " ").replace("，", " ")


def test_a_second_confirm_racing_the_first_finds_its_run_instead_of_importing(admin_client, branch_a, tmp_path):
    """Both submits passed the session check: the run's unique token lets one of them through."""
    token = _token(_upload(admin_client, _rows(1), tmp_path))
    request = type("R", (), {"user": ImportRun._meta.get_field("user").related_model.objects.get(username="admin")})
    pending = admin_client.session["members_import"]
    from members.views.register import IMPORT_PAGES

    assert imports._claim(request, IMPORT_PAGES, pending) is not None
    assert imports._claim(request, IMPORT_PAGES, pending) is None
    response = admin_client.post(IMPORT, {"token": token, "confirm": "1"})
    assert response["Location"] == reverse("import_run_detail", args=[ImportRun.objects.get().pk])
    assert not Member.objects.exists()


def test_a_double_submitted_large_import_is_queued_once(
    admin_client, branch_a, large, tmp_path, django_capture_on_commit_callbacks
):
    token = _token_of(_upload(admin_client, _rows(3), tmp_path)["Location"])
    _confirm(admin_client, token, django_capture_on_commit_callbacks)
    _confirm(admin_client, token, django_capture_on_commit_callbacks)
    assert ImportRun.objects.count() == 1 and JobRun.objects.filter(job="buildingparty.run_import").count() == 1
    assert Member.objects.count() == 3


# --- who sees the runs ----------------------------------------------------------------------------------------


def _run(user, **fields) -> ImportRun:
    defaults = {
        "token": f"{user.pk:032d}",
        "kind": "members",
        "user": user,
        "user_name": user.display_name,
        "building": user.building,
        "file_name": f"{user.username}.xlsx",
        "file_suffix": ".xlsx",
        "state": ImportRun.State.DONE,
        "counts": {"new": 1, "update": 0, "unchanged": 0},
    }
    return ImportRun.objects.create(**(defaults | fields))


PAGES = ("import_run_detail", "import_run_progress")


def test_anonymous_is_sent_to_sign_in(client, secretary_a):
    run = _run(secretary_a)
    for url in [reverse("import_run_list")] + [reverse(name, args=[run.pk]) for name in PAGES]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["member_user", "liaison_user", "contact_user", "street_user"])
def test_roles_that_cannot_import_get_403(client, persona, request, secretary_a):
    run = _run(secretary_a)
    client.force_login(request.getfixturevalue(persona))
    for url in [reverse("import_run_list")] + [reverse(name, args=[run.pk]) for name in PAGES]:
        assert client.get(url).status_code == 403


def test_a_secretary_sees_their_own_runs_and_not_another_branchs(client, secretary_a, secretary_b):
    mine, theirs = _run(secretary_a), _run(secretary_b)
    client.force_login(secretary_a)
    listing = client.get(reverse("import_run_list")).content.decode()
    assert f'data-run="{mine.pk}"' in listing and f'data-run="{theirs.pk}"' not in listing
    for name in PAGES:
        assert client.get(reverse(name, args=[mine.pk])).status_code == 200
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404


def test_a_building_admin_sees_the_buildings_runs_but_not_another_buildings(
    admin_client, secretary_a, django_assert_max_num_queries
):
    other_admin = UserFactory(username="admin-elsewhere", role="admin", building=BuildingFactory(name="别的大厦"))
    ours, elsewhere = _run(secretary_a), _run(other_admin)
    listing = admin_client.get(reverse("import_run_list")).content.decode()
    assert f'data-run="{ours.pk}"' in listing and f'data-run="{elsewhere.pk}"' not in listing
    for name in PAGES:
        assert admin_client.get(reverse(name, args=[ours.pk])).status_code == 200
        assert admin_client.get(reverse(name, args=[elsewhere.pk])).status_code == 404


def test_the_list_of_runs_costs_the_same_queries_however_many_runs(admin_client, admin_user, secretary_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _run(secretary_a)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("import_run_list"))
    for n in range(5):
        _run(admin_user, token=f"t{n:031d}")
    with CaptureQueriesContext(connection) as many:
        admin_client.get(reverse("import_run_list"))
    assert len(many) == len(few)


def test_the_run_pages_are_get_only(admin_client, admin_user):
    run = _run(admin_user)
    for url in [reverse("import_run_list")] + [reverse(name, args=[run.pk]) for name in PAGES]:
        assert admin_client.post(url).status_code == 405


# --- a real worker ------------------------------------------------------------------------------------------


ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="requests and a worker writing at once need PostgreSQL (SQLite in memory locks whole tables)",
)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_confirms_of_one_upload_at_the_same_moment_import_once(admin_client, branch_a, tmp_path):
    from django.test import Client

    from tests.concurrency import at_the_same_moment

    token = _token(_upload(admin_client, _rows(1, 工作岗位=""), tmp_path))  # a flushed database: no categories

    def confirm():
        browser_tab = Client()
        browser_tab.cookies = admin_client.cookies  # the same session: a double click
        return browser_tab.post(IMPORT, {"token": token, "confirm": "1"}).status_code

    outcomes = at_the_same_moment(confirm, confirm)
    assert [o.error for o in outcomes] == [None, None]
    assert ImportRun.objects.count() == 1 and Member.objects.count() == 1


@pytest.mark.worker
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_large_file_confirmed_on_the_page(admin_client, branch_a, settings, tmp_path):
    """The confirmation returns at once; the worker (the configured broker: Redis in CI, the file broker
    otherwise) checks and writes, and the run's progress JSON shows it done."""
    import time

    from celery.contrib.testing.worker import start_worker

    from buildingparty.celery import app

    settings.IMPORT_INLINE_MAX_ROWS = 2
    client = admin_client
    token = _token_of(_upload(client, _rows(3, 工作岗位=""), tmp_path)["Location"])  # no seeded categories here

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post(IMPORT, {"token": token, "confirm": "1"})
        progress_url = reverse("import_run_progress", args=[ImportRun.objects.get().pk])
        assert response.status_code == 302
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not client.get(progress_url).json()["finished"]:
            time.sleep(0.2)
    run = ImportRun.objects.get()
    assert (run.message, run.errors) == ("", [])
    assert client.get(progress_url).json() | {"state_label": ""} == {
        "state": "done",
        "state_label": "",
        "finished": True,
        "rows_total": 3,
        "rows_checked": 3,
        "rows_written": 3,
    }
    assert Member.objects.count() == 3


def test_the_upload_page_states_the_limits_and_links_to_earlier_imports(admin_client, branch_a):
    body = admin_client.get(IMPORT).content.decode()
    assert "最多 20,000 行" in body and "超过 1,000 行的文件将在后台检查并导入" in body
    assert reverse("import_run_list") in body
