"""factory-boy factories for the shared model."""

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from posc.members.models import (
    County,
    CoverageType,
    EnrollmentSpan,
    Member,
    Plan,
    Program,
    ProviderLink,
    RateCell,
    Region,
    Residence,
    ServiceArea,
)

User = get_user_model()


class UserFactory(DjangoModelFactory[User]):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@posc.example")
    password = factory.django.Password("posc-test-pw")

    class Meta:
        model = User
        skip_postgeneration_save = True


class PlanFactory(DjangoModelFactory[Plan]):
    provider_id = factory.Sequence(lambda n: f"{190000000 + n:09d}A")
    name = factory.Sequence(lambda n: f"Example Plan {n}")
    program = Program.SCO

    class Meta:
        model = Plan
        django_get_or_create = ("provider_id",)
        skip_postgeneration_save = True

    @factory.post_generation
    def counties(self, create, extracted, **kwargs):
        """Serve every county unless a list is given."""
        if not create:
            return
        for county in (extracted if extracted is not None else County.values):
            ServiceArea.objects.get_or_create(plan=self, county=county)


class RateCellFactory(DjangoModelFactory[RateCell]):
    program = Program.SCO
    category = "CW"
    region = Region.GREATER_BOSTON
    label = "Community Well"
    setting = RateCell.Setting.COMMUNITY
    effective_from = datetime.date(2020, 1, 1)

    class Meta:
        model = RateCell
        django_get_or_create = ("program", "category", "region", "effective_from")


class MemberFactory(DjangoModelFactory[Member]):
    """An SCO-eligible member by default: 70, Standard, Medicare A and B, Suffolk, CW."""

    member_id = factory.Sequence(lambda n: f"{900000000000 + n:012d}")
    last_name = factory.Sequence(lambda n: f"TESTER{n}")
    first_name = "PAT"
    date_of_birth = datetime.date(1955, 6, 15)
    sex = "F"
    coverage_type = CoverageType.STANDARD
    coverage_start = datetime.date(2015, 1, 1)
    medicare_a_start = datetime.date(2020, 6, 1)
    medicare_b_start = datetime.date(2020, 6, 1)
    address_line1 = "1 EXAMPLE WAY"
    city = "BOSTON"
    zip = "02118"
    county = County.SUFFOLK
    residence = Residence.COMMUNITY
    rating_category = "CW"

    class Meta:
        model = Member


class SpanFactory(DjangoModelFactory[EnrollmentSpan]):
    member = factory.SubFactory(MemberFactory)
    plan = factory.SubFactory(PlanFactory)
    program = factory.LazyAttribute(lambda o: o.plan.program)
    start_date = datetime.date(2024, 1, 1)
    source = EnrollmentSpan.Source.FEED

    class Meta:
        model = EnrollmentSpan


class ProviderLinkFactory(DjangoModelFactory[ProviderLink]):
    user = factory.SubFactory(UserFactory)
    provider_id = factory.LazyAttribute(lambda o: PlanFactory().provider_id)

    class Meta:
        model = ProviderLink
