"""`manage.py seed_demo`: the demo building a new user explores, valid down to every check character."""

import ast
import datetime
import io
import json
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.utils import timezone

from activities.funds.models import FundEntry
from activities.letters.models import LetterTemplate
from buildingparty import demo
from buildingparty.models import Building, PartyOrganization, Role, User
from enterprises.models import Enterprise, EnterpriseChange
from enterprises.selectors import JOINT_BRANCH_MAX_UNITS, coverage_report, organizations_of
from enterprises.survey.models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit
from enterprises.validators import validate_credit_code
from members.demo import demo_members
from members.models import ChangeProposal, Member, MemberChange, MobilePeriod, Transfer
from members.validators import id_birth_date, id_gender, validate_id_number, validate_mobile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_seeded")]


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded):
    return demo_seeded.output


def _rows(queryset, *fields, json_fields=()) -> list:
    """The rows as sortable tuples; JSON values as text, so rows compare whatever the database returns."""
    indexes = [fields.index(f) for f in json_fields]
    rows = [
        tuple(json.dumps(v, sort_keys=True, ensure_ascii=False) if i in indexes else v for i, v in enumerate(row))
        for row in queryset.values_list(*fields)
    ]
    return sorted(rows, key=repr)


def snapshot() -> dict:
    """Every demo row by its natural keys, so two databases (or two moments) can be compared."""
    return {
        "buildings": sorted(Building.objects.values_list("name", "city", "address", "floors")),
        "organizations": sorted(PartyOrganization.objects.values_list("name", "kind", "parent__name", "founded_on")),
        "users": sorted(
            User.objects.values_list(
                "username",
                "password",
                "name",
                "phone",
                "email",
                "role",
                "organization__name",
                "building__name",
                "is_staff",
                "is_superuser",
            )
        ),
        "enterprises": _rows(
            Enterprise.objects,
            "credit_code",
            "name",
            "kind",
            "industry",
            "floor",
            "room",
            "status",
            "liaison__username",
            "employees",
            "legal_representative",
            "contact_name",
            "contact_phone",
            "attitude",
            "party_org_status",
            "party_organization__name",
            "moved_in_on",
            "moved_out_on",
        ),
        "enterprise_history": _rows(
            EnterpriseChange.objects,
            "enterprise__credit_code",
            "action",
            "changes",
            "note",
            "changed_by__username",
            "changed_at",
            json_fields=["changes"],
        ),
        "campaigns": _rows(
            SurveyCampaign.objects,
            "building__name",
            "name",
            "starts_on",
            "ends_on",
            "status",
            "working_group",
            "created_by__username",
        ),
        "visits": _rows(
            SurveyVisit.objects,
            "campaign__name",
            "enterprise__credit_code",
            "visited_on",
            "visitors",
            "met_with",
            "enterprise_situation",
            "members_found",
            "relationships_note",
            "members_thinking",
            "owner_attitude",
            "attitude_note",
            "recorded_by__username",
            "recorded_at",
        ),
        "follow_ups": _rows(
            FollowUp.objects,
            "visit__campaign__name",
            "visit__enterprise__credit_code",
            "visit__visited_on",
            "action",
            "due_on",
            "assigned_to__username",
            "done_on",
            "outcome",
        ),
        "leads": _rows(
            SurveyLead.objects,
            "visit__campaign__name",
            "visit__enterprise__credit_code",
            "visit__visited_on",
            "name",
            "phone",
            "relationship_location",
            "note",
            "status",
            "closed_on",
            "closed_by__username",
            "close_reason",
        ),
        "fund_entries": _rows(
            FundEntry.objects,
            "building__name",
            "date",
            "voucher_number",
            "direction",
            "source",
            "enterprise__credit_code",
            "purpose",
            "amount",
            "description",
            "approver",
            "recorded_by__username",
            "recorded_at",
        ),
        "letters": _rows(
            LetterTemplate.objects, "building__name", "audience", "title", "body", "signature", "updated_by__username"
        ),
        "contacts": sorted(
            Enterprise.contacts.through.objects.values_list("enterprise__credit_code", "user__username")
        ),
        "members": sorted(
            Member.objects.values_list(
                "id_number",
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "category",
                "status",
                "organization__name",
                "enterprise__credit_code",
                "joined_on",
                "full_member_on",
                "phone",
                "is_mobile",
                "mobile_destination",
                "lost_contact_since",
                "user__username",
                "education",
                "job_category__code",
                "job_note",
                "home_address",
                "room",
                "skills",
                "posts",
                "is_hardship",
                "hardship_note",
                "rewards_penalties",
                "shows_membership",
                "showcase_post",
                "expected_full_on",
                "status_changed_on",
                "status_note",
                "name_initials",
            )
        ),
        "transfers": _rows(
            Transfer.objects,
            "letter_number",
            "member__id_number",
            "direction",
            "status",
            "from_organization__name",
            "from_name",
            "to_organization__name",
            "to_name",
            "reason",
            "issued_on",
            "validity_days",
            "dues_paid_until",
            "reported_on",
            "receipt_due_on",
            "receipt_returned_on",
            "closed_on",
            "cancelled_on",
            "cancel_reason",
            "reissue_of__letter_number",
            "created_by__username",
            "created_at",
        ),
        "mobile_periods": _rows(
            MobilePeriod.objects,
            "member__id_number",
            "province",
            "city",
            "county",
            "since",
            "until",
            "card_number",
            "host_organization",
            "created_by__username",
            "created_at",
        ),
        "history": _rows(
            MemberChange.objects,
            "member__id_number",
            "action",
            "changes",
            "note",
            "changed_by__username",
            "changed_at",
            json_fields=["changes"],
        ),
        "proposals": _rows(
            ChangeProposal.objects,
            "member__id_number",
            "status",
            "changes",
            "proposed_by__username",
            "proposed_at",
            "decided_by__username",
            "decided_at",
            "decision_note",
            json_fields=["changes"],
        ),
    }


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_seed_builds_the_central_building_with_241_enterprises_and_52_members_plus_one_transferred_in(seeded):
    building = Building.objects.get()
    assert (building.name, building.city, building.floors) == ("中央大厦", "慈溪市", 28)
    assert building.address.startswith("浙江省慈溪市")
    assert Enterprise.objects.filter(building=building).count() == 241
    members = Member.objects.filter(organization__building=building)
    assert members.count() == 53
    assert members.filter(transfers__direction=Transfer.Direction.IN).count() == 1
    assert members.filter(status=Member.Status.NORMAL, whereabouts=Member.Whereabouts.HERE).count() >= 48
    assert "241 家" in seeded and "53 名" in seeded and demo.DEMO_PASSWORD in seeded


