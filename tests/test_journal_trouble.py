"""Trouble with the journal file is one sentence naming it and what to do, exit 2, in every
command: a damaged journal (six ways, never overwritten), a full disk in the middle of a run (a
small tmpfs; nothing is sent twice once there is room again), a read-only disk, a folder that
cannot hold a journal. Real `importer` processes against the real sandbox."""
from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import price_file as prices
from conftest import records

from importer.entities import PRODUCT_PRICE



def price_file(path: Path, n: int, code: str, price: str = "4.25") -> tuple[Path, dict]:
    return prices(path, n, code, price)


def connection(sb) -> list[str]:
    return ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user]


def run(args: list[str], sb, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "importer", *args],
                          env={**os.environ, "IMPORTER_PASSWORD": sb.password},
                          capture_output=True, text=True, timeout=timeout)


def assert_one_sentence(proc: subprocess.CompletedProcess, journal: Path, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    error = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1, proc.stderr
    said = " ".join(proc.stderr.split())
    assert str(journal) in said
    for word in words:
        assert word in said, said


def commands(sb, journal: Path, src: Path) -> dict[str, list[str]]:
    j = ["--journal", str(journal)]
    return {
        "runs": ["runs", *j],
        "report": ["report", "1", "-o", str(src.with_suffix(".report.xlsx")), *j],
        "revert": ["revert", "1", "--dry-run", *j, *connection(sb)],
        "import": ["import", str(src), *j, *connection(sb)],
        "validate": ["validate", str(src), *j, *connection(sb)],
    }


def damage(kind: str, good: bytes) -> bytes:
    page = 4096
    if kind == "random bytes":
        return os.urandom(len(good))
    if kind == "text file":
        return b"run_id,entity\n1,product-price\n" * 40
    if kind == "zeroed header":
        return bytes(100) + good[100:]
    if kind == "truncated":
        return good[: len(good) // 3]
    if kind == "schema page overwritten":
        return good[:100] + os.urandom(page - 100) + good[page:]
    if kind == "every table page overwritten":
        return good[:page] + os.urandom(len(good) - page)
    raise ValueError(kind)


DAMAGE = ["random bytes", "text file", "zeroed header", "truncated", "schema page overwritten",
          "every table page overwritten"]


@pytest.fixture(scope="module")
def good_journal(tmp_path_factory, sandbox):
    """A journal holding one import of 200 rows (its WAL folded in)."""
    folder = tmp_path_factory.mktemp("good")
    journal = folder / "journal.sqlite3"
    src, _ = price_file(folder / "prices.csv", 200, "JDAMAGE")
    done = run(["import", str(src), "--journal", str(journal), *connection(sandbox)], sandbox)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(journal) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return journal.read_bytes()


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_journal_is_one_sentence_in_every_command_and_is_never_overwritten(
        sandbox, good_journal, tmp_path, kind):
    journal = tmp_path / "journal.sqlite3"
    broken = damage(kind, good_journal)
    src, _ = price_file(tmp_path / "prices.csv", 20, "JDAMAGE2")
    for name, args in commands(sandbox, journal, src).items():
        journal.write_bytes(broken)
        for extra in tmp_path.glob("journal.sqlite3-*"):
            extra.unlink()
        proc = run(args, sandbox)
        assert "Traceback" not in proc.stderr, (name, proc.stderr[-3000:])
        if proc.returncode != 0 or name in ("runs", "report", "revert", "import"):
            assert_one_sentence(proc, journal)
        assert journal.read_bytes() == broken, f"{name} wrote into the damaged journal"


@contextlib.contextmanager
def small_disk(where: Path, size: str):
    """A tmpfs of ``size`` mounted at ``where`` (root only); skips the test when not possible."""
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount(where: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def test_a_full_disk_mid_run_is_one_sentence_and_nothing_is_sent_twice_once_there_is_room(
        sandbox_factory, tmp_path):
    sb = sandbox_factory()
    src, expected = price_file(tmp_path / "full.csv", 3000, "DISKFULL")
    with small_disk(tmp_path / "disk", "1600k") as disk:
        journal = disk / "journal.sqlite3"
        args = ["import", str(src), "--journal", str(journal), *connection(sb)]
        full = run(args, sb)
        assert_one_sentence(full, journal, "disk is full")
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as db:
            applied = db.execute("SELECT COUNT(*) FROM outcomes WHERE status IN "
                                 "('CREATED', 'UPDATED')").fetchone()[0]
        assert 0 < applied < 3000  # the disk filled up in the middle of sending
        remount(disk, "size=64m")
        again = run(args, sb)
        assert again.returncode == 0, again.stderr[-2000:]
    held = [r for r in records(sb.url, PRODUCT_PRICE.name) if r["PRICE_CODE"] == "DISKFULL"]
    keys = [PRODUCT_PRICE.key_of(r) for r in held]
    assert len(keys) == len(set(keys)) == 3000
    assert {k: r["SO_UNIT_PRICE"] for k, r in zip(keys, held)} == expected


def test_a_read_only_journal_is_one_sentence_in_every_command(sandbox, good_journal, tmp_path):
    src, _ = price_file(tmp_path / "prices.csv", 20, "JREADONLY")
    with small_disk(tmp_path / "disk", "8m") as disk:
        journal = disk / "journal.sqlite3"
        journal.write_bytes(good_journal)
        remount(disk, "ro")
        for name, args in commands(sandbox, journal, src).items():
            proc = run(args, sandbox)
            assert "Traceback" not in proc.stderr, (name, proc.stderr[-3000:])
            if name != "validate":  # validate only reads, and may
                assert_one_sentence(proc, journal, "read-only")


def test_a_journal_in_a_folder_that_cannot_exist_is_one_sentence(sandbox, tmp_path):
    src, _ = price_file(tmp_path / "prices.csv", 5, "JFOLDER")
    (tmp_path / "a-file").write_text("not a folder")
    journal = tmp_path / "a-file" / "journal.sqlite3"
    for name, args in commands(sandbox, journal, src).items():
        proc = run(args, sandbox)
        assert "Traceback" not in proc.stderr, (name, proc.stderr[-3000:])
        if proc.returncode != 0:
            assert_one_sentence(proc, journal)
