"""The home page's panel cache (buildingparty/data_cache.py): a cached panel is recomputed after any write.

These tests run outside a test transaction (``transaction=True``): writes then commit as they do in production,
so what is checked is the data version itself, not the shortcut a connection takes while it holds writes not
committed yet.
"""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.notices.models import NoticeRead
from activities.notices.tests.factories import NoticeFactory
from buildingparty import data_cache, jobs
from members.dues.tests.factories import paying_member
from members.models import Member
from members.transfers.tests.factories import TransferFactory
from tests.factories import MemberFactory, UserFactory
from tests.kept import queries_on, signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def members_total(client):
    html = client.get("/").content.decode()
    return int(html.split('data-testid="members-total">', 1)[1].split("<", 1)[0])


def dues_count(client):
    html = client.get("/").content.decode()
    return html.split('data-testid="dues-panel"', 1)[1]


def test_a_cached_panel_is_served_from_the_cache_until_something_is_written(admin_client, branch_a):
    MemberFactory(organization=branch_a)
    assert members_total(admin_client) == 1
    with CaptureQueriesContext(connection) as first:
        members_total(admin_client)
    with CaptureQueriesContext(connection) as second:
        members_total(admin_client)
    assert len(second) == len(first)  # both from the cache: the same queries
    counted = [q["sql"] for q in second.captured_queries if "COUNT" in q["sql"] and "is_mobile" in q["sql"]]
    assert not counted  # the members overview's aggregate was not run again
    before = data_cache.version()
    MemberFactory(organization=branch_a)  # an ORM save
    assert data_cache.version() != before
    assert members_total(admin_client) == 2


def test_a_queryset_update_and_raw_sql_show_at_once(admin_client, branch_a):
    MemberFactory(organization=branch_a)
    MemberFactory(organization=branch_a)
    assert members_total(admin_client) == 2
    Member.objects.filter(pk=Member.objects.first().pk).update(whereabouts=Member.Whereabouts.TRANSFERRED_OUT)
    assert members_total(admin_client) == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE members_member SET whereabouts = %s", [Member.Whereabouts.HERE])
    assert members_total(admin_client) == 2


def test_a_transaction_bumps_the_version_when_it_commits(admin_client, branch_a):
    assert members_total(admin_client) == 0
    with transaction.atomic():
        MemberFactory(organization=branch_a)
        MemberFactory(organization=branch_a)
        assert members_total(admin_client) == 2  # its own writes, never from the cache
    assert members_total(admin_client) == 2


def test_a_job_shows_on_the_next_home_page(admin_client, branch_a):
    paying_member(branch_a)
    assert 'data-testid="dues-panel"' not in admin_client.get("/").content.decode()  # no bill yet: hidden
    jobs.run_now("members.generate_dues")
    assert "0 / 1" in dues_count(admin_client)


def test_sessions_and_audit_records_do_not_empty_the_cache(db):
    before = data_cache.version()
    Session.objects.create(session_key="x" * 32, session_data="", expire_date="2100-01-01T00:00:00Z")
    assert data_cache.version() == before
    assert data_cache._is_write('INSERT INTO "members_member" ("name") VALUES (%s)')
    assert not data_cache._is_write('SELECT 1 FROM "members_member"')
    assert not data_cache._is_write('UPDATE "django_session" SET "session_data" = %s')


# --- the panels' HTML is what is cached (dashboard.Shown, the home_panel tag) ----------------------------------


def rendered(response) -> set[str]:
    return {t.name for t in response.templates}


def test_a_cached_panel_is_not_rendered_again_until_something_is_written(admin_client, branch_a):
    MemberFactory(organization=branch_a)
    first = admin_client.get("/")
    assert "members/panels/overview.html" in rendered(first)  # a miss: computed and rendered
    second = admin_client.get("/")
    assert "members/panels/overview.html" not in rendered(second)  # a hit: the HTML as it was
    assert 'data-testid="members-total">1<' in second.content.decode()
    Member.objects.update(whereabouts=Member.Whereabouts.HERE)  # a QuerySet.update, even of nothing changed
    third = admin_client.get("/")
    assert "members/panels/overview.html" in rendered(third)


