/* sandbox/ns: environment probes: check_env and enforcing.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "run.h"
#include "state.h"
#include "util.h"

/* ------------------------------------------------------------ check-env */

/* Run `cat /proc/self/status /proc/1/status` in the sandbox and keep its
 * stdout in buf: what the program really gets (no_new_privs, seccomp mode,
 * capability sets, whether init is visible). */
static int ns_probe_run(struct ns_state *st, char *buf, size_t len,
                        struct ac_run_report *rep)
{
	static const char *const argv[] = {"/bin/cat", "/proc/self/status",
	                                   "/proc/1/status", NULL};
	char dir[] = "/tmp/algocode-probe.XXXXXX", box[64], out[64];
	struct ac_run_spec spec;
	ssize_t n = -1;
	int fd, rc;

	buf[0] = '\0';
	if (!mkdtemp(dir))
		return -errno;
	snprintf(box, sizeof(box), "%s/box", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (mkdir(box, 0700) < 0) {
		rc = -errno;
		goto out;
	}
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.box_dir = box;
	spec.stdout_path = out;
	spec.limits.cpu_ms = 2000;
	spec.limits.wall_ms = 5000;
	spec.limits.memory_kb = 65536;
	spec.limits.processes = 4;
	spec.limits.stdout_kb = 64;
	spec.limits.fsize_kb = 64;
	rc = ns_run(st, &spec, rep);
	if (rc == 0 && rep->internal_error[0])
		rc = -EIO;
	fd = open(out, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n >= 0)
		buf[n] = '\0';
	else if (rc == 0)
		rc = -EIO;
	unlink(out);
out:
	rmdir(box);
	rmdir(dir);
	return rc;
}

/* "Key:\tvalue" of a /proc status text, or NULL. */
static const char *ns_status_field(const char *text, const char *key, char *val,
                                   size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ':') {
			const char *v = p + kl + 1;
			size_t n = 0;

			while (*v == '\t' || *v == ' ')
				v++;
			while (v[n] && v[n] != '\n' && n + 1 < len)
				n++;
			memcpy(val, v, n);
			val[n] = '\0';
			return val;
		}
	}
	return NULL;
}

/* The lines of check-env about the program's own view, from a real run. */
static void ns_check_program(struct ns_state *st, ac_line_cb cb, void *arg)
{
	static const char *const caps[] = {"CapInh", "CapPrm", "CapEff",
	                                   "CapBnd", "CapAmb"};
	struct ac_run_report rep;
	char text[8192], v[64], detail[320];
	const struct sc_filter *f = st->sc ? sc_cache_default(st->sc) : NULL;
	int rc = ns_probe_run(st, text, sizeof(text), &rep);
	bool ok;

	if (rc < 0) {
		snprintf(detail, sizeof(detail), "probe run failed: %s",
		         rep.internal_error[0] ? rep.internal_error
		                               : strerror(-rc));
		cb(arg, "seccomp", false, detail);
		cb(arg, "no_new_privs", false, detail);
		cb(arg, "capabilities dropped", false, detail);
		cb(arg, "/proc hidepid", false, detail);
		return;
	}
	ok = f && ns_status_field(text, "Seccomp", v, sizeof(v)) &&
	     strcmp(v, "2") == 0;
	if (f)
		snprintf(detail, sizeof(detail),
		         "filter loaded (mode %s), %u system calls allowed, "
		         "default action: kill process (SIGSYS); non-AF_UNIX "
		         "sockets EAFNOSUPPORT, clone3/io_uring ENOSYS, "
		         "hugetlb pages ENOMEM/EINVAL",
		         ok ? v : "?", f->allowed);
	else
		snprintf(detail, sizeof(detail), "disabled (sandbox.seccomp)");
	cb(arg, "seccomp", ok, detail);
	ok = ns_status_field(text, "NoNewPrivs", v, sizeof(v)) &&
	     strcmp(v, "1") == 0;
	cb(arg, "no_new_privs", ok, ok ? "NoNewPrivs: 1" : "not set");
	ok = true;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		ok = ok && ns_status_field(text, caps[i], v, sizeof(v)) &&
		     strspn(v, "0") == strlen(v) && v[0];
	cb(arg, "capabilities dropped", ok,
	   ok ? "inheritable, permitted, effective, bounding, ambient: 0"
	      : "a capability set is not empty");
	/* Two status files were asked for: with hidepid=2 init's is not
	 * there. */
	ok = strstr(text, "Name:") &&
	     !strstr(strstr(text, "Name:") + 5, "Name:");
	cb(arg, "/proc hidepid", ok,
	   ok ? "hidepid=2: other processes (init) invisible"
	      : "the program sees /proc/1");
}

