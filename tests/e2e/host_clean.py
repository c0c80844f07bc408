#!/usr/bin/env python3
"""What the sandbox may not leave on the host once its runs are over: the
one check of tests/e2e/interactive.sh, tests/e2e/redteam.sh and the
server mode of tests/conformance/run.py.

Left over: a process of the sandbox's ids, a child of the sandbox helper,
a run directory in the judge's work directory, a mount under a given
path (in the host's mount table or the helper's), a process in a run
cgroup; once the server has stopped, the helper itself and any run
cgroup.  The one exception, kept here only: the helper's own spare
spawner, a thread of the helper waiting in the next run's cgroups
(docs/sandbox.md, "Cold runs"), is not a leftover.

As a command:

  host_clean.py HELPER [--uids FIRST COUNT] [--work DIR [--keep NAME]...]
                [--mounts PATH] [--cgroup-root NAME] [--gone]
                [--settle SECONDS]

prints what is left, one line each, and exits 1; exits 0 when nothing
is.  --settle: check again until clean or SECONDS passed (the helper
reaps its last children just after a result is stored).
"""

import argparse
import glob
import os
import sys
import time

CGROUP_FS = "/sys/fs/cgroup"


def proc_status(pid):
    """{field: value} of /proc/PID/status, or None when it is gone."""
    try:
        with open("/proc/%s/status" % pid) as f:
            return dict(l.rstrip("\n").split(":\t", 1) for l in f
                        if ":\t" in l)
    except (OSError, ValueError):
        return None


def all_procs():
    """{pid: (ppid, comm, set of uids)} of every process."""
    out = {}
    for d in glob.glob("/proc/[0-9]*"):
        st = proc_status(d[6:])
        if not st:
            continue
        try:
            uids = set(int(u) for u in st.get("Uid", "").split())
            out[int(d[6:])] = (int(st.get("PPid", "0")),
                               st.get("Name", "?"), uids)
        except ValueError:
            continue
    return out


def descendants(procs, root):
    """The pids below root in procs (all_procs), children first."""
    kids = {}
    for pid, (ppid, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def run_cgroup_dirs(helper):
    """{hierarchy: [paths]} of the sandbox's run cgroups: run-PID-* (ns,
    some made ahead) and ac-run-PID-* (docker), PID the sandbox helper."""
    prefixes = ("run-%d-" % helper, "ac-run-%d-" % helper)
    found = {}
    for root, dirs, _ in os.walk(CGROUP_FS):
        for d in list(dirs):
            if d.startswith(prefixes):
                rel = os.path.relpath(root, CGROUP_FS)
                found.setdefault(rel.split("/")[0], []).append(
                    os.path.join(root, d))
                dirs.remove(d)
    return found


def cgroups_below(name):
    """Every cgroup below /sys/fs/cgroup/NAME (cgroup v2) and
    /sys/fs/cgroup/*/NAME (v1): a sandbox.cgroup_root of its own."""
    out = []
    for top in [os.path.join(CGROUP_FS, name)] + \
            glob.glob(os.path.join(CGROUP_FS, "*", name)):
        for root, dirs, _ in os.walk(top):
            out += [os.path.join(root, d) for d in dirs]
    return sorted(set(out))


def strangers(helper, path):
    """The processes (cgroup.procs) and threads (tasks, cgroup v1) in the
    cgroup at path that are not the helper's own: its spare spawner is a
    thread of the helper (thread group id the helper's)."""
    out = []
    for f in ("cgroup.procs", "tasks"):
        try:
            with open(os.path.join(path, f)) as fh:
                ids = fh.read().split()
        except OSError:
            continue
        out += [p for p in ids if p != str(helper) and
                not os.path.exists("/proc/%d/task/%s" % (helper, p))]
    return sorted(set(out), key=int)


def busy_cgroups(helper, dirs):
    """Texts "PATH: PIDS" of the cgroups in dirs a stranger is in."""
    out = []
    for d in dirs:
        s = strangers(helper, d)
        if s:
            out.append("%s: %s" % (d, " ".join(s[:4])))
    return out


def mounts_under(path, pids):
    """The mounts whose mount point or root lies under path in the mount
    tables of pids ("self" too)."""
    out = []
    for pid in pids:
        try:
            with open("/proc/%s/mountinfo" % pid) as f:
                for line in f:
                    a = line.split(" - ")[0].split()
                    if len(a) >= 5 and any(m == path or
                                           m.startswith(path + "/")
                                           for m in (a[3], a[4])):
                        out.append("%s %s (seen by %s)" % (a[4], a[3], pid))
        except OSError:
            continue
    return out


def leftovers(helper, uids=None, work=None, keep=(), mounts=None,
              cgroup_root=None, gone=False, kids=True):
    """Texts, one per kind of leftover; empty when the host is clean.

    helper: pid of the sandbox helper (algocode-sbx); uids: the sandbox's
    ids (a range or set); work: the judge's work directory, whose entries
    but keep are run directories; mounts: a path nothing may stay mounted
    under; cgroup_root: the sandbox.cgroup_root, every cgroup below it
    checked as well as the helper's run cgroups; gone: the server has
    stopped (its helper must be gone, no run cgroup left); kids: a child
    of the helper is a leftover (a caller that compares the server's
    processes with a snapshot of its own says False)."""
    bad = []
    procs = all_procs()
    if uids is not None:
        ids = set(uids)
        sbx = ["%d %s" % (p, v[1]) for p, v in sorted(procs.items())
               if ids & v[2]]
        if sbx:
            bad.append("processes of the sandbox ids %d-%d: %s"
                       % (min(ids), max(ids), ", ".join(sbx[:8])))
    helper_alive = (proc_status(helper) or {}).get("Name") == "algocode-sbx"
    if gone and helper_alive:
        bad.append("the sandbox helper %d outlived the server" % helper)
    left = ["%d %s" % (p, v[1]) for p, v in sorted(procs.items())
            if v[0] == helper] if kids and helper_alive else []
    if left:
        bad.append("children of the sandbox helper %d: %s"
                   % (helper, ", ".join(left[:8])))
    if work and os.path.isdir(work):
        runs = sorted(set(os.listdir(work)) - set(keep))
        if runs:
            bad.append("left in %s: %s" % (work, " ".join(runs[:8])))
    if mounts:
        m = mounts_under(mounts, ["self"] + ([helper] if helper_alive
                                             else []))
        if m:
            bad.append("mounts under %s: %s" % (mounts, " | ".join(m[:6])))
    cgs = [d for dirs in run_cgroup_dirs(helper).values() for d in dirs]
    if cgroup_root:
        cgs = sorted(set(cgs) | set(cgroups_below(cgroup_root)))
    busy = busy_cgroups(helper, cgs)
    if busy:
        bad.append("run cgroups with processes: " + " ".join(busy[:4]))
    if gone and cgs:
        bad.append("run cgroups left: " + " ".join(sorted(cgs)[:4]))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("helper", type=int)
    ap.add_argument("--uids", nargs=2, type=int, metavar=("FIRST", "COUNT"))
    ap.add_argument("--work")
    ap.add_argument("--keep", action="append", default=[])
    ap.add_argument("--mounts")
    ap.add_argument("--cgroup-root")
    ap.add_argument("--gone", action="store_true")
    ap.add_argument("--settle", type=float, default=0)
    a = ap.parse_args()
    uids = range(a.uids[0], a.uids[0] + a.uids[1]) if a.uids else None
    deadline = time.monotonic() + a.settle
    while True:
        bad = leftovers(a.helper, uids, a.work, a.keep, a.mounts,
                        a.cgroup_root, a.gone)
        if not bad or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
