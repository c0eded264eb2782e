"""Send the work waiting in the outbox to the broker now (the ``buildingparty.flush_outbox`` job does it every
minute; this is for a cron line or by hand after an outage)."""

from django.core.management.base import BaseCommand, CommandError

from buildingparty import jobs


class Command(BaseCommand):
    help = "Send the tasks waiting in the outbox to the Celery broker."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="Send at most this many (default 1000).")

    def handle(self, *args, limit, **options):
        counts = jobs.run_now("buildingparty.flush_outbox", limit=limit)
        self.stdout.write(f"sent {counts['sent']}, still waiting {counts['unsent']}")
        if counts.get("failed"):
            raise CommandError("the broker is unreachable; the rest stays in the outbox")