def test_one_general_branch_holds_at_least_four_branches_and_groups_under_two_of_them(seeded):
    general = PartyOrganization.objects.get(kind=PartyOrganization.Kind.GENERAL_BRANCH)
    assert general.name == "中央大厦联合党总支"
    branches = general.children.filter(kind__in=[PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH])
    assert branches.count() >= 4
    assert branches.filter(kind=PartyOrganization.Kind.JOINT_BRANCH).exists()
    groups = PartyOrganization.objects.filter(kind=PartyOrganization.Kind.GROUP)
    assert {g.parent_id for g in groups} <= {b.pk for b in branches}
    assert len({g.parent_id for g in groups}) >= 2
    assert not PartyOrganization.objects.filter(founded_on__isnull=True).exists()


def test_every_member_id_number_is_valid_unique_and_agrees_with_birth_date_and_gender(seeded):
    members = list(Member.objects.all())
    for member in members:
        assert validate_id_number(member.id_number) == member.id_number
        assert id_birth_date(member.id_number) == member.birth_date
        assert id_gender(member.id_number) == member.gender
        assert datetime.date(1960, 1, 1) <= member.birth_date <= datetime.date(2003, 12, 31)
    assert len({m.id_number for m in members}) == len(members)


def test_every_credit_code_is_valid_unique_and_issued_for_the_kind_of_organisation(seeded):
    enterprises = list(Enterprise.objects.all())
    for enterprise in enterprises:
        assert validate_credit_code(enterprise.credit_code) == enterprise.credit_code
        assert enterprise.credit_code[2:8] == "330282"  # registered in Cixi
        if enterprise.kind == Enterprise.Kind.SOCIAL_ORG:
            assert enterprise.credit_code[0] == "5"
        elif enterprise.name.endswith("律师事务所"):
            assert enterprise.credit_code[:2] == "31"  # law firms are registered by the justice bureau
        else:
            assert enterprise.credit_code[0] == "9"
    assert len({e.credit_code for e in enterprises}) == len(enterprises)


def test_enterprises_have_unique_names_rooms_on_floors_two_to_28_and_a_few_moved_out(seeded):
    enterprises = list(Enterprise.objects.all())
    assert len({e.name for e in enterprises}) == len(enterprises)
    assert all(2 <= e.floor <= 28 and e.room.startswith(str(e.floor)) for e in enterprises)
    assert len({(e.floor, e.room) for e in enterprises}) == len(enterprises)
    assert all(e.industry for e in enterprises)
    social = sum(e.kind == Enterprise.Kind.SOCIAL_ORG for e in enterprises)
    assert 12 <= social <= 36  # about a tenth
    assert sum(e.status == Enterprise.Status.MOVED_OUT for e in enterprises) == 6


