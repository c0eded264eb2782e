import datetime

import factory

from members.committees.models import CommitteeSeat, CommitteeTerm
from tests.factories import MemberFactory, OrganizationFactory


class CommitteeTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeTerm

    organization = factory.SubFactory(OrganizationFactory)
    is_committee = True
    elected_on = datetime.date(2024, 6, 1)
    term_years = 3
    ends_on = factory.LazyAttribute(lambda t: CommitteeTerm.end_of_term(t.elected_on, t.term_years))


class CommitteeSeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeSeat

    term = factory.SubFactory(CommitteeTermFactory)
    member = factory.SubFactory(MemberFactory, organization=factory.SelfAttribute("..term.organization"))
    post = CommitteeSeat.Post.MEMBER
    since = factory.LazyAttribute(lambda s: s.term.elected_on)
