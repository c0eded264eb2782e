"""The enterprise register (企业名录): one column list for the export, the import and the import template.

Headers and choice labels are fixed Chinese whatever the interface language, so a file reads back the same way
for everyone; messages for the person who filled the file in go through gettext. The two member counts at the
end are taken from the member register and are export-only: an import ignores them.

The import (``plan_import`` then ``apply_import``), for a building's admin:

1. read the file and parse every row with the columns; party organisations (branches and joint branches) and
   liaisons (by username) are looked up within the building;
2. match rows to existing enterprises by credit code (a code twice in the file is an error on the later row;
   a code registered in another building is an error);
3. validate each resulting record as the registry would (``Enterprise.full_clean`` and the model's
   constraints), and the status: 已迁出 for an enterprise in the building moves it out with the file's
   迁出日期, as the move-out page does; moving back in is left to the enterprise's page;
4. only when no row has an error, write all rows in one transaction through the enterprise services, so each
   enterprise's history says "imported", and record the import in the audit log.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buildingparty import imports, registers
from buildingparty.models import AuditRecord, Building, PartyOrganization, Role, User
from buildingparty.registers import (
    NEW,
    UNCHANGED,
    UPDATE,
    Column,
    ImportPlan,
    Register,
    RowError,
    choice_parser,
    parse_date,
)
from buildingparty.services import audit, stored

from . import access, services
from .models import Enterprise, EnterpriseChange
from .selectors import with_member_counts
from .validators import credit_check_char, validate_credit_code, validate_phone

NAME = "enterprises"
TITLE = "企业名录"

KIND = {Enterprise.Kind.COMPANY: "企业", Enterprise.Kind.SOCIAL_ORG: "社会组织"}
ATTITUDE = {
    Enterprise.Attitude.SUPPORTIVE: "支持",
    Enterprise.Attitude.NEUTRAL: "一般",
    Enterprise.Attitude.RESERVED: "有顾虑",
    Enterprise.Attitude.OPPOSED: "反对",
    Enterprise.Attitude.UNKNOWN: "未了解",
}
COVERAGE = {
    Enterprise.PartyOrgStatus.OWN_BRANCH: "单独建支部",
    Enterprise.PartyOrgStatus.JOINT_BRANCH: "联合支部",
    Enterprise.PartyOrgStatus.NONE: "未建",
}
COVERAGE_ALIASES = {
    "单独支部": Enterprise.PartyOrgStatus.OWN_BRANCH,
    "独立支部": Enterprise.PartyOrgStatus.OWN_BRANCH,
    "联合党支部": Enterprise.PartyOrgStatus.JOINT_BRANCH,
    "无": Enterprise.PartyOrgStatus.NONE,
}
STATUS = {Enterprise.Status.ACTIVE: "在驻", Enterprise.Status.MOVED_OUT: "已迁出"}
COVERING_KINDS = (PartyOrganization.Kind.BRANCH, PartyOrganization.Kind.JOINT_BRANCH)
LOWEST_FLOOR, HIGHEST_FLOOR = -5, 200  # the model's constraint
MAX_EMPLOYEES = 999_999
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_FLOOR = re.compile(r"^(?P<basement>[Bb负])?\s*(?P<number>-?\d+)\s*(?:层|楼|[Ff])?$")


def can_export(user) -> bool:
    """Whoever sees the list takes out what they see: admins, secretaries and street viewers, and liaisons
    (their own enterprises, through the scope)."""
    return user.role in access.LIST_ROLES


def can_import(user) -> bool:
    """The building's admins: an import writes the building's registry."""
    return user.role == Role.ADMIN and user.building_id is not None


# --- cells in -----------------------------------------------------------------------------------------------


def parse_credit_code(value: str) -> str:
    text = re.sub(r"\s+", "", value)
    if _SCIENTIFIC.match(text):
        raise ValidationError(
            _(
                "Excel turned this credit code into a number and lost its last characters; set the column's "
                "format to Text and type the code again."
            ),
            code="scientific",
        )
    return validate_credit_code(text)


def floor_parser(building: Building | None):
    """A floor as the registry form takes it: a whole number, no floor 0, basements negative (B1 and 负1 are
    -1), no higher than the building (when its number of floors is known)."""
    floors = building.floors if building is not None and building.floors > 1 else None

    def parse(value: str) -> int:
        match = _FLOOR.match(value.strip())
        floor = (-abs(int(match["number"])) if match["basement"] else int(match["number"])) if match else None
        if floor is None or not LOWEST_FLOOR <= floor <= HIGHEST_FLOOR:
            raise ValidationError(
                _("Write the floor as a whole number from %(low)d to %(high)d, e.g. 12 (basements: -1).")
                % {"low": LOWEST_FLOOR, "high": HIGHEST_FLOOR},
                code="floor",
            )
        if floor == 0:
            raise ValidationError(_("There is no floor 0: the ground floor is 1, basements are -1, -2 …"))
        if floors is not None and floor > floors:
            raise ValidationError(_("The building has %(floors)d floors.") % {"floors": floors}, code="above_top")
        return floor

    return parse


def parse_employees(value: str) -> int:
    text = value.strip().removesuffix("人").strip()
    if not text.isdecimal() or int(text) > MAX_EMPLOYEES:
        raise ValidationError(_("Write the number of employees as a whole number, e.g. 35."), code="employees")
    return int(text)


def parse_phone(value: str) -> str:
    return validate_phone(re.sub(r"\s+", "", value))


# --- the register -------------------------------------------------------------------------------------------


def _enterprises_for(user):
    enterprises = Enterprise.objects.all() if user is None else Enterprise.objects.for_user(user)
    enterprises = enterprises.select_related("party_organization", "liaison").order_by("floor", "room", "pk")
    return with_member_counts(enterprises)


def columns(building: Building | None = None) -> list[Column]:
    """The register's columns; ``building`` is where an import looks organisations and liaisons up."""
    organizations = PartyOrganization.objects.filter(kind__in=COVERING_KINDS)
    liaisons = User.objects.filter(role=Role.LIAISON, is_active=True)
    if building is not None:
        organizations = organizations.filter(building=building)
        liaisons = liaisons.filter(building=building)
    organization = registers.by_name(
        organizations.only("pk", "name", "kind", "building_id"),
        not_found=_("“%(name)s” is not a branch or joint branch of the building."),
        ambiguous=_("Several branches are named “%(name)s”; import as a user of one building."),
    )
    liaison = registers.by_name(
        liaisons.only("pk", "username", "name", "building_id"),
        attribute="username",
        not_found=_("There is no liaison with the account “%(name)s” in the building."),
        ambiguous=_("Several liaisons have the account “%(name)s”."),
    )
    return [
        Column("企业名称", lambda e: e.name, key="name", required=True, width=32),
        Column(
            "统一社会信用代码",
            lambda e: e.credit_code,
            key="credit_code",
            parse=parse_credit_code,
            required=True,
            text=True,
            width=22,
        ),
        Column(
            "类型",
            lambda e: KIND.get(e.kind, ""),
            key="kind",
            parse=choice_parser(KIND, {"公司": Enterprise.Kind.COMPANY}),
            required=True,
            width=10,
        ),
        Column("行业", lambda e: e.industry, key="industry", width=14),
        Column("楼层", lambda e: e.floor, key="floor", parse=floor_parser(building), required=True, width=6),
        Column("房间号", lambda e: e.room, key="room", required=True, text=True, width=8),
        Column("从业人数", lambda e: e.employees, key="employees", parse=parse_employees, empty=None, width=10),
        Column("法定代表人", lambda e: e.legal_representative, key="legal_representative", width=10),
        Column("联系人", lambda e: e.contact_name, key="contact_name", width=10),
        Column("联系电话", lambda e: e.contact_phone, key="contact_phone", parse=parse_phone, text=True, width=14),
        Column(
            "经营者对党建态度",
            lambda e: ATTITUDE.get(e.attitude, ""),
            key="attitude",
            parse=choice_parser(ATTITUDE),
            empty=Enterprise.Attitude.UNKNOWN,
            width=16,
        ),
        Column(
            "党组织覆盖",
            lambda e: COVERAGE.get(e.party_org_status, ""),
            key="party_org_status",
            parse=choice_parser(COVERAGE, COVERAGE_ALIASES),
            required=True,
            width=12,
        ),
        Column(
            "所属党组织",
            lambda e: e.party_organization.name if e.party_organization_id else "",
            key="party_organization",
            parse=organization,
            empty=None,
            width=18,
        ),
        Column(
            "党务联络员账号",
            lambda e: e.liaison.username if e.liaison_id else "",
            key="liaison",
            parse=liaison,
            empty=None,
            width=14,
        ),
        Column("入驻日期", lambda e: e.moved_in_on, key="moved_in_on", parse=parse_date, empty=None, width=12),
        Column("迁出日期", lambda e: e.moved_out_on, key="moved_out_on", parse=parse_date, empty=None, width=12),
        Column(
            "状态",
            lambda e: STATUS.get(e.status, ""),
            key="status",
            parse=choice_parser(STATUS, {"迁出": Enterprise.Status.MOVED_OUT}),
            required=True,
            width=8,
        ),
        # From the member register, never typed in.
        Column("党员人数", lambda e: getattr(e, "member_total", None), width=10),
        Column("正式党员人数", lambda e: getattr(e, "member_full", None), width=12),
    ]


