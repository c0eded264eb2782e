from django.core.management.base import BaseCommand, CommandError

from buildingparty import two_factor
from buildingparty.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator and recovery codes (a lost phone and lost codes): at their next sign-in "
        "they set up two-factor sign-in again. Run it only after confirming who is asking."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        two_factor.reset(user=user)
        self.stdout.write(f"{username}: authenticator and recovery codes removed; they set it up again at sign-in.")
