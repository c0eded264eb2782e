"""Request pages: submitting with attachments, the list, one request with its actions, downloading a file."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from buildingparty.submissions import new_token
from members.transfers.tests.factories import TransferFactory
from services import services
from services.categories import ensure_default_categories
from services.forms import MAX_ATTACHMENT_SIZE
from services.models import Attachment, ServiceCategory, ServiceRequest
from tests.factories import EnterpriseFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = ServiceRequest.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def categories(building):
    ensure_default_categories(building)
    return {c.code: c for c in ServiceCategory.objects.filter(building=building)}


@pytest.fixture
def other_member(branch_a):
    """Another member of the same branch: still not allowed to see member_user's requests."""
    user = UserFactory(username="member_a2", role="member", building=branch_a.building)
    MemberFactory(organization=branch_a, user=user)
    return user


def submit(category, user, title="劳动合同咨询", **kwargs):
    return services.request_submit(
        category=category,
        requester=user,
        title=title,
        description="想了解劳动合同变更的权益。",
        member=getattr(user, "member", None),
        **kwargs,
    )


@pytest.fixture
def legal_request(categories, member_user, secretary_a):
    request = submit(categories["legal-advice"], member_user)
    Attachment.objects.create(
        request=request,
        file=SimpleUploadedFile("合同.pdf", PDF),
        name="合同.pdf",
        size=len(PDF),
        content_type="application/pdf",
        uploaded_by=member_user,
    )
    return request


def pdf(name="合同.pdf", size=None):
    content = PDF if size is None else PDF + b"0" * (size - len(PDF))
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def form_data(category, **extra):
    return {
        "category": category.pk,
        "title": "劳动合同咨询",
        "description": "公司要变更合同。",
        "priority": "normal",
        "submission_token": new_token(),
        **extra,
    }


def messages_of(response):
    # From the request: the context of a page's content kept by data_cache holds no messages.
    return [str(m) for m in get_messages(response.wsgi_request)] if response.context else []


def error_codes(response, field):
    return [e.code for e in response.context["form"].errors.as_data().get(field, [])]


# --- submitting ---------------------------------------------------------------------------------------------


def test_a_member_submits_a_request_with_attachments(member_client, member_user, categories, secretary_a):
    data = form_data(categories["legal-advice"], attachments=[pdf(), png("照片.PNG")])
    response = member_client.post(reverse("services:create"), data)

    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert (request.requester, request.member, request.organization) == (
        member_user,
        member_user.member,
        member_user.member.organization,
    )
    assert request.assigned_to == secretary_a and request.enterprise is None
    assert sorted(request.attachments.values_list("name", "content_type")) == [
        ("合同.pdf", "application/pdf"),
        ("照片.png", "image/png"),  # the name normalised: extension in lower case
    ]
    assert all(not a.file.name.endswith("合同.pdf") for a in request.attachments.all())  # stored under a random name


def test_a_title_with_line_breaks_is_kept_on_one_line(member_client, categories):
    # The title heads the notification and the email subject, where a line break would split them.
    data = form_data(categories["legal-advice"], title="劳动合同\r\n咨询\r加急")
    member_client.post(reverse("services:create"), data)

    assert ServiceRequest.objects.get().title == "劳动合同 咨询 加急"


def test_a_member_is_offered_only_the_member_categories(member_client, categories):
    response = member_client.get(reverse("services:create"))
    offered = set(response.context["form"].fields["category"].queryset.values_list("audience", flat=True))
    assert response.status_code == 200 and offered == {"members"}
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_a_member_cannot_pick_an_enterprise_category(member_client, categories):
    response = member_client.post(reverse("services:create"), form_data(categories["investment"]))
    assert response.status_code == 200 and "category" in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


def test_an_enterprise_contact_asks_for_their_enterprise(login_as, contact_user, enterprise, categories):
    client = login_as(contact_user)
    offered = client.get(reverse("services:create")).context["form"].fields["category"].queryset
    assert set(offered.values_list("audience", flat=True)) == {"enterprises"}

    client.post(reverse("services:create"), form_data(categories["policy-advice"]))

    request = ServiceRequest.objects.get()
    assert (request.enterprise, request.member, request.assigned_to) == (enterprise, None, None)


