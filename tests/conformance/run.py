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

With -s (server mode, serve_main below) the same programs go through
`algocode serve` started as root with privilege separation (-o user=...):
submitted over HTTP, results polled, compared the same way, with the host
checked after every batch of submissions (see README.md, "Server mode").
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
import stat
import subprocess
import sys
import tempfile
import threading
import time

# What the sandbox may leave on the host, checked as tests/e2e/interactive.sh
# and tests/e2e/redteam.sh check it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
from host_clean import (all_procs, descendants, leftovers,  # noqa: E402
                        proc_status, run_cgroup_dirs)

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


def parse_programs(progs, here):
    """parse_program of each: (path relative to HERE, path, lang, expect,
    detail) a program, or None (logged) when one cannot be read."""
    parsed = []
    for prog in progs:
        try:
            lang, expect, detail = parse_program(prog)
        except (OSError, ValueError) as e:
            log("bad program: %s" % e)
            return None
        parsed.append((os.path.relpath(prog, here), prog, lang, expect,
                       detail))
    return parsed


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


FIXED_LOCK = FIXED + ".lock"
FIXED_WAIT_S = 2400
_fixed_lock_fd = []


def fixed_lock():
    """Wait for FIXED: one run at a time owns the fixed paths (the CLI and
    the server mode may be started together by a parallel `make check`).
    An exclusive lock on FIXED_LOCK, held until this process ends, and no
    live owner of FIXED (a run that does not take the lock)."""
    import fcntl
    if _fixed_lock_fd:
        return
    fd = os.open(FIXED_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + FIXED_WAIT_S
    said = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            owner = None
            try:
                with open(FIXED + "/owner") as f:
                    owner = int(f.read().strip())
                os.kill(owner, 0)
            except (OSError, ValueError):
                owner = None
            if owner is None or owner == os.getpid():
                break
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass
        if time.monotonic() > deadline:
            break   # setup_fixed says who owns it
        if not said:
            log("waiting for another conformance run to end (%s)" % FIXED)
            said = True
        time.sleep(1)
    _fixed_lock_fd.append(fd)


def setup_fixed(problem_src):
    """Create FIXED with a copy of the problem, decoy secrets, canaries."""
    fixed_lock()
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
# ---------------------------------------------------------------------------
# Server mode (-s): the programs go through `algocode serve` started as root
# with privilege separation, over HTTP, and the host is checked after every
# batch of submissions (README.md, "Server mode").

SERVE_USER = os.environ.get("AC_SERVE_USER", "algocode")
SERVE_TOKEN_USER = "conformance"
SERVE_PROBLEM = "problem"          # FIXED/problem, judge.problems_dir=FIXED
SETTLE_S = 5                       # cleanup after a result, at most
# Programs judged (JOBS at a time) between two host checks: checking needs
# an idle server, and a batch is only as fast as its slowest program.
SERVE_BATCH = int(os.environ.get("AC_SERVE_BATCH", "8"))
# sandbox.uid_count of the server's sandbox/ns: runs alive at once at most.
SANDBOX_UID_COUNT = 16
TIMING_TRIES = 3
# A run cgroup may outlive its run a little (ns keeps two made ahead and
# removes finished runs' ones during the next run): one still there after
# this many more batches of submissions is left over.
CG_STALE_BATCHES = 3
# Mounts of the judge: where a leaked one would show in the host's table
# (other tests running alongside mount elsewhere).
JUDGE_MOUNT_PATHS = (SANDBOX_ROOT, FIXED, "/run/algocode")


def serve_known(here, keep_going_known):
    """The known failures of both modes: the sandbox's (known-failures)
    and those of the server mode only (known-failures-serve)."""
    if not keep_going_known:
        return {}
    known = load_known(os.path.join(here, "known-failures"))
    known.update(load_known(os.path.join(here, "known-failures-serve")))
    return known


def mount_set(pid, ignore, only=None):
    """The (mount point, type, source) of the mount namespace of pid;
    with only, those whose mount point or root lies under one of its
    paths."""
    out = set()
    try:
        with open("/proc/%s/mountinfo" % pid) as f:
            for line in f:
                pre, _, post = line.partition(" - ")
                a, b = pre.split(), post.split()
                if len(a) < 5 or len(b) < 2:
                    continue
                if any(a[4].startswith(i) for i in ignore):
                    continue
                if only and not any(a[4].startswith(o) or
                                    a[3].startswith(o) for o in only):
                    continue
                out.add((a[4], b[0], b[1]))
    except OSError:
        pass
    return out


def tree_state(top):
    """{relative path: (kind, bytes)} below top (not top itself); bytes
    are the blocks a regular file uses."""
    out = {}
    for root, dirs, files in os.walk(top):
        for n in dirs + files:
            p = os.path.join(root, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                out[os.path.relpath(p, top)] = ("file", st.st_blocks * 512)
            elif stat.S_ISDIR(st.st_mode):
                out[os.path.relpath(p, top)] = ("dir", 0)
            else:
                out[os.path.relpath(p, top)] = ("other", 0)
    return out


class Server:
    """One `algocode serve` (privilege separated) and its host state."""

    def __init__(self, binary, builddir, plugin, workers, sandbox_uid,
                 mount_ignore):
        self.binary, self.plugin = binary, plugin
        self.batch = 0          # batches judged so far
        self.cg_seen = {}       # run cgroup -> batch it was first seen
        self.workers = workers
        self.sandbox_uid = sandbox_uid
        # sandbox/ns gives every live run a uid of its own from a range
        # (docs/sandbox.md); sandbox/docker runs every program as one.
        self.sandbox_uids = set(range(sandbox_uid, sandbox_uid +
                                      (SANDBOX_UID_COUNT
                                       if plugin == "ns" else 1)))
        self.mount_ignore = mount_ignore
        # Outside /tmp: the sandbox replaces /tmp, and the precompiled
        # header's directory must be visible to the compiler in it.
        self.tmp = tempfile.mkdtemp(prefix="algocode-conformance-serve.",
                                    dir="/var/tmp")
        os.chmod(self.tmp, 0o755)
        self.state = self.tmp + "/state"
        self.work = self.state + "/work"
        self.pch = self.tmp + "/pch"
        # The unprivileged server loads its plugins after the switch:
        # a copy it can read wherever the build tree lives.
        shutil.copytree(os.path.join(builddir, "plugins-build"),
                        self.tmp + "/plugins", symlinks=False)
        for root, dirs, files in os.walk(self.tmp + "/plugins"):
            for n in dirs + files:
                p = os.path.join(root, n)
                os.chmod(p, os.stat(p).st_mode | 0o055)
        for root, dirs, files in os.walk(FIXED + "/problem"):
            for n in dirs + files:
                p = os.path.join(root, n)
                os.chmod(p, os.stat(p).st_mode | 0o044 |
                         (0o011 if os.path.isdir(p) else 0))
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.base = "127.0.0.1:%d" % self.port
        self.proc = None
        self.helper = None
        self.token = None
        self.errf = self.tmp + "/serve.err"

    def opts(self):
        return [
            "-c", os.path.dirname(self.binary) + "/conf.d/single-node.conf",
            "-o", "user=" + SERVE_USER,
            "-o", 'state_dirs=["%s", "%s"]' % (self.state, self.pch),
            "-o", "plugins.dir=" + self.tmp + "/plugins",
            "-o", "judge.problems_dir=" + FIXED,
            "-o", "store.path=" + self.state + "/algocode.db",
            "-o", "judge.work_dir=" + self.work,
            "-o", "api.jwt_secret_file=" + self.state + "/jwt.secret",
            "-o", "lang.cpp.pch_dir=" + self.pch,
            # The work directory must come back to its size after every
            # run: no compile cache (every program is compiled once).
            "-o", "judge.compile_cache_mb=0",
            "-o", "judge.workers=%d" % self.workers,
            "-o", "api.listen=" + self.base,
            # One user submits everything: no rate limit in the way.
            "-o", "api.rate_burst=1000000", "-o", "api.rate_per_s=10000",
            "-o", "log.level=info",
            # Uids of its own: processes of them are this server's
            # (other tests alongside use the default range).
            "-o", "sandbox.uid=%d" % self.sandbox_uid,
            "-o", "sandbox.gid=%d" % self.sandbox_uid,
            "-o", "sandbox.plugin=" + self.plugin] + (
                ["-o", "sandbox.uid_count=%d" % len(self.sandbox_uids)]
                if self.plugin == "ns" else [])

    def start(self):
        with open(self.errf, "w") as err:
            self.proc = subprocess.Popen(
                [self.binary, "serve"] + self.opts(), stdin=subprocess.DEVNULL,
                stdout=err, stderr=err, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("serve exited %d: %s" % (
                    self.proc.returncode, self.err_tail()))
            try:
                st, _ = self.http("GET", "/api/v1/common/healthcheck/",
                                  timeout=2)
                if st == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("serve did not answer within 120 s: " +
                               self.err_tail())
        st = proc_status(self.proc.pid)
        uid = st and st.get("Uid", "").split()[0]
        want = str(pwd_uid(SERVE_USER))
        if uid != want:
            raise RuntimeError("serve runs as uid %s, not %s (%s)"
                               % (uid, want, SERVE_USER))
        procs = all_procs()
        for pid in descendants(procs, self.proc.pid):
            if procs[pid][1] == "algocode-sbx" and 0 in procs[pid][2]:
                self.helper = pid
        if not self.helper:
            raise RuntimeError("no root sandbox helper (algocode-sbx) "
                               "under the server")
        out = subprocess.run(
            [self.binary, "token"] + self.opts() + ["--user",
                                                    SERVE_TOKEN_USER],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if out.returncode != 0:
            raise RuntimeError("algocode token: " +
                               out.stderr.decode(errors="replace"))
        self.token = out.stdout.decode().strip()
        self.only = JUDGE_MOUNT_PATHS + (self.tmp,)
        # The helper's own mount namespace, if it has one, is compared
        # whole: nothing else mounts there.
        try:
            self.helper_ns = os.readlink("/proc/%d/ns/mnt" % self.helper) != \
                os.readlink("/proc/self/ns/mnt")
        except OSError:
            self.helper_ns = False

    def err_tail(self):
        try:
            with open(self.errf, errors="replace") as f:
                return " | ".join(f.read().strip().splitlines()[-5:])
        except OSError:
            return ""

    def http(self, method, path, body=None, timeout=30):
        import http.client
        c = http.client.HTTPConnection("127.0.0.1", self.port,
                                       timeout=timeout)
        try:
            headers = {}
            if self.token:
                headers["Authorization"] = "Bearer " + self.token
            if body is not None:
                headers["Content-Type"] = "application/json"
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def submit(self, lang, prog):
        with open(prog, encoding="utf-8", errors="surrogateescape") as f:
            code = f.read()
        body = json.dumps({"problem_id": SERVE_PROBLEM, "lang": lang,
                           "code": code}, ensure_ascii=True)
        st, out = self.http("POST", "/api/v1/code/submit/", body.encode())
        if st != 201:
            return None, "submit: HTTP %d %s" % (st, out[:300])
        try:
            return json.loads(out)["result"]["submission_id"], ""
        except (ValueError, KeyError, TypeError) as e:
            return None, "submit: bad answer (%s): %r" % (e, out[:300])

    def result(self, sid):
        deadline = time.monotonic() + JUDGE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                st, out = self.http("GET", "/api/v1/result/check/%s/" % sid)
            except OSError as e:
                return None, "poll: %s" % e
            if st == 200:
                try:
                    return json.loads(out)["data"], ""
                except (ValueError, KeyError, TypeError) as e:
                    return None, "poll: bad answer (%s): %r" % (e, out[:300])
            if st != 202:
                return None, "poll: HTTP %d %s" % (st, out[:300])
        return None, "no result after %d s" % JUDGE_TIMEOUT

    def mounts(self):
        m = mount_set("self", self.mount_ignore, self.only)
        if self.helper_ns:
            m |= set(("helper",) + x for x in
                     mount_set(self.helper, self.mount_ignore))
        return m

    def snapshot(self):
        procs = all_procs()
        kids = sorted((procs[p][1], min(procs[p][2]) if procs[p][2] else -1)
                      for p in descendants(procs, self.proc.pid)
                      if p in procs)
        return {
            "work": tree_state(self.work),
            "kids": kids,
            "mounts": self.mounts(),
        }

    def check(self, base, final=False):
        """What is left compared with the snapshot base (a list of
        texts, empty when the host is back where it was)."""
        bad = []
        now = self.snapshot() if not final else {
            "work": tree_state(self.work), "kids": [],
            "mounts": mount_set("self", self.mount_ignore, self.only)}
        new = sorted(set(now["work"]) - set(base["work"]))
        if new:
            bad.append("files left in judge.work_dir: " + " ".join(new[:8]))
        size_b = sum(v[1] for v in base["work"].values())
        size_n = sum(v[1] for v in now["work"].values())
        if size_n != size_b:
            bad.append("judge.work_dir holds %d bytes, %d before"
                       % (size_n, size_b))
        # Processes of the sandbox ids, in run cgroups; once stopped, the
        # helper or a run cgroup.  The helper's children are compared
        # with the snapshot instead (kids).
        bad += leftovers(self.helper, uids=self.sandbox_uids, kids=False,
                         gone=final)
        if not final and now["kids"] != base["kids"]:
            bad.append("the server's processes changed: %s, before %s"
                       % (now["kids"], base["kids"]))
        cgs = [d for dirs in run_cgroup_dirs(self.helper).values()
               for d in dirs]
        for d in cgs:
            self.cg_seen.setdefault(d, self.batch)
        stale = sorted(d for d in cgs
                       if self.batch - self.cg_seen[d] >= CG_STALE_BATCHES)
        if stale and not final:
            bad.append("run cgroups left for %d batches: %s" % (
                CG_STALE_BATCHES, " ".join(stale[:4])))
        for d in list(self.cg_seen):
            if d not in cgs:
                del self.cg_seen[d]
        newm = sorted(now["mounts"] - base["mounts"])
        if newm:
            bad.append("new mounts: " + " | ".join(
                "%s %s %s" % m for m in newm[:6]))
        esc = escapes()
        if esc:
            bad.append("files written outside the box: " + " ".join(esc))
        return bad

    def settle(self, base):
        """check() until it is clean or SETTLE_S passed: cleanup may end
        just after the result is published."""
        deadline = time.monotonic() + SETTLE_S
        while True:
            bad = self.check(base)
            if not bad or time.monotonic() > deadline:
                return bad
            time.sleep(0.1)

    def stop(self):
        """SIGTERM; the exit status, or None when it had to be killed."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def pwd_uid(name):
    import pwd
    return pwd.getpwnam(name).pw_uid


def serve_judge(srv, case):
    """(doc, error, seconds) of one case, through the server."""
    plugin, rel, prog, lang, expect, detail = case
    t0 = time.monotonic()
    sid, err = srv.submit(lang, prog)
    if sid is None:
        return None, err, time.monotonic() - t0
    doc, err = srv.result(sid)
    return doc, err, time.monotonic() - t0


def judged(doc, err, expect, detail):
    """(got, ok, why, text) of one result document (None: err says why)
    against the expected verdicts and detail, in both modes."""
    if doc is None:
        return "??", False, err, ""
    got, why = doc.get("verdict_code", "??"), ""
    text = failing_text(doc)
    if got == "TLE" and detail in ("cpu", "wall"):
        ok = got in expect.split("/") and time_ok(doc, detail, text)
    else:
        ok = got in expect.split("/") and (not detail or detail in text)
    if not ok:
        why = "message: %s; load: %s" % (
            text.strip().replace("\n", " | ")[:300],
            json.dumps((doc.get("judge") or {}).get("load")))
    bad_load = load_problems(doc)
    if bad_load:
        ok = False
        why = "; ".join(bad_load) + ": " + why
    if SECRET_TEXT in json.dumps(doc):
        ok = False
        why = "the planted secret appears in the result: " + why
    return got, ok, why, text


def verdict_line(known, case, got, ok, why, secs, mode=""):
    """(status, line) of one case: PASS or FAIL, XPASS or XFAIL when it is
    a known failure (of its plugin or of all); mode "serve" also tells why
    of an XFAIL."""
    plugin, rel, prog, lang, expect, detail = case
    reason = known.get((rel, plugin)) or known.get((rel, None))
    if reason:
        status = "XPASS" if ok else "XFAIL"
    else:
        status = "PASS" if ok else "FAIL"
    line = "%-5s %-4s %-34s expected %-3s got %-3s %5.1fs" % (
        status, plugin, rel, expect, got, secs)
    if mode:
        line += " " + mode
    if detail:
        line += "  [detail: %s]" % detail
    if status == "XFAIL":
        line += "  (known: %s)" % reason
        if mode and why:
            line += "\n      " + why
    elif status in ("FAIL", "XPASS") and why:
        line += "\n      " + why
    return status, line


def serve_verdict(case, doc, err, secs, known, host_bad):
    """(status, line) as the CLI mode's one(); host_bad: what the host
    check found after this program alone (or None: not checked alone)."""
    plugin, rel, prog, lang, expect, detail = case
    got, ok, why, _ = judged(doc, err, expect, detail)
    if host_bad:
        ok = False
        why = ("host check after it: " + "; ".join(host_bad) +
               ("; " + why if why else ""))
    status, line = verdict_line(known, case, got, ok, why, secs, "serve")
    timing = (status == "FAIL" and doc is not None and not host_bad and
              got in expect.split("/") and detail in ("cpu", "wall"))
    return status, line, timing


def serve_plugin(binary, builddir, plugin, cases, known, jobs, counts):
    """Judge cases through one server with sandbox plugin `plugin`; the
    host failures that no program could be blamed for.  The server is
    stopped and its directory removed however this ends (SIGTERM
    included: serve_main turns it into SystemExit)."""
    srvs = []
    try:
        return serve_plugin_run(binary, builddir, plugin, cases, known, jobs,
                                counts, srvs)
    finally:
        for srv in srvs:
            if srv.proc and srv.proc.poll() is None:
                srv.stop()
            srv.remove()


def serve_plugin_run(binary, builddir, plugin, cases, known, jobs, counts,
                     srvs):
    # A uid no other process uses (other runs of the suite pick others).
    sandbox_uid = int(os.environ.get("AC_SANDBOX_UID",
                                     str(61000 + os.getpid() % 1000)))
    ignore = [p for p in os.environ.get("AC_MOUNT_IGNORE", "").split(":")
              if p]
    host_fail = []
    pre_mounts = mount_set("self", ignore, JUDGE_MOUNT_PATHS)
    srv = Server(binary, builddir, plugin, jobs, sandbox_uid, ignore)
    srvs.append(srv)
    try:
        srv.start()
    except (RuntimeError, OSError) as e:
        return ["%s: the server did not start: %s" % (plugin, e)]
    log("serve %s: pid %d as %s, sandbox helper %d as root, %s, work "
        "dir %s" % (plugin, srv.proc.pid, SERVE_USER, srv.helper, srv.base,
                    srv.work))
    # A first program makes what the server keeps between runs (run
    # cgroups made ahead, the precompiled header): the baseline is taken
    # after it.
    warm = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "cpp", "ac_stdio.cpp")
    if os.path.exists(warm):
        doc, err, _ = serve_judge(srv, (plugin, "warm-up", warm, "cpp",
                                        "AC", None))
        if doc is None or doc.get("verdict_code") != "AC":
            log("note: warm-up program: %s" % (err or doc.get(
                "verdict_code")))
    time.sleep(0.5)
    base = srv.snapshot()
    log("serve %s: baseline: %d entries in the work dir, server "
        "processes %s, sandbox uid %d, %d judge mounts%s" % (
            plugin, len(base["work"]), base["kids"], srv.sandbox_uid,
            len(base["mounts"]), " (the helper has a mount namespace of "
            "its own)" if srv.helper_ns else ""))

    retry = []
    step = max(jobs, SERVE_BATCH)
    for i in range(0, len(cases), step):
        batch = cases[i:i + step]
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            results = list(ex.map(lambda c: serve_judge(srv, c), batch))
        srv.batch += 1
        bad = srv.settle(base)
        blamed = {}
        if bad:
            # Who left it: each program of the batch again, alone.
            log("host check after %s: %s; judging each again alone"
                % (" ".join(c[1] for c in batch), "; ".join(bad)))
            base = srv.snapshot()
            for c in batch:
                serve_judge(srv, c)
                srv.batch += 1
                b2 = srv.settle(base)
                if b2:
                    blamed[c[1]] = b2
                    base = srv.snapshot()
            if not blamed:
                host_fail.append("after %s (not reproduced alone): %s" % (
                    " ".join(c[1] for c in batch), "; ".join(bad)))
        for c, (doc, err, secs) in zip(batch, results):
            status, line, timing = serve_verdict(c, doc, err, secs, known,
                                                 blamed.get(c[1]))
            if timing:
                retry.append((c, line))
                continue
            counts[status] += 1
            log(line)
        if srv.proc.poll() is not None:
            host_fail.append("%s: the server exited %d: %s" % (
                plugin, srv.proc.returncode, srv.err_tail()))
            break
    # The right verdict with the other time detail: judged again alone,
    # up to TIMING_TRIES times (the server mode runs a server and its
    # helper beside the program: a loaded machine hits it more often).
    for c, first in retry:
        for attempt in range(1, TIMING_TRIES + 1):
            doc, err, secs = serve_judge(srv, c)
            srv.batch += 1
            bad = srv.settle(base)
            if bad:
                base = srv.snapshot()
            status, line, timing = serve_verdict(c, doc, err, secs, known,
                                                 bad)
            if not timing:
                break
            time.sleep(1)
        counts[status] += 1
        log(line + "  (judged again alone, %d time%s; first run: %s)"
            % (attempt, "" if attempt == 1 else "s",
               first.split("\n", 1)[-1].strip()[:160]))

    rc = srv.stop()
    if rc != 0:
        host_fail.append("%s: serve exited %s on SIGTERM: %s"
                         % (plugin, rc, srv.err_tail()))
    # After the server: nothing of it is left at all.
    deadline = time.monotonic() + SETTLE_S
    while True:
        end = {"work": {k: v for k, v in base["work"].items()},
               "kids": [], "cgroups": {}, "mounts": pre_mounts}
        left = srv.check(end, final=True)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    host_fail += ["%s after the server stopped: %s" % (plugin, b)
                  for b in left]
    return host_fail


def read_options(optlist):
    """(jobs, plugins, keep_going_known, busy) of the options of main."""
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
    return jobs, plugins, keep_going_known, busy


def serve_main(optlist, args):
    """The suite through `algocode serve` (option -s), beside busy
    processes as the CLI mode (-l)."""
    jobs, plugins, keep_going_known, busy = read_options(optlist)
    load_procs = start_load(busy)
    if busy:
        log("load: %d busy processes run alongside the suite" % busy)
    try:
        return serve_run(jobs, plugins, keep_going_known, args)
    finally:
        stop_load(load_procs)


def suite_paths(plugins, args):
    """(here, builddir, binary, plugins, progs) of a run in either mode:
    the trees (top_srcdir, top_builddir), the sandbox plugins asked for
    (else every one built: none, an empty list), the programs named (else
    all of them)."""
    srcdir = os.environ.get("top_srcdir") or \
        os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
    builddir = os.environ.get("top_builddir") or os.getcwd()
    here = os.path.join(srcdir, "tests", "conformance")
    binary = os.path.join(os.path.abspath(builddir), "algocode")
    if not plugins:
        plugins = sorted(os.path.basename(p)[:-3] for p in glob.glob(
            os.path.join(builddir, "plugins-build", "sandbox", "*.so")))
    if args:
        progs = [a if os.path.isabs(a) else os.path.join(here, a)
                 for a in args]
    else:
        progs = sorted(glob.glob(os.path.join(here, "c", "*.c")) +
                       glob.glob(os.path.join(here, "cpp", "*.cpp")) +
                       glob.glob(os.path.join(here, "python3", "*.py")) +
                       glob.glob(os.path.join(here, "java", "*.java")))
    return here, builddir, binary, plugins, progs


def cannot_run(binary, builddir, plugins, root_why):
    """The exit status when the suite cannot run here (99 without the
    binary, 77 skipped: not root, or no sandbox plugin), else None."""
    if not os.access(binary, os.X_OK):
        log("no %s: build first" % binary)
        return 99
    if os.geteuid() != 0:
        log("SKIPPED: " + root_why)
        return 77
    if not plugins:
        log("SKIPPED: no sandbox plugin in %s/plugins-build/sandbox"
            % builddir)
        return 77
    return None


def serve_run(jobs, plugins, keep_going_known, args):
    """serve_main's suite, once the options are read."""
    here, builddir, binary, plugins, progs = suite_paths(plugins, args)
    rc = cannot_run(binary, builddir, plugins, "serve separates privileges "
                    "only when started as root")
    if rc is not None:
        return rc
    try:
        pwd_uid(SERVE_USER)
    except KeyError:
        log("SKIPPED: no user %s (useradd --system --no-create-home "
            "--shell /usr/sbin/nologin %s)" % (SERVE_USER, SERVE_USER))
        return 77
    known = serve_known(here, keep_going_known)
    parsed = parse_programs(progs, here)
    if parsed is None:
        return 99

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    setup_fixed(os.path.join(here, "problem"))
    try:
        return serve_suite(binary, builddir, plugins, progs, parsed, known,
                           jobs)
    finally:
        shutil.rmtree(FIXED, ignore_errors=True)


def serve_suite(binary, builddir, plugins, progs, parsed, known, jobs):
    before_escapes = escapes()
    listeners = Listeners()
    listeners.start()
    counts = {"PASS": 0, "FAIL": 0, "XFAIL": 0, "XPASS": 0}
    host_fail = []
    if before_escapes:
        host_fail.append("files outside the box before the run: " +
                         " ".join(before_escapes))
    t_start = time.monotonic()
    log("conformance (server mode): %d programs x %d sandbox plugin(s) "
        "(%s), %d at a time, host checked after every %d"
        % (len(progs), len(plugins), " ".join(plugins), jobs,
           max(jobs, SERVE_BATCH)))
    for plugin in plugins:
        t0 = time.monotonic()
        cases = [(plugin,) + p for p in parsed]
        host_fail += serve_plugin(binary, builddir, plugin, cases, known,
                                  jobs, counts)
        log("serve %s: %.0f s" % (plugin, time.monotonic() - t0))
    host_fail += canaries_intact()
    listeners.close()
    if listeners.hits:
        host_fail.append("host listeners were contacted: " +
                         ", ".join(sorted(set(listeners.hits))))
    return summary(counts, host_fail, t_start,
                   "after every batch and after each server: no file left "
                   "in the work dir (size back to the baseline), no process "
                   "of the sandbox uid or the server beyond the baseline, no "
                   "run cgroup, no new mount; canaries intact; no network "
                   "contact")


def summary(counts, host_fail, t_start, clean):
    """Log the host checks (clean: what PASS says was checked) and the
    counts; the exit status of the suite."""
    for h in host_fail:
        log("FAIL  host: " + h)
    if not host_fail:
        log("PASS  host: " + clean)
    failed = counts["FAIL"] + counts["XPASS"] + len(host_fail)
    passed = counts["PASS"] + counts["XFAIL"]
    log("%d passed, %d failed (%d PASS, %d XFAIL, %d FAIL, %d XPASS, "
        "%d host checks failed) in %.0f s"
        % (passed, failed, counts["PASS"], counts["XFAIL"], counts["FAIL"],
           counts["XPASS"], len(host_fail), time.monotonic() - t_start))
    return 1 if failed else 0


def main():
    try:
        optlist, args = getopt.getopt(sys.argv[1:], "j:p:ksl:")
    except getopt.GetoptError as e:
        log("usage: run.sh [-s] [-j JOBS] [-p PLUGIN]... [-k] [-l BUSY] "
            "[PROGRAM...]: %s" % e)
        return 2
    if ("-s", "") in optlist:
        return serve_main(optlist, args)
    jobs, plugins, keep_going_known, busy = read_options(optlist)
    here, builddir, binary, plugins, progs = suite_paths(plugins, args)
    rc = cannot_run(binary, builddir, plugins,
                    "the namespace sandbox needs root")
    if rc is not None:
        return rc

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

    known = {}
    if keep_going_known:
        known = load_known(os.path.join(here, "known-failures"))
        known.update(load_known(os.path.join(here, "known-failures-cli")))
    parsed = parse_programs(progs, here)
    if parsed is None:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        return 99
    cases = []
    for rel, prog, lang, expect, detail in parsed:
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
        got, ok, why, text = judged(doc, err, expect, detail)
        if doc is not None:
            with pid_lock:
                load = (doc.get("judge") or {}).get("load") or {}
                overloaded[0] += bool(load.get("overloaded"))
                overloaded[1] += bool(load)
        status, line = verdict_line(known, case, got, ok, why, secs)
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
    shutil.rmtree(FIXED, ignore_errors=True)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary(counts, host_fail, t_start,
                   "no process, cgroup, mount, run directory or file left; "
                   "canaries intact; no network contact")


if __name__ == "__main__":
    sys.exit(main())
