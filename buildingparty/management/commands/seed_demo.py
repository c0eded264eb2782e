import argparse
import time

from django.core.management.base import BaseCommand

from buildingparty import demo
from buildingparty.models import User


def _scale(value: str) -> int:
    try:
        scale = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} 不是整数") from None
    if not 1 <= scale <= demo.MAX_SCALE:
        raise argparse.ArgumentTypeError(f"取值范围是 1 到 {demo.MAX_SCALE}")
    return scale


class Command(BaseCommand):
    help = (
        "Create or complete the demo building 中央大厦: its party organisations, 241 enterprises, "
        "52 members (and one transferred in) "
        "and the demo accounts. Running it again changes nothing; --scale N multiplies enterprises and members."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=_scale,
            default=1,
            metavar="N",
            help=f"multiply enterprises and members by N (1 to {demo.MAX_SCALE}, default 1)",
        )

    def handle(self, *args, scale, **options):
        started = time.monotonic()
        demo.run(scale=scale, stdout=self.stdout)

        users = {
            u.username: u
            for u in User.objects.filter(username__in=[a.username for a in demo.ACCOUNTS]).select_related(
                "organization"
            )
        }
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for account in demo.ACCOUNTS:
            user = users[account.username]
            where = f"  {user.organization}" if user.organization_id else ""
            self.stdout.write(f"  {user.username:<11} {user.get_role_display()}  {user.name}{where}")
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {time.monotonic() - started:.1f} 秒"))
