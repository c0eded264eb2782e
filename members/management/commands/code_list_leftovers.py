"""List the members whose old 民族, 学历 or 工作岗位 the code lists could not take (members migration 0009)."""

from django.core.management.base import BaseCommand

from members.models import Member
from members.selectors import code_list_leftovers


class Command(BaseCommand):
    help = (
        "List the members with old values the national code lists could not take (民族, 学历, 工作岗位): one "
        "line each, branch, name, masked ID number and the values, for an admin to set by hand."
    )

    def handle(self, *args, **options):
        members = code_list_leftovers(Member.objects.all())
        count = 0
        for member in members.iterator():
            self.stdout.write(
                "\t".join([member.organization.name, member.name, member.masked_id_number, member.code_leftovers])
            )
            count += 1
        self.stdout.write(f"{count} 名党员有未能对应代码表的原值。" if count else "没有未能对应代码表的原值。")
