"""What the tests of pages kept by ``buildingparty.data_cache`` share: a signed-in client, the page's content (what
``data_cache.page`` keeps: inside ``<main>``) and the statements of a capture that read a table."""

import re

from django.test import Client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def main(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def queries_on(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if table in q["sql"]]


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def main_without_tokens(response) -> str:
    """``main``, each form's CSRF token (masked anew for every request) left out: two requests' pages compare."""
    return TOKEN.sub('name="csrfmiddlewaretoken"', main(response))