def enterprise_register(user=None, *, building: Building | None = None) -> Register:
    if building is None and user is not None:
        building = user.building
    return Register(
        name=NAME,
        title=TITLE,
        columns=columns(building),
        queryset=_enterprises_for,
        may_export=can_export,
    )


registers.register(NAME, enterprise_register)


def template_instructions(register) -> list[str]:
    """The 说明 sheet of the import template."""
    return registers.template_instructions(register) + [
        _("A credit code already in the register updates that enterprise; a new one adds an enterprise."),
        _("Choices are written as the register shows them, e.g. the party organisation coverage and its name."),
    ]


def example_enterprise(building: Building | None = None) -> Enterprise:
    """The made-up enterprise of the import template's example row (valid, so the row imports as is)."""
    organization = None
    if building is not None:
        organization = (
            PartyOrganization.objects.filter(building=building, kind__in=COVERING_KINDS)
            .order_by("-kind", "name")  # a joint branch first: most units in the building join one
            .first()
        )
    coverage = Enterprise.PartyOrgStatus.NONE
    if organization is not None:
        coverage = (
            Enterprise.PartyOrgStatus.JOINT_BRANCH
            if organization.kind == PartyOrganization.Kind.JOINT_BRANCH
            else Enterprise.PartyOrgStatus.OWN_BRANCH
        )
    floor = min(12, building.floors) if building is not None and building.floors > 1 else 12
    first17 = "91330282MA2H8K0Q7"
    return Enterprise(
        name="慈溪示例科技有限公司",
        credit_code=first17 + credit_check_char(first17),
        kind=Enterprise.Kind.COMPANY,
        industry="科技服务",
        floor=floor,
        room=f"{floor}03",
        employees=35,
        legal_representative="王小明",
        contact_name="李小红",
        contact_phone="13812345678",
        attitude=Enterprise.Attitude.SUPPORTIVE,
        party_org_status=coverage,
        party_organization=organization,
        moved_in_on=datetime.date(2024, 3, 1),
        status=Enterprise.Status.ACTIVE,
    )


