#!/usr/bin/env python3
"""Runner of the sandbox conformance suite (see run.sh and README.md).

Every program under c/, cpp/, python3/ and java/ starts with
    // expect: AC|WA|TLE|MLE|OLE|RE|CE   (or two joined by "/": TLE/MLE)
(`# expect:` in Python) and may add, in its first lines,
    // detail: <substring of the failing test's message (or the compile log)>
It is judged with `algocode judge --problem <problem> --lang LANG --json`
(LANG from the file's extension, see LANGS) once per sandbox plugin built in
$top_builddir/plugins-build/sandbox/.  After the
whole suite the host is checked: no process carrying the marker
"acconfmark" survives, no run cgroup of the suite's judges is left, no mount
of the sandbox is visible, the judge work directory holds no run, no file
named "acconf-escape*" appeared outside the box, the canaries the runner
planted are untouched and the host listeners on 127.0.0.1 got no contact.
"""

import concurrent.futures
import getopt
import glob
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

VERDICTS = ("AC", "WA", "TLE", "MLE", "OLE", "RE", "CE")
MARKER = "acconfmark"
ESCAPE = "acconf-escape"
# Fixed host paths the hostile programs know (they get no arguments).
FIXED = "/tmp/algocode-conformance"
SECRET_TEXT = "ACCONF-SECRET-5e1d0c9b"
TCP_PORT = 28080
UDP_PORT = 28081
ABSTRACT = b"\0algocode-conformance"
JUDGE_TIMEOUT = 180
ESCAPE_DIRS = ("/", "/etc", "/usr", "/usr/local", "/tmp", "/var/tmp",
               "/dev/shm", "/root", "/run", "/var/lib", FIXED)
SANDBOX_ROOT = "/run/algocode-sandbox"
# File extension -> (language of `algocode judge --lang`, comment prefix of
# the expectation lines).
LANGS = {".c": ("c", "//"), ".cpp": ("cpp", "//"), ".py": ("python3", "#"),
         ".java": ("java", "//")}


def log(*a):
    print(*a, flush=True)


def program_lang(path):
    """(language, comment prefix) of a program, from its extension."""
    ext = os.path.splitext(path)[1]
    if ext not in LANGS:
        raise ValueError("%s: unknown extension (one of %s)"
                         % (path, " ".join(sorted(LANGS))))
    return LANGS[ext]


def parse_program(path):
    """(lang, expect, detail) from the extension and the first lines."""
    lang, comment = program_lang(path)
    expect, detail = None, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f):
            if i >= 8:
                break
            line = line.strip()
            if line.startswith(comment + " expect:"):
                expect = line.split(":", 1)[1].strip()
            elif line.startswith(comment + " detail:"):
                detail = line.split(":", 1)[1].strip()
    # "TLE or MLE" is written "TLE/MLE": for the few programs whose honest
    # outcome depends on which limit the kernel hits first.
    if not expect or any(e not in VERDICTS for e in expect.split("/")):
        raise ValueError("%s: no valid '%s expect:' line" % (path, comment))
    return lang, expect, detail


