"""The floors of the layout (README, "Architecture"), checked by reading every module's imports with ``ast``.

Each module belongs to a room; a room may import only the rooms listed for it below. Imports inside functions
count as much as those at the top: a late import is still a dependency. Tests and migrations are left out: tests
may build whatever data they need, and migrations are frozen history.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("buildingparty", "enterprises", "members", "services", "activities")

# Registries a room may use in a sibling it otherwise may not import: the module that holds the registry.
POINTS_REGISTRY = "members.points.services"  # points.source(...): automatic sources of points

# room -> the rooms it may import (its own room always included)
ALLOWED: dict[str, set[str]] = {
    # the ground floor: settings, the organisation tree, scope, jobs, notifications, registries
    "buildingparty": set(),
    # the registry: the enterprises app's own top-level modules and views; the survey is the room above it
    "enterprises": {"buildingparty"},
    # the building survey stands on the registry (and adds to its pages through enterprises.sections)
    "enterprises.survey": {"buildingparty", "enterprises"},
    # the register: the members app's own top-level modules and views; transfers and leads are its rooms.
    # It turns survey leads into members (members.services closes the lead with the record it writes).
    "members": {"buildingparty", "enterprises", "enterprises.survey", "members.transfers", "members.leads"},
    # transfers and leads stand on the register, and on dues for the letter's 党费已交到
    "members.transfers": {"buildingparty", "enterprises", "members", "members.dues"},
    "members.leads": {"buildingparty", "enterprises", "enterprises.survey", "members", "members.transfers"},
    # dues stands on the register and gives points through the points registry
    "members.dues": {"buildingparty", "enterprises", "members", POINTS_REGISTRY},
    # points is the ledger others write to: it imports none of them
    "members.points": {"buildingparty", "enterprises", "members"},
    # committees and their terms stand on the register and the organisation tree
    "members.committees": {"buildingparty", "enterprises", "members"},
    "services": {"buildingparty", "enterprises", "members"},
    # what the activities' apps share (nothing of theirs)
    "activities": {"buildingparty", "enterprises", "members"},
}
# every activities app: the register and its committees, what activities share, and the points registry
ACTIVITY_APP_ALLOWED = {"buildingparty", "enterprises", "members", "members.committees", "activities", POINTS_REGISTRY}
# Two activities apps are floors others stand on: organisational life (study hours count its held meetings, the
# appraisal round names its 组织生活会) and the activity rooms (meetings and volunteer activities book them).
# Every other pair of activities apps stays apart.
ACTIVITY_APP_BELOW = {
    "activities.study": {"activities.meetings", "activities.rooms"},
    "activities.appraisal": {"activities.meetings", "activities.rooms"},
    # the activity room is booked by what takes place in it
    "activities.meetings": {"activities.rooms"},
    "activities.volunteering": {"activities.rooms"},
}


def room_of(module: str) -> str | None:
    """The room of a dotted module name, or None for a module outside the project's apps."""
    parts = module.split(".")
    if parts[0] not in APPS:
        return None
    if parts[0] == "enterprises" and len(parts) > 1 and parts[1] == "survey":
        return "enterprises.survey"
    if parts[0] == "members" and len(parts) > 1 and parts[1] in ("dues", "points", "transfers", "leads", "committees"):
        return f"members.{parts[1]}"
    if parts[0] == "activities" and len(parts) > 1 and (ROOT / "activities" / parts[1] / "apps.py").exists():
        return f"activities.{parts[1]}"
    return parts[0]


def allowed_for(room: str) -> set[str]:
    if room.startswith("activities."):
        return ACTIVITY_APP_ALLOWED | ACTIVITY_APP_BELOW.get(room, set()) | {room}
    return ALLOWED[room] | {room}


def may_import(room: str, target: str) -> bool:
    """May a module of ``room`` import the dotted module ``target``?"""
    target_room = room_of(target)
    if target_room is None:
        return True
    allowed = allowed_for(room)
    if target_room in allowed:
        return True
    # a registry module named in full (e.g. the points registry), or a package's __init__ re-export
    return any(target == name or target.startswith(name + ".") for name in allowed if name.count(".") >= 2)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module that ``source`` (the text of ``module``) imports, as (line, dotted name)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            # "from members.points import services" imports members.points.services
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    room = room_of(module)
    if room is None:
        return []
    return [
        f"{module}:{line} imports {target} ({room} may not import {room_of(target)})"
        for line, target in imported_modules(module, source, is_package=is_package)
        if not may_import(room, target)
    ]


def project_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            yield ".".join(parts[:-1] if is_package else parts), path, is_package


def test_every_module_keeps_to_its_floor():
    found = []
    for module, path, is_package in project_modules():
        found += violations(module, path.read_text(encoding="utf-8"), is_package=is_package)
    assert found == []


def test_the_modules_are_found():
    modules = {module for module, _, _ in project_modules()}
    assert {
        "members.models",
        "members.dues.models",
        "members.points.services",
        "buildingparty.jobs",
        "enterprises.survey.models",
    } <= modules


@pytest.mark.parametrize(
    "module, source",
    [
        ("members.models", "from members.dues.models import DuesBill"),
        ("members.models", "from .dues import models"),
        ("members.views.records", "from ..points import selectors"),
        ("members.points.services", "from members.dues.models import DuesBill"),
        ("members.dues.services", "from members.points.selectors import member_ledger"),
        ("enterprises.models", "from members.models import Member"),
        ("enterprises.models", "from enterprises.survey.models import SurveyVisit"),
        ("enterprises.views.registry", "from ..survey.selectors import active_campaign"),
        ("enterprises.demo", "from . import survey"),
        ("enterprises.survey.models", "from members.models import Member"),
        ("services.models", "from enterprises.survey.models import SurveyLead"),
        ("buildingparty.jobs", "def f():\n    from members import models"),
        ("services.models", "import activities.funds.models"),
        ("activities.funds.views", "from activities.letters.models import LetterTemplate"),
        ("activities.meetings.models", "from activities.study.models import StudySession"),
        ("activities.appraisal.views", "from activities.study.selectors import hours_by_member"),
        ("members.committees.models", "from activities.meetings import rules"),
        ("members.models", "from members.committees.models import CommitteeTerm"),
        ("activities.rooms.models", "from activities.meetings.models import Meeting"),
        ("activities.duty.views", "from activities.volunteering.models import Activity"),
    ],
)
def test_an_import_against_the_floors_is_caught(module, source):
    assert violations(module, source)


@pytest.mark.parametrize(
    "module, source",
    [
        ("members.dues.sources", "from members.points import services as points"),
        ("members.transfers.forms", "from members.dues.selectors import paid_up_to"),
        ("members.dues.models", "from enterprises.models import Enterprise"),
        ("activities.funds.models", "from members.models import Member"),
        ("members.dues", "from .rules import monthly_dues"),
        ("enterprises.survey.sections", "from enterprises import sections"),
        ("enterprises.survey.views", "from .models import SurveyVisit"),
        ("members.services", "from enterprises.survey.services import lead_close"),
        ("members.leads.views", "from enterprises.survey.models import SurveyLead"),
        ("activities.study.selectors", "from activities.meetings.models import Attendance"),
        ("activities.meetings.selectors", "from members.committees.selectors import committee_member_ids"),
        ("activities.meetings.sources", "from members.points import services as points"),
        ("activities.meetings.services", "from activities.rooms.services import booking_create"),
        ("activities.meetings.views.checkin", "from activities.checkin import window_around"),
    ],
)
def test_an_import_the_floors_allow_passes(module, source):
    assert violations(module, source, is_package=module == "members.dues") == []
