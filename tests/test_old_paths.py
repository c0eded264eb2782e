"""Every path that answered before dues, points, the survey, funds and letters became apps of their own answers
the same.

The paths are the URL table as it stood before the move; only the names moved into the new namespaces
(``members:dues_month`` → ``dues:month``). Each path must resolve to the view named for it, reverse back to the
same path, and open for a reader of that page.
"""

import pytest
from django.urls import resolve, reverse

# (path as before the move, the URL name it has now)
PATHS = [
    ("/members/dues/", "dues:month"),
    ("/members/dues/generate/", "dues:generate"),
    ("/members/dues/mine/", "dues:mine"),
    ("/members/dues/arrears/", "dues:arrears"),
    ("/members/dues/member/7/", "dues:member"),
    ("/members/dues/member/7/pay/", "dues:record_payment"),
    ("/members/dues/bills/7/excuse/", "dues:excuse_bill"),
    ("/members/dues/standards/", "dues:standards"),
    ("/members/dues/standards/mine/", "dues:declare"),
    ("/members/dues/standards/round/", "dues:round"),
    ("/members/dues/standards/member/7/2026/", "dues:standard"),
    ("/members/dues/standards/7/confirm/", "dues:standard_confirm"),
    ("/members/dues/standards/7/override/", "dues:standard_override"),
    ("/members/dues/reports/ledger/", "dues:ledger"),
    ("/members/dues/reports/ledger/export/", "dues:ledger_export"),
    ("/members/dues/reports/collection/", "dues:collection"),
    ("/members/dues/reports/annual/", "dues:annual_report"),
    ("/members/points/", "points:mine"),
    ("/members/points/claim/", "points:claim"),
    ("/members/points/claims/", "points:claims"),
    ("/members/points/claims/7/decide/", "points:decide"),
    ("/members/points/entries/7/evidence/", "points:evidence"),
    ("/members/points/members/7/", "points:member"),
    ("/members/points/members/7/deduct/", "points:deduct"),
    ("/members/points/board/", "points:board"),
    ("/members/points/rules/", "points:rules"),
    ("/members/points/rules/new/", "points:rule_create"),
    ("/members/points/rules/defaults/", "points:rules_defaults"),
    ("/members/points/rules/7/edit/", "points:rule_edit"),
    ("/members/points/rules/7/retire/", "points:rule_retire"),
    ("/members/points/years/", "points:years"),
    ("/activities/letters/", "letters:list"),
    ("/activities/letters/new/", "letters:create"),
    ("/activities/letters/7/edit/", "letters:edit"),
    ("/activities/letters/7/print/", "letters:print"),
    ("/activities/funds/", "funds:list"),
    ("/activities/funds/new/", "funds:create"),
    ("/activities/funds/7/edit/", "funds:edit"),
    ("/activities/funds/summary/", "funds:summary"),
    ("/activities/funds/export/", "funds:export"),
    # the register's own paths, which must not be shadowed by the new apps
    ("/members/", "members:list"),
    ("/members/7/", "members:detail"),
    ("/members/transfers/", "members:transfer_list"),
    ("/members/transfers/7/letter/", "members:transfer_letter"),
    ("/members/leads/7/incoming/", "members:lead_incoming"),
    # the building survey (enterprises.survey), still under /enterprises/
    ("/enterprises/survey/", "survey:campaign_list"),
    ("/enterprises/survey/new/", "survey:campaign_create"),
    ("/enterprises/survey/7/", "survey:campaign_detail"),
    ("/enterprises/survey/7/edit/", "survey:campaign_edit"),
    ("/enterprises/survey/7/visit/8/", "survey:visit_create"),
    ("/enterprises/visits/7/", "survey:visit_detail"),
    ("/enterprises/visits/7/edit/", "survey:visit_edit"),
    ("/enterprises/follow-ups/7/done/", "survey:follow_up_done"),
    ("/enterprises/leads/", "survey:lead_list"),
    ("/enterprises/leads/7/close/", "survey:lead_close"),
    # the registry's own paths, which the survey must not shadow
    ("/enterprises/", "enterprises:list"),
    ("/enterprises/7/", "enterprises:detail"),
    ("/enterprises/coverage/", "enterprises:coverage"),
]


@pytest.mark.parametrize("path, name", PATHS)
def test_an_old_path_resolves_to_its_view_under_the_new_name(path, name):
    match = resolve(path)
    assert match.view_name == name
    assert reverse(name, args=match.args, kwargs=match.kwargs) == path


# Pages the building's admin reads without an object in the path: each still opens.
ADMIN_PAGES = [
    "/members/dues/",
    "/members/dues/arrears/",
    "/members/dues/standards/",
    "/members/dues/reports/ledger/",
    "/members/dues/reports/collection/",
    "/members/dues/reports/annual/",
    "/members/points/board/",
    "/members/points/claims/",
    "/members/points/rules/",
    "/members/points/years/",
    "/activities/letters/",
    "/activities/funds/",
    "/activities/funds/summary/",
    "/enterprises/survey/",
    "/enterprises/leads/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_an_old_page_still_opens_for_the_admin(admin_client, path):
    assert admin_client.get(path).status_code == 200