def test_a_contact_of_two_enterprises_says_which_one_asks(login_as, contact_user, building, categories):
    second = EnterpriseFactory(building=building)
    second.contacts.add(contact_user)
    client = login_as(contact_user)
    url = reverse("services:create")

    response = client.post(url, form_data(categories["policy-advice"]))
    assert response.status_code == 200 and "enterprise" in response.context["form"].errors

    client.post(url, form_data(categories["policy-advice"], enterprise=second.pk))
    assert ServiceRequest.objects.get().enterprise == second


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ([pdf("big.pdf", MAX_ATTACHMENT_SIZE + 1)], "file_size"),
        ([pdf("tool.exe")], "file_type"),
        ([pdf("page.html")], "file_type"),
        ([pdf(f"{n}.pdf") for n in range(6)], "too_many"),
    ],
    ids=["over-10-mb", "exe", "html", "six-files"],
)
def test_attachments_outside_the_limits_are_refused_next_to_the_field(member_client, categories, files, code):
    response = member_client.post(reverse("services:create"), form_data(categories["legal-advice"], attachments=files))
    assert response.status_code == 200
    assert code in error_codes(response, "attachments")
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


def test_five_files_of_ten_megabytes_are_accepted(member_client, categories):
    files = [pdf(f"{n}.pdf", MAX_ATTACHMENT_SIZE) for n in range(5)]
    response = member_client.post(reverse("services:create"), form_data(categories["legal-advice"], attachments=files))
    assert response.status_code == 302
    assert Attachment.objects.count() == 5


@pytest.mark.parametrize("persona", ["admin_user", "secretary_a", "street_user", "liaison_user"])
def test_only_members_and_enterprise_contacts_have_the_request_form(request, login_as, categories, persona):
    assert login_as(request.getfixturevalue(persona)).get(reverse("services:create")).status_code == 403


def test_a_member_account_without_a_member_record_cannot_submit(login_as, building, categories):
    user = UserFactory(username="no_record", role="member", building=building)
    assert login_as(user).get(reverse("services:create")).status_code == 403


# --- who may open what --------------------------------------------------------------------------------------


def all_urls(request):
    attachment = request.attachments.get()
    return [
        ("get", reverse("services:list")),
        ("get", reverse("services:create")),
        ("get", request.get_absolute_url()),
        ("get", attachment.get_absolute_url()),
        ("post", reverse("services:step", args=[request.pk, "accept"])),
        ("post", reverse("services:comment", args=[request.pk])),
        ("post", reverse("services:rate", args=[request.pk])),
        ("post", reverse("services:assign", args=[request.pk])),
    ]


def test_anonymous_visitor_is_sent_to_the_login_page(client, legal_request):
    for method, url in all_urls(legal_request):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["other_member", "secretary_b", "outsider", "contact_user"])
def test_someone_elses_request_is_not_found(request, login_as, legal_request, persona):
    client = login_as(request.getfixturevalue(persona))
    for method, url in all_urls(legal_request):
        if url in (reverse("services:list"), reverse("services:create")):
            continue
        assert getattr(client, method)(url).status_code == 404, url
    assert legal_request.title not in client.get(reverse("services:list")).content.decode()


@pytest.mark.parametrize("name", ["step", "comment", "rate", "assign"])
def test_action_urls_take_only_post(member_client, legal_request, name):
    args = [legal_request.pk, "withdraw"] if name == "step" else [legal_request.pk]
    assert member_client.get(reverse(f"services:{name}", args=args)).status_code == 405
    legal_request.refresh_from_db()
    assert legal_request.status == Status.SUBMITTED


def test_an_unknown_step_is_not_found(secretary_a_client, legal_request):
    assert secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "reopen"])).status_code == 404


# --- the list -----------------------------------------------------------------------------------------------


