"""The dues job against its floor: ``generate_bills`` for a month with no bills, against one ``INSERT … SELECT``
making the same bills, on a bench building whose members all have accounts and confirmed standards.

Everything here runs inside a transaction that is rolled back, so the throwaway database is left as it was.
The ground floor imports no app above it (tests/test_floors.py): the dues app is found by name, as demo.py does.
"""

import datetime
import gc
import json
import resource
import statistics
import time
import tracemalloc
from importlib import import_module

from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from buildingparty.models import Building, PartyOrganization

from .synthetic import add_members

BUILDING = "基准党费大厦"


class _Rollback(Exception):
    pass


def _bench_building() -> tuple[Building, list[PartyOrganization]]:
    """A building with two branches, each with a group (bills go to the branch of a group's member)."""
    building = Building.objects.create(name=BUILDING, city="慈溪市", floors=28)
    general = PartyOrganization.objects.create(building=building, name="基准党费联合党总支", kind="general_branch")
    organizations = []
    for b in (1, 2):
        branch = PartyOrganization.objects.create(
            building=building, name=f"基准党费第{b}党支部", kind="branch", parent=general
        )
        group = PartyOrganization.objects.create(
            building=building, name=f"基准党费第{b}支部第一党小组", kind="group", parent=branch
        )
        organizations += [branch, group]
    return building, organizations


