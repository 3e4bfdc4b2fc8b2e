"""cache_files.py: sealed, data-only cache files."""

from __future__ import annotations

from generator.cache_files import KEY_VARIABLE, MAGIC, read_sealed, seal, unseal, write_sealed


def test_a_sealed_payload_round_trips_for_its_own_name_only():
    sealed = seal("entry-a", b"payload")
    assert sealed.startswith(MAGIC)
    assert unseal("entry-a", sealed) == b"payload"
    assert unseal("entry-b", sealed) is None  # moved to another entry's slot


def test_damage_anywhere_is_caught():
    sealed = seal("entry", b"some payload bytes")
    for position in range(len(sealed)):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x01
        assert unseal("entry", bytes(damaged)) is None, position
    for length in range(len(sealed)):
        assert unseal("entry", sealed[:length]) is None, length
    assert unseal("entry", b"") is None and unseal("entry", b"\x80\x04pickle") is None


def test_the_secret_signs_entries(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    unsigned = seal("entry", b"x")
    monkeypatch.setenv(KEY_VARIABLE, "secret")
    signed = seal("entry", b"x")
    assert unseal("entry", unsigned) is None  # made without the secret: ignored
    assert unseal("entry", signed) == b"x"
    monkeypatch.setenv(KEY_VARIABLE, "another secret")
    assert unseal("entry", signed) is None


def test_write_then_read(tmp_path):
    path = tmp_path / "a" / "b" / "entry.bin"
    assert write_sealed(path, "entry", b"data")
    assert read_sealed(path, "entry") == b"data"
    assert [p.name for p in path.parent.iterdir()] == ["entry.bin"]  # no temporary left
    assert read_sealed(tmp_path / "missing", "entry") is None
    assert read_sealed(tmp_path, "entry") is None  # a folder


def test_an_unwritable_cache_only_says_so(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert write_sealed(blocker / "entry", "entry", b"data") is False
