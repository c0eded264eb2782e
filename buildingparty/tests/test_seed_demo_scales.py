"""`manage.py seed_demo --scale N` into an empty database: a second unit of the building, the same rows whether
seeded at once or step by step, and the scales refused. (test_seed_demo.py checks the demo seeded once.)"""

import pytest
from django.core.management import CommandError
from django.db import transaction

from buildingparty import demo
from buildingparty.models import Building, PartyOrganization, User
from buildingparty.tests.test_seed_demo import seed, snapshot
from enterprises.models import Enterprise
from enterprises.selectors import coverage_report
from enterprises.survey.models import SurveyCampaign, SurveyLead, SurveyVisit
from enterprises.validators import validate_credit_code, validate_phone
from members.models import ChangeProposal, Member, MemberChange, MobilePeriod, Transfer
from members.validators import id_birth_date, id_gender, validate_id_number, validate_mobile

pytestmark = pytest.mark.django_db


def test_scale_two_gives_482_valid_enterprises_and_104_valid_members_plus_one_transferred_in():
    seed("--scale", "2")
    enterprises, members = list(Enterprise.objects.all()), list(Member.objects.all())
    assert len(enterprises) == 482 and len({e.credit_code for e in enterprises}) == 482
    assert len({e.name for e in enterprises}) == 482
    assert len(members) == 105 and len({m.id_number for m in members}) == 105
    for enterprise in enterprises:
        validate_credit_code(enterprise.credit_code)
    for member in members:
        validate_id_number(member.id_number)
        assert (id_birth_date(member.id_number), id_gender(member.id_number)) == (member.birth_date, member.gender)
        validate_mobile(member.phone)
    assert Member.objects.filter(lost_contact_since__isnull=False).count() == 1
    assert User.objects.get(username="liaison1").liaison_enterprises.count() == 12
    # Every member is recorded and every mobile member is away; transfers and proposals happen once.
    assert MemberChange.objects.filter(action=MemberChange.Action.CREATED).count() == 105
    assert MobilePeriod.objects.filter(until__isnull=True).count() == Member.objects.filter(is_mobile=True).count() == 8
    assert Transfer.objects.count() == 10
    assert ChangeProposal.objects.filter(status=ChangeProposal.Status.PENDING).count() == 3
    # Each unit of 241 has its survey visits and leads; the ledger and the rounds are the building's.
    for unit in (enterprises[:241], enterprises[241:]):
        assert SurveyVisit.objects.filter(enterprise__in=unit).count() > 100
    assert SurveyLead.objects.filter(status=SurveyLead.Status.OPEN).count() == 10
    assert SurveyCampaign.objects.count() == 2
    assert not SurveyVisit.objects.exclude(enterprise__status=Enterprise.Status.ACTIVE).exists()
    for enterprise in enterprises:
        if enterprise.contact_phone:
            validate_phone(enterprise.contact_phone)
    report = coverage_report(Enterprise.objects.all(), PartyOrganization.objects.all())
    assert report.should_form_branch and report.covered_by_building and report.oversized_joint_branches


def test_scale_one_then_scale_two_gives_the_same_rows_as_scale_two_at_once():
    with transaction.atomic():
        seed("--scale", "2")
        at_once = snapshot()
        transaction.set_rollback(True)
    assert not Enterprise.objects.exists()

    seed()
    scale_one = snapshot()
    seed("--scale", "2")
    step_by_step = snapshot()

    # Only the password hashes differ: each is salted when it is made. And the property company's visits:
    # every unit's property staff work there, so a visit counts the members registered when it was made. And the
    # excused month's history line: each run excuses one month of a member it records payments for, and a member
    # paid in an earlier run is not planned again, so seeding twice excuses two members' months, once one.
    property_company = Enterprise.objects.get(name="慈溪市中央大厦物业管理有限公司").credit_code
    for rows in (at_once, step_by_step, scale_one):
        rows["users"] = [(username, *rest) for username, _password, *rest in rows["users"]]
        rows["visits"] = [
            (*visit[:6], None, None, *visit[8:]) if visit[1] == property_company else visit for visit in rows["visits"]
        ]
        rows["history"] = [line for line in rows["history"] if '"excused_reason"' not in line[2]]
    assert step_by_step == at_once
    for table in ("enterprises", "members", "transfers", "mobile_periods", "history", "proposals", "visits", "leads"):
        assert set(scale_one[table]) <= set(step_by_step[table])


@pytest.mark.parametrize("scale", ["0", "-1", "x", str(demo.MAX_SCALE + 1)])
def test_scale_must_be_a_whole_number_from_one_up(scale):
    with pytest.raises(CommandError):
        seed("--scale", scale)
    assert not Building.objects.exists()
