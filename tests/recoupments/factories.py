"""factory-boy factories of the recoupment model (rows in a given status, for the table tests)."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from recoupments.models import Recoupment, RecoupmentEvent, RecoupmentLine, Status
from tests.factories import UserFactory


class RecoupmentFactory(DjangoModelFactory[Recoupment]):
    reference = factory.Sequence(lambda n: f"RCP-20261123-{900000 + n:06d}")
    status = Status.SUBMITTED
    submitted_by = factory.SubFactory(UserFactory)
    contact_email = "provider@provider.example"
    provider_id = "100000101A"
    provider_name = "Example Community Hospital"
    member_first_name = "ROSE"
    member_last_name = "EXAMPLE"
    member_ids = factory.LazyFunction(lambda: ["100000000001"])
    submitted_at = factory.LazyFunction(
        lambda: datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC))
    received_on = datetime.date(2026, 11, 23)
    research_due = datetime.date(2026, 12, 1)
    payment_due = datetime.date(2026, 12, 15)

    class Meta:
        model = Recoupment
        skip_postgeneration_save = True

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        """Give the request *extracted* lines (default one)."""
        if not create:
            return
        for number in range(1, (extracted or 1) + 1):
            RecoupmentLine.objects.create(recoupment=self, number=number,
                                          date_of_service=datetime.date(2025, 3, number),
                                          service=f"9921{number} Office visit",
                                          amount=Decimal("100.00"))

    @factory.post_generation
    def mces(self, create, extracted, **kwargs):
        if create and extracted:
            self.mces.set(extracted)


def event_count(recoupment: Recoupment) -> int:
    return RecoupmentEvent.objects.filter(recoupment=recoupment).count()
