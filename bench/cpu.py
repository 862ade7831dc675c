"""CPU time of the server and of PostgreSQL around a load run, from /proc.

  cpu.py snapshot SERVER_PID POSTMASTER_PID   prints a snapshot (one line)
  cpu.py per-request BEFORE AFTER REQUESTS     prints "server_us postgres_us"

A snapshot holds utime + stime, in clock ticks, of the server (all its
threads) and of every child of the postmaster (the backends, including the
server's pooled connections, and PostgreSQL's own workers), by pid. Per
request is the difference over the requests the load run reports, in
microseconds; a backend that started during the run counts from zero, one
that ended during it is lost (the server's pooled connections outlive a run).
"""
import json
import os
import sys

TICK_US = 1_000_000 / os.sysconf("SC_CLK_TCK")


def ticks(pid):
    """utime + stime of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The command may hold spaces and parentheses: fields follow the last ')'.
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def children(ppid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    kids.append(int(entry))
        except OSError:
            continue
    return kids


def snapshot(server, postmaster):
    backends = {pid: ticks(pid) for pid in children(postmaster)}
    return {"server": ticks(server), "postgres": {p: t for p, t in backends.items() if t is not None}}


def per_request(before, after, requests):
    server = (after["server"] - before["server"]) * TICK_US / requests
    pg = sum(t - before["postgres"].get(pid, 0) for pid, t in after["postgres"].items())
    return server, pg * TICK_US / requests


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        print(json.dumps(snapshot(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        before, after = json.loads(sys.argv[2]), json.loads(sys.argv[3])
        before["postgres"] = {int(k): v for k, v in before["postgres"].items()}
        after["postgres"] = {int(k): v for k, v in after["postgres"].items()}
        server, pg = per_request(before, after, int(sys.argv[4]))
        print(f"{server:.0f} {pg:.0f}")
