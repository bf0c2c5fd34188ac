"""PSS of a process and all its descendants, from /proc/<pid>/smaps_rollup.

    python3 tests/bench/pss.py PID      # prints {"total_mb": …, "uss_mb": …, "procs": [{pid, comm, pss_mb, uss_mb}, …]}

Used by scripts/bench-desktop.sh (the app's idle memory: the app, WebKitWebProcess,
WebKitNetworkProcess) and by tests/bench/desktop_dom.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def descendants(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rollup(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/smaps_rollup."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        pass
    return out


def pss_kb(pid: int) -> int:
    return rollup(pid).get("Pss", 0)


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def tree(root: int) -> dict:
    """PSS (shared pages split among every process mapping them, machine-wide) and USS (private
    pages only: does not depend on what else runs) of `root` and its descendants, in MB."""
    procs = []
    for p in descendants(root):
        r = rollup(p)
        uss = r.get("Private_Clean", 0) + r.get("Private_Dirty", 0)
        procs.append({"pid": p, "comm": comm(p), "pss_mb": round(r.get("Pss", 0) / 1024, 1),
                      "uss_mb": round(uss / 1024, 1)})
    return {"total_mb": round(sum(p["pss_mb"] for p in procs), 1),
            "uss_mb": round(sum(p["uss_mb"] for p in procs), 1), "procs": procs}


def find_exe(exe: Path) -> int | None:
    """The pid of a process running `exe`."""
    target = str(exe.resolve())
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink(f"/proc/{d}/exe") == target:
                    return int(d)
            except OSError:
                continue
    return None


if __name__ == "__main__":
    print(json.dumps(tree(int(sys.argv[1]))))