/* Can a child be created with these namespace flags? */
static int ns_probe_clone(uint64_t flags)
{
	struct nsx_clone_args ca;
	sigset_t all, old;
	pid_t pid;
	int st = 0, e;

	memset(&ca, 0, sizeof(ca));
	ca.flags = flags;
	ca.exit_signal = SIGCHLD;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = ns_clone(&ca);
	if (pid == 0)
		_exit(0);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	if (waitpid(pid, &st, __WALL) < 0 && errno != ECHILD)
		return -errno;
	return 0;
}

/* Create and remove a probe cgroup; fills what works. */
static int ns_probe_cgroup(struct ns_state *st, bool *cpu, char *err,
                           size_t errlen)
{
	struct ac_limits l;
	struct cg_run run;
	char name[64];
	int rc;

	memset(&l, 0, sizeof(l));
	l.memory_kb = 65536;
	l.processes = 8;
	snprintf(name, sizeof(name), "run-%d-probe%u", (int)getpid(),
	         atomic_fetch_add(&st->seq, 1));
	rc = cg_run_create(&st->cg, name, &l, &run, err, errlen);
	if (rc < 0)
		return rc;
	if (cpu) {
		uint64_t ns;

		*cpu = cg_run_cpu_ns(&run, &ns) == 0;
	}
	cg_run_destroy(&run);
	return 0;
}

int ns_check_env(void *state, ac_line_cb cb, void *arg)
{
	static const struct {
		const char *what;
		uint64_t flag;
	} nss[] = {{"user namespace", CLONE_NEWUSER},
	           {"pid namespace", CLONE_NEWPID},
	           {"mount namespace", CLONE_NEWNS},
	           {"network namespace", CLONE_NEWNET},
	           {"ipc namespace", CLONE_NEWIPC},
	           {"uts namespace", CLONE_NEWUTS}};
	struct ns_state *st = state;
	char detail[320], err[256] = "";
	bool cpu = false, cg_ok;
	int rc;

	if (!st || !cb)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
		rc = ns_probe_clone(nss[i].flag);
		snprintf(detail, sizeof(detail), "%s",
		         rc ? strerror(-rc) : "clone3 ok");
		cb(arg, nss[i].what, rc == 0, detail);
	}
	snprintf(detail, sizeof(detail),
	         "uids %u-%u, gids %u-%u: one a live run, no host account",
	         (unsigned)st->uid, (unsigned)st->uid + st->id_count - 1,
	         (unsigned)st->gid, (unsigned)st->gid + st->id_count - 1);
	cb(arg, "ids of their own", true, detail);
	cg_ok = ns_probe_cgroup(st, &cpu, err, sizeof(err)) == 0;
	snprintf(
	        detail, sizeof(detail), "%s",
	        cg_ok ? (st->cg.version == 1 ? st->cg.mem_base : st->cg.v2_base)
	              : err);
	cb(arg,
	   st->cg.version == 2   ? "cgroup memory (v2)"
	   : st->cg.version == 1 ? "cgroup memory (v1)"
	                         : "cgroup memory",
	   cg_ok, detail);
	if (st->cg.version == 1)
		snprintf(detail, sizeof(detail), "%s",
		         st->cg.memsw ? "memory.memsw.limit_in_bytes = limit"
		         : st->cg.no_swap ? "no swap configured"
		                          : "swap present and not limited "
		                            "(no memsw accounting)");
	else
		snprintf(detail, sizeof(detail), "%s",
		         st->cg.no_swap ? "no swap configured"
		         : st->cg.memsw ? "memory.swap.max = 0"
		                        : "swap present and not limited "
		                          "(no memory.swap.max)");
	cb(arg, "swap off", cg_ok && (st->cg.no_swap || st->cg.memsw), detail);
	snprintf(detail, sizeof(detail), "%s",
	         !cg_ok ? err
	         : st->cg.version == 1
	                 ? (st->cg.pids_base ? st->cg.pids_base
	                                     : "pids controller not mounted")
	                 : "pids.max");
	cb(arg, "cgroup pids",
	   cg_ok && (st->cg.version == 2 || st->cg.pids_base), detail);
	snprintf(detail, sizeof(detail), "%s",
	         st->cg.version == 1
	                 ? "cpuacct.usage (all threads and children)"
	                 : "cpu.stat usage_usec");
	cb(arg, "cgroup cpu accounting", cg_ok && cpu, detail);
	ns_check_program(st, cb, arg);
	cb(arg, "rlimits", true,
	   "stack = memory limit (or stack_kb), fsize, nofile, core 0, "
	   "cpu backstop");
	return 0;
}

int ns_enforcing(void *state)
{
	struct ns_state *st = state;
	char err[256];

	if (!st || st->cg.version == 0)
		return -ENOTSUP;
	if (st->cg.version == 1 && !st->cg.pids_base)
		return -ENOTSUP;
	if (ns_probe_cgroup(st, NULL, err, sizeof(err)) < 0)
		return -ENOTSUP;
	if (ns_probe_clone(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
	                   CLONE_NEWNET) < 0)
		return -ENOTSUP;
	return 0;
}
