"""The member register (党员花名册): the national 16 items in order, then enterprise and room.

One column list serves the export, the import and the import template (DOMAIN.md §4). Headers and choice
labels are fixed Chinese whatever the interface language: the national form is Chinese, and a file must read
back the same way for everyone. Messages for the person who filled the file in go through gettext.

The import (``plan_import`` then ``apply_import``):

1. read the file and parse every row with the columns; look branches and enterprises up by name within the
   importing user's scope;
2. match rows to existing members by ID number (a number twice in the file is an error on the second row);
3. validate each resulting record as the registration form would (``Member.full_clean``);
4. only when no row has an error, write all rows in one transaction through the member services, so each
   member's history says "imported", and record the import in the audit log.
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
from buildingparty.models import AuditRecord, PartyOrganization
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
from enterprises.models import Enterprise

from . import access, codes, services
from .models import JobCategory, Member, MemberChange, MobilePeriod
from .validators import mask_id_number, validate_id_number, validate_phone

NAME = "members"
TITLE = "党员花名册"

GENDER = {Member.Gender.MALE: "男", Member.Gender.FEMALE: "女"}
CATEGORY = {Member.Category.FULL: "正式党员", Member.Category.PROBATIONARY: "预备党员"}
STATUS = {
    Member.Status.NORMAL: "正常",
    Member.Status.SUSPENDED: "停止党籍",
    Member.Status.REMOVED: "除名",
    Member.Status.EXPELLED: "开除党籍",
    Member.Status.WITHDRAWN: "退党",
    Member.Status.DECEASED: "已去世",
}
NO = ("否", "无")
# 是（...）with full-width or ASCII brackets.
_YES_WITH = re.compile(r"^是\s*[（(]\s*(?P<detail>.*?)\s*[）)]$")
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")


# --- cells out ----------------------------------------------------------------------------------------------


def _label(labels):
    return lambda value: labels.get(value, value)


def lost_contact_cell(member: Member) -> str:
    return f"是（{member.lost_contact_since.isoformat()}起）" if member.lost_contact_since else "否"


def mobile_cell(member: Member) -> str:
    if not member.is_mobile:
        return "否"
    return f"是（{member.mobile_destination}）" if member.mobile_destination else "是"


# --- cells in -----------------------------------------------------------------------------------------------


def parse_id_number(value: str) -> str:
    text = re.sub(r"\s+", "", value)
    if "*" in text:
        raise ValidationError(
            _(
                "The ID numbers in this file are masked and cannot be imported; export the "
                "register with full ID numbers."
            ),
            code="masked",
        )
    if _SCIENTIFIC.match(text):
        raise ValidationError(
            _(
                "Excel turned this ID number into a number and lost its last digits; set the "
                "column's format to Text and type the number again."
            ),
            code="scientific",
        )
    return validate_id_number(text)


def parse_lost_contact(value: str) -> datetime.date | None:
    """否 → None; 是（2026-03-01起）→ the date."""
    if value in NO:
        return None
    match = _YES_WITH.match(value)
    if not match or not match["detail"]:
        raise ValidationError(
            _("Write 否, or 是 with the date contact was lost, e.g. 是（2026-03-01起）."), code="lost_contact"
        )
    return parse_date(match["detail"].removesuffix("起").strip())


def parse_mobile(value: str) -> str | None:
    """否 → None; 是（浙江省杭州市西湖区）→ where the member is; a bare 是 → "" (where is not given)."""
    if value in NO:
        return None
    if value == "是":
        return ""
    match = _YES_WITH.match(value)
    if not match:
        raise ValidationError(
            _("Write 否, or 是 with where the member is, e.g. 是（浙江省杭州市西湖区）."), code="mobile"
        )
    destination = match["detail"]
    limit = MobilePeriod._meta.get_field("province").max_length
    if len(destination) > limit:
        raise ValidationError(_("Write the place in at most %(n)d characters.") % {"n": limit}, code="mobile")
    return destination


def parse_ethnicity(value: str) -> str:
    """汉族, 汉 or 01 → the GB 3304 code."""
    code = codes.ethnicity_code(value)
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not one of the 56 ethnic groups; write its full name, e.g. 汉族.") % {"value": value},
            code="ethnicity",
        )
    return code


def parse_education(value: str) -> str:
    """大学本科, 本科 or 21 → the GB/T 4658 code; 研究生 alone is asked, not guessed."""
    if codes.is_ambiguous_education(value):
        raise ValidationError(
            _("“%(value)s” could be 博士研究生 or 硕士研究生; write which.") % {"value": value}, code="ambiguous"
        )
    code = codes.education_code(value)
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not on the education code list; write one of: %(names)s.")
            % {"value": value, "names": "、".join(name for _code, name in codes.EDUCATIONS)},
            code="education",
        )
    return code


def job_category_parser():
    """工作岗位 → ``(category, title)``: the name (or a short form, or the code) of a job category in use gives
    it with no title; a job title whose words say one category (会计 → 专业技术人员, as the old free-text column
    held) gives that category and the title, for 岗位说明. The categories are read once, at the first cell."""
    categories = {}

    def parse(value: str) -> tuple[JobCategory, str]:
        if not categories:
            categories.update((c.code, c) for c in JobCategory.objects.filter(is_active=True))
        code = codes.job_category_code(value, {code: c.name for code, c in categories.items()})
        if code is not None:
            return categories[code], ""
        code = codes.job_category_from_title(value)
        if code in categories:
            return categories[code], value.strip()
        raise ValidationError(
            _("“%(value)s” is not a job category; write one of: %(names)s (the post itself goes in 岗位说明).")
            % {"value": value, "names": "、".join(c.name for c in categories.values())},
            code="job_category",
        )

    return parse


def parse_phone(value: str) -> str:
    return validate_phone(re.sub(r"\.0$", "", value))  # Excel may have made a number of it


# --- the register -------------------------------------------------------------------------------------------


def _members_for(user):
    members = Member.objects.all() if user is None else Member.objects.for_user(user)
    return members.select_related("organization__parent", "enterprise", "job_category").order_by(
        "organization__name", "name", "pk"
    )


def columns(user=None) -> list[Column]:
    """The register's columns; ``user`` limits the branches and enterprises an import may name."""
    organizations = PartyOrganization.objects.exclude(kind=PartyOrganization.Kind.GENERAL_BRANCH)
    enterprises = Enterprise.objects.all()
    if user is not None:
        organizations = organizations.for_user(user)
        enterprises = enterprises.for_user(user)
    branch = registers.by_name(
        organizations.exclude(kind=PartyOrganization.Kind.GROUP).only("pk", "name", "building_id", "kind", "parent_id"),
        not_found=_("“%(name)s” is not a branch you may import into."),
        ambiguous=_("Several branches are named “%(name)s”; import as a user of one building."),
    )
    # Older files named the party group in 所在党支部; the group now has its own column.
    group = registers.by_name(
        organizations.filter(kind=PartyOrganization.Kind.GROUP).only("pk", "name", "building_id", "kind", "parent_id"),
        not_found=_("“%(name)s” is not a party group you may import into."),
        ambiguous=_("Several party groups are named “%(name)s”; import as a user of one building."),
    )

    def branch_or_group(value: str):
        try:
            return branch(value)
        except ValidationError as error:
            if error.code != "not_found":
                raise
            try:
                return group(value)
            except ValidationError:
                raise error from None

    enterprise = registers.by_name(
        enterprises.only("pk", "name", "room"),
        not_found=_("There is no enterprise named “%(name)s” in the building."),
        ambiguous=_("Several enterprises are named “%(name)s”."),
    )
    return [
        # The 16 national items, in the national order.
        Column("姓名", lambda m: m.name, key="name", required=True, width=10),
        Column("性别", lambda m: GENDER.get(m.gender, ""), key="gender", parse=choice_parser(GENDER), width=6),
        Column(
            "民族",
            lambda m: codes.ETHNICITY_NAMES.get(m.ethnicity, ""),
            key="ethnicity",
            parse=parse_ethnicity,
            required=True,
            width=8,
        ),
        Column(
            "身份证号",
            lambda m: m.id_number,
            masked=lambda m: m.masked_id_number,
            key="id_number",
            parse=parse_id_number,
            required=True,
            text=True,
            width=22,
        ),
        Column("出生日期", lambda m: m.birth_date, key="birth_date", parse=parse_date, empty=None, width=12),
        Column(
            "学历",
            lambda m: codes.EDUCATION_NAMES.get(m.education, ""),
            key="education",
            parse=parse_education,
            width=12,
        ),
        Column(
            "人员类别",
            lambda m: CATEGORY.get(m.category, ""),
            key="category",
            parse=choice_parser(CATEGORY, {"正式": Member.Category.FULL, "预备": Member.Category.PROBATIONARY}),
            required=True,
            width=10,
        ),
        # The branch, also for a member of a party group (the group has its own column below).
        Column(
            "所在党支部", lambda m: m.branch.name, key="organization", parse=branch_or_group, required=True, width=18
        ),
        Column(
            "入党日期", lambda m: m.joined_on, key="joined_on", parse=parse_date, required=True, empty=None, width=12
        ),
        Column("转正日期", lambda m: m.full_member_on, key="full_member_on", parse=parse_date, empty=None, width=12),
        Column(
            "工作岗位",
            lambda m: m.job_category.name if m.job_category_id else "",
            key="job_category",
            parse=job_category_parser(),
            empty=None,
            width=16,
        ),
        Column("联系电话", lambda m: m.phone, key="phone", parse=parse_phone, text=True, width=16),
        Column("家庭住址", lambda m: m.home_address, key="home_address", width=40),
        Column("党籍状态", lambda m: STATUS.get(m.status, ""), key="status", parse=choice_parser(STATUS), width=10),
        Column("是否失联", lost_contact_cell, key="lost_contact", parse=parse_lost_contact, empty=None, width=20),
        Column("是否流动党员", mobile_cell, key="mobile", parse=parse_mobile, empty=None, width=24),
        # The building's own.
        Column(
            "党小组",
            lambda m: m.party_group.name if m.party_group else "",
            key="group",
            parse=group,
            empty=None,
            width=20,
        ),
        Column(
            "所在企业",
            lambda m: m.enterprise.name if m.enterprise_id else "",
            key="enterprise",
            parse=enterprise,
            empty=None,
            width=28,
        ),
        Column("房间号", lambda m: m.workplace_room, key="room", text=True, width=8),
        # The post in the member's own words; 工作岗位 above is the category of the national statistics.
        Column("岗位说明", lambda m: m.job_note, key="job_note", width=16),
    ]