def test_a_member_sees_only_their_own_requests(member_client, member_user, other_member, categories):
    submit(categories["legal-advice"], member_user, title="我的请求")
    submit(categories["legal-advice"], other_member, title="别人的请求")
    response = member_client.get(reverse("services:list"))
    page = response.content.decode()
    assert "我的请求" in page and "别人的请求" not in page
    assert response.context["is_requester_view"]


def test_handlers_start_from_open_requests_and_can_filter(
    secretary_a_client, secretary_a, admin_user, member_user, categories
):
    submit(categories["legal-advice"], member_user, title="待办请求")
    done = submit(categories["hardship"], member_user, title="已撤回请求")
    services.request_step(request=done, step="withdraw", by=member_user)
    others = submit(categories["study-materials"], member_user, title="管理员请求")
    url = reverse("services:list")

    def titles(**params):
        return {r.title for r in secretary_a_client.get(url, params).context["page"]}

    assert titles() == {"待办请求", "管理员请求"}
    assert titles(status="all") == {"待办请求", "已撤回请求", "管理员请求"}
    assert titles(status="withdrawn") == {"已撤回请求"}
    assert titles(mine="on") == {"待办请求"}
    assert titles(category=categories["study-materials"].pk) == {"管理员请求"}
    assert titles(overdue="on") == set()
    ServiceRequest.objects.filter(pk=others.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    assert titles(overdue="on") == {"管理员请求"}
    assert 'data-flag="overdue"' in secretary_a_client.get(url).content.decode()


def test_the_list_runs_the_same_queries_for_one_request_or_three(login_as, secretary_a, member_user, categories):
    client = login_as(secretary_a)
    url = reverse("services:list")
    submit(categories["legal-advice"], member_user)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(2):
        submit(categories["legal-advice"], member_user)
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert len(response.context["page"]) == 3
    assert len(three) == len(one)


def test_a_list_row_shows_its_link_badges_due_time_and_handler(
    secretary_a_client, secretary_a, member_user, categories
):
    """The rows' links, badges and times are worked out in the view, with the markup of the detail page's."""
    urgent = submit(categories["legal-advice"], member_user, title="加急请求")
    ServiceRequest.objects.filter(pk=urgent.pk).update(priority="urgent", assigned_to=secretary_a)
    urgent.refresh_from_db()
    body = secretary_a_client.get(reverse("services:list")).content.decode()
    due = timezone.localtime(urgent.due_at)
    assert f'href="{urgent.get_absolute_url()}" data-request="{urgent.pk}"' in body
    assert f'<span class="badge text-bg-warning">{urgent.get_priority_display()}</span> ' in body
    assert f'<span class="badge text-bg-primary" data-status="submitted">{urgent.get_status_display()}</span>' in body
    assert f'<time datetime="{due.isoformat()}">{due:%Y-%m-%d %H:%M}</time>' in body
    assert secretary_a.display_name in body and 'data-flag="overdue"' not in body


# --- one request --------------------------------------------------------------------------------------------


def test_the_requester_sees_public_events_but_not_internal_notes(login_as, legal_request, member_user, secretary_a):
    services.request_comment(request=legal_request, by=secretary_a, text="已联系律师", public=True)
    services.request_comment(request=legal_request, by=secretary_a, text="律师费用待定", public=False)

    page = login_as(member_user).get(legal_request.get_absolute_url()).content.decode()
    assert "已联系律师" in page and "律师费用待定" not in page
    assert 'data-step="withdraw"' in page and 'data-step="accept"' not in page
    assert reverse("services:attachment", args=[legal_request.attachments.get().pk]) in page

    page = login_as(secretary_a).get(legal_request.get_absolute_url()).content.decode()
    assert "已联系律师" in page and "律师费用待定" in page
    assert 'data-step="accept"' in page and 'data-step="reject"' in page and 'data-step="withdraw"' not in page
    assert 'data-testid="assign-form"' in page


def test_a_street_viewer_reads_a_request_but_has_no_actions(login_as, legal_request, street_user):
    client = login_as(street_user)
    page = client.get(legal_request.get_absolute_url()).content.decode()
    assert legal_request.title in page and "data-step" not in page and "comment-form" not in page
    assert client.post(reverse("services:step", args=[legal_request.pk, "accept"])).status_code == 403
    assert client.post(reverse("services:comment", args=[legal_request.pk]), {"text": "?"}).status_code == 403


def test_the_handler_accepts_and_resolves_with_a_public_comment(secretary_a_client, legal_request, member_user):
    url = legal_request.get_absolute_url()
    assert secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "accept"])).url == url
    secretary_a_client.post(
        reverse("services:comment", args=[legal_request.pk]),
        {"text": "律师意见已发", "public": "on", "submission_token": new_token()},
    )
    secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "resolve"]), {"resolve-note": "已解决"})
    legal_request.refresh_from_db()
    assert legal_request.status == Status.RESOLVED
    assert legal_request.events.get(kind="comment").public


