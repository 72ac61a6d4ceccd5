"""Where a token could leak to: files (inside XLSX archives too) and process argv."""

from __future__ import annotations

import os
import secrets
import zipfile
from pathlib import Path


def distinctive_token() -> str:
    """A token no other test or process uses, so any hit is a leak of ours."""
    return "tok-" + secrets.token_hex(16)


def files_holding(token: str, folder: Path) -> list[str]:
    """Every file under ``folder`` whose bytes hold ``token``; zip archives are opened."""
    needle = token.encode()
    hits: list[str] = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if needle in path.read_bytes():
            hits.append(str(path))
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                hits.extend(
                    f"{path}!{member}"
                    for member in archive.namelist()
                    if needle in archive.read(member)
                )
    return hits


def all_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid in _pids():
        parent = _parent_pid(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def command_lines(pids: set[int] | None = None) -> dict[int, str]:
    """The argv of every process (or of ``pids``) this user may read, NULs as spaces."""
    lines: dict[int, str] = {}
    for pid in _pids() if pids is None else sorted(pids):
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # gone already, or not ours to read
        lines[pid] = raw.replace(b"\0", b" ").decode("utf-8", "replace")
    return lines


def processes_holding(token: str, pids: set[int] | None = None) -> dict[int, str]:
    return {pid: line for pid, line in command_lines(pids).items() if token in line}