def load_known(path):
    """{(rel, plugin or None): reason} from the known-failures list."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, reason = line.partition(" ")
            rel, _, plugin = key.partition("@")
            known[(rel, plugin or None)] = reason.strip() or "known failure"
    return known


class Listeners:
    """Host endpoints a program in the sandbox must never reach."""

    def __init__(self):
        self.hits = []
        self.socks = []
        self.lock = threading.Lock()
        self.stop = False

    def _add(self, family, kind, addr, what):
        try:
            s = socket.socket(family, kind)
            if family != socket.AF_UNIX:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(addr)
            if kind == socket.SOCK_STREAM:
                s.listen(16)
            s.settimeout(0.2)
        except OSError as e:
            log("note: cannot listen on %s (%s): not checked" % (what, e))
            return
        self.socks.append(s)
        t = threading.Thread(target=self._serve, args=(s, kind, what),
                             daemon=True)
        t.start()

    def _serve(self, s, kind, what):
        while not self.stop:
            try:
                if kind == socket.SOCK_STREAM:
                    c, _ = s.accept()
                    c.close()
                else:
                    s.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.hits.append(what)

    def start(self):
        self._add(socket.AF_INET, socket.SOCK_STREAM,
                  ("127.0.0.1", TCP_PORT), "tcp 127.0.0.1:%d" % TCP_PORT)
        self._add(socket.AF_INET, socket.SOCK_DGRAM,
                  ("127.0.0.1", UDP_PORT), "udp 127.0.0.1:%d" % UDP_PORT)
        self._add(socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT,
                  "unix @algocode-conformance")
        self._add(socket.AF_UNIX, socket.SOCK_STREAM, FIXED + "/sock",
                  "unix " + FIXED + "/sock")

    def close(self):
        self.stop = True
        for s in self.socks:
            s.close()


def marker_procs():
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/comm", "rb") as f:
                comm = f.read()
            with open(d + "/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if MARKER.encode() in comm or MARKER.encode() in cmd:
            found.append("%s %s" % (d[6:], comm.decode(errors="replace")
                                    .strip()))
    return found


def run_cgroups(pids):
    left = []
    prefixes = tuple("run-%d-" % p for p in pids)
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in list(dirs):
            if d.startswith(prefixes):
                left.append(os.path.join(root, d))
                dirs.remove(d)
    return left


def setup_fixed(problem_src):
    """Create FIXED with a copy of the problem, decoy secrets, canaries."""
    pidfile = FIXED + "/owner"
    if os.path.isdir(FIXED):
        try:
            with open(pidfile) as f:
                owner = int(f.read().strip())
            os.kill(owner, 0)
            log("another conformance run (pid %d) owns %s" % (owner, FIXED))
            sys.exit(1)
        except (OSError, ValueError):
            shutil.rmtree(FIXED, ignore_errors=True)
    os.makedirs(FIXED)
    os.chmod(FIXED, 0o755)
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    shutil.copytree(problem_src, FIXED + "/problem")
    for name in ("jwt.secret", "algocode.conf", "canary"):
        with open(FIXED + "/" + name, "w") as f:
            f.write(SECRET_TEXT + "\n")
        os.chmod(FIXED + "/" + name, 0o600)
    os.makedirs(FIXED + "/canary.d")
    with open(FIXED + "/canary.d/keep", "w") as f:
        f.write(SECRET_TEXT + "\n")
    os.chmod(FIXED + "/canary.d/keep", 0o644)


def canaries_intact():
    bad = []
    for p, mode in ((FIXED + "/canary", 0o600), (FIXED + "/jwt.secret", 0o600),
                    (FIXED + "/canary.d/keep", 0o644)):
        try:
            st = os.lstat(p)
            with open(p) as f:
                text = f.read()
        except OSError as e:
            bad.append("%s: %s" % (p, e.strerror))
            continue
        if st.st_uid != 0 or st.st_gid != 0 or (st.st_mode & 0o7777) != mode \
           or text != SECRET_TEXT + "\n" or not os.path.isfile(p) \
           or os.path.islink(p):
            bad.append("%s changed (uid %d mode %o)" % (p, st.st_uid,
                                                        st.st_mode & 0o7777))
    return bad


def escapes():
    found = []
    for d in ESCAPE_DIRS:
        try:
            for n in os.listdir(d):
                if n.startswith(ESCAPE):
                    found.append(os.path.join(d, n))
        except OSError:
            pass
    return found


def free_kb(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize // 1024


def opt_value(opts, key):
    for i, o in enumerate(opts):
        if o == "-o" and i + 1 < len(opts) and \
           opts[i + 1].startswith(key + "="):
            return opts[i + 1].split("=", 1)[1]
    return None


def judge_one(binary, opts, plugin, lang, prog, pids, pid_lock):
    cmd = [binary, "judge", "--problem", FIXED + "/problem", "--lang", lang,
           "--json", prog] + opts + ["-o", "sandbox.plugin=" + plugin]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    with pid_lock:
        pids.append(p.pid)
    try:
        out, err = p.communicate(timeout=JUDGE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, "the judge hung for %d s" % JUDGE_TIMEOUT, \
            time.monotonic() - t0
    secs = time.monotonic() - t0
    if p.returncode != 0:
        return None, "judge exited %d: %s" % (
            p.returncode, err.decode(errors="replace").strip()[-400:]), secs
    try:
        doc = json.loads(out.decode())
    except ValueError as e:
        return None, "bad JSON (%s): %r" % (e, out[:300]), secs
    return doc, err.decode(errors="replace"), secs


def failing_text(doc):
    """The text a detail must be found in: the failing test's message."""
    if doc.get("verdict_code") == "CE":
        return (doc.get("compile") or {}).get("log") or ""
    for t in doc.get("tests") or []:
        if t.get("verdict_code") != "AC":
            return t.get("message") or ""
    return ""


