"""ID numbers at rest: AES-GCM encryption with rotating keys, and a keyed hash (HMAC-SHA256) for exact matches.

A stored value is ``<key id>$<base64(nonce | ciphertext)>``: the key id says which key decrypts it, so keys can
rotate (``manage.py rotate_keys``). The hash column lets the database find a number without holding it; the last
four characters are kept apart for search. Keys come from the environment:

- ``ID_ENCRYPTION_KEYS="k2:<base64 of 32 bytes>,k1:<...>"``: the first encrypts, every one decrypts;
- ``ID_HASH_KEY="<base64 of 32 bytes>"``: the current hash key; ``ID_HASH_OLD_KEYS`` (comma-separated) are still
  tried by lookups until ``rotate_keys`` has re-hashed every row.

Unset (``make run``, tests), one key of each is generated once and kept in the var dir, like the secret key; the
deploy check warns then, since a backup of the var dir would hold the keys beside the data.
"""

import base64
import functools
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models

SEPARATOR = "$"
NONCE_BYTES = 12
# Binds a ciphertext to its purpose: a value copied into another encrypted column of another kind will not open.
ASSOCIATED_DATA = b"buildingparty id_number"


def _generated_key(name: str) -> str:
    """A key generated once and kept in the var dir (never a key in the code); created atomically so two
    processes starting together agree on one key."""
    path = settings.VAR_DIR / name
    if not path.exists():
        temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        temporary.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)  # fails if another process was first: its key wins
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: a key is not valid base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: a key must be 32 bytes (base64 of 32 random bytes)")
    return key


@functools.cache
def encryption_keys() -> dict[str, bytes]:
    """Key id → key, the current key first."""
    raw = getattr(settings, "ID_ENCRYPTION_KEYS", "") or f"k1:{_generated_key('id_encryption_key')}"
    keys = {}
    for part in raw.split(","):
        key_id, _sep, text = part.strip().partition(":")
        if not key_id or not text or not key_id.isalnum():
            raise ImproperlyConfigured("ID_ENCRYPTION_KEYS must look like k2:<base64>,k1:<base64>")
        if key_id in keys:
            raise ImproperlyConfigured(f"ID_ENCRYPTION_KEYS names the key {key_id} twice")
        keys[key_id] = _decode_key(text, "ID_ENCRYPTION_KEYS")
    return keys


def current_key_id() -> str:
    return next(iter(encryption_keys()))


@functools.cache
def hash_keys() -> list[bytes]:
    """The current hash key first, then the old ones lookups still try."""
    current = getattr(settings, "ID_HASH_KEY", "") or _generated_key("id_hash_key")
    old = [k for k in getattr(settings, "ID_HASH_OLD_KEYS", []) if k.strip()]
    return [_decode_key(k, "ID_HASH_KEY") for k in [current, *old]]


def _forget_keys(*, setting, **kwargs):
    if setting in {"ID_ENCRYPTION_KEYS", "ID_HASH_KEY", "ID_HASH_OLD_KEYS", "VAR_DIR"}:
        encryption_keys.cache_clear()
        hash_keys.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(plain: str) -> str:
    key_id = current_key_id()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(encryption_keys()[key_id]).encrypt(nonce, plain.encode(), ASSOCIATED_DATA)
    return f"{key_id}{SEPARATOR}{base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(stored: str) -> bool:
    return SEPARATOR in (stored or "")


def key_id_of(stored: str) -> str:
    return stored.partition(SEPARATOR)[0]


def decrypt(stored: str) -> str:
    key_id, _sep, body = stored.partition(SEPARATOR)
    key = encryption_keys().get(key_id)
    if key is None:
        raise ImproperlyConfigured(
            f"An ID number is encrypted with the key {key_id!r}, which ID_ENCRYPTION_KEYS does not hold; "
            "keep old keys in the list until manage.py rotate_keys has re-encrypted every value."
        )
    data = base64.b64decode(body)
    return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], ASSOCIATED_DATA).decode()


def _hash_with(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def id_hash(value: str) -> str:
    """The keyed hash of a (normalised) ID number under the current key; empty for no number."""
    value = (value or "").strip().upper()
    return _hash_with(hash_keys()[0], value) if value else ""


def id_hashes(value: str) -> list[str]:
    """The hashes a lookup must try: under the current key and each old key not yet rotated away."""
    value = (value or "").strip().upper()
    return [_hash_with(key, value) for key in hash_keys()] if value else []


def id_last4(value: str) -> str:
    return (value or "").strip().upper()[-4:]


class EncryptedIDField(models.CharField):
    """An ID number: plain text in Python, AES-GCM ciphertext in the column.

    Saving fills the model's hash and last-four fields (``hash_field``, ``last4_field``, declared after this one)
    from the number. The column answers no lookups: a query by ID number goes through the hash, so a forgotten
    ``filter(id_number=...)`` fails loudly instead of silently finding nothing.
    """

    def __init__(self, *args, hash_field: str = "id_hash", last4_field: str = "id_last4", **kwargs):
        self.hash_field, self.last4_field = hash_field, last4_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field != "id_hash":
            kwargs["hash_field"] = self.hash_field
        if self.last4_field != "id_last4":
            kwargs["last4_field"] = self.last4_field
        return name, path, args, kwargs

    def db_type(self, connection):
        # The ciphertext is longer than the 18 characters the form allows.
        return models.TextField().db_type(connection)

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        # A value without a key id is a number stored before encryption (only the data migration sees one).
        return decrypt(value) if is_encrypted(value) else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value) if value else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        setattr(model_instance, self.hash_field, id_hash(value))
        setattr(model_instance, self.last4_field, id_last4(value))
        return value


def with_id_columns(update_fields):
    """``update_fields`` with the hash and last four added when the ID number is in it (they follow it)."""
    if update_fields is None or "id_number" not in update_fields:
        return update_fields
    return [*update_fields, *({"id_hash", "id_last4"} - set(update_fields))]


@checks.register(checks.Tags.security, deploy=True)
def check_id_keys(app_configs, **kwargs):
    """In production the keys come from the environment: keys generated into the var dir would sit beside the
    database and its backups, and a lost var dir would lose every ID number."""
    missing = [name for name in ("ID_ENCRYPTION_KEYS", "ID_HASH_KEY") if not getattr(settings, name, "")]
    if not missing:
        return []
    return [
        checks.Warning(
            f"{' and '.join(missing)} not set: ID numbers are encrypted with keys generated into the var dir.",
            hint="Set them from a secret store (see the README's Security section); keep a copy of the keys "
            "apart from the backups.",
            id="buildingparty.W101",
        )
    ]
