"""The register's code lists (DOMAIN.md §4): 民族 by GB 3304, 学历 by GB/T 4658, 工作岗位 by the 党内统计 job
categories (``JobCategory``, seeded here), and a phone that may be a landline.

The data step keeps every row and every value:

- 民族 and 学历 become codes; 工作岗位's free text stays as ``job_note`` and the category is read from it
  where its words say one (``codes.job_category_from_title``);
- a value the lists cannot take (研究生 could be 博士 or 硕士, 初中及以下 could be 小学, an unknown 民族, a
  job title that names no category) is written to ``code_leftovers`` for the admin, who sees them listed
  (``manage.py code_list_leftovers`` and the home page);
- phones are stored normalised (0574-63012345); proposals waiting with a ``job`` now propose ``job_note``.

Going back puts the names and the old education values back; a code the old choices split finer (博士 and 硕士
were both 研究生) goes back to the coarser value. A landline phone does not fit the old mobile-only field: going
back stops with the members' names rather than drop it.

The schema changes around the data step run outside one transaction (``atomic = False``; the data step is
atomic on its own): PostgreSQL refuses to alter a table with pending trigger events from the rows just written.
"""

import django.db.models.deletion
from django.db import migrations, models

import members.validators
from members import codes

# The old education choices and the register's labels for them.
OLD_EDUCATION = {
    "postgraduate": None,  # 研究生: 博士 or 硕士?
    "bachelor": codes.BACHELOR,
    "college": codes.COLLEGE,
    "vocational": codes.SECONDARY_SPECIALISED,  # the register wrote 中专
    "high_school": codes.HIGH_SCHOOL,
    "junior": None,  # 初中及以下: 初中 or 小学?
}
OLD_EDUCATION_LABELS = {
    "postgraduate": "研究生",
    "bachelor": "大学本科",
    "college": "大学专科",
    "vocational": "中专",
    "high_school": "高中",
    "junior": "初中及以下",
}
BACK_TO_OLD_EDUCATION = {
    codes.DOCTORATE: "postgraduate",
    codes.MASTER: "postgraduate",
    codes.BACHELOR: "bachelor",
    codes.COLLEGE: "college",
    codes.SECONDARY_SPECIALISED: "vocational",
    codes.VOCATIONAL_HIGH: "vocational",
    codes.TECHNICAL_SCHOOL: "vocational",
    codes.HIGH_SCHOOL: "high_school",
    codes.JUNIOR: "junior",
    codes.PRIMARY: "junior",
}
LEFTOVER_SEPARATOR = "；"


def map_member(member, categories: dict) -> list[str]:
    """Set the codes of one member (a historical model instance); returns what could not be mapped, as
    ``民族：…`` lines."""
    leftovers = []
    text = (member.ethnicity or "").strip()
    code = codes.ethnicity_code(text) if text else ""
    if code is None:
        leftovers.append(f"民族：{text}")
        code = ""
    member.ethnicity = code
    old = member.education or ""
    if old in OLD_EDUCATION:
        code = OLD_EDUCATION[old]
        label = OLD_EDUCATION_LABELS[old]
    else:  # free text from before the choices, if any
        code, label = codes.education_code(old), old
    if old and code is None:
        leftovers.append(f"学历：{label}")
    member.education = code or ""
    title = (member.job_note or "").strip()
    category = codes.job_category_from_title(title) if title else None
    if title and category is None:
        leftovers.append(f"工作岗位：{title}")
    member.job_category_id = categories.get(category)
    if member.phone:
        member.phone = members.validators.normalize_phone(member.phone)
    return leftovers


