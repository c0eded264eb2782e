"""One person, one member record: the keyed hash of the ID number is unique (it replaces the unique number)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_crypto_encrypt_ids"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="id_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