def test_a_step_out_of_order_is_a_message_not_an_error_page(secretary_a_client, legal_request):
    response = secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "resolve"]), follow=True)
    assert response.status_code == 200 and len(messages_of(response)) == 1
    legal_request.refresh_from_db()
    assert legal_request.status == Status.SUBMITTED


def test_rejecting_without_a_reason_shows_the_error_next_to_the_field(secretary_a_client, legal_request):
    response = secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "reject"]))
    assert response.status_code == 200
    reject = next(s for s in response.context["steps"] if s["step"] == "reject")
    assert "note" in reject["form"].errors
    legal_request.refresh_from_db()
    assert legal_request.status == Status.SUBMITTED


def test_the_requester_cannot_take_a_handler_step(member_client, legal_request):
    assert member_client.post(reverse("services:step", args=[legal_request.pk, "accept"])).status_code == 403


def test_the_handler_cannot_withdraw_or_rate(secretary_a_client, legal_request):
    assert secretary_a_client.post(reverse("services:step", args=[legal_request.pk, "withdraw"])).status_code == 403
    assert secretary_a_client.post(reverse("services:rate", args=[legal_request.pk]), {"rating": 5}).status_code == 403


def test_the_requester_withdraws(member_client, legal_request):
    member_client.post(reverse("services:step", args=[legal_request.pk, "withdraw"]))
    legal_request.refresh_from_db()
    assert legal_request.status == Status.WITHDRAWN


def test_the_requester_rates_a_resolved_request(member_client, legal_request, secretary_a):
    url = reverse("services:rate", args=[legal_request.pk])
    response = member_client.post(url, {"rating": 5}, follow=True)
    assert len(messages_of(response)) == 1  # not resolved yet
    services.request_step(request=legal_request, step="accept", by=secretary_a)
    services.request_step(request=legal_request, step="resolve", by=secretary_a)
    assert 'data-testid="rate-form"' in member_client.get(legal_request.get_absolute_url()).content.decode()

    assert member_client.post(url, {"rating": 9}).status_code == 200  # not a choice: the form says so
    member_client.post(url, {"rating": 5, "feedback": "很满意"})

    legal_request.refresh_from_db()
    assert (legal_request.status, legal_request.rating, legal_request.feedback) == (Status.CLOSED, 5, "很满意")


def test_the_handler_hands_the_request_to_an_admin(secretary_a_client, legal_request, admin_user, secretary_b):
    response = secretary_a_client.get(legal_request.get_absolute_url())
    choices = set(response.context["assign_form"].fields["assigned_to"].queryset)
    assert admin_user in choices and secretary_b in choices
    secretary_a_client.post(reverse("services:assign", args=[legal_request.pk]), {"assigned_to": admin_user.pk})
    legal_request.refresh_from_db()
    assert legal_request.assigned_to == admin_user


def test_a_requester_cannot_hand_over_their_request(member_client, legal_request, admin_user):
    url = reverse("services:assign", args=[legal_request.pk])
    assert member_client.post(url, {"assigned_to": admin_user.pk}).status_code == 403


