from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models.functions import Cast

from buildingparty import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every ID number still under an old key with the current key (the first of "
        "ID_ENCRYPTION_KEYS), and re-hash every one whose hash is not under the current ID_HASH_KEY. Safe to run "
        "again; afterwards the old keys can leave ID_ENCRYPTION_KEYS and ID_HASH_OLD_KEYS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows read and written per batch")

    def handle(self, *args, batch_size, **options):
        current = crypto.current_key_id()
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, crypto.EncryptedIDField):
                    self._rotate(model, field, current, batch_size)

    def _rotate(self, model, field, current: str, batch_size: int) -> None:
        """1. List the rows' ids. 2. Per batch, read the stored text as it is (cast, so the field does not
        decrypt it), decrypt, and write back, in one transaction per batch, the rows under an old key or an
        old hash key."""
        label = f"{model._meta.label}.{field.name}"
        columns = [field.attname, field.hash_field, field.last4_field]
        manager = model._base_manager
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        checked = encrypted = hashed = 0
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                rows = (
                    manager.filter(pk__in=pks[start : start + batch_size])
                    .select_for_update()
                    .values_list("pk", Cast(field.attname, models.TextField()), field.hash_field, field.last4_field)
                )
                changed = []
                for pk, stored, stored_hash, stored_last4 in rows:
                    checked += 1
                    if not stored:
                        continue
                    plain = crypto.decrypt(stored) if crypto.is_encrypted(stored) else stored
                    old_key = not crypto.is_encrypted(stored) or crypto.key_id_of(stored) != current
                    new_hash = crypto.id_hash(plain)
                    if not old_key and stored_hash == new_hash and stored_last4 == crypto.id_last4(plain):
                        continue
                    encrypted += old_key
                    hashed += stored_hash != new_hash
                    changed.append(model(pk=pk, **dict(zip(columns, [plain, new_hash, crypto.id_last4(plain)]))))
                manager.bulk_update(changed, columns)
            self.stdout.write(f"{label}: {checked}/{len(pks)} checked, {encrypted} re-encrypted, {hashed} re-hashed")
        if not pks:
            self.stdout.write(f"{label}: no rows")
        self.stdout.write(self.style.SUCCESS(f"{label}: every value is under key {current} and the current hash key."))
