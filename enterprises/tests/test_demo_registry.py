"""The demo enterprise registry (enterprises/demo.py): what an admin, a liaison or a secretary finds about the
building's enterprises on opening the demo. The demo survey is tested with the survey (survey/tests/test_demo.py)."""

import ast
import datetime
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.letters.models import LetterTemplate
from buildingparty import demo
from buildingparty.models import PartyOrganization
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise
from enterprises.selectors import with_member_counts
from enterprises.validators import validate_phone
from members.models import Member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]

CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
RECORD = [
    "employees",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "attitude",
    "party_org_status",
    "party_organization_id",
    "moved_in_on",
    "moved_out_on",
]


def seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


def records() -> dict:
    return {e.credit_code: {f: getattr(e, f) for f in RECORD} for e in Enterprise.objects.all()}


def test_the_steps_run_enterprises_then_members_then_the_survey_then_funds_and_letters():
    names = [step.fn.__module__ + "." + step.fn.__name__ for step in demo.discover_steps()]
    order = [
        "enterprises.demo.seed_enterprises",
        "members.demo.seed_members",
        "enterprises.survey.demo.seed_survey",
        "activities.funds.demo.seed_funds",
        "activities.letters.demo.seed_letters",
    ]
    assert [name for name in names if name in order] == order


def test_every_enterprise_has_staff_a_legal_representative_a_contact_and_dates_that_fit(seeded):
    for enterprise in Enterprise.objects.all():
        assert 3 <= enterprise.employees <= 80, enterprise
        assert CHINESE_NAME.match(enterprise.legal_representative) and CHINESE_NAME.match(enterprise.contact_name)
        assert validate_phone(enterprise.contact_phone) == enterprise.contact_phone
        assert datetime.date(2008, 1, 1) <= enterprise.moved_in_on <= datetime.date(2026, 12, 31)
        if enterprise.status == Enterprise.Status.MOVED_OUT:
            assert enterprise.moved_in_on < enterprise.moved_out_on < timezone.localdate()
        else:
            assert enterprise.moved_out_on is None
    landlines = Enterprise.objects.filter(contact_phone__startswith="0574-6").count()
    assert 0 < landlines < Enterprise.objects.count() / 2
    staff = {kind: [] for kind in Enterprise.Kind.values}
    for kind, employees in Enterprise.objects.values_list("kind", "employees"):
        staff[kind].append(employees)
    averages = {kind: sum(values) / len(values) for kind, values in staff.items()}
    assert averages[Enterprise.Kind.SOCIAL_ORG] < averages[Enterprise.Kind.COMPANY]


def test_owners_are_mostly_supportive_or_neutral_one_or_two_opposed_and_a_few_not_yet_known(seeded):
    attitudes = Counter(Enterprise.objects.values_list("attitude", flat=True))
    total = sum(attitudes.values())
    assert (attitudes["supportive"] + attitudes["neutral"]) / total > 0.7
    assert 0 < attitudes["reserved"] < attitudes["neutral"]
    assert 1 <= attitudes["opposed"] <= 2
    assert 0 < attitudes["unknown"] <= total * 0.1


def test_enterprise_records_for_a_smaller_scale_are_the_start_of_a_larger_one():
    assert enterprise_demo.demo_enterprises(2)[:241] == enterprise_demo.demo_enterprises(1)


def test_coverage_agrees_with_where_the_members_work(seeded):
    for member in Member.objects.filter(enterprise__isnull=False).select_related("organization", "enterprise"):
        enterprise, organization = member.enterprise, member.organization
        if organization.kind == PartyOrganization.Kind.JOINT_BRANCH:
            assert enterprise.party_organization == organization, member
        elif organization.name == demo.PROPERTY_BRANCH:
            assert enterprise.party_org_status == Enterprise.PartyOrgStatus.OWN_BRANCH
        else:  # the building's own branches gather members of units without an organisation
            assert enterprise.party_org_status == Enterprise.PartyOrgStatus.NONE, member
    for enterprise in with_member_counts(Enterprise.objects.all()):
        assert enterprise.employees >= enterprise.member_total


def test_no_member_was_registered_at_an_enterprise_before_it_moved_in(seeded):
    for member in Member.objects.filter(enterprise__isnull=False).select_related("enterprise"):
        registered = member.changes.order_by("changed_at").first().changed_at
        assert member.enterprise.moved_in_on <= timezone.localtime(registered).date(), member


def test_the_default_letters_are_there(seeded):
    titles = set(LetterTemplate.objects.values_list("title", flat=True))
    assert {"致中央大厦党员的一封信", "致“两新”组织企业主的一封信"} <= titles


def test_a_database_seeded_before_enterprises_had_records_gets_them_once_and_edits_are_kept(seeded):
    seeded_records = records()
    # The rows as the first release inserted them; then three users' edits.
    Enterprise.objects.update(**{f: Enterprise._meta.get_field(f).get_default() for f in RECORD})
    rows = list(Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).order_by("credit_code")[:3])
    judged, contacted, moved = rows
    Enterprise.objects.filter(pk=judged.pk).update(attitude=Enterprise.Attitude.RESERVED)
    Enterprise.objects.filter(pk=contacted.pk).update(contact_name="王经理")
    # Moved out (by hand) on a day before the demo says it moved in: the moving-in day is not filled in.
    moved_out_on = seeded_records[moved.credit_code]["moved_in_on"] - datetime.timedelta(days=1)
    Enterprise.objects.filter(pk=moved.pk).update(status=Enterprise.Status.MOVED_OUT, moved_out_on=moved_out_on)

    seed()
    after = records()
    assert after[judged.credit_code]["attitude"] == Enterprise.Attitude.RESERVED
    assert after[judged.credit_code]["legal_representative"] == ""  # somebody's record: left alone
    assert after[contacted.credit_code] == {**seeded_records[contacted.credit_code], "contact_name": "王经理"}
    assert after[moved.credit_code]["moved_in_on"] is None
    assert after[moved.credit_code]["moved_out_on"] == moved_out_on
    assert after[moved.credit_code]["legal_representative"] == seeded_records[moved.credit_code]["legal_representative"]
    for code, record in after.items():
        if code not in {judged.credit_code, contacted.credit_code, moved.credit_code}:
            assert record == seeded_records[code], code

    seed()
    assert records() == after


def test_the_enterprises_floor_seed_imports_no_higher_floor():
    root = Path(enterprise_demo.__file__).parent
    for path in [root / "demo.py", root / "survey" / "demo.py"]:
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {name for name in imported if name.split(".")[0] in {"members", "services", "activities"}}, path
