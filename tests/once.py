"""Helpers for the double-submit tests (``buildingparty.submissions``): the token a rendered form carries, and a
client of its own per user (the ``client`` fixture is one client shared by every persona)."""

import re

from django.test import Client

from buildingparty.submissions import TOKEN_FIELD

ALREADY = "该表单已提交过，以下是第一次提交的结果"


def token_on_page(response) -> str:
    """The one-time token of the (first) form on the page; fails the test when the form has none."""
    found = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_text(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])
