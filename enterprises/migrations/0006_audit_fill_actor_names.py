"""Keep who wrote each enterprise history entry by name (issue 14, point 10):
``actor_name`` is filled from the user for every row written before it existed.
Every row is kept; rows whose user is already gone stay without a name."""

from django.db import migrations


def fill_actor_names(apps, schema_editor):
    rows = apps.get_model("enterprises", "EnterpriseChange").objects.filter(actor_name="", changed_by__isnull=False)
    users = apps.get_model("buildingparty", "User").objects.filter(pk__in=rows.values("changed_by"))
    for user in users.only("pk", "name", "username"):
        rows.filter(changed_by=user).update(actor_name=(user.name or user.username)[:150])


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0005_audit_actor_name"), ("buildingparty", "0001_initial")]

    operations = [migrations.RunPython(fill_actor_names, migrations.RunPython.noop)]