# --- import -------------------------------------------------------------------------------------------------

# Model fields the file may set; status and the move-out date are handled with the move-out rules.
MODEL_KEYS = (
    "name",
    "credit_code",
    "kind",
    "industry",
    "floor",
    "room",
    "employees",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "attitude",
    "party_org_status",
    "party_organization",
    "liaison",
    "moved_in_on",
)


@dataclass
class ImportRow:
    number: int
    name: str = ""
    credit_code: str = ""
    kind: str = ""
    enterprise: Enterprise | None = None
    changed: list[str] = field(default_factory=list)  # headers of the columns that change
    move_out_on: datetime.date | None = None  # an enterprise in the building moves out on this day
    errors: list[RowError] = field(default_factory=list)


def plan_import(
    *, source, user=None, building: Building | None = None, today: datetime.date | None = None, progress=None
) -> ImportPlan:
    """Read and check a file without writing anything, for ``building`` (by default the user's); ``progress`` is
    told the number of rows checked."""
    today = today or timezone.localdate()
    building = building or (user.building if user is not None else None)
    if building is None:
        raise ValueError("an enterprise import needs a building")
    plan = ImportPlan()
    register = enterprise_register(user, building=building)
    raw_rows, plan.file_errors = registers.read_for_import(register, source)
    if plan.file_errors:
        return plan

    header_of = {c.key: c.header for c in register.columns if c.key}
    parsed, first_row_of = [], {}
    for number, raw in raw_rows:
        values, errors = register.parse_row(number, raw)
        row = ImportRow(number=number, name=raw.get(header_of["name"], ""), errors=errors)
        row.credit_code = values.get("credit_code", "")
        if row.credit_code:
            if row.credit_code in first_row_of:
                row.errors.append(
                    RowError(
                        number,
                        header_of["credit_code"],
                        _("This credit code is already in row %(row)d of this file.")
                        % {"row": first_row_of[row.credit_code]},
                    )
                )
                row.credit_code = ""
            else:
                first_row_of[row.credit_code] = number
        parsed.append((row, values))
        plan.rows.append(row)

    # Existing enterprises, in bulk: a credit code is unique in the whole system, not only in the building.
    existing = {}
    for chunk in registers.chunks(list(first_row_of)):
        existing.update((e.credit_code, e) for e in Enterprise.objects.filter(credit_code__in=chunk))

    for row, values in registers.counting(parsed, progress):
        if not row.credit_code:
            continue
        current = existing.get(row.credit_code)
        if current is not None and current.building_id != building.pk:
            row.errors.append(
                RowError(
                    row.number,
                    header_of["credit_code"],
                    _("An enterprise with this credit code is registered in another building."),
                )
            )
            continue
        _check_row(row, values, current, building, header_of, today)
    return plan