# A busy process of the load generator: it spins until killed, and dies
# with the runner (PR_SET_PDEATHSIG) if the runner is killed first.
BUSY = ("import ctypes, os, signal\n"
        "ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n"
        "if os.getppid() == 1: raise SystemExit\n"
        "while True: pass\n")


def start_load(n):
    """n busy processes (the suite must pass on a loaded host)."""
    procs = []
    for _ in range(n):
        procs.append(subprocess.Popen([sys.executable, "-c", BUSY],
                                      stdin=subprocess.DEVNULL,
                                      start_new_session=True))
    return procs


def stop_load(procs):
    for p in procs:
        try:
            p.kill()
        except OSError:
            pass
    for p in procs:
        p.wait()


def limits_seen(doc, text):
    """(cpu limit s, load) of a TLE from its message and judge.load: a cpu
    detail names the CPU limit, a wall detail the wall limit, which is the
    CPU limit x wall_factor + 1 s (docs/verdicts.md)."""
    load = (doc.get("judge") or {}).get("load") or {}
    try:
        lim = float(text.split()[4])
    except (IndexError, ValueError):
        return None, load
    if text.startswith("cpu "):
        return lim, load
    f = load.get("wall_factor")
    if text.startswith("wall ") and isinstance(f, (int, float)) and f > 0:
        return (lim - 1.0) / f, load
    return None, load


def time_ok(doc, detail, text):
    """Whether a TLE has the time detail its program expects, without
    asserting which of two limits a loaded host let hit first:
    - "wall" (a program that waits): stopped by the wall clock;
    - "cpu" (a CPU-bound program): stopped by either limit after it used
      at least half its CPU limit (the wall clock may come first when the
      host is busier than the judge measured)."""
    if detail == "wall":
        return text.startswith("wall ")
    cpu_lim, _ = limits_seen(doc, text)
    failing = [t for t in doc.get("tests") or []
               if t.get("verdict_code") != "AC"]
    if cpu_lim is None or not failing:
        return False
    return failing[0].get("time_ms", 0) >= 500 * cpu_lim


def load_problems(doc):
    """What is wrong with judge.load of a result that ran tests."""
    if doc.get("verdict_code") == "CE" or not doc.get("tests") or \
       (doc["tests"][0].get("name") == "(judge)"):
        return []
    load = (doc.get("judge") or {}).get("load")
    if not isinstance(load, dict):
        return ["no judge.load"]
    bad = []
    for k, types in (("cpus", int), ("loadavg", (int, float)),
                     ("runnable", int), ("wall_factor", (int, float)),
                     ("overloaded", bool), ("tle_reruns", int)):
        if not isinstance(load.get(k), types):
            bad.append("judge.load.%s: %r" % (k, load.get(k)))
    cp = load.get("cpu_pressure")
    if cp is not None and not isinstance(cp, (int, float)):
        bad.append("judge.load.cpu_pressure: %r" % cp)
    return bad