def member_register(user=None) -> Register:
    return Register(
        name=NAME,
        title=TITLE,
        columns=columns(user),
        queryset=_members_for,
        may_export=access.can_export,
        may_export_full=access.can_export_full_ids,
    )


registers.register(NAME, member_register)


def template_instructions(register) -> list[str]:
    """The 说明 sheet of the import template."""
    return registers.template_instructions(register) + [
        _("An ID number already in the register updates that member; a new one adds a member."),
        _("Ethnicity, education and job take the names of the national code lists, e.g. 汉族, 大学本科."),
    ]


def example_member(user=None) -> Member:
    """The made-up member of the import template's example row (valid data, so the row imports as is)."""
    organization = PartyOrganization.objects.exclude(kind=PartyOrganization.Kind.GENERAL_BRANCH)
    if user is not None:
        organization = organization.for_user(user)
    organization = organization.order_by("kind", "name").first() or PartyOrganization(name="第一党支部")
    return Member(
        name="王小明",
        gender=Member.Gender.MALE,
        ethnicity=codes.HAN,
        id_number="320106198808081232",
        birth_date=datetime.date(1988, 8, 8),
        education=codes.BACHELOR,
        category=Member.Category.FULL,
        organization=organization,
        joined_on=datetime.date(2012, 7, 1),
        full_member_on=datetime.date(2013, 7, 1),
        job_category=JobCategory.objects.filter(code="02").first(),
        job_note="软件工程师",
        phone="13812345678",
        home_address="浙江省慈溪市古塘街道示例路1号",
        status=Member.Status.NORMAL,
        whereabouts=Member.Whereabouts.HERE,
        room="1203",
    )