def _check_row(
    row: ImportRow,
    values: dict,
    current: Enterprise | None,
    building: Building,
    header_of: dict,
    today: datetime.date,
):
    """Build the enterprise a row describes, validate it, and work out what would change."""
    failed = {e.column for e in row.errors}
    failed_keys = {key for key, header in header_of.items() if header in failed}
    enterprise = current if current is not None else Enterprise(building=building)
    fields = services.TRACKED_FIELDS
    before = (
        {f: getattr(enterprise, Enterprise._meta.get_field(f).attname) for f in fields} if current is not None else {}
    )

    def error(key, message):
        row.errors.append(RowError(row.number, header_of[key], message))

    for key in MODEL_KEYS:
        if key in values:  # else a column the file does not have (or whose cell failed): left as it is
            setattr(enterprise, key, values[key])

    # Coverage and its organisation agree, as on the registry form.
    if "party_org_status" in values and "party_organization" not in failed_keys:
        coverage, organization = enterprise.party_org_status, enterprise.party_organization
        Coverage, Kind = Enterprise.PartyOrgStatus, PartyOrganization.Kind
        if coverage == Coverage.NONE and organization is not None:
            error(
                "party_organization",
                _("An enterprise without a party organisation cannot name a covering organisation."),
            )
        elif coverage != Coverage.NONE and organization is None:
            error(
                "party_organization",
                _("With the coverage %(coverage)s, write the covering branch or joint branch by its name.")
                % {"coverage": COVERAGE[coverage]},
            )
        elif coverage == Coverage.OWN_BRANCH and organization.kind != Kind.BRANCH:
            error(
                "party_organization",
                _("“%(name)s” is a joint branch; with 单独建支部 write the enterprise's own branch.")
                % {"name": organization.name},
            )
        elif coverage == Coverage.JOINT_BRANCH and organization.kind != Kind.JOINT_BRANCH:
            error(
                "party_organization",
                _("“%(name)s” is not a joint branch; with 联合支部 write the joint branch the enterprise belongs to.")
                % {"name": organization.name},
            )
    if values.get("moved_in_on") and values["moved_in_on"] > today:
        error("moved_in_on", _("This date is in the future."))

    # Status: a move-out takes the move-out page's way; moving back in is a new tenancy, recorded on the page.
    status = values.get("status")
    moved_in = enterprise.moved_in_on
    moved_out = values["moved_out_on"] if "moved_out_on" in values else enterprise.moved_out_on
    moves_out = (
        status == Enterprise.Status.MOVED_OUT and current is not None and current.status == Enterprise.Status.ACTIVE
    )
    if status and "moved_out_on" not in failed_keys:
        if status == Enterprise.Status.ACTIVE:
            if current is not None and current.status == Enterprise.Status.MOVED_OUT:
                error("status", _("This enterprise has moved out; record its moving back in on its page."))
            elif moved_out is not None:
                error("moved_out_on", _("An enterprise in the building has no move-out date; leave this empty."))
        elif status == Enterprise.Status.MOVED_OUT:
            if moved_out is None:
                error("moved_out_on", _("Write the date the enterprise moved out."))
            elif moved_out > today:
                error("moved_out_on", _("This date is in the future."))
            elif moved_in is not None and moved_out < moved_in and "moved_in_on" not in failed_keys:
                error("moved_out_on", _("It cannot move out before it moved in."))
    if moves_out:
        row.move_out_on = moved_out  # the services set status and date, with their own history entry
    else:
        if status:
            enterprise.status = status
        if "moved_out_on" in values:
            enterprise.moved_out_on = values["moved_out_on"]

    exclude = ["building", "party_organization", "liaison"] + [k for k in failed_keys if k in MODEL_KEYS]
    try:
        enterprise.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as errors:
        for key, messages in errors.message_dict.items():
            if key in failed_keys:
                continue
            column = (
                "" if key == NON_FIELD_ERRORS else header_of.get(key, str(Enterprise._meta.get_field(key).verbose_name))
            )
            row.errors.append(RowError(row.number, column, " ".join(messages)))

    row.enterprise = enterprise
    if current is None:
        row.kind = NEW
        return
    after = {f: getattr(enterprise, Enterprise._meta.get_field(f).attname) for f in fields}
    changed = [f for f in fields if before[f] != after[f] and not (before[f] in (None, "") and after[f] in (None, ""))]
    row.changed = [header_of.get(f, str(Enterprise._meta.get_field(f).verbose_name)) for f in changed]
    if row.move_out_on is not None:
        row.changed += [header_of["status"], header_of["moved_out_on"]]
    row.kind = UPDATE if row.changed else UNCHANGED


