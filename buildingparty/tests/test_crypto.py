"""The one home of field encryption (buildingparty/crypto.py): AES-GCM with a key id per value, keys from the
environment or generated once into the var dir, and the keyed hash for exact matches."""

import base64
import secrets

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from buildingparty import crypto


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_a_value_round_trips_and_carries_the_current_key_id():
    with override_settings(ID_ENCRYPTION_KEYS=f"k2:{_key()},k1:{_key()}"):
        stored = crypto.encrypt("330282199001011231")
        assert stored.startswith("k2$") and "330282199001011231" not in stored
        assert crypto.decrypt(stored) == "330282199001011231"
        assert crypto.encrypt("330282199001011231") != stored  # a fresh nonce each time


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first():
    old = f"k1:{_key()}"
    with override_settings(ID_ENCRYPTION_KEYS=old):
        stored = crypto.encrypt("330282199001011231")
    with override_settings(ID_ENCRYPTION_KEYS=f"k2:{_key()},{old}"):
        assert crypto.decrypt(stored) == "330282199001011231"
        assert crypto.current_key_id() == "k2"


def test_a_tampered_value_does_not_open():
    with override_settings(ID_ENCRYPTION_KEYS=f"k1:{_key()}"):
        key_id, _sep, body = crypto.encrypt("330282199001011231").partition("$")
        data = bytearray(base64.b64decode(body))
        data[-1] ^= 1
        with pytest.raises(InvalidTag):
            crypto.decrypt(f"{key_id}${base64.b64encode(bytes(data)).decode()}")


@pytest.mark.parametrize(
    "value", ["k1", "k1:", "k1:not base64!", f"k1:{base64.b64encode(b'short').decode()}", "k-1:" + "A" * 44]
)
def test_a_malformed_key_list_stops_with_a_clear_error(value):
    with override_settings(ID_ENCRYPTION_KEYS=value), pytest.raises(ImproperlyConfigured, match="ID_ENCRYPTION_KEYS"):
        crypto.encryption_keys()


def test_the_same_key_id_twice_is_refused():
    with override_settings(ID_ENCRYPTION_KEYS=f"k1:{_key()},k1:{_key()}"), pytest.raises(ImproperlyConfigured):
        crypto.encryption_keys()


def test_without_keys_in_the_environment_they_are_generated_once_and_kept_private(tmp_path):
    with override_settings(VAR_DIR=tmp_path, ID_ENCRYPTION_KEYS="", ID_HASH_KEY=""):
        stored = crypto.encrypt("330282199001011231")
        digest = crypto.id_hash("330282199001011231")
    key_file, hash_file = tmp_path / "id_encryption_key", tmp_path / "id_hash_key"
    assert oct(key_file.stat().st_mode)[-3:] == "600" and oct(hash_file.stat().st_mode)[-3:] == "600"
    assert len(base64.b64decode(key_file.read_text())) == 32
    # A second start reads the same keys back.
    with override_settings(VAR_DIR=tmp_path, ID_ENCRYPTION_KEYS="", ID_HASH_KEY=""):
        assert crypto.decrypt(stored) == "330282199001011231"
        assert crypto.id_hash("330282199001011231") == digest
    assert set(tmp_path.iterdir()) == {key_file, hash_file}  # no temporary files left behind


def test_the_hash_is_keyed_normalised_and_tries_old_keys():
    old, new = _key(), _key()
    with override_settings(ID_HASH_KEY=old, ID_HASH_OLD_KEYS=[]):
        under_old = crypto.id_hash("32010619880808123x")
    with override_settings(ID_HASH_KEY=new, ID_HASH_OLD_KEYS=[old]):
        assert crypto.id_hash(" 32010619880808123X ") != under_old
        assert crypto.id_hashes("32010619880808123X") == [crypto.id_hash("32010619880808123X"), under_old]
    assert crypto.id_hash("") == "" and crypto.id_hashes("") == []
