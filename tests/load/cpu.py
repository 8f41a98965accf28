"""Where the CPU went during a run (Linux /proc): the web workers, PostgreSQL, the scheduler,
the load tool itself, and everything else on the machine (other people's work)."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2:].split()  # fields after "pid (comm)", from the 3rd on


def _seconds(pid: int) -> float:
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(child) for child in found]


def _tree(pid: int) -> list[int]:
    return [pid, *(grandchild for child in _children(pid) for grandchild in _tree(child))]


def _backends(database: str) -> list[int]:
    """PostgreSQL's server processes serving `database` (their title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres" and \
                        f" {database} " in (entry / "cmdline").read_text():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _machine_busy() -> float:
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICK


def tree_seconds(pid: int) -> float:
    """CPU seconds so far of a process and its descendants."""
    return sum(_seconds(each) for each in _tree(pid))


def snapshot(roots: dict[str, int], database: str) -> dict[str, float]:
    """CPU seconds so far of each named process tree, of PostgreSQL's processes serving
    `database`, of this process, and of the whole machine ("machine": busy seconds summed over
    all CPUs)."""
    taken = {name: tree_seconds(root) for name, root in roots.items()}
    taken["postgres"] = sum(_seconds(pid) for pid in _backends(database))
    taken["load tool"] = sum(os.times()[:2])
    taken["machine"] = _machine_busy()
    return taken


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Seconds between two snapshots, with "others": the machine's busy time no one here used."""
    used = {name: after[name] - before.get(name, 0.0) for name in after}
    used["others"] = max(used["machine"] - sum(v for k, v in used.items() if k != "machine"), 0.0)
    return used