def main():
    try:
        optlist, args = getopt.getopt(sys.argv[1:], "j:p:kl:")
    except getopt.GetoptError as e:
        log("usage: run.sh [-j JOBS] [-p PLUGIN]... [-k] [-l BUSY] "
            "[PROGRAM...]: %s" % e)
        return 2
    jobs, plugins, keep_going_known, busy = 2, [], True, 2
    for o, v in optlist:
        if o == "-j":
            jobs = max(1, int(v))
        elif o == "-p":
            plugins.append(v)
        elif o == "-k":
            keep_going_known = False   # ignore the known-failures list
        elif o == "-l":
            busy = max(0, int(v))      # busy processes loading the host
    srcdir = os.environ.get("top_srcdir") or \
        os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
    builddir = os.environ.get("top_builddir") or os.getcwd()
    here = os.path.join(srcdir, "tests", "conformance")
    binary = os.path.join(builddir, "algocode")
    if not os.access(binary, os.X_OK):
        log("no %s: build first" % binary)
        return 99
    if os.geteuid() != 0:
        log("SKIPPED: the namespace sandbox needs root")
        return 77
    if not plugins:
        plugins = sorted(os.path.basename(p)[:-3] for p in glob.glob(
            os.path.join(builddir, "plugins-build", "sandbox", "*.so")))
    if not plugins:
        log("SKIPPED: no sandbox plugin in %s/plugins-build/sandbox"
            % builddir)
        return 77

    tmp = None
    opts = shlex.split(os.environ.get("AC_OPTS", ""))
    if not opts:
        tmp = tempfile.mkdtemp(prefix="algocode-conformance.")
        os.chmod(tmp, 0o755)
        opts = ["-c", builddir + "/conf.d/single-node.conf",
                "-o", "plugins.dir=" + builddir + "/plugins-build",
                "-o", "store.path=" + tmp + "/algocode.db",
                "-o", "judge.work_dir=" + tmp + "/work",
                "-o", "api.jwt_secret_file=" + tmp + "/jwt.secret",
                "-o", "log.level=warn"]
    work_dir = opt_value(opts, "judge.work_dir")

    if args:
        progs = [a if os.path.isabs(a) else os.path.join(here, a)
                 for a in args]
    else:
        progs = sorted(glob.glob(os.path.join(here, "c", "*.c")) +
                       glob.glob(os.path.join(here, "cpp", "*.cpp")) +
                       glob.glob(os.path.join(here, "python3", "*.py")) +
                       glob.glob(os.path.join(here, "java", "*.java")))
    known = load_known(os.path.join(here, "known-failures")) \
        if keep_going_known else {}
    cases = []
    for prog in progs:
        try:
            lang, expect, detail = parse_program(prog)
        except (OSError, ValueError) as e:
            log("bad program: %s" % e)
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)
            return 99
        rel = os.path.relpath(prog, here)
        for plugin in plugins:
            cases.append((plugin, rel, prog, lang, expect, detail))

    setup_fixed(os.path.join(here, "problem"))
    before_escapes = escapes()
    listeners = Listeners()
    listeners.start()
    free_before = {p: free_kb(p) for p in ("/tmp", "/dev/shm")}
    pids, pid_lock = [], threading.Lock()
    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    t_start = time.monotonic()
    log("conformance: %d programs x %d sandbox plugin(s) (%s), %d jobs"
        % (len(progs), len(plugins), " ".join(plugins), jobs))

    def one(case):
        plugin, rel, prog, lang, expect, detail = case
        doc, err, secs = judge_one(binary, opts, plugin, lang, prog, pids,
                                   pid_lock)
        got, why = "??", ""
        ok = False
        if doc is None:
            why = err
        else:
            got = doc.get("verdict_code", "??")
            text = failing_text(doc)
            if got == "TLE" and detail in ("cpu", "wall"):
                ok = got in expect.split("/") and time_ok(doc, detail, text)
            else:
                ok = got in expect.split("/") and \
                    (not detail or detail in text)
            if not ok:
                why = "message: %s; load: %s" % (
                    text.strip().replace("\n", " | ")[:300],
                    json.dumps((doc.get("judge") or {}).get("load")))
            bad_load = load_problems(doc)
            if bad_load:
                ok = False
                why = "; ".join(bad_load) + ": " + why
            with pid_lock:
                load = (doc.get("judge") or {}).get("load") or {}
                overloaded[0] += bool(load.get("overloaded"))
                overloaded[1] += bool(load)
            if SECRET_TEXT in json.dumps(doc):
                ok = False
                why = "the planted secret appears in the result: " + why
        reason = known.get((rel, plugin)) or known.get((rel, None))
        if reason:
            status = "XPASS" if ok else "XFAIL"
        else:
            status = "PASS" if ok else "FAIL"
        line = "%-5s %-4s %-34s expected %-3s got %-3s %5.1fs" % (
            status, plugin, rel, expect, got, secs)
        if detail:
            line += "  [detail: %s]" % detail
        if status == "XFAIL":
            line += "  (known: %s)" % reason
        elif status in ("FAIL", "XPASS") and why:
            line += "\n      " + why
        if status == "PASS" and got == "TLE" and detail in ("cpu", "wall"):
            line += "  (%s)" % text.strip()[:60]
        return status, line

    # The host is loaded on purpose: CPU-bound programs must still be
    # judged on CPU time (docs/verdicts.md, "Wall-clock limit").
    overloaded = [0, 0]
    load_procs = start_load(busy)
    if busy:
        log("load: %d busy processes run alongside the suite" % busy)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            for status, line in ex.map(one, cases):
                counts[status] += 1
                log(line)
    finally:
        stop_load(load_procs)
    log("load: %d of %d results say the host was overloaded "
        "(judge.load.overloaded)" % (overloaded[0], overloaded[1]))

    # Host checks after the whole suite.
    host_fail = []
    deadline = time.monotonic() + 3
    procs = marker_procs()
    while procs and time.monotonic() < deadline:
        time.sleep(0.2)
        procs = marker_procs()
    if procs:
        host_fail.append("processes left: " + ", ".join(procs))
    cg = run_cgroups(pids)
    if cg:
        host_fail.append("cgroups left: " + ", ".join(cg[:10]))
    with open("/proc/self/mountinfo") as f:
        mounts = [l.strip() for l in f
                  if SANDBOX_ROOT in l or FIXED in l or
                  (work_dir and work_dir in l)]
    if mounts:
        host_fail.append("mounts visible on the host: " + " | ".join(mounts))
    if work_dir and os.path.isdir(work_dir):
        runs = [n for n in os.listdir(work_dir) if n.startswith("run-")]
        if runs:
            host_fail.append("runs left in %s: %s" % (work_dir,
                                                      " ".join(runs[:10])))
    new_escapes = [e for e in escapes() if e not in before_escapes]
    if new_escapes or before_escapes:
        host_fail.append("files written outside the box: " +
                         " ".join(new_escapes + before_escapes))
    host_fail += canaries_intact()
    listeners.close()
    if listeners.hits:
        host_fail.append("host listeners were contacted: " +
                         ", ".join(sorted(set(listeners.hits))))
    for p, kb in free_before.items():
        now = free_kb(p)
        log("host %s: %d MiB free before, %d MiB after" % (p, kb // 1024,
                                                         now // 1024))
    for h in host_fail:
        log("FAIL  host: " + h)
    if not host_fail:
        log("PASS  host: no process, cgroup, mount, run directory or file "
            "left; canaries intact; no network contact")

    shutil.rmtree(FIXED, ignore_errors=True)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = counts["FAIL"] + counts["XPASS"] + len(host_fail)
    passed = counts["PASS"] + counts["XFAIL"]
    log("%d passed, %d failed (%d PASS, %d XFAIL, %d FAIL, %d XPASS, "
        "%d host checks failed) in %.0f s"
        % (passed, failed, counts["PASS"], counts["XFAIL"], counts["FAIL"],
           counts["XPASS"], len(host_fail), time.monotonic() - t_start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