def test_every_phone_is_a_mainland_mobile_number(seeded):
    phones = list(Member.objects.values_list("phone", flat=True)) + list(User.objects.values_list("phone", flat=True))
    for phone in phones:
        assert validate_mobile(phone) == phone


def test_members_are_full_or_probationary_with_dates_that_fit(seeded):
    today = timezone.localdate()
    members = list(Member.objects.all())
    probationary = [m for m in members if m.category == Member.Category.PROBATIONARY]
    full = [m for m in members if m.category == Member.Category.FULL]
    assert 5 <= len(probationary) <= 10 and full
    for member in probationary:
        assert member.full_member_on is None
        assert today - datetime.timedelta(days=365) < member.joined_on <= today
        assert member.expected_full_on == _add_years(member.joined_on, 1)
    for member in full:
        assert member.joined_on >= _add_years(member.birth_date, 18)
        assert member.full_member_on == _add_years(member.joined_on, 1)
        assert member.full_member_on <= today
        assert member.expected_full_on is None
    # Nobody is suspended (a person decides that); only the two whose transfer out was receipted have left.
    assert Counter(m.status for m in members) == {Member.Status.NORMAL: len(members)}
    assert Counter(m.whereabouts for m in members) == {
        Member.Whereabouts.HERE: len(members) - 2,
        Member.Whereabouts.TRANSFERRED_OUT: 2,
    }
    assert Counter(m.get_ethnicity_display() for m in members).most_common(1)[0][0] == "汉族"


def test_some_members_are_mobile_and_exactly_one_has_lost_contact(seeded):
    mobile = Member.objects.filter(is_mobile=True)
    assert 3 <= mobile.count() <= 6
    assert all(m.mobile_destination for m in mobile)
    assert not Member.objects.filter(is_mobile=False).exclude(mobile_destination="").exists()
    lost = Member.objects.get(lost_contact_since__isnull=False)
    months_ago = (timezone.localdate() - lost.lost_contact_since).days / 30
    assert 6 <= months_ago <= 10
    assert lost.status == Member.Status.NORMAL  # a candidate for 停止党籍, not suspended
    entry = lost.changes.get(action=MemberChange.Action.LOST_CONTACT)
    assert entry.changes == {"lost_contact_since": [None, lost.lost_contact_since.isoformat()]}


def test_each_mobile_member_has_exactly_one_open_period_that_matches_their_destination(seeded):
    today = timezone.localdate()
    for member in Member.objects.filter(is_mobile=True):
        period = member.mobile_periods.get()
        assert period.until is None
        assert period.destination == member.mobile_destination
        assert 7 <= (today - period.since).days / 30.5 <= 20
        assert member.changes.filter(action=MemberChange.Action.MOBILE).count() == 1
    assert not MobilePeriod.objects.filter(member__is_mobile=False).exists()


def test_every_member_has_one_created_entry_and_it_opens_their_history(seeded):
    now = timezone.now()
    for member in Member.objects.prefetch_related("changes"):
        entries = sorted(member.changes.all(), key=lambda c: (c.changed_at, c.pk))
        assert [c.action for c in entries].count(MemberChange.Action.CREATED) == 1, member
        assert entries[0].action == MemberChange.Action.CREATED
        assert entries[-1].changed_at < now


def test_every_transfer_status_and_direction_appears(seeded):
    transfers = Transfer.objects.all()
    assert {t.status for t in transfers} == set(Transfer.Status.values)
    assert {t.direction for t in transfers} == set(Transfer.Direction.values)
    for transfer in transfers:
        assert transfer.member.changes.filter(
            action=MemberChange.Action.TRANSFER, note__contains=transfer.letter_number
        ).exists()


def test_members_wait_for_approval_of_changes_they_proposed_and_earlier_ones_were_decided(seeded):
    proposals = ChangeProposal.objects.all()
    pending = proposals.filter(status=ChangeProposal.Status.PENDING)
    assert 2 <= pending.count() <= 3
    assert pending.filter(member__user__username="member1").exists()
    assert pending.filter(member__organization__name=demo.BRANCH_2).exists()
    assert proposals.filter(status=ChangeProposal.Status.APPROVED).count() == 1
    rejected = proposals.get(status=ChangeProposal.Status.REJECTED)
    assert rejected.decision_note


