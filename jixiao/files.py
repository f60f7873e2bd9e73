"""Writing a file so that a failure never leaves a partial one: every writer of jixiao (export,
report, backup, a stored upload) writes beside the target and renames it into place on success.

A full disk (or quota) is an ``InputError`` in Chinese naming the file, and the temporary file
is removed: no truncated .docx, no 0-byte backup blocking its name.
"""
from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from jixiao.core.errors import InputError

_FULL = (errno.ENOSPC, errno.EDQUOT)


def temporary_beside(out: Path) -> Path:
    """The temporary name a write of ``out`` uses: same directory (so the rename is atomic),
    hidden, unique to the process, same suffix (writers that pick the format by suffix)."""
    return out.with_name(f".{out.stem}.{os.getpid()}.tmp{out.suffix}")


def atomic_write(out: str | Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` and move ``tmp`` onto ``out``; on any failure ``out`` is untouched and
    ``tmp`` gone. OSError (disk full, no permission) becomes an InputError naming ``out``."""
    out = Path(out)
    tmp = temporary_beside(out)
    try:
        write(tmp)
        with tmp.open("rb") as fh:  # on the disk before it takes the real name
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        if exc.errno in _FULL:
            raise InputError("磁盘空间不足，文件未写入（未留下不完整的文件），请清理磁盘空间后重试",
                             location=str(out)) from None
        raise InputError(f"文件无法写入：{exc.strerror or exc}", location=str(out)) from None
    finally:
        # e.g. the "directory" is a file: there is no tmp to remove, and the reason above stands
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_bytes(out: str | Path, data: bytes) -> None:
    atomic_write(out, lambda tmp: tmp.write_bytes(data))


def write_text(out: str | Path, text: str) -> None:
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def online_copy(src: Path, tmp: Path) -> None:
    """SQLite's online backup of ``src`` into ``tmp``: consistent even while the server writes;
    one self-contained file (no -wal beside it)."""
    source, target = sqlite3.connect(src), sqlite3.connect(tmp)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError as exc:  # SQLite reports a full disk as its own error
        raise OSError(errno.ENOSPC if "full" in str(exc) else errno.EIO, str(exc)) from None
    finally:
        source.close()
        target.close()


def sqlite_copy(src: Path, out: str | Path) -> None:
    """A copy of the SQLite database ``src`` at ``out``, written like every other file."""
    atomic_write(out, lambda tmp: online_copy(src, tmp))
