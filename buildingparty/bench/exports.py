"""The member export against its floor (issue 15, point 4): how much slower the register's xlsx writer is than
openpyxl's write-only workbook given the same values, and how much memory a streamed export takes.

Run it in a throwaway database: ``ensure_members`` adds a synthetic building with as many members as asked
(``bulk_create`` in batches, a few seconds for 50,000). ``export_vs_floor(5000)`` and ``export_vs_floor(50000)``
give the two points the issue asks about.

The ground floor imports no app above it: models are looked up by label and the register by name.
"""

import datetime
import tempfile
import time
import tracemalloc
from importlib import import_module

from django.apps import apps
from django.db import transaction

from buildingparty import registers

BUILDING = "基准测试大厦"
BRANCHES = 20
GROUPS_PER_BRANCH = 2
ENTERPRISES = 60
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


# --- synthetic data ------------------------------------------------------------------------------------------


def _id_number(n: int) -> str:
    """A valid resident ID number (GB 11643), unique per ``n`` below 500 × 36,500. Beijing's 朝阳区: a region
    neither the demo (members/demo.py ID_REGIONS) nor ``synthetic`` (东城区) draws, so none collides."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=n // 500)
    first17 = f"110105{born:%Y%m%d}{(n % 500) * 2 + 1:03d}"
    return first17 + import_module("members.validators").id_check_char(first17)


def _credit_code(n: int) -> str:
    first17 = f"91330282{n:09d}"
    return first17 + import_module("enterprises.validators").credit_check_char(first17)


def _name(n: int) -> str:
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // 20) % len(_GIVEN)] + _GIVEN[(n // 7) % len(_GIVEN)][: n % 2]


def _building_with_organizations():
    """The bench building with its general branch, branches, groups and enterprises (made once)."""
    Building = apps.get_model("buildingparty", "Building")
    Organization = apps.get_model("buildingparty", "PartyOrganization")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    building, created = Building.objects.get_or_create(name=BUILDING, defaults={"city": "慈溪市", "floors": 28})
    if created:
        general = Organization.objects.create(building=building, name="基准联合党总支", kind="general_branch")
        for b in range(BRANCHES):
            branch = Organization.objects.create(
                building=building, name=f"基准第{b + 1}党支部", kind="branch", parent=general
            )
            for g in range(GROUPS_PER_BRANCH):
                Organization.objects.create(
                    building=building, name=f"基准第{b + 1}支部第{g + 1}党小组", kind="group", parent=branch
                )
        Enterprise.objects.bulk_create(
            Enterprise(
                building=building,
                name=f"慈溪基准科技有限公司{e}",
                credit_code=_credit_code(900_000 + e),
                kind="company",
                floor=2 + e % 20,
                room=f"{2 + e % 20}{e % 50:02d}",
            )
            for e in range(ENTERPRISES)
        )
    return building


def ensure_members(count: int, *, batch: int = 2000):
    """Top the bench building up to ``count`` members with ``bulk_create`` in batches; returns the building.

    Members go into branches and their groups in turn, most work for an enterprise, some have their own room.
    The ID numbers are encrypted and hashed on the way in as any saved member's are (the field's ``pre_save``).
    """
    Member = apps.get_model("members", "Member")
    Organization = apps.get_model("buildingparty", "PartyOrganization")
    Enterprise = apps.get_model("enterprises", "Enterprise")
    JobCategory = apps.get_model("members", "JobCategory")
    building = _building_with_organizations()
    have = Member.objects.filter(organization__building=building).count()
    if have >= count:
        return building
    organizations = list(Organization.objects.filter(building=building).exclude(kind="general_branch").order_by("pk"))
    enterprises = list(Enterprise.objects.filter(building=building).order_by("pk"))
    jobs = list(JobCategory.objects.filter(is_active=True).order_by("code")) or [None]
    start = 1_000_000 + have  # clear of the ID numbers the test factories make
    for offset in range(have, count, batch):
        members = []
        for n in range(start + offset - have, start + min(offset + batch, count) - have):
            id_number = _id_number(n)
            joined = datetime.date(2000, 7, 1) + datetime.timedelta(days=n % 7000)
            members.append(
                Member(
                    name=_name(n),
                    gender="M",
                    ethnicity="01",
                    id_number=id_number,
                    birth_date=datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
                    education=("21", "31", "14", "41")[n % 4],
                    category="full",
                    status="normal",
                    organization=organizations[n % len(organizations)],
                    enterprise=enterprises[n % len(enterprises)] if n % 5 else None,
                    joined_on=joined,
                    full_member_on=joined + datetime.timedelta(days=366),
                    job_category=jobs[n % len(jobs)],
                    job_note=("会计", "软件工程师", "销售经理", "")[n % 4],
                    phone=f"139{n % 100_000_000:08d}",
                    home_address=f"浙江省慈溪市古塘街道基准路{n % 999 + 1}号{n % 30 + 1}幢",
                    room=f"{n % 28 + 1}{n % 20:02d}" if n % 7 == 0 else "",
                    lost_contact_since=datetime.date(2025, 3, 1) if n % 97 == 0 else None,
                    name_initials="jz",
                )
            )
        with transaction.atomic():
            Member.objects.bulk_create(members, batch_size=batch)
    return building


# --- the measurement -----------------------------------------------------------------------------------------


def floor_xlsx(fileobj, values: list[list]) -> None:
    """The floor: openpyxl's write-only workbook appending the values as they are, nothing else."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="floor")
    for row in values:
        sheet.append(row)
    workbook.save(fileobj)


