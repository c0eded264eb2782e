"""Every create form of the services app sent twice writes once; the second submit is shown the first result
(issue 14, point 1; ``buildingparty.submissions``): member and enterprise requests, comments, reception visits
and catalogue entries."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from buildingparty.submissions import TOKEN_FIELD, new_token
from services import services
from services.categories import ensure_default_categories
from services.models import Material, ReceptionVisit, RequestEvent, ServiceCategory, ServiceRequest
from tests.concurrency import at_the_same_moment
from tests.once import ALREADY, messages_text, signed_in, token_on_page

CREATE = reverse("services:create")


@pytest.fixture
def categories(building):
    ensure_default_categories(building)
    return {c.code: c for c in ServiceCategory.objects.filter(building=building)}


def request_data(category, token: str) -> dict:
    return {
        "category": category.pk,
        "title": "劳动合同咨询",
        "description": "公司要变更合同。",
        "priority": "normal",
        TOKEN_FIELD: token,
    }


def test_a_members_request_sent_twice_is_one_request_and_the_second_shows_it(member_client, categories):
    data = request_data(categories["legal-advice"], token_on_page(member_client.get(CREATE)))

    first = member_client.post(CREATE, data)
    second = member_client.post(CREATE, data, follow=True)

    service_request = ServiceRequest.objects.get()
    assert first.url == service_request.get_absolute_url() == second.redirect_chain[-1][0]
    assert ALREADY in messages_text(second)


def test_an_enterprises_request_sent_twice_is_one_request(login_as, contact_user, categories):
    client = login_as(contact_user)
    data = request_data(categories["policy-advice"], token_on_page(client.get(CREATE)))
    client.post(CREATE, data)
    assert client.post(CREATE, data).url == ServiceRequest.objects.get().get_absolute_url()


def test_a_request_without_its_token_is_a_form_error_not_a_crash(member_client, categories):
    response = member_client.post(CREATE, request_data(categories["legal-advice"], "forged"))
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not ServiceRequest.objects.exists()


def test_a_comment_sent_twice_is_added_once(member_client, member_user, categories):
    service_request = services.request_submit(
        category=categories["legal-advice"],
        requester=member_user,
        title="劳动合同咨询",
        description="想了解劳动合同变更的权益。",
        member=member_user.member,
    )
    data = {
        "text": "补充：合同下月到期。",
        TOKEN_FIELD: token_on_page(member_client.get(service_request.get_absolute_url())),
    }
    url = reverse("services:comment", args=[service_request.pk])

    member_client.post(url, data)
    second = member_client.post(url, data)

    assert second.url == service_request.get_absolute_url()
    assert service_request.events.filter(kind=RequestEvent.Kind.COMMENT).count() == 1


def test_a_walk_in_sent_twice_is_recorded_once(secretary_a_client):
    url = reverse("services:reception_create")
    data = {
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "visitor_name": "张三",
        "topic": "组织关系转接咨询",
        TOKEN_FIELD: token_on_page(secretary_a_client.get(url)),
    }
    secretary_a_client.post(url, data)
    assert secretary_a_client.post(url, data).url == reverse("services:reception_list")
    assert ReceptionVisit.objects.count() == 1


def test_a_catalogue_entry_sent_twice_is_added_once(admin_client):
    url = reverse("services:material_create")
    data = {
        "kind": "book",
        "title": "党章",
        "copies": 5,
        "location": "B-2",
        TOKEN_FIELD: token_on_page(admin_client.get(url)),
    }
    admin_client.post(url, data)
    assert admin_client.post(url, data).url == reverse("services:material_list")
    assert Material.objects.count() == 1


def test_the_wrong_role_and_anonymous_get_no_form_even_with_a_token(login_as, secretary_a, client, categories):
    data = request_data(categories["legal-advice"], new_token())
    assert login_as(secretary_a).post(CREATE, data).status_code == 403
    client.logout()
    assert client.post(CREATE, data).status_code == 302  # to the sign-in page
    assert not ServiceRequest.objects.exists()


def test_a_comment_on_another_branchs_request_is_not_found(login_as, secretary_b, member_user, categories):
    service_request = services.request_submit(
        category=categories["legal-advice"],
        requester=member_user,
        title="劳动合同咨询",
        description="想了解劳动合同变更的权益。",
        member=member_user.member,
    )
    url = reverse("services:comment", args=[service_request.pk])
    assert login_as(secretary_b).post(url, {"text": "?", TOKEN_FIELD: new_token()}).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
@pytest.mark.parametrize(("persona", "code"), [("member_user", "legal-advice"), ("contact_user", "policy-advice")])
def test_the_same_request_posted_twice_at_once_is_one_request(request, categories, persona, code):
    user = request.getfixturevalue(persona)
    data = request_data(categories[code], new_token())
    clients = [signed_in(user), signed_in(user)]

    outcomes = at_the_same_moment(*(lambda c=c: c.post(CREATE, data) for c in clients))

    assert all(o.error is None and o.result.status_code == 302 for o in outcomes), outcomes
    service_request = ServiceRequest.objects.get()
    assert {o.result.url for o in outcomes} == {service_request.get_absolute_url()}
