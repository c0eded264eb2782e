"""A secretary transfers a member out of the building: issue, print, report, receipt; the member is marked out."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from buildingparty import demo
from buildingparty.models import PartyOrganization
from members.models import Member, Transfer

from .conftest import ARTIFACTS, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo-pass-2026"


def a_member_of_the_first_branch() -> Member:
    """Someone in secretary1's branch (or its groups) who is not member1 and can be transferred."""
    branch = PartyOrganization.objects.get(name=demo.BRANCH_1)
    return (
        Member.objects.filter(
            organization_id__in=branch.subtree_ids(),
            status=Member.Status.NORMAL,
            whereabouts=Member.Whereabouts.HERE,
            user__isnull=True,
        )
        .exclude(transfers__status__in=Transfer.OPEN_STATUSES)
        .order_by("pk")
        .first()
    )


def pdf_page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_secretary_transfers_a_member_out_and_prints_the_letter(page):
    call_command("seed_demo", verbosity=0)
    member = a_member_of_the_first_branch()
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. From the member's page, issue a letter out of the building.
    sign_in(page, "secretary1", DEMO_PASSWORD)
    page.goto(page.base_url + member.get_absolute_url())
    page.get_by_test_id("issue-transfer").click()
    page.wait_for_url(page.base_url + reverse("members:transfer_create", args=[member.pk]))
    assert member.name in page.locator("main").inner_text()
    page.check("input[name=direction][value=out]")
    page.fill("input[name=to_name]", "中共宁波市鄞州区某科技有限公司支部委员会")
    page.fill("input[name=reason]", "工作单位变动")
    page.fill("input[name=dues_paid_until]", "2026-03")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/members/transfers/*/")
    transfer = Transfer.objects.get(member=member)
    assert transfer.letter_number in page.locator("h1").inner_text()
    assert page.locator("[data-testid=transfer-actions] form[data-action=report]").is_visible()

    # 2. The printable letter: stub, letter and receipt on one A4 sheet.
    page.get_by_test_id("print-letter").click()
    page.wait_for_url("**/letter/")
    for part in ("stub", "letter", "receipt"):
        assert page.locator(f"[data-part={part}]").is_visible()
    text = page.get_by_test_id("letter-sheet").inner_text()
    assert "（存根）" in text and "（回执）" in text and text.count("骑缝") == 2
    assert f"兹介绍{member.name}同志" in text and "请转接组织关系" in text and "2026年3月" in text
    assert member.masked_id_number in text and member.id_number not in text
    assert "特此回执" in text
    page.get_by_test_id("letter-sheet").screenshot(path=str(ARTIFACTS / "transfer-letter.png"))
    page.emulate_media(media="print")
    assert not page.get_by_test_id("print-button").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf_page_count(pdf) == 1, "the three parts must fit on one A4 sheet"
    page.emulate_media(media="screen")

    # 3. The member reported, then the receipt came back.
    page.goto(page.base_url + transfer.get_absolute_url())
    page.locator("form[data-action=report] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("form[data-action=receipt]").is_visible()
    page.locator("form[data-action=receipt] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("form[data-action=close]").is_visible()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIPTED

    # 4. The member stays in the register, marked transferred out.
    page.get_by_test_id("member-link").click()
    page.wait_for_url(f"**{member.get_absolute_url()}")
    member_page = page.locator("main").inner_text()
    assert "已转出" in member_page
    assert transfer.letter_number in member_page
    assert page.console_errors == []
    transfer_url = page.base_url + transfer.get_absolute_url()
    sign_out(page)

    # 5. The secretary of another branch does not find the transfer.
    sign_in(page, "secretary2", DEMO_PASSWORD)
    response = page.goto(transfer_url)
    assert response.status == 404