# --- import -------------------------------------------------------------------------------------------------

# Model fields the file may set (the others are lost contact and mobile, which go through their services).
MODEL_KEYS = (
    "name",
    "gender",
    "ethnicity",
    "id_number",
    "birth_date",
    "education",
    "category",
    "organization",
    "joined_on",
    "full_member_on",
    "job_category",
    "job_note",
    "phone",
    "home_address",
    "status",
    "enterprise",
    "room",
)


@dataclass
class ImportRow:
    number: int
    name: str = ""
    id_number: str = ""
    kind: str = ""
    member: Member | None = None
    changed: list[str] = field(default_factory=list)  # headers of the columns that change
    set_lost_contact: bool = False  # lost contact changes, to lost_contact_since
    lost_contact_since: datetime.date | None = None
    mobile_start: str | None = None  # where to, when a mobile period opens
    mobile_end: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def plan_import(*, source, user=None, today: datetime.date | None = None, progress=None) -> ImportPlan:
    """Read and check a file without writing anything. ``user`` None is the command line: every branch.
    ``progress`` is told the number of rows checked (an import run's progress bar)."""
    today = today or timezone.localdate()
    plan = ImportPlan()
    register = member_register(user)
    raw_rows, plan.file_errors = registers.read_for_import(register, source)
    if plan.file_errors:
        return plan

    header_of = {c.key: c.header for c in register.columns if c.key}
    parsed, first_row_of = [], {}
    for number, raw in raw_rows:
        values, errors = register.parse_row(number, raw)
        row = ImportRow(number=number, name=raw.get("姓名", ""), errors=errors)
        row.id_number = values.get("id_number", "")
        if row.id_number:
            if row.id_number in first_row_of:
                row.errors.append(
                    RowError(
                        number,
                        header_of["id_number"],
                        _("This ID number is already in row %(row)d of this file.")
                        % {"row": first_row_of[row.id_number]},
                    )
                )
                row.id_number = ""
            else:
                first_row_of[row.id_number] = number
        parsed.append((row, values))
        plan.rows.append(row)

    # Existing members, in bulk: all of them (an ID number is unique in the whole system) and those in scope.
    ids = list(first_row_of)
    existing, in_scope = {}, set()
    scoped = Member.objects.all() if user is None else Member.objects.for_user(user)
    for chunk in registers.chunks(ids):
        # Matched by keyed hash: the numbers themselves are encrypted in the database.
        existing.update(
            (m.id_number, m)
            for m in Member.objects.with_id_numbers(*chunk).select_related("organization", "enterprise")
        )
        in_scope.update(scoped.with_id_numbers(*chunk).values_list("pk", flat=True))
    open_since = {}  # member pk → start of their open mobile period
    for chunk in registers.chunks([m.pk for m in existing.values()]):
        open_since.update(
            MobilePeriod.objects.filter(member_id__in=chunk, until__isnull=True).values_list("member_id", "since")
        )

    for row, values in registers.counting(parsed, progress):
        if not row.id_number:
            continue
        current = existing.get(row.id_number)
        if current is not None and current.pk not in in_scope:
            row.errors.append(
                RowError(
                    row.number,
                    header_of["id_number"],
                    _(
                        "A member with this ID number is registered in a branch outside your scope; ask the building "
                        "admin."
                    ),
                )
            )
            continue
        _check_row(row, values, current, header_of, open_since, today)
    return plan