def test_a_hidden_panel_is_cached_hidden_and_shows_after_a_write(admin_client, branch_a):
    member = MemberFactory(organization=branch_a)
    assert 'data-testid="transfer-panel"' not in admin_client.get("/").content.decode()
    assert 'data-testid="transfer-panel"' not in admin_client.get("/").content.decode()  # from the cache
    expired = timezone.localdate() - datetime.timedelta(days=40)
    TransferFactory(member=member, letter_number="BP-0001", issued_on=expired)
    assert "BP-0001" in admin_client.get("/").content.decode()


def test_a_scope_panel_is_shared_within_the_scope_and_no_further(branch_a, branch_b, secretary_a, secretary_b):
    MemberFactory(organization=branch_a)
    MemberFactory.create_batch(2, organization=branch_b)
    other_a = UserFactory(username="sec_a2", role="secretary", building=branch_a.building, organization=branch_a)
    first, same, other = (signed_in(user) for user in (secretary_a, other_a, secretary_b))  # signing in writes
    assert members_total(first) == 1
    response = same.get("/")  # the same branch: its HTML from the cache
    assert "members/panels/branch.html" not in rendered(response)
    assert 'data-testid="members-total">1<' in response.content.decode()
    assert members_total(other) == 2  # another branch: its own


def test_per_user_panels_do_not_leak_between_two_members_of_one_branch(building, branch_a):
    one, two = (UserFactory(username=f"m{n}", role="member", building=building) for n in (1, 2))
    mine = MemberFactory(organization=branch_a, user=one)
    theirs = MemberFactory(organization=branch_a, user=two)
    notice = NoticeFactory(building=building, title="七月主题党日安排")
    NoticeRead.objects.create(notice=notice, user=one)
    clients = {one: signed_in(one), two: signed_in(two)}
    for user, own, other in ((one, mine, theirs), (two, theirs, mine), (one, mine, theirs), (two, theirs, mine)):
        response = clients[user].get("/")
        page = response.content.decode()
        assert own.get_absolute_url() in page and other.get_absolute_url() not in page  # 我的党员档案
        assert ("七月主题党日安排" in page) == (user == two)  # read by the first one only
    assert "members/panels/own_record.html" not in rendered(response)  # the second time: from the cache


def test_the_home_page_on_a_cache_miss_runs_as_many_queries_at_1x_and_3x(client, building, branch_a, secretary_a):
    """Every panel of the admin, the secretary and a member computed afresh: the count of queries does not
    grow with the rows the panels list and count."""
    admin = UserFactory(role="admin", building=building)
    member_user = UserFactory(role="member", building=building)
    MemberFactory(organization=branch_a, user=member_user)

    def add(scale):
        long_ago = timezone.localdate() - datetime.timedelta(days=400)
        for n in range(scale):
            MemberFactory(organization=branch_a, is_mobile=True)
            lost = MemberFactory(organization=branch_a, lost_contact_since=long_ago)
            TransferFactory(member=lost, issued_on=long_ago)
            NoticeFactory(building=building, pinned=n == 0)

    def misses():
        counts = []
        for user in (admin, secretary_a, member_user):
            client.force_login(user)
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/").status_code == 200
            counts.append(len(queries))
        return counts

    add(1)
    once = misses()
    add(2)
    assert misses() == once


UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: refused at once
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_cache_unreachable_pages_answer_and_writes_go_through(admin_client, branch_a, settings, caplog):
    settings.CACHES = UNREACHABLE_CACHE
    assert data_cache.version() is None
    MemberFactory(organization=branch_a)  # a write: its bump fails quietly, the row is kept
    assert Member.objects.count() == 1
    assert members_total(admin_client) == 1  # every panel computed, none kept
    MemberFactory(organization=branch_a)
    assert members_total(admin_client) == 2
    assert "Panel cache unreachable" in caplog.text


def test_the_cache_without_redis_is_a_folder_shared_by_the_processes_of_one_machine():
    import buildingparty.settings as project  # what settings.py chooses; the tests run on a cache of their own

    if project.REDIS_URL:
        assert project.CACHES["default"]["BACKEND"].endswith("RedisCache")
    else:
        assert project.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
        assert project.CACHES["default"]["LOCATION"] == str(project.VAR_DIR / "cache")


