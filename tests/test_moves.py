"""Moving dues and points out of the members app keeps every row (members 0006, dues and points 0001–0002), and
so does moving the building survey out of the enterprises app (survey 0001, members 0007, enterprises 0004,
survey 0002).

The test database is taken back to the last migration before the move, rows are written through the
historical models of that moment, and the database is migrated forward again: every row, every foreign key,
the content types with their permissions and the points' sources must come through. It runs on SQLite and, in
CI, on PostgreSQL.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import BuildingFactory, EnterpriseFactory, MemberFactory, OrganizationFactory, UserFactory

BEFORE_MOVE = [("members", "0005_dues_bill_excused_by")]
# After the dues move, before the survey's: the survey app not applied at all (its 0001 is state only).
BEFORE_SURVEY_MOVE = [
    ("enterprises", "0003_alter_surveylead_options"),
    ("members", "0006_move_dues_and_points"),
    ("survey", None),
]
SURVEY_MODELS = ["surveycampaign", "surveyvisit", "followup", "surveylead"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_moving_dues_and_points_to_their_own_apps_keeps_every_row_and_key():
    building = BuildingFactory()
    branch = OrganizationFactory(building=building)
    secretary = UserFactory(building=building)
    enterprise = EnterpriseFactory(building=building)
    member = MemberFactory(organization=branch, enterprise=enterprise)
    clerks = Group.objects.create(name="dues clerks")
    clerks.permissions.add(Permission.objects.get(codename="view_duesbill"))
    permission_ids = set(Permission.objects.filter(content_type__app_label="dues").values_list("pk", flat=True))

    executor = migrate(BEFORE_MOVE)
    old = executor.loader.project_state(BEFORE_MOVE).apps
    # before the move the tables and content types are the members app's
    assert "members_duesbill" in connection.introspection.table_names()
    assert "dues_duesbill" not in connection.introspection.table_names()
    assert ContentType.objects.filter(app_label="members", model="duesbill").exists()

    standard = old.get_model("members", "DuesStandard").objects.create(
        member_id=member.pk,
        year=2026,
        kind="employed",
        declared_base=Decimal("6000.00"),
        computed_amount=Decimal("90.00"),
        payer="enterprise",
        payer_enterprise_id=enterprise.pk,
        status="confirmed",
        confirmed_by_id=secretary.pk,
    )
    bills = [
        old.get_model("members", "DuesBill").objects.create(
            member_id=member.pk,
            organization_id=branch.pk,
            month=datetime.date(2026, month, 1),
            amount=Decimal("90.00"),
            paid_amount=Decimal("90.00") if month < 3 else Decimal("0"),
            paid_on=datetime.date(2026, month, 10) if month < 3 else None,
            standard_id=standard.pk,
        )
        for month in (1, 2, 3)
    ]
    payment = old.get_model("members", "DuesPayment").objects.create(
        member_id=member.pk,
        amount=Decimal("180.00"),
        paid_on=datetime.date(2026, 2, 10),
        method="proxy",
        payer_enterprise_id=enterprise.pk,
        first_month=datetime.date(2026, 1, 1),
        last_month=datetime.date(2026, 2, 1),
        receipt_number="DF-2026-001",
        recorded_by_id=secretary.pk,
    )
    Allocation = old.get_model("members", "DuesAllocation")
    for bill in bills[:2]:
        Allocation.objects.create(payment_id=payment.pk, bill_id=bill.pk, amount=Decimal("90.00"))
    on_time = old.get_model("members", "PointRule").objects.create(
        building_id=building.pk, code="dues_on_time", name="党费按时交纳", points=2, kind="automatic", yearly_cap=24
    )
    volunteering = old.get_model("members", "PointRule").objects.create(
        building_id=building.pk, code="volunteer", name="志愿服务", points=5, kind="claimed"
    )
    old.get_model("members", "PointYear").objects.create(building_id=building.pk, year=2026, base_score=60)
    Entry = old.get_model("members", "PointEntry")
    automatic = Entry.objects.create(
        member_id=member.pk,
        rule_id=on_time.pk,
        year=2026,
        occurred_on=datetime.date(2026, 1, 10),
        points=2,
        source=f"members.duesbill:{bills[0].pk}",
        status="approved",
    )
    claim = Entry.objects.create(
        member_id=member.pk,
        rule_id=volunteering.pk,
        year=2026,
        occurred_on=datetime.date(2026, 3, 1),
        points=5,
        note="楼道清洁",
        evidence="points/2026/证明.pdf",
        status="rejected",
        decision_note="缺少组织方证明",
        created_by_id=secretary.pk,
        decided_by_id=secretary.pk,
    )

    migrate(latest())

    from members.dues.models import DuesAllocation, DuesBill, DuesPayment, DuesStandard
    from members.points.models import PointEntry, PointRule, PointYear

    tables = connection.introspection.table_names()
    assert {"dues_duesbill", "dues_duesstandard", "points_pointentry"} <= set(tables)
    assert not [t for t in tables if t.startswith(("members_dues", "members_point"))]

    moved = DuesStandard.objects.get(pk=standard.pk)
    assert (moved.member_id, moved.confirmed_by_id, moved.amount) == (member.pk, secretary.pk, Decimal("90.00"))
    # no unit pays a member's dues: the enterprise payer became the member, its name kept in the note (dues 0003)
    assert moved.payer == "self" and enterprise.name in moved.note
    assert list(
        DuesBill.objects.order_by("month").values_list("pk", "member_id", "organization_id", "standard_id")
    ) == [(bill.pk, member.pk, branch.pk, standard.pk) for bill in bills]
    assert DuesPayment.objects.get(pk=payment.pk).receipt_number == "DF-2026-001"
    assert sorted(DuesAllocation.objects.values_list("payment_id", "bill_id")) == [
        (payment.pk, bills[0].pk),
        (payment.pk, bills[1].pk),
    ]
    assert PointRule.objects.filter(building=building).count() == 2
    assert PointYear.objects.get(building=building, year=2026).base_score == 60
    assert PointEntry.objects.get(pk=automatic.pk).source == f"dues.duesbill:{bills[0].pk}"
    rejected = PointEntry.objects.get(pk=claim.pk)
    assert (rejected.evidence.name, rejected.decision_note, rejected.decided_by_id) == (
        "points/2026/证明.pdf",
        "缺少组织方证明",
        secretary.pk,
    )
    # content types moved with their permissions, and a group keeps what it was given
    assert not ContentType.objects.filter(app_label="members", model__in=["duesbill", "pointentry"]).exists()
    assert set(Permission.objects.filter(content_type__app_label="dues").values_list("pk", flat=True)) == permission_ids
    assert clerks.permissions.get().content_type.app_label == "dues"
    # the source was renamed, so the nightly crediting finds the January bill done and does not credit it again
    from members.points import services as points

    points.credit_automatic(building_id=building.pk, since=datetime.date(2026, 1, 1), until=datetime.date(2026, 2, 28))
    assert PointEntry.objects.filter(rule__code="dues_on_time").count() == 2


@pytest.mark.django_db(transaction=True)
def test_moving_the_survey_to_its_own_app_keeps_every_row_and_key():
    building = BuildingFactory()
    branch = OrganizationFactory(building=building)
    admin = UserFactory(building=building, role="admin")
    liaison = UserFactory(building=building, role="liaison")
    enterprise = EnterpriseFactory(building=building, liaison=liaison)
    member = MemberFactory(organization=branch, enterprise=enterprise)
    surveyors = Group.objects.create(name="survey clerks")
    surveyors.permissions.add(Permission.objects.get(codename="view_surveyvisit"))
    permission_ids = set(Permission.objects.filter(content_type__app_label="survey").values_list("pk", flat=True))

    executor = migrate(BEFORE_SURVEY_MOVE)
    old = executor.loader.project_state([target for target in BEFORE_SURVEY_MOVE if target[1]]).apps
    # before the move the tables and content types are the enterprises app's
    tables = connection.introspection.table_names()
    assert {"enterprises_surveyvisit", "enterprises_followup"} <= set(tables)
    assert not [t for t in tables if t.startswith("survey_")]
    assert ContentType.objects.filter(app_label="enterprises", model="surveyvisit").exists()

    campaign = old.get_model("enterprises", "SurveyCampaign").objects.create(
        building_id=building.pk,
        name="2026 年度调查摸底",
        starts_on=datetime.date(2026, 3, 1),
        status="active",
        working_group="街道：周明；社区：陈芳",
        created_by_id=admin.pk,
    )
    Visit = old.get_model("enterprises", "SurveyVisit")
    complete = Visit.objects.create(
        campaign_id=campaign.pk,
        enterprise_id=enterprise.pk,
        visited_on=datetime.date(2026, 3, 10),
        visitors="周明、陈芳",
        enterprise_situation="跨境电商，员工 18 人",
        members_found=2,
        relationships_note="1 人在本楼第一支部，1 人在老家村党支部",
        members_thinking="愿意参加楼宇组织生活",
        owner_attitude="supportive",
        recorded_by_id=liaison.pk,
    )
    incomplete = Visit.objects.create(
        campaign_id=campaign.pk, enterprise_id=enterprise.pk, visited_on=datetime.date(2026, 3, 20)
    )
    FollowUp = old.get_model("enterprises", "FollowUp")
    done = FollowUp.objects.create(
        visit_id=complete.pk,
        action="送《致党员的一封信》",
        due_on=datetime.date(2026, 3, 24),
        assigned_to_id=liaison.pk,
        done_on=datetime.date(2026, 3, 18),
        outcome="已送达",
    )
    open_follow_up = FollowUp.objects.create(
        visit_id=incomplete.pk, action="再次拜访企业负责人", due_on=datetime.date(2026, 4, 10), assigned_to_id=admin.pk
    )
    Lead = old.get_model("enterprises", "SurveyLead")
    transferred = Lead.objects.create(
        visit_id=complete.pk,
        name=member.name,
        phone="13712345678",
        relationship_location="中共余姚市梨洲街道某社区委员会",
        status="transferred_in",
        closed_on=datetime.date(2026, 3, 30),
        closed_by_id=admin.pk,
    )
    open_lead = Lead.objects.create(
        visit_id=complete.pk, name="赵立群", relationship_location="河南省固始县某村党支部", note="愿意转入"
    )
    closed = Lead.objects.create(
        visit_id=incomplete.pk,
        name="钱伟",
        relationship_location="宁波大学某学生党支部",
        status="closed",
        closed_on=datetime.date(2026, 3, 29),
        closed_by_id=admin.pk,
        close_reason="已离职",
    )
    old.get_model("members", "Member").objects.filter(pk=member.pk).update(source_lead_id=transferred.pk)
    incoming = old.get_model("members", "IncomingMobileMember").objects.create(
        name="孙立",
        home_organization="宁波市人才服务中心流动党员党支部",
        host_organization_id=branch.pk,
        since=datetime.date(2026, 4, 1),
        enterprise_id=enterprise.pk,
        source_lead_id=closed.pk,
    )

    migrate(latest())

    from enterprises.survey import services as survey_services
    from enterprises.survey.models import FollowUp as NewFollowUp
    from enterprises.survey.models import SurveyCampaign, SurveyLead, SurveyVisit
    from members.models import IncomingMobileMember, Member

    tables = connection.introspection.table_names()
    assert {f"survey_{model}" for model in SURVEY_MODELS} <= set(tables)
    assert not [t for t in tables if t.startswith(("enterprises_survey", "enterprises_followup"))]

    moved = SurveyCampaign.objects.get(pk=campaign.pk)
    assert (moved.building_id, moved.name, moved.created_by_id) == (building.pk, "2026 年度调查摸底", admin.pk)
    assert list(
        SurveyVisit.objects.order_by("pk").values_list("pk", "campaign_id", "enterprise_id", "recorded_by_id")
    ) == [(complete.pk, campaign.pk, enterprise.pk, liaison.pk), (incomplete.pk, campaign.pk, enterprise.pk, None)]
    assert SurveyVisit.objects.get(pk=complete.pk).is_complete
    assert not SurveyVisit.objects.get(pk=incomplete.pk).is_complete
    assert list(
        NewFollowUp.objects.order_by("pk").values_list("pk", "visit_id", "assigned_to_id", "done_on", "outcome")
    ) == [
        (done.pk, complete.pk, liaison.pk, datetime.date(2026, 3, 18), "已送达"),
        (open_follow_up.pk, incomplete.pk, admin.pk, None, ""),
    ]
    assert list(SurveyLead.objects.order_by("pk").values_list("pk", "visit_id", "status", "closed_by_id")) == [
        (transferred.pk, complete.pk, "transferred_in", admin.pk),
        (open_lead.pk, complete.pk, "open", None),
        (closed.pk, incomplete.pk, "closed", admin.pk),
    ]
    # the members' keys into the leads survived the rename, both ways round
    assert Member.objects.get(pk=member.pk).source_lead.visit.campaign == moved
    assert SurveyLead.objects.get(pk=transferred.pk).members.get() == member
    assert IncomingMobileMember.objects.get(pk=incoming.pk).source_lead_id == closed.pk
    assert SurveyLead.objects.get(pk=closed.pk).incoming_member.pk == incoming.pk
    # content types moved with their permissions, and a group keeps what it was given
    assert not ContentType.objects.filter(app_label="enterprises", model__in=SURVEY_MODELS).exists()
    assert set(Permission.objects.filter(content_type__app_label="survey").values_list("pk", flat=True)) == (
        permission_ids
    )
    assert surveyors.permissions.get().content_type.app_label == "survey"
    # the renamed tables take new rows (their keys' sequences came along) and the services work on them
    survey_services.lead_close(lead=SurveyLead.objects.get(pk=open_lead.pk), reason="已在本楼登记", by=admin)
    assert SurveyLead.objects.get(pk=open_lead.pk).status == SurveyLead.Status.CLOSED
    again = SurveyVisit.objects.create(campaign=moved, enterprise=enterprise, visited_on=datetime.date(2026, 4, 2))
    assert again.pk > incomplete.pk
    assert (
        NewFollowUp.objects.create(visit=again, action="回访", due_on=datetime.date(2026, 4, 20)).pk > open_follow_up.pk
    )