def _place_in_group(row: ImportRow, values: dict, current: Member | None, header_of: dict):
    """所在党支部 is the branch; 党小组, when filled in, is one of that branch's groups and is where the member
    belongs. A file without the 党小组 column leaves a member in their group of that branch."""
    group = values.pop("group", None) if "group" in values else False
    organization = values.get("organization")
    if organization is None:
        return
    if group:
        if organization.kind == PartyOrganization.Kind.GROUP or group.parent_id != organization.pk:
            row.errors.append(
                RowError(
                    row.number,
                    header_of["group"],
                    _("“%(group)s” is not a party group of “%(branch)s”.")
                    % {"group": group.name, "branch": organization.name},
                )
            )
            return
        values["organization"] = group
    elif group is False and current is not None:
        now = current.organization
        if now.kind == PartyOrganization.Kind.GROUP and now.parent_id == organization.pk:
            values["organization"] = now


def _check_row(
    row: ImportRow, values: dict, current: Member | None, header_of: dict, open_since: dict, today: datetime.date
):
    """Build the member a row describes, validate it, and work out what would change."""
    failed = {e.column for e in row.errors}
    failed_keys = {key for key, header in header_of.items() if header in failed}
    member = current if current is not None else Member()
    before = (
        {f: getattr(member, Member._meta.get_field(f).attname) for f in services.TRACKED_FIELDS}
        if current is not None
        else {}
    )

    _place_in_group(row, values, current, header_of)
    title = ""
    for key in MODEL_KEYS:
        if key not in values:
            continue  # a column the file does not have (or whose cell failed): left as it is
        value = values[key]
        if key == "status":
            if not value:
                continue
            if current is not None and value != current.status:
                row.errors.append(
                    RowError(
                        row.number,
                        header_of[key],
                        _("Party standing is changed on the member's page (with the reason), not by import."),
                    )
                )
                continue
        if key == "job_category" and value is not None:
            value, title = value  # a job title in 工作岗位 (the old free-text column) is kept as the note
        if key == "job_note" and not value and title:
            value = title
        if key in ("gender", "birth_date") and not value:
            value = "" if key == "gender" else None  # filled in from the ID number below
        if key == "room" and value:
            # The export writes the enterprise's room for a member without their own; reading it back must
            # not turn it into the member's own room.
            works_at = values["enterprise"] if "enterprise" in values else (current.enterprise if current else None)
            if works_at is not None and value == works_at.room and not (current.room if current else ""):
                value = ""
        setattr(member, key, value)

    if title and "job_note" not in values:
        member.job_note = title
    member.fill_from_id_number()
    exclude = ["user", "organization", "enterprise", "job_category"] + [k for k in failed_keys if k in MODEL_KEYS]
    try:
        member.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            if key in failed_keys:
                continue
            column = (
                "" if key == NON_FIELD_ERRORS else header_of.get(key, str(Member._meta.get_field(key).verbose_name))
            )
            row.errors.append(RowError(row.number, column, " ".join(messages)))

    # Lost contact and mobile go through their services.
    if "lost_contact" in values:
        since = values["lost_contact"]
        if since != (current.lost_contact_since if current else None):
            if since and since > today:
                row.errors.append(RowError(row.number, header_of["lost_contact"], _("This date is in the future.")))
            row.set_lost_contact, row.lost_contact_since = True, since
    if "mobile" in values:
        where = values["mobile"]
        is_open = current is not None and current.pk in open_since
        if where is not None and not is_open:
            if not where:
                row.errors.append(
                    RowError(
                        row.number, header_of["mobile"], _("Write where the member is, e.g. 是（浙江省杭州市西湖区）.")
                    )
                )
            row.mobile_start = where
        elif where is None and is_open:
            if open_since[current.pk] > today:
                row.errors.append(
                    RowError(
                        row.number,
                        header_of["mobile"],
                        _("The open mobile period starts after today; end it on the member's page."),
                    )
                )
            row.mobile_end = True

    row.member = member
    if current is None:
        row.kind = NEW
        return
    after = {f: getattr(member, Member._meta.get_field(f).attname) for f in services.TRACKED_FIELDS}
    changed = [
        f
        for f in services.TRACKED_FIELDS
        if before[f] != after[f] and not (before[f] in (None, "") and after[f] in (None, ""))
    ]
    row.changed = [header_of.get(f, str(Member._meta.get_field(f).verbose_name)) for f in changed]
    if row.set_lost_contact:
        row.changed.append(header_of["lost_contact"])
    if row.mobile_start is not None or row.mobile_end:
        row.changed.append(header_of["mobile"])
    row.kind = UPDATE if row.changed else UNCHANGED


