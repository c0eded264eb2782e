# Issue 15 (the monthly dues job): fewer indexes written by every notification insert; no row is touched.
# - the user's own index goes: the two indexes on (user, read_at) and (user, dedupe_key) start with the user
#   and serve its lookups and the cascade from a deleted user. Dropped by name (SQLite and PostgreSQL name it
#   alike) rather than by AlterField, which on PostgreSQL would drop and re-validate the foreign key too;
# - created_at's index goes: the only query it served, the emails in trouble on /jobs/ (no email yet, at
#   least one attempt, newest first), gets a partial index that a new notification does not enter.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

USER_INDEX = "buildingparty_notification_user_id_334b6de4"


class Migration(migrations.Migration):
    dependencies = [
        ("buildingparty", "0010_guards_unescape_notifications"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{USER_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{USER_INDEX}" ON "buildingparty_notification" ("user_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("email_attempts__gt", 0), ("emailed_at__isnull", True)),
                fields=["created_at", "id"],
                name="notification_email_trouble",
            ),
        ),
    ]
