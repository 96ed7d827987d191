"""SQLite connection settings of ``termbase.db.make_engine``."""

from __future__ import annotations

from pathlib import Path

from termbase.db import make_engine


def test_sqlite_connections_enforce_keys_and_read_through_mmap(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        settings = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout", "mmap_size")
        }
    engine.dispose()
    assert settings["foreign_keys"] == 1
    assert settings["journal_mode"] == "wal"
    assert settings["busy_timeout"] == 10000
    assert settings["mmap_size"] > 2**30