def test_members_spread_over_branches_groups_and_active_enterprises(seeded):
    organizations = set(Member.objects.values_list("organization__kind", flat=True))
    assert {"branch", "joint_branch", "group"} <= organizations
    assert Member.objects.filter(enterprise__isnull=True).exists()
    assert not Member.objects.filter(enterprise__status=Enterprise.Status.MOVED_OUT).exists()
    social_branch = PartyOrganization.objects.get(name=demo.SOCIAL_ORG_BRANCH)
    assert set(Member.objects.filter(organization=social_branch).values_list("enterprise__kind", flat=True)) == {
        Enterprise.Kind.SOCIAL_ORG
    }
    for joint_branch in PartyOrganization.objects.filter(kind=PartyOrganization.Kind.JOINT_BRANCH):
        assert Member.objects.filter(organization=joint_branch).values("enterprise").distinct().count() <= 5


def test_demo_accounts_exist_with_their_roles_and_the_demo_password(seeded):
    expected = {
        "admin": Role.ADMIN,
        "secretary1": Role.SECRETARY,
        "secretary2": Role.SECRETARY,
        "liaison1": Role.LIAISON,
        "member1": Role.MEMBER,
        "contact1": Role.CONTACT,
        "street1": Role.STREET,
    }
    users = {u.username: u for u in User.objects.filter(username__in=expected)}
    assert {name: u.role for name, u in users.items()} == expected
    for user in users.values():
        assert check_password("demo-pass-2026", user.password), user.username
        assert user.name and user.email == f"{user.username}@demo.local"
        assert not user.is_superuser
    assert users["admin"].is_staff
    assert users["street1"].building is None
    assert all(u.building.name == "中央大厦" for name, u in users.items() if name != "street1")


def test_member1_is_a_full_member_of_the_branch_secretary1_runs(seeded):
    member = Member.objects.get(user__username="member1")
    secretary1 = User.objects.get(username="secretary1")
    assert member.organization == secretary1.organization
    assert member.category == Member.Category.FULL
    assert member.name == member.user.name


def test_the_two_secretaries_run_different_branches(seeded):
    secretary1, secretary2 = User.objects.get(username="secretary1"), User.objects.get(username="secretary2")
    assert secretary1.organization != secretary2.organization
    for secretary in (secretary1, secretary2):
        assert secretary.organization.kind == PartyOrganization.Kind.BRANCH
        assert secretary.organization.children.filter(kind=PartyOrganization.Kind.GROUP).exists()


def test_contact1_speaks_for_an_active_enterprise_with_party_members(seeded):
    enterprise = User.objects.get(username="contact1").contact_enterprises.get()
    assert enterprise.status == Enterprise.Status.ACTIVE
    assert enterprise.members.exists()


def test_liaisons_look_after_twelve_enterprises_each(seeded):
    for username in ["liaison1", "liaison2", "liaison3"]:
        assert User.objects.get(username=username).liaison_enterprises.count() == 12


def test_every_kind_of_coverage_and_every_coverage_flag_appears(seeded):
    enterprises = Enterprise.objects.all()
    report = coverage_report(enterprises, organizations_of(enterprises))
    property_company = Enterprise.objects.get(name="慈溪市中央大厦物业管理有限公司")
    assert property_company.party_org_status == Enterprise.PartyOrgStatus.OWN_BRANCH
    assert property_company.party_organization.name == demo.PROPERTY_BRANCH
    units = {org.name: org.units for org in report.joint_branches}
    assert units[demo.ECOMMERCE_BRANCH] in (6, 7) and units[demo.SOCIAL_ORG_BRANCH] <= JOINT_BRANCH_MAX_UNITS
    assert [org.name for org in report.oversized_joint_branches] == [demo.ECOMMERCE_BRANCH]
    assert [e.party_org_status for e in report.should_form_branch] == [Enterprise.PartyOrgStatus.JOINT_BRANCH]
    # The building's own branches hold the members of small companies: the street counts those companies as
    # covered by the building's organisation (区域兜底), and no unit's members are outside the building's tree.
    assert report.covered_by_building and not report.members_without_organization
    assert all(row.total for row in report.rows)  # own branch, joint branch, the building's and none all occur


