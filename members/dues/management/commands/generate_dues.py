from django.core.management.base import BaseCommand, CommandError

from buildingparty import jobs
from buildingparty.models import Building
from members.dues.services import parse_month


class Command(BaseCommand):
    help = (
        "Make the party dues bills of a month for every paying member: the members.generate_dues job, run here "
        "and recorded like a worker's run. Safe to run again: members who already have the month's bill are "
        "left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="the month as YYYY-MM (default: the current month)")
        parser.add_argument("--building", type=int, help="only this building's members (its id)")

    def handle(self, *args, month=None, building=None, **options):
        if month:
            try:
                parse_month(month)
            except ValueError as exc:
                raise CommandError(f"--month must be YYYY-MM, not {month!r}") from exc
        if building is not None and not Building.objects.filter(pk=building).exists():
            raise CommandError(f"there is no building {building}")
        kwargs = {"month": month} if month else {}
        if building is not None:
            kwargs["building_id"] = building
        counts = jobs.run_now("members.generate_dues", **kwargs)
        self.stdout.write(
            "{month}: {created} bills made, {existing} already there, {missing_standard} members without a "
            "confirmed standard, {notified} members notified.".format(**counts)
        )
