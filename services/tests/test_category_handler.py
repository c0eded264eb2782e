"""A category's named handler is a staff user of the category's building (issue 14, point 7): the choices offered
and a posted id are both checked, in Django admin where categories are kept."""

import pytest
from django.urls import reverse

from services.categories import ensure_default_categories, handler_candidates
from services.models import ServiceCategory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def legal(building):
    ensure_default_categories(building)
    return ServiceCategory.objects.get(building=building, code="legal-advice")


def change_url(category) -> str:
    return reverse("admin:services_servicecategory_change", args=[category.pk])


def named(client, category, handler) -> dict:
    form = client.get(change_url(category)).context["adminform"].form
    data = {**form.initial, "handler_kind": "named", "handler": handler.pk}
    return {k: v for k, v in data.items() if k in form.fields and v is not None}


def test_the_handler_choices_are_the_buildings_admins_secretaries_and_liaisons(
    admin_client, legal, admin_user, secretary_a, liaison_user, member_user, contact_user, street_user, outsider
):
    UserFactory(username="gone", role="secretary", building=legal.building, organization=secretary_a.organization,
                is_active=False)  # fmt: skip
    field = admin_client.get(change_url(legal)).context["adminform"].form.fields["handler"]
    assert {u.username for u in field.queryset} == {"admin", "sec_a", "liaison"}
    assert set(handler_candidates(legal.building_id)) == set(field.queryset)


@pytest.mark.parametrize("persona", ["secretary_a", "liaison_user", "admin_user"])
def test_a_building_admin_names_a_staff_user_of_the_building(admin_client, legal, request, persona):
    handler = request.getfixturevalue(persona)
    assert admin_client.post(change_url(legal), named(admin_client, legal, handler)).status_code == 302
    legal.refresh_from_db()
    assert (legal.handler_kind, legal.handler) == ("named", handler)


@pytest.mark.parametrize("persona", ["member_user", "contact_user", "street_user", "outsider", "other_admin"])
def test_naming_anyone_else_is_an_error_next_to_the_field(admin_client, legal, request, persona):
    if persona == "other_admin":
        handler = UserFactory(
            username="other_admin", role="admin", building=request.getfixturevalue("outsider").building
        )
    else:
        handler = request.getfixturevalue(persona)
    response = admin_client.post(change_url(legal), named(admin_client, legal, handler))
    assert response.status_code == 200
    assert "handler" in response.context["adminform"].form.errors
    legal.refresh_from_db()
    assert legal.handler is None and legal.handler_kind != "named"


def test_a_superuser_cannot_name_another_buildings_staff_either(client, legal, outsider):
    client.force_login(UserFactory(username="root", role="member", building=None, is_superuser=True, is_staff=True))
    stranger = UserFactory(username="far_liaison", role="liaison", building=outsider.building)
    field = client.get(change_url(legal)).context["adminform"].form.fields["handler"]
    assert stranger not in field.queryset
    response = client.post(change_url(legal), named(client, legal, stranger))
    assert response.status_code == 200 and "handler" in response.context["adminform"].form.errors


def test_the_category_admin_is_closed_to_others(client, login_as, legal, secretary_a):
    assert client.get(change_url(legal))["Location"].startswith(reverse("login"))
    secretary_a.is_staff = True
    secretary_a.save(update_fields=["is_staff"])
    assert login_as(secretary_a).get(change_url(legal)).status_code == 403