def test_a_transfer_request_shows_its_transfer(login_as, categories, member_user, secretary_a):
    request = submit(categories["transfer"], member_user)
    transfer = TransferFactory(member=member_user.member)
    ServiceRequest.objects.filter(pk=request.pk).update(transfer=transfer)
    page = login_as(secretary_a).get(request.get_absolute_url()).content.decode()
    assert transfer.letter_number in page and transfer.get_absolute_url() in page


# --- attachments --------------------------------------------------------------------------------------------


def test_the_requester_and_the_handler_download_an_attachment(login_as, legal_request, member_user, secretary_a):
    url = legal_request.attachments.get().get_absolute_url()
    for user in (member_user, secretary_a):
        response = login_as(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_attachments_are_not_served_from_media(member_client, legal_request):
    stored = legal_request.attachments.get().file.name
    assert member_client.get(f"/media/{stored}").status_code == 404


# --- categories in Django admin -----------------------------------------------------------------------------


def test_a_building_admin_edits_their_buildings_categories_in_django_admin(admin_client, categories, outsider):
    ensure_default_categories(outsider.building)
    legal = categories["legal-advice"]
    response = admin_client.get(reverse("admin:services_servicecategory_changelist"))
    assert response.status_code == 200
    assert set(response.context["cl"].queryset) == set(categories.values())

    url = reverse("admin:services_servicecategory_change", args=[legal.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {**form.initial, "limit_days": 7, "handler": ""}
    data = {k: v for k, v in data.items() if k in form.fields and v is not None}
    assert admin_client.post(url, data).status_code == 302
    legal.refresh_from_db()
    assert legal.limit_days == 7

    other = ServiceCategory.objects.get(building=outsider.building, code="legal-advice")
    change_other = reverse("admin:services_servicecategory_change", args=[other.pk])
    assert admin_client.get(change_other).status_code == 302  # not found in their queryset: back to the index


def test_a_duplicate_code_is_a_form_error_not_a_crash(admin_client, categories):
    response = admin_client.post(
        reverse("admin:services_servicecategory_add"),
        {
            "code": "legal-advice",
            "name": "法律咨询2",
            "audience": "members",
            "handler_kind": "admins",
            "limit_days": 5,
            "order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors


# --- linking a transfer request to the transfer it produced ---------------------------------------------------


def test_the_secretary_links_a_transfer_request_to_the_members_letter(login_as, secretary_a, categories, member_user):
    request = submit(categories["transfer"], member_user, title="组织关系转出")
    letter = TransferFactory(member=member_user.member)
    client = login_as(secretary_a)
    page = client.get(request.get_absolute_url())
    assert [t.pk for t in page.context["linkable_transfers"]] == [letter.pk]
    assert client.post(reverse("services:link_transfer", args=[request.pk]), {"transfer": letter.pk}).status_code == 302
    request.refresh_from_db()
    assert request.transfer == letter
    assert letter.letter_number in client.get(request.get_absolute_url()).content.decode()


def test_only_a_transfer_of_the_requesting_member_can_be_linked(secretary_a, categories, member_user, branch_a):
    request = submit(categories["transfer"], member_user, title="组织关系转出")
    someone_elses = TransferFactory(member=MemberFactory(organization=branch_a))
    with pytest.raises(ValidationError):
        services.request_link_transfer(request=request, transfer=someone_elses, by=secretary_a)


def test_a_request_of_another_category_cannot_be_linked(secretary_a, categories, member_user):
    request = submit(categories["legal-advice"], member_user)
    with pytest.raises(ValidationError):
        services.request_link_transfer(
            request=request, transfer=TransferFactory(member=member_user.member), by=secretary_a
        )


def test_the_requester_cannot_link_and_linking_is_a_post(member_client, categories, member_user):
    request = submit(categories["transfer"], member_user, title="组织关系转出")
    letter = TransferFactory(member=member_user.member)
    url = reverse("services:link_transfer", args=[request.pk])
    assert member_client.get(url).status_code == 405
    assert member_client.post(url, {"transfer": letter.pk}).status_code == 403