def _month_without_bills() -> datetime.date:
    """The month after the latest billed month (or after this month), which nobody has a bill for."""
    from django.db.models import Max
    from django.utils import timezone

    dues_models = import_module("members.dues.models")
    DuesBill, first_of_month = dues_models.DuesBill, dues_models.first_of_month

    latest = DuesBill.objects.aggregate(m=Max("month"))["m"]
    month = first_of_month(max(latest or timezone.localdate(), timezone.localdate()))
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _months_after(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def floor_insert(*, month: datetime.date, building_id: int) -> int:
    """Make ``month``'s bills for the paying members of the building in one ``INSERT … SELECT``.

    The paying members are the job's own queryset (compiled to SQL), so both sides bill the same people; the
    amount is the standard in force (the latest confirmed one up to the month's year: the override if set,
    else the computed amount), the organisation the member's branch (a group's parent)."""
    DuesBill, DuesStandard = apps.get_model("dues", "DuesBill"), apps.get_model("dues", "DuesStandard")
    Member = apps.get_model("members", "Member")
    paying_members = import_module("members.dues.services").paying_members

    members_sql, members_params = (
        paying_members(month=month, building_id=building_id).values("pk").query.sql_with_params()
    )
    bill, standard = DuesBill._meta, DuesStandard._meta
    member, org = Member._meta, PartyOrganization._meta
    sql = f"""
        INSERT INTO {bill.db_table} (member_id, organization_id, month, amount, paid_amount, paid_on,
                                     excused_reason, standard_id, created_at)
        SELECT m.id,
               CASE WHEN o.kind = 'group' AND o.parent_id IS NOT NULL THEN o.parent_id ELSE o.id END,
               %s, s.amount, 0, CASE WHEN s.amount = 0 THEN %s::date END, '', s.id, now()
        FROM {member.db_table} m
        JOIN {org.db_table} o ON o.id = m.organization_id
        JOIN LATERAL (SELECT id, COALESCE(override_amount, computed_amount) AS amount
                      FROM {standard.db_table}
                      WHERE member_id = m.id AND status = 'confirmed' AND year <= %s
                      ORDER BY year DESC LIMIT 1) s ON true
        WHERE m.id IN ({members_sql})
          AND NOT EXISTS (SELECT 1 FROM {bill.db_table} b WHERE b.member_id = m.id AND b.month = %s)
        ON CONFLICT DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, month, month.year, *members_params, month])
        return cursor.rowcount


def _bills(month: datetime.date, building_id: int) -> set[tuple[int, int, str]]:
    DuesBill = apps.get_model("dues", "DuesBill")

    return {
        (member_id, organization_id, str(amount))
        for member_id, organization_id, amount in DuesBill.objects.filter(
            month=month, member__organization__building_id=building_id
        ).values_list("member_id", "organization_id", "amount")
    }


def job_vs_floor(*, members: int = 5000, rounds: int = 5) -> dict:
    """Time the job and the floor in turns (job, floor, job, floor …), each undone before the next.

    The first job run is the warm-up and the one whose queries are counted; the medians of the ``rounds``
    runs after it are compared. Each round bills a month of its own (the next one, and so on), job and floor the
    same month: a rolled-back insert leaves its index entries behind until a vacuum, so billing one month again
    and again would have each round step over every earlier round's dead bills and notifications under the same
    keys, a cost of the bench (the job's notifications more than the floor) that the monthly run never meets."""
    generate_bills = import_module("members.dues.services").generate_bills

    result: dict = {}
    try:
        with transaction.atomic():
            month = _month_without_bills()
            building, organizations = _bench_building()
            started = time.perf_counter()
            add_members(members, with_accounts=True, standards_year=month.year, organizations=organizations)
            result["setup_s"] = round(time.perf_counter() - started, 1)
            job_times, floor_times = [], []
            first = month
            for r in range(rounds + 1):
                month = _months_after(first, r)
                point = transaction.savepoint()
                if r == 0:
                    with CaptureQueriesContext(connection) as queries:
                        summary = generate_bills(month=month, building_id=building.pk)
                    result["queries"] = len(queries.captured_queries)
                    result["summary"] = summary
                    job_bills = _bills(month, building.pk)
                else:
                    started = time.perf_counter()
                    generate_bills(month=month, building_id=building.pk)
                    job_times.append(time.perf_counter() - started)
                transaction.savepoint_rollback(point)

                point = transaction.savepoint()
                started = time.perf_counter()
                floor_insert(month=month, building_id=building.pk)
                elapsed = time.perf_counter() - started
                if r == 0:
                    floor_bills = _bills(month, building.pk)
                else:
                    floor_times.append(elapsed)
                transaction.savepoint_rollback(point)
            result.update(
                members=members,
                month=f"{first:%Y-%m}",
                bills=len(job_bills),
                same_bills=job_bills == floor_bills,
                only_job=len(job_bills - floor_bills),
                only_floor=len(floor_bills - job_bills),
                job_s=statistics.median(job_times),
                floor_s=statistics.median(floor_times),
            )
            result["ratio"] = result["job_s"] / result["floor_s"] if result["floor_s"] else None
            result["queries_per_1000"] = result["queries"] / members * 1000
            raise _Rollback
    except _Rollback:
        pass
    return result


def peak_memory(members: int) -> dict:
    """The job's memory at ``members`` members (all with accounts): run in a process of its own.

    ``tracemalloc_peak`` is the peak of Python allocations during the job call alone; ``maxrss_delta`` is how
    much the process's high-water mark rose during it (0 when the set-up had already gone higher)."""
    generate_bills = import_module("members.dues.services").generate_bills

    result: dict = {"members": members}
    try:
        with transaction.atomic():
            month = _month_without_bills()
            building, organizations = _bench_building()
            add_members(members, with_accounts=True, standards_year=month.year, organizations=organizations)
            gc.collect()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            started = time.perf_counter()
            try:
                summary = generate_bills(month=month, building_id=building.pk)
                result["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            result["seconds_traced"] = round(time.perf_counter() - started, 1)
            result["maxrss_delta"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
            result["created"] = summary.get("created")
            raise _Rollback
    except _Rollback:
        pass
    return result


def peak_memory_main(members: int) -> None:
    """Entry point of the child process: print the result as one JSON line."""
    print("BENCH-RESULT " + json.dumps(peak_memory(members)), flush=True)