# --- ``cached``: each value is kept with the versions of the tables it was read from --------------------------


def counted(calls: list):
    def compute():
        calls.append(1)
        return Member.objects.filter(name__startswith="A").count()

    return compute


def test_a_value_is_dropped_by_a_write_to_a_table_it_read_and_kept_through_writes_to_others(branch_a):
    calls = []
    assert data_cache.cached("test:members", 1, counted(calls)) == 0
    assert data_cache.cached("test:members", 1, counted(calls)) == 0
    assert len(calls) == 1  # the second from the cache
    NoticeFactory()  # another table: the value is kept
    assert data_cache.cached("test:members", 1, counted(calls)) == 0
    assert len(calls) == 1
    MemberFactory(organization=branch_a, name="An")  # its own table: computed again
    assert data_cache.cached("test:members", 1, counted(calls)) == 1
    assert len(calls) == 2
    with connection.cursor() as cursor:  # raw SQL, unquoted, is seen too
        cursor.execute("UPDATE members_member SET name = 'Bo'")
    assert data_cache.cached("test:members", 1, counted(calls)) == 0
    assert len(calls) == 3


def test_the_tables_of_joins_subqueries_and_nested_values_count(branch_a, branch_b):
    calls = []

    def by_branch():
        calls.append(1)
        inner = data_cache.cached("test:inner", 1, lambda: Member.objects.count())
        return (inner, Member.objects.filter(organization__name=branch_a.name).count())

    MemberFactory(organization=branch_a)
    assert data_cache.cached("test:outer", 1, by_branch) == (1, 1)
    data_cache.cached("test:outer", 1, by_branch)
    assert len(calls) == 1
    type(branch_a).objects.filter(pk=branch_a.pk).update(name="renamed")  # a joined table: dropped
    assert data_cache.cached("test:outer", 1, by_branch) == (1, 0)
    assert len(calls) == 2
    # The outer value was computed while the inner one came from the cache: it still depends on the inner's tables.
    MemberFactory(organization=branch_b)
    assert data_cache.cached("test:outer", 1, by_branch) == (2, 0)


def test_a_transaction_drops_the_tables_it_wrote_when_it_commits_and_a_rollback_drops_nothing(branch_a):
    calls = []
    data_cache.cached("test:members", 1, counted(calls))
    with transaction.atomic():
        MemberFactory(organization=branch_a, name="Al")
        assert data_cache.cached("test:members", 1, counted(calls)) == 1  # its own writes, never from the cache
        NoticeFactory()
    assert data_cache.cached("test:members", 1, counted(calls)) == 1
    assert len(calls) == 3
    with pytest.raises(RuntimeError), transaction.atomic():
        MemberFactory(organization=branch_a, name="Ann")
        raise RuntimeError
    assert data_cache.cached("test:members", 1, counted(calls)) == 1
    assert len(calls) == 3  # nothing was committed: still from the cache


def test_a_value_computed_while_something_was_written_is_not_kept(branch_a):
    calls = []

    def racing():
        calls.append(1)
        value = Member.objects.count()
        NoticeFactory()  # committed by another request while this one computes (autocommit: bumped at once)
        return value

    data_cache.cached("test:race", 1, racing)
    data_cache.cached("test:race", 1, racing)
    assert len(calls) == 2


def test_kept_html_cannot_read_the_viewer(rf, admin_user):
    from django.template import TemplateSyntaxError
    from django.template.engine import Engine

    request = rf.get("/?page=2")
    assert "page=3" in data_cache.render("includes/pagination.html", {"page": _Page()}, request)
    for source in ("{{ user.username }}", "{% if user.is_staff %}x{% endif %}", "{{ perms.members }}"):
        with pytest.raises(TemplateSyntaxError, match="not available in HTML kept"):
            Engine.get_default().from_string(source).render(data_cache.KeptContext({}))


