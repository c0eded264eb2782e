"""Encrypt the ID numbers already stored (issue 14), keeping every row.

1. Each member's and incoming member's number is read (plain text before this step) and written back through
   the encrypting field, with its keyed hash and last four; in batches, so a large register fits in memory.
2. The member history's recorded ID numbers (``changes["id_number"]``, old → new) are masked: the history shows
   them masked anyway, and a dump must not hold them.

Going back writes the numbers back in plain text (the history stays masked: that part is one-way).
"""

from django.db import migrations

from buildingparty import crypto
from members.validators import mask_id_number

BATCH = 500


def _encrypt(model):
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        rows = list(model.objects.filter(pk__in=pks[start : start + BATCH]).only("pk", "id_number"))
        for row in rows:
            # The field reads a plain value as it is and encrypts whatever it writes.
            row.id_hash, row.id_last4 = crypto.id_hash(row.id_number), crypto.id_last4(row.id_number)
        model.objects.bulk_update(rows, ["id_number", "id_hash", "id_last4"])


def _masked(value):
    return mask_id_number(value) if isinstance(value, str) and value and "*" not in value else value


def forwards(apps, schema_editor):
    _encrypt(apps.get_model("members", "Member"))
    _encrypt(apps.get_model("members", "IncomingMobileMember"))
    MemberChange = apps.get_model("members", "MemberChange")
    changed = []
    for entry in MemberChange.objects.filter(changes__has_key="id_number"):
        pair = entry.changes["id_number"]
        entry.changes["id_number"] = [_masked(v) for v in pair] if isinstance(pair, list) else _masked(pair)
        changed.append(entry)
    MemberChange.objects.bulk_update(changed, ["changes"], batch_size=BATCH)


def backwards(apps, schema_editor):
    for name in ("Member", "IncomingMobileMember"):
        model = apps.get_model("members", name)
        table = schema_editor.quote_name(model._meta.db_table)
        plain = list(model.objects.values_list("pk", "id_number"))
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET id_number = %s WHERE id = %s", [(v, pk) for pk, v in plain])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0010_crypto_id_columns"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
