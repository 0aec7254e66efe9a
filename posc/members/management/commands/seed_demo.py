"""Make a fresh database usable at once: reference data, roles, demo members and accounts.

demo-data.md: running it twice changes nothing; it refuses to create the demo accounts
when DEBUG is off unless ``--allow-demo-accounts`` is given.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.defaultfilters import pluralize

from crm_tracker import demo as crm_demo
from posc import clock
from posc.members.demo import (
    DEMO_ACCOUNTS,
    DEMO_CASES,
    DEMO_PASSWORD,
    DUPLICATE_HINT,
    NAMED_MEMBERS,
    DemoAccount,
    DemoMember,
    PlanArea,
    filler_members,
)
from posc.members.models import EnrollmentSpan, Member, Plan, Program, ProviderLink
from posc.roles import roles_sync
from recoupments import demo as recoupment_demo

# Each app's demo module adds its own reference data and demo rows (CRM taxonomy, edit codes).
APP_DEMOS = (crm_demo, recoupment_demo)
FIXTURES = ("plans", "rate_cells") + tuple(f for app in APP_DEMOS for f in app.FIXTURES)
REFUSAL = ("Demo accounts NOT created: DEBUG is off. They have a published password; "
           "pass --allow-demo-accounts to create them anyway (never on a shared server).")


def plan_areas() -> list[PlanArea]:
    """Return every SCO and One Care plan with the counties it serves."""
    plans = Plan.objects.filter(program__in=Program.integrated()).prefetch_related("service_areas")
    return [PlanArea(p.provider_id, p.program, frozenset(a.county for a in p.service_areas.all()))
            for p in plans]


def demo_members() -> tuple[DemoMember, ...]:
    """Return the named demo members followed by the fillers."""
    return NAMED_MEMBERS + filler_members(plan_areas())


def members_seed(*, members: Iterable[DemoMember]) -> int:
    """Insert the demo members that are missing (existing rows are left as they are)."""
    before = Member.objects.count()
    Member.objects.bulk_create([Member(**m.member_fields()) for m in members],
                               ignore_conflicts=True, batch_size=500)
    return Member.objects.count() - before


members_seed.alters_data = True


def spans_seed(*, members: Iterable[DemoMember]) -> int:
    """Give each enrolled demo member its open FEED span, unless it has SCO/One Care spans."""
    enrolled = [m for m in members if m.current_plan_provider_id]
    # A member with any integrated span was seeded before (or enrolled since): leave it alone,
    # as the feed does (member-feed.md: nothing changes when that span already exists).
    has_spans = set(EnrollmentSpan.objects.filter(
        member_id__in=[m.member_id for m in enrolled], program__in=Program.integrated(),
    ).values_list("member_id", flat=True))
    plans = {p.provider_id: p for p in Plan.objects.all()}
    spans = [
        EnrollmentSpan(member_id=m.member_id, plan=plans[m.current_plan_provider_id],
                       program=plans[m.current_plan_provider_id].program,
                       start_date=m.current_plan_start, source=EnrollmentSpan.Source.FEED)
        for m in enrolled if m.member_id not in has_spans
    ]
    EnrollmentSpan.objects.bulk_create(spans)
    return len(spans)


spans_seed.alters_data = True


def account_seed(*, account: DemoAccount, groups: dict[str, Group]) -> tuple[AbstractUser, bool]:
    """Create or repair one demo account: password, flags, group and provider link."""
    user, created = get_user_model().objects.get_or_create(
        username=account.username,
        defaults={"email": f"{account.username}@posc.example", "is_staff": account.is_staff,
                  "is_superuser": account.is_superuser})
    changed = []
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        changed.append("password")
    wanted = {"is_staff": account.is_staff, "is_superuser": account.is_superuser,
              "is_active": True}
    for field, value in wanted.items():
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    if account.group:
        user.groups.add(groups[account.group])
    if account.provider_id:
        ProviderLink.objects.get_or_create(user=user, provider_id=account.provider_id)
    return user, created


account_seed.alters_data = True


class Command(BaseCommand):
    help = ("Load the reference data (fixtures/plans.json, fixtures/rate_cells.json), the roles, "
            "a few hundred invented members and, in development, the demo accounts.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-accounts", action="store_true",
            help="Create the demo accounts (password posc-demo) even though DEBUG is off.")

    def handle(self, *args, allow_demo_accounts: bool = False, **options):
        with_accounts = settings.DEBUG or allow_demo_accounts
        with transaction.atomic():
            call_command("loaddata", *FIXTURES, verbosity=0)
            groups = roles_sync()
            members = demo_members()
            created_members = members_seed(members=members)
            created_spans = spans_seed(members=members)
            created_accounts = 0
            if with_accounts:
                created_accounts = sum(account_seed(account=a, groups=groups)[1]
                                       for a in DEMO_ACCOUNTS)
        # Each app's demo goes through its services: one durable transaction per write.
        now = clock.now()
        app_summaries = [s for app in APP_DEMOS
                         if (s := app.demo_seed(stdout=self.stdout, now=now))]
        self.stdout.write(
            f"reference data loaded ({', '.join(FIXTURES)}); roles synced; "
            f"{created_members} of {len(members)} demo members created; "
            f"{created_spans} span{pluralize(created_spans)} created; "
            f"{created_accounts} account{pluralize(created_accounts)} created")
        for summary in app_summaries:
            self.stdout.write(summary)
        if with_accounts:
            self._print_accounts()
        else:
            self.stdout.write(self.style.WARNING(REFUSAL))
        self._print_cases()

    def _print_accounts(self) -> None:
        """Print the demo logins."""
        self.stdout.write("\nDemo logins (password for all: posc-demo)")
        self.stdout.write(f"  {'username':<14} {'role':<22} {'provider ID':<11} password")
        for a in DEMO_ACCOUNTS:
            self.stdout.write(f"  {a.username:<14} {a.role:<22} {a.provider_id or '-':<11} "
                              f"{DEMO_PASSWORD}")

    def _print_cases(self) -> None:
        """Print the demo members to try with each job aid, and the answer to expect."""
        self.stdout.write("\nDemo members to try (Member ID, Last Name, First Name as typed)")
        account = ""
        for c in DEMO_CASES:
            if c.account != account:
                account = c.account
                self.stdout.write(f"  {account} ({Program(c.program).label}):")
            expect = c.expected or "accepted"
            typed = f"{c.member_id} {c.last_name:<12} {c.first_name:<9}"
            provider = f"provider {c.provider_id}"
            self.stdout.write(f"    {c.action.lower():<9} {typed} {provider}  -> {expect:<16} "
                              f"{c.note}")
        self.stdout.write(f"  {DUPLICATE_HINT}")