def test_a_kept_form_gets_each_request_s_own_csrf_token(rf, admin_user, settings, tmp_path):
    from django.middleware.csrf import _does_token_match

    (tmp_path / "kept_form.html").write_text('<form method="post">{% csrf_token %}</form>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    tokens = set()
    for _ in range(2):
        request = rf.get("/kept/")
        request.user = admin_user
        html = data_cache.page(request, "test:form", "kept_form.html", dict)
        assert data_cache.CSRF_PLACEHOLDER not in html
        token = html.split('value="', 1)[1].split('"', 1)[0]
        assert _does_token_match(token, request.META["CSRF_COOKIE"])  # this request's own secret
        tokens.add(token)
    assert len(tokens) == 2  # the second from the cache, with the second request's token


class _Page:
    number = 2
    has_previous = has_next = True
    previous_page_number, next_page_number = 1, 3

    class paginator:
        num_pages = 5


def main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_the_member_list_is_kept_per_scope_and_shows_a_write_at_once(branch_a, branch_b, secretary_a, secretary_b):
    MemberFactory(organization=branch_a, name="甲一")
    MemberFactory(organization=branch_b, name="乙一")
    mine, other = signed_in(secretary_a), signed_in(secretary_b)
    first = main(mine.get("/members/"))
    with CaptureQueriesContext(connection) as again:
        second = main(mine.get("/members/"))
    assert second == first and "甲一" in second and "乙一" not in second
    assert not queries_on(again, "members_member")  # the list from the cache
    theirs = other.get("/members/").content.decode()
    assert "乙一" in theirs and "甲一" not in theirs  # another branch: its own
    MemberFactory(organization=branch_a, name="甲二")
    assert "甲二" in mine.get("/members/").content.decode()
    assert "甲二" in mine.get("/members/?q=甲").content.decode()


def test_a_bump_of_everything_drops_every_kept_value(branch_a):
    calls = []
    data_cache.cached("test:members", 1, counted(calls))
    data_cache.bump()  # what the bench does before a page's first fetch
    data_cache.cached("test:members", 1, counted(calls))
    assert len(calls) == 2


def test_a_sign_in_does_not_drop_what_was_read_from_the_user_table(admin_user):
    calls = []

    def users():
        calls.append(1)
        return type(admin_user).objects.count()

    data_cache.cached("test:users", 1, users)
    with CaptureQueriesContext(connection) as signing_in:
        signed_in(admin_user)  # writes the account's last_login
    assert any("last_login" in q["sql"] for q in signing_in.captured_queries)
    data_cache.cached("test:users", 1, users)
    assert len(calls) == 1
    type(admin_user).objects.filter(pk=admin_user.pk).update(first_name="改名")  # any other write to it drops it
    data_cache.cached("test:users", 1, users)
    assert len(calls) == 2


def test_a_per_user_key_changes_with_the_account_s_role(admin_user):
    before = data_cache.scope_of(admin_user, "user")
    admin_user.role = "street"
    assert data_cache.scope_of(admin_user, "user") != before


def test_a_kept_page_depends_on_what_the_view_read_before_building_it(rf, admin_user, branch_a):
    member = MemberFactory(organization=branch_a, name="王一")

    def view(request):
        looked_up = Member.objects.get(pk=member.pk)  # read before the page is built (a view's 404 lookup)
        return data_cache.page(request, "test:before", "kept_name.html", lambda: {"name": looked_up.name})

    def get():
        request = rf.get("/kept/")
        request.user = admin_user
        with data_cache.recording_reads():  # as DataCacheReadsMiddleware does for every request
            return view(request)

    assert "王一" in get()
    Member.objects.filter(pk=member.pk).update(name="王二")  # only the table read outside ``build``
    assert "王二" in get()


@pytest.fixture(autouse=True)
def _kept_name_template(settings, tmp_path):
    (tmp_path / "kept_name.html").write_text("<p>{{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_bookkeeping_writes_drop_what_was_read_from_them_but_not_the_panels(admin_user):
    from buildingparty.models import Notification

    calls = []

    def unread():
        calls.append(1)
        return Notification.objects.filter(read_at__isnull=True).count()

    data_cache.cached("test:unread", 1, unread)
    panels = data_cache.version()
    Notification.objects.create(user=admin_user, event="test", title="新通知")
    assert data_cache.cached("test:unread", 1, unread) == 1  # its own table: computed again
    assert len(calls) == 2
    assert data_cache.version() == panels  # the home panels are kept through it