def apply_import(
    *,
    plan: ImportPlan,
    user=None,
    source_name: str = "",
    request=None,
    command_line: bool = False,
    today: datetime.date | None = None,
    progress=None,
) -> dict:
    """Write a valid plan: every row or none. Returns the counts by kind; ``progress`` is told rows written."""
    if not plan.is_valid:
        raise ValueError("only a plan without errors is written")
    today = today or timezone.localdate()
    note = (
        stored(gettext_lazy("Imported from %(file)s"), {"file": source_name})[:300]
        if source_name
        else stored(gettext_lazy("Imported"))
    )
    counts = plan.counts
    with transaction.atomic():
        for row in registers.counting(plan.rows, progress):
            member = row.member
            if row.kind == NEW:
                services.member_create(member=member, created_by=user, action=MemberChange.Action.IMPORTED, note=note)
            elif row.kind == UPDATE:
                services.member_update(member=member, changed_by=user, action=MemberChange.Action.IMPORTED, note=note)
            if row.set_lost_contact:
                services.lost_contact_set(member=member, since=row.lost_contact_since, by=user, note=note)
            if row.mobile_start is not None:
                services.mobile_start(member=member, by=user, province=row.mobile_start, since=today, note=note)
            if row.mobile_end:
                services.mobile_end(member=member, until=today, by=user)
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


imports.register_importer(NAME, plan=plan_import, apply=apply_import, may_import=access.can_import)