def test_this_years_survey_is_part_way_and_last_years_is_closed(seeded):
    current = SurveyCampaign.objects.get(status=SurveyCampaign.Status.ACTIVE)
    today = timezone.localdate()
    assert current.name == f"{current.starts_on.year} 年度调查摸底"
    assert 80 <= (today - current.starts_on).days <= 100
    assert all(who in current.working_group for who in ("浒山街道", "中央社区", "物业公司"))
    active = Enterprise.objects.filter(status=Enterprise.Status.ACTIVE)
    visited = active.filter(visits__campaign=current).distinct().count()
    assert 0.4 <= visited / active.count() <= 0.8
    visits = list(current.visits.all())
    complete = sum(v.is_complete for v in visits)
    assert 0.75 <= complete / len(visits) < 1
    assert any(not v.five_clears["thinking"] and v.five_clears["members"] for v in visits)
    assert Counter(v.enterprise_id for v in visits).most_common(1)[0][1] == 2  # some visited twice
    assert all(current.starts_on <= v.visited_on < today for v in visits)
    previous = SurveyCampaign.objects.get(status=SurveyCampaign.Status.CLOSED)
    assert previous.name == f"{current.starts_on.year - 1} 年度调查摸底"
    assert 5 <= previous.visits.count() <= 8
    assert all(previous.starts_on <= v.visited_on <= previous.ends_on for v in previous.visits.all())


def test_the_survey_left_open_leads_one_closed_lead_and_an_overdue_follow_up(seeded):
    leads = SurveyLead.objects.all()
    assert 4 <= leads.filter(status=SurveyLead.Status.OPEN).count() <= 6
    closed = leads.get(status=SurveyLead.Status.CLOSED)
    assert closed.close_reason and closed.closed_on < timezone.localdate()
    assert all(lead.name and lead.relationship_location for lead in leads)
    today = timezone.localdate()
    follow_ups = FollowUp.objects.all()
    overdue = follow_ups.filter(done_on__isnull=True, due_on__lt=today).count()
    assert 1 <= overdue <= 2
    assert follow_ups.filter(done_on__isnull=False).exists()
    assert follow_ups.filter(done_on__isnull=True, due_on__gte=today).exists()


def test_the_funding_ledger_has_street_and_enterprise_money_and_a_positive_balance(seeded):
    entries = list(FundEntry.objects.order_by("date", "pk"))
    today = timezone.localdate()
    years = {e.date.year for e in entries}
    assert today.year - 1 in years and years <= {today.year - 1, today.year}
    assert {e.source for e in entries if e.direction == FundEntry.Direction.INCOME} == {
        FundEntry.Source.STREET,
        FundEntry.Source.ENTERPRISE,
    }
    sponsors = [e for e in entries if e.source == FundEntry.Source.ENTERPRISE]
    assert 4 <= len(sponsors) <= 8
    assert all(e.enterprise.attitude == Enterprise.Attitude.SUPPORTIVE for e in sponsors)
    balance = 0
    for entry in entries:
        entry.full_clean()
        balance += entry.amount if entry.direction == FundEntry.Direction.INCOME else -entry.amount
        assert balance > 0, entry
    expenses = [e for e in entries if e.direction == FundEntry.Direction.EXPENSE]
    assert len({e.purpose for e in expenses}) >= 5
    assert all(e.voucher_number.startswith(f"记-{e.date.year}-") and e.approver for e in expenses)


def test_running_the_seed_twice_changes_nothing(seeded):
    before = snapshot()
    second = seed()
    assert snapshot() == before
    assert "本次新增 0 家" in second and "本次新增 0 名" in second


def test_running_the_seed_again_next_year_changes_nothing(seeded):
    before = snapshot()
    next_year = timezone.localdate() + datetime.timedelta(days=400)
    with mock.patch("django.utils.timezone.localdate", return_value=next_year):
        seed()
    assert snapshot() == before


def test_a_changed_demo_password_is_left_alone_by_a_rerun(seeded):
    user = User.objects.get(username="liaison1")
    user.set_password("something-else-2026")
    user.save()
    before = snapshot()
    seed()
    user.refresh_from_db()
    assert user.check_password("something-else-2026")
    assert snapshot() == before


def test_the_ground_floor_seed_does_not_import_higher_floors():
    root = Path(demo.__file__).parent
    for path in [root / "demo.py", root / "management" / "commands" / "seed_demo.py"]:
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {
            name for name in imported if name.split(".")[0] in {"enterprises", "members", "services", "activities"}
        }, path


def test_the_demo_members_are_the_same_people_whatever_day_the_seed_runs():
    def people(today):
        return [
            (m.id_number, m.name, m.enterprise, m.organization, m.category, m.is_mobile)
            for m in demo_members(2, today=today)
        ]

    assert people(datetime.date(2026, 11, 27)) == people(datetime.date(2031, 2, 3))
