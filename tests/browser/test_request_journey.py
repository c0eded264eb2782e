"""A member asks for legal advice with a file attached; her branch secretary accepts, answers and resolves it;
she sees the answer and rates it. Another member cannot open it."""

import datetime

import pytest
from django.core.management import call_command

from buildingparty import demo
from buildingparty.models import Building, Notification, PartyOrganization, User
from services.categories import ensure_default_categories
from services.models import ServiceRequest
from tests.factories import MemberFactory, UserFactory, make_id_number

from .conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"
OTHER_PASSWORD = "a-test-pass-2026"  # UserFactory's
SUBJECT = "劳动合同变更咨询（浏览器测试）"
PDF = b"%PDF-1.4\n1 0 obj<</Type /Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def another_member_of_the_second_branch() -> User:
    branch = PartyOrganization.objects.get(name=demo.BRANCH_2)
    user = UserFactory(username="journey_member", role="member", building=branch.building, name="周明")
    MemberFactory(
        organization=branch, user=user, name="周明", id_number=make_id_number(499, born=datetime.date(1971, 3, 3))
    )
    return user


def test_a_member_asks_for_legal_advice_and_rates_the_answer(page):
    call_command("seed_demo", verbosity=0)
    building = Building.objects.get(name=demo.BUILDING["name"])
    ensure_default_categories(building)
    secretary1 = User.objects.get(username="secretary1")
    unread_before = Notification.objects.filter(user=secretary1, read_at__isnull=True).count()

    # 1. member1 submits a request with a PDF from her phone-sized form.
    sign_in(page, "member1", DEMO_PASSWORD)
    page.goto(page.base_url + "/services/new/")
    page.select_option("select[name=category]", label="法律咨询")
    page.fill("input[name=title]", SUBJECT)
    page.fill("textarea[name=description]", "公司拟将劳动合同改为劳务合同，想了解自己的权益。")
    page.set_input_files(
        "input[name=attachments]", files=[{"name": "劳动合同.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("[data-testid=request-form] button[type=submit]").click()
    page.wait_for_url("**/services/*/")
    request = ServiceRequest.objects.get(title=SUBJECT)
    assert request.assigned_to == secretary1
    assert page.locator("[data-testid=request-status] [data-status=submitted]").is_visible()
    attachment_link = page.locator("[data-testid=request-attachments] a", has_text="劳动合同.pdf")
    assert attachment_link.is_visible()
    attachment_url = page.base_url + attachment_link.get_attribute("href")
    download = page.context.request.get(attachment_url)
    assert download.status == 200 and download.body() == PDF
    request_url = page.url
    assert page.console_errors == []
    sign_out(page)

    # 2. secretary1 is told, accepts, answers in public and resolves.
    note = Notification.objects.get(user=secretary1, event="request_submitted", url=request.get_absolute_url())
    assert note.read_at is None
    sign_in(page, "secretary1", DEMO_PASSWORD)
    bell = page.get_by_test_id("bell-count")
    if bell.count():  # the navbar bell, where it exists
        assert int(bell.first.inner_text().rstrip("+")) >= min(unread_before + 1, 99)
    page.goto(request_url)
    assert SUBJECT in page.locator("h1").inner_text()
    page.locator("form[data-step=accept] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=request-status] [data-status=accepted]").is_visible()
    page.fill(
        "[data-testid=comment-form] textarea[name=text]", "已请法律顾问看过合同：劳务合同不能替代劳动合同，请勿签署。"
    )
    assert page.locator("[data-testid=comment-form] input[name=public]").is_checked()
    page.locator("[data-testid=comment-form] button[type=submit]").click()
    page.wait_for_load_state()
    page.fill("form[data-step=resolve] input[name=resolve-note]", "已答复")
    page.locator("form[data-step=resolve] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=request-status] [data-status=resolved]").is_visible()
    assert page.console_errors == []
    sign_out(page)

    # 3. member1 is told, sees the answer and rates it five stars.
    member1 = User.objects.get(username="member1")
    assert Notification.objects.filter(user=member1, event="request_status", url=request.get_absolute_url()).exists()
    assert Notification.objects.filter(user=member1, event="request_comment", url=request.get_absolute_url()).exists()
    sign_in(page, "member1", DEMO_PASSWORD)
    page.goto(page.base_url + "/notifications/")
    assert SUBJECT in page.locator("main").inner_text()
    page.goto(request_url)
    assert page.locator("[data-testid=request-status] [data-status=resolved]").is_visible()
    assert "劳务合同不能替代劳动合同" in page.get_by_test_id("request-timeline").inner_text()
    page.locator("[data-testid=rate-form] input[name=rating][value='5']").check()
    page.fill("[data-testid=rate-form] textarea[name=feedback]", "答复及时，很有帮助")
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=request-status] [data-status=closed]").is_visible()
    assert "5" in page.get_by_test_id("request-rating").inner_text()
    request.refresh_from_db()
    assert (request.status, request.rating) == (ServiceRequest.Status.CLOSED, 5)
    assert page.console_errors == []
    sign_out(page)

    # 4. Another member finds neither the request nor its file.
    another_member_of_the_second_branch()
    sign_in(page, "journey_member", OTHER_PASSWORD)
    assert page.goto(request_url).status == 404
    assert page.context.request.get(attachment_url).status == 404
    page.goto(page.base_url + "/services/")
    assert SUBJECT not in page.locator("main").inner_text()


def test_the_due_time_sweep_tells_the_secretary_of_an_overdue_request(page):
    """A request left open past its due time shows up under secretary1's bell after the sweep, once."""
    import datetime

    from django.utils import timezone

    from services.categories import ensure_default_categories
    from services.models import ServiceCategory
    from services.services import request_submit, sweep_due

    call_command("seed_demo", verbosity=0)
    member1 = User.objects.get(username="member1")
    ensure_default_categories(member1.building)
    category = ServiceCategory.objects.get(building=member1.building, code="legal-advice")
    late = request_submit(
        category=category,
        requester=member1,
        title="逾期未办的法律咨询",
        description="测试",
        member=member1.member,
        now=timezone.now() - datetime.timedelta(days=30),
    )
    sweep_due()
    sweep_due()  # a second run adds nothing
    secretary1 = User.objects.get(username="secretary1")
    assert (
        Notification.objects.filter(user=secretary1, event="request_overdue", url=late.get_absolute_url()).count() == 1
    )
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + "/notifications/")
    assert "逾期未办的法律咨询" in page.locator("main").inner_text()
