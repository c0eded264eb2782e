"""Standing (党籍) and whereabouts are two things (DOMAIN.md §5a): "transferred out" leaves the standing choices
and becomes ``Member.whereabouts``; every standing change is a ``StandingDecision``.

The data step keeps every row: a member whose standing was "transferred_out" keeps their normal standing and is
marked transferred out; going back puts the old value back."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def standing_to_whereabouts(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Member.objects.filter(status="transferred_out").update(status="normal", whereabouts="transferred_out")


def whereabouts_to_standing(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Member.objects.filter(whereabouts="transferred_out").update(status="transferred_out", whereabouts="here")


STATUS_CHOICES = [
    ("normal", "Normal"),
    ("suspended", "Party standing suspended"),
    ("removed", "Removed from the party"),
    ("expelled", "Expelled from the party"),
    ("withdrawn", "Withdrew from the party"),
    ("deceased", "Deceased"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_source_lead_to_survey"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="whereabouts",
            field=models.CharField(
                choices=[("here", "In this building"), ("transferred_out", "Transferred out")],
                default="here",
                max_length=20,
                verbose_name="whereabouts",
            ),
        ),
        migrations.RunPython(standing_to_whereabouts, whereabouts_to_standing),
        migrations.AlterField(
            model_name="member",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES, default="normal", max_length=20, verbose_name="party standing"
            ),
        ),
        migrations.CreateModel(
            name="StandingDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("suspend", "Suspend party standing (停止党籍)"),
                            ("remove", "Remove from the party (除名)"),
                            ("self_lapsed", "Lapsed of own accord, handled as removal (自行脱党)"),
                            ("expel", "Expel from the party (开除党籍)"),
                            ("withdraw", "Withdrawal from the party (退党)"),
                            ("death", "Death"),
                            ("restore", "Restore party standing (恢复党籍)"),
                        ],
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                ("decided_on", models.DateField(verbose_name="decided on")),
                ("reason", models.CharField(max_length=300, verbose_name="reason")),
                (
                    "approved_by_organization",
                    models.CharField(
                        blank=True,
                        help_text="The organisation that approved the decision, e.g. the superior party committee.",
                        max_length=100,
                        verbose_name="approved by",
                    ),
                ),
                (
                    "previous_status",
                    models.CharField(choices=STATUS_CHOICES, max_length=20, verbose_name="standing before"),
                ),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="recorded at")),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="standing_decisions",
                        to="members.member",
                        verbose_name="member",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "standing decision",
                "verbose_name_plural": "standing decisions",
                "ordering": ["-decided_on", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="standing_decision_has_reason"
                    )
                ],
            },
        ),
    ]