def forward(apps, schema_editor):
    JobCategory = apps.get_model("members", "JobCategory")
    Member = apps.get_model("members", "Member")
    ChangeProposal = apps.get_model("members", "ChangeProposal")
    for order, (code, name) in enumerate(codes.JOB_CATEGORIES, start=1):
        JobCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    categories = dict(JobCategory.objects.values_list("code", "pk"))
    fields = ["ethnicity", "education", "job_category", "phone", "code_leftovers"]
    batch = []
    for member in Member.objects.order_by("pk").iterator(chunk_size=500):
        leftovers = map_member(member, categories)
        member.code_leftovers = LEFTOVER_SEPARATOR.join(leftovers)[:300]
        batch.append(member)
        if len(batch) >= 500:
            Member.objects.bulk_update(batch, fields)
            batch = []
    Member.objects.bulk_update(batch, fields)
    for proposal in ChangeProposal.objects.all():
        if isinstance(proposal.changes, dict) and "job" in proposal.changes:
            proposal.changes["job_note"] = proposal.changes.pop("job")
            proposal.save(update_fields=["changes"])


def backward(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    ChangeProposal = apps.get_model("members", "ChangeProposal")
    names = dict(apps.get_model("members", "JobCategory").objects.values_list("pk", "name"))
    landlines = list(Member.objects.filter(phone__contains="-").values_list("name", flat=True)[:5])
    if landlines:
        # The old field held 11-digit mobiles only: a landline would not fit, and dropping it loses data.
        raise RuntimeError(f"Members with a landline phone cannot go back before the code lists: {landlines}")
    batch = []
    for member in Member.objects.order_by("pk").iterator(chunk_size=500):
        lost = dict(
            line.split("：", 1) for line in (member.code_leftovers or "").split(LEFTOVER_SEPARATOR) if "：" in line
        )
        member.ethnicity = codes.ETHNICITY_NAMES.get(member.ethnicity) or lost.get("民族", "")
        if member.education:
            member.education = BACK_TO_OLD_EDUCATION.get(member.education, "")
        else:
            label = lost.get("学历", "")
            member.education = next((old for old, text in OLD_EDUCATION_LABELS.items() if text == label), "")
        if not member.job_note and member.job_category_id:
            member.job_note = names[member.job_category_id]
        batch.append(member)
    Member.objects.bulk_update(batch, ["ethnicity", "education", "job_note"], batch_size=500)
    for proposal in ChangeProposal.objects.all():
        if isinstance(proposal.changes, dict) and "job_note" in proposal.changes:
            proposal.changes["job"] = proposal.changes.pop("job_note")
            proposal.save(update_fields=["changes"])


class Migration(migrations.Migration):
    atomic = False

    # The survey's tables have their own names from survey 0002 on: a table remade here (SQLite) must name them so.
    dependencies = [
        ("members", "0008_standing_decisions"),
        ("survey", "0002_tables_and_content_types"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobCategory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=10, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=50, unique=True, verbose_name="name")),
                ("is_active", models.BooleanField(default=True, verbose_name="in use")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
            ],
            options={
                "verbose_name": "job category",
                "verbose_name_plural": "job categories",
                "ordering": ["order", "code"],
            },
        ),
        migrations.RenameField(model_name="member", old_name="job", new_name="job_note"),
        migrations.AlterField(
            model_name="member",
            name="job_note",
            field=models.CharField(
                blank=True,
                help_text="The post in the member's own words, e.g. 会计.",
                max_length=100,
                verbose_name="job title",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="job_category",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="members.jobcategory",
                verbose_name="job",
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="code_leftovers",
            field=models.CharField(
                blank=True,
                help_text="Old values the code lists could not take; clear this once the fields above are set.",
                max_length=300,
                verbose_name="values not on the code lists",
            ),
        ),
        migrations.AlterField(
            model_name="member",
            name="phone",
            field=models.CharField(
                blank=True,
                help_text="A mobile, or a landline with its area code, e.g. 0574-63012345.",
                max_length=20,
                validators=[members.validators.validate_phone],
                verbose_name="phone",
            ),
        ),
        migrations.RunPython(forward, backward, atomic=True),
        migrations.AlterField(
            model_name="member",
            name="education",
            field=models.CharField(blank=True, choices=codes.EDUCATIONS, max_length=2, verbose_name="education"),
        ),
        migrations.AlterField(
            model_name="member",
            name="ethnicity",
            field=models.CharField(
                blank=True, choices=codes.ETHNICITIES, default="01", max_length=2, verbose_name="ethnicity"
            ),
        ),
    ]
