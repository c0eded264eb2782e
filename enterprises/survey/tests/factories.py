"""Factories for survey tests (kept with the survey rather than in tests/factories.py, which others own)."""

import datetime

import factory
from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.survey.models import FollowUp, SurveyCampaign, SurveyLead, SurveyVisit
from tests.factories import BuildingFactory, EnterpriseFactory

# Everything a visit needs for all five clears.
FIVE_CLEARS = {
    "enterprise_situation": "跨境电商，员工 18 人，入驻 3 年",
    "members_found": 2,
    "relationships_note": "1 人关系在本楼第一支部，1 人在户籍地村党支部",
    "members_thinking": "愿意参加楼宇组织生活",
    "owner_attitude": Enterprise.Attitude.SUPPORTIVE,
}


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyCampaign

    building = factory.SubFactory(BuildingFactory)
    name = factory.Sequence(lambda n: f"{2026 + n % 5} 年度调查摸底 {n}")
    starts_on = datetime.date(2026, 3, 1)
    status = SurveyCampaign.Status.ACTIVE
    working_group = "街道：周明；社区：陈芳；物业：吴强"


class VisitFactory(factory.django.DjangoModelFactory):
    """A visit with nothing clear yet; pass ``**FIVE_CLEARS`` for a complete one."""

    class Meta:
        model = SurveyVisit

    campaign = factory.SubFactory(CampaignFactory)
    enterprise = factory.SubFactory(EnterpriseFactory, building=factory.SelfAttribute("..campaign.building"))
    visited_on = factory.LazyFunction(timezone.localdate)
    visitors = "周明、陈芳"


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyLead

    visit = factory.SubFactory(VisitFactory)
    name = factory.Sequence(lambda n: f"线索党员{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    relationship_location = "中共余姚市某镇某村委员会"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    visit = factory.SubFactory(VisitFactory)
    action = "送《致中央大厦党员的一封信》"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