def apply_import(
    *,
    plan: ImportPlan,
    user=None,
    source_name: str = "",
    request=None,
    command_line: bool = False,
    progress=None,
) -> dict:
    """Write a valid plan: every row or none. Returns the counts by kind; ``progress`` is told rows written."""
    if not plan.is_valid:
        raise ValueError("only a plan without errors is written")
    note = (
        stored(gettext_lazy("Imported from %(file)s"), {"file": source_name})[:300]
        if source_name
        else stored(gettext_lazy("Imported"))
    )
    counts = plan.counts
    imported = EnterpriseChange.Action.IMPORTED
    with transaction.atomic():
        for row in registers.counting(plan.rows, progress):
            enterprise = row.enterprise
            if row.kind == NEW:
                services.enterprise_create(enterprise=enterprise, created_by=user, action=imported, note=note)
            elif row.kind == UPDATE:
                services.enterprise_update(enterprise=enterprise, changed_by=user, action=imported, note=note)
                if row.move_out_on is not None:
                    services.enterprise_move_out(enterprise=enterprise, on=row.move_out_on, by=user, note=note)
        detail = "；".join(
            filter(
                None,
                [
                    stored(
                        gettext_lazy("new %(new)d, updated %(updated)d, unchanged %(unchanged)d"),
                        {"new": counts[NEW], "updated": counts[UPDATE], "unchanged": counts[UNCHANGED]},
                    ),
                    source_name[:100],
                    stored(gettext_lazy("command line")) if command_line else "",
                ],
            )
        )
        audit(
            action=AuditRecord.Action.IMPORT,
            actor=user,
            subject=TITLE,
            object_id=NAME,
            row_count=len(plan.rows),
            detail=detail,
            request=request,
        )
    return counts


imports.register_importer(NAME, plan=plan_import, apply=apply_import, may_import=can_import)