def _best_of(functions: dict, repeat: int) -> dict:
    """The best wall time and the best CPU time of this process for each function over ``repeat`` rounds,
    taken in turn so that a busy machine slows all alike. CPU time is what a shared, overloaded machine
    leaves steady; wall time also counts the database's work (and the waits for a CPU)."""
    wall = {name: [] for name in functions}
    cpu = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            with tempfile.TemporaryFile() as out:
                start, start_cpu = time.perf_counter(), time.process_time()
                function(out)
                cpu[name].append(time.process_time() - start_cpu)
                wall[name].append(time.perf_counter() - start)
    return {name: (min(wall[name]), min(cpu[name])) for name in functions}


def _peak_bytes(function) -> int:
    """The peak of Python allocations while ``function`` runs (tracemalloc), what was allocated before aside."""
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as out:
            function(out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def export_vs_floor(rows: int, *, repeat: int | None = None) -> dict:
    """The member export's xlsx against raw openpyxl write-only on the same rows, and its peak memory.

    1. make sure the bench building has ``rows`` members and build the register as the command line does
       (every member, masked ID numbers);
    2. read the rows once into a list of values (what the register writes);
    3. time, best of ``repeat``: the floor writing that list, the register's writer writing that list
       (``writer_ratio``, in CPU time, is the issue's measure), and the whole export from the database
       (query, decryption, cells and writer: ``export_ratio``, in wall time);
    4. the peak Python memory of the whole export, streamed from the database (it should not grow with rows).
    """
    repeat = repeat or (3 if rows <= 10_000 else 2)
    building = ensure_members(rows)
    register = registers.get("members")

    def queryset():
        return register.objects(None).filter(organization__building=building)[:rows]

    values = list(register.rows(queryset()))

    def writer(out):
        registers.write_xlsx(out, title=register.title, columns=register.columns, rows=values)

    def export(out):
        registers.write_xlsx(out, title=register.title, columns=register.columns, rows=register.rows(queryset()))

    best = _best_of({"floor": lambda out: floor_xlsx(out, values), "writer": writer, "export": export}, repeat)
    (floor, floor_cpu), (written, written_cpu), (exported, _cpu) = best["floor"], best["writer"], best["export"]
    values.clear()  # the lists are not needed for the memory run
    peak = _peak_bytes(export)
    return {
        "rows": rows,
        "floor_s": round(floor, 3),
        "writer_s": round(written, 3),
        "export_s": round(exported, 3),
        "floor_cpu_s": round(floor_cpu, 3),
        "writer_cpu_s": round(written_cpu, 3),
        # The measure: the writer against the floor on the same values, in CPU time (both are pure
        # Python in this process; wall time on a shared machine is mostly the wait for a CPU).
        "writer_ratio": round(written_cpu / floor_cpu, 2),
        "writer_ratio_wall": round(written / floor, 2),
        # The whole export from the database (query, decryption, cells, writer) against the floor, wall time.
        "export_ratio": round(exported / floor, 2),
        "export_peak_mb": round(peak / 2**20, 1),
    }
