/* cgroup v1 (memory, pids, cpuacct) and v2 management for sandbox/ns. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/sbx_file.h"
#include "cgroup.h"

#define CG_LINE 4096

/* Open dir/file (flags), or -1. */
static int cg_open(const char *dir, const char *file, int flags)
{
	char path[CG_LINE];

	if (!dir || snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	                    (int)sizeof(path))
		return -1;
	return open(path, flags | O_CLOEXEC);
}

/* The whole of an open cgroup file, again (pread at 0 regenerates it). */
static int cg_pread(int fd, char *buf, size_t len)
{
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len - 1, 0);

	if (n < 0)
		return fd < 0 ? -EBADF : -errno;
	buf[n] = '\0';
	return 0;
}

static int cg_key(const char *buf, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = buf; p && *p;
	     p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*out = strtoull(p + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

static bool cg_exists(const char *dir, const char *file)
{
	char path[CG_LINE];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

/* fn(line, arg) on each line of `file` until it returns other than
 * CG_NEXT (not this line).  Returns that value, -ENOENT when no line
 * matched, or -errno when the file cannot be opened. */
#define CG_NEXT 1
static int cg_scan(const char *file, int (*fn)(char *line, void *arg),
                   void *arg)
{
	FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;
	int rc = CG_NEXT;

	if (!f)
		return -errno;
	while (rc == CG_NEXT && getline(&line, &cap, f) > 0)
		rc = fn(line, arg);
	free(line);
	fclose(f);
	return rc == CG_NEXT ? -ENOENT : rc;
}

struct cg_mount_find {
	const char *ctrl;
	char **mnt, **mroot;
};

/* A line of /proc/self/mountinfo: the hierarchy of m->ctrl? */
static int cg_mount_line(char *line, void *arg)
{
	struct cg_mount_find *m = arg;
	char root[1024], point[1024], fstype[64], super[1024];
	char *dash = strstr(line, " - ");

	if (!dash ||
	    sscanf(line, "%*s %*s %*s %1023s %1023s", root, point) != 2)
		return CG_NEXT;
	if (sscanf(dash + 3, "%63s %*s %1023s", fstype, super) != 2)
		return CG_NEXT;
	if (m->ctrl ? (strcmp(fstype, "cgroup") != 0 ||
	               !sbx_has_word(super, m->ctrl, ','))
	            : strcmp(fstype, "cgroup2") != 0)
		return CG_NEXT;
	*m->mnt = strdup(point);
	*m->mroot = strdup(root);
	if (*m->mnt && *m->mroot)
		return 0;
	free(*m->mnt);
	free(*m->mroot);
	return -ENOMEM;
}

/* Mount point and mount root of the hierarchy holding controller `ctrl`
 * (v1), or of the cgroup2 hierarchy (ctrl NULL). */
static int cg_find_mount(const char *ctrl, char **mnt, char **mroot)
{
	struct cg_mount_find m = {ctrl, mnt, mroot};

	return cg_scan("/proc/self/mountinfo", cg_mount_line, &m);
}

struct cg_self_find {
	const char *ctrl;
	char **out;
};

/* A line of /proc/self/cgroup: the hierarchy of c->ctrl? */
static int cg_self_line(char *line, void *arg)
{
	struct cg_self_find *c = arg;
	char *c1 = strchr(line, ':'), *c2, *nl;

	if (!c1 || !(c2 = strchr(c1 + 1, ':')))
		return CG_NEXT;
	*c2 = '\0';
	if (c->ctrl ? !sbx_has_word(c1 + 1, c->ctrl, ',')
	            : !(line[0] == '0' && c1 == line + 1 && c1[1] == '\0'))
		return CG_NEXT;
	if ((nl = strchr(c2 + 1, '\n')))
		*nl = '\0';
	*c->out = strdup(c2 + 1);
	return *c->out ? 0 : -ENOMEM;
}

/* This process's path in the hierarchy of `ctrl` (v1) or v2 (NULL). */
static int cg_self_path(const char *ctrl, char **out)
{
	struct cg_self_find c = {ctrl, out};

	return cg_scan("/proc/self/cgroup", cg_self_line, &c);
}

/* <mount>/<path of this process or override>/algocode, created. */
static int cg_base(const char *ctrl, const char *override, char **out,
                   bool *made)
{
	char *mnt = NULL, *mroot = NULL, *self = NULL, buf[CG_LINE];
	const char *rel;
	int rc;

	*out = NULL;
	if (made)
		*made = false;
	rc = cg_find_mount(ctrl, &mnt, &mroot);
	if (rc < 0)
		goto out;
	if (override) {
		snprintf(buf, sizeof(buf), "%s/%s", mnt,
		         override + strspn(override, "/"));
	} else {
		rc = cg_self_path(ctrl, &self);
		if (rc < 0)
			goto out;
		rel = self;
		if (strcmp(mroot, "/") != 0 &&
		    strncmp(self, mroot, strlen(mroot)) == 0)
			rel = self + strlen(mroot);
		if (!rel[0]) /* our cgroup is the mount's root */
			rel = "/";
		snprintf(buf, sizeof(buf), "%s%s%s/algocode", mnt,
		         rel[0] == '/' ? "" : "/", strcmp(rel, "/") ? rel : "");
	}
	if (mkdir(buf, 0755) == 0) {
		if (made)
			*made = true;
	} else if (errno != EEXIST) {
		rc = -errno;
		goto out;
	}
	*out = strdup(buf);
	rc = *out ? 0 : -ENOMEM;
out:
	free(mnt);
	free(mroot);
	free(self);
	return rc;
}

/* Remove run cgroups a crashed judge left behind (empty ones only). */
static void cg_sweep_stale(const char *base, unsigned int token)
{
	DIR *d;
	struct dirent *e;
	char path[CG_LINE];

	if (!base || !(d = opendir(base)))
		return;
	while ((e = readdir(d))) {
		char *end;
		pid_t pid;
		unsigned long tok;

		if (strncmp(e->d_name, "run-", 4) != 0)
			continue;
		/* run-<pid>-<token>-<n>: only those of dead judge processes,
		 * and those of an earlier judge that had our pid (a restart
		 * as pid 1 of a container).  rmdir never removes a cgroup
		 * that holds a process. */
		pid = (pid_t)strtol(e->d_name + 4, &end, 10);
		tok = *end == '-' ? strtoul(end + 1, NULL, 16) : 0;
		if (!(pid <= 0 || (pid == getpid() && tok != token) ||
		      (kill(pid, 0) < 0 && errno == ESRCH)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		rmdir(path);
	}
	closedir(d);
}

static bool cg_machine_has_swap(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kb = 1;

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SwapTotal: %llu", &kb) == 1)
			break;
	fclose(f);
	return kb != 0;
}

/* The v2 controllers the run cgroups need (memory, pids) and want (cpu:
 * cpu.stat's usage_usec is there without it). */
static const char *const cg_v2_need[] = {"memory", "pids", "cpu"};

/* Enable the controllers for the run cgroups, below `base`: in its parent
 * (fails with EBUSY when the parent holds processes, as the judge's own
 * cgroup does: then sandbox.cgroup_root must name a cgroup whose parent
 * has none, such as one right below the root; with ENOENT when the
 * parent's own parent did not give it the controller) and in `base`.  One
 * write per controller: the kernel refuses a whole "+memory +pids +cpu"
 * when one of them is not offered.  Returns 0 or -errno with err saying
 * what failed. */
static int cg_v2_enable(const char *base, char *err, size_t errlen)
{
	char parent[CG_LINE], *slash;
	int prc, rc;

	snprintf(parent, sizeof(parent), "%s", base);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < 3; i++) {
		char val[16];

		snprintf(val, sizeof(val), "+%s", cg_v2_need[i]);
		prc = sbx_write_at(parent, "cgroup.subtree_control", val);
		rc = sbx_write_at(base, "cgroup.subtree_control", val);
		if (rc == 0 || i == 2)
			continue;
		if (prc == -EBUSY)
			snprintf(err, errlen,
			         "cannot enable %s in %s: it holds processes",
			         cg_v2_need[i], parent);
		else if ((prc < 0 ? prc : rc) == -ENOENT)
			snprintf(err, errlen,
			         "cannot enable %s in %s: its parent does not "
			         "offer it",
			         cg_v2_need[i], prc < 0 ? parent : base);
		else
			snprintf(err, errlen, "cannot enable %s in %s: %s",
			         cg_v2_need[i], prc < 0 ? parent : base,
			         strerror(prc < 0 ? -prc : -rc));
		return prc == -EBUSY ? -EBUSY : rc;
	}
	return 0;
}

int cg_sys_init(struct cg_sys *sys, const char *root, unsigned int token)
{
	char *mnt = NULL, *mroot = NULL;
	int rc;

	memset(sys, 0, sizeof(*sys));
	sys->no_swap = !cg_machine_has_swap();
	if (cg_find_mount("memory", &mnt, &mroot) == 0) {
		free(mnt);
		free(mroot);
		rc = cg_base("memory", root, &sys->mem_base, NULL);
		if (rc < 0) {
			snprintf(sys->err, sizeof(sys->err),
			         "cgroup v1 memory: cannot create the base "
			         "cgroup: %s",
			         strerror(-rc));
			goto fail;
		}
		sys->memsw =
		        cg_exists(sys->mem_base, "memory.memsw.limit_in_bytes");
		/* A new v1 memory cgroup inherits oom_kill_disable from its
		 * parent: a program at its limit would then freeze until the
		 * wall limit (TLE, not MLE).  Our runs' OOM killer is on
		 * (docs/security.md, "Memory"; best effort: the root of the
		 * hierarchy refuses the write, and has it on). */
		sbx_write_at(sys->mem_base, "memory.oom_control", "0");
		if (cg_base("pids", root, &sys->pids_base, NULL) < 0)
			sys->pids_base = NULL;
		if (cg_base("cpuacct", root, &sys->cpu_base, NULL) < 0)
			sys->cpu_base = NULL;
		sys->version = 1;
		cg_sweep_stale(sys->mem_base, token);
		cg_sweep_stale(sys->pids_base, token);
		cg_sweep_stale(sys->cpu_base, token);
		return 0;
	}
	if (cg_find_mount(NULL, &mnt, &mroot) == 0) {
		char ctl[256] = "", err1[CG_LINE + 64], err2[CG_LINE + 64];
		bool made;

		sbx_read_at(mnt, "cgroup.controllers", ctl, sizeof(ctl));
		free(mnt);
		free(mroot);
		for (size_t i = 0; i < 2; i++) {
			if (sbx_has_word(ctl, cg_v2_need[i], ' '))
				continue;
			snprintf(sys->err, sizeof(sys->err),
			         "cgroup v2 without the %s controller "
			         "(not in the root's cgroup.controllers)",
			         cg_v2_need[i]);
			goto fail;
		}
		rc = cg_base(NULL, root, &sys->v2_base, &made);
		if (rc < 0) {
			snprintf(sys->err, sizeof(sys->err),
			         "cgroup v2: cannot create the base cgroup: %s",
			         strerror(-rc));
			goto fail;
		}
		rc = cg_v2_enable(sys->v2_base, err1, sizeof(err1));
		if (rc < 0 && made)
			rmdir(sys->v2_base);
		if (rc < 0 && root) {
			snprintf(sys->err, sizeof(sys->err),
			         "cgroup v2: %s; sandbox.cgroup_root must name "
			         "a cgroup where the judge may enable memory "
			         "and pids (docs/sandbox.md)",
			         err1);
		} else if (rc < 0 && rc != -EBUSY && rc != -ENOENT) {
			snprintf(sys->err, sizeof(sys->err),
			         "cgroup v2: %s; set sandbox.cgroup_root to a "
			         "delegated cgroup (docs/sandbox.md)",
			         err1);
		} else if (rc < 0) {
			/* Our own cgroup holds processes (a systemd service,
			 * a login session: EBUSY) or was given none of the
			 * controllers (ENOENT): a cgroup of our own below the
			 * root instead, as sandbox.cgroup_root = "/algocode"
			 * would give. */
			char *alt = NULL;

			rc = cg_base(NULL, "/algocode", &alt, &made);
			if (rc == 0 && strcmp(alt, sys->v2_base) == 0) {
				/* We are at the root of our cgroup
				 * namespace (a container): the same place. */
				snprintf(sys->err, sizeof(sys->err),
				         "cgroup v2: %s: the root of this "
				         "cgroup "
				         "namespace (a container?); move its "
				         "processes into a child cgroup first "
				         "(docs/sandbox.md)",
				         err1);
				rc = -EBUSY;
			} else if (rc == 0) {
				rc = cg_v2_enable(alt, err2, sizeof(err2));
				if (rc < 0)
					snprintf(sys->err, sizeof(sys->err),
					         "cgroup v2: %s; and below the "
					         "root, %s; set "
					         "sandbox.cgroup_root to a "
					         "delegated cgroup "
					         "(docs/sandbox.md)",
					         err1, err2);
			} else {
				snprintf(sys->err, sizeof(sys->err),
				         "cgroup v2: %s; and below the root, "
				         "cannot create /algocode: %s",
				         err1, strerror(-rc));
			}
			if (rc == 0) {
				free(sys->v2_base);
				sys->v2_base = alt;
				alt = NULL;
			} else if (alt && made) {
				rmdir(alt);
			}
			free(alt);
		}
		if (rc < 0)
			goto fail;
		/* Absent without swap accounting (swapaccount=0). */
		sys->memsw = cg_exists(sys->v2_base, "memory.swap.max");
		sys->version = 2;
		cg_sweep_stale(sys->v2_base, token);
		return 0;
	}
	snprintf(sys->err, sizeof(sys->err), "no cgroup hierarchy mounted");
fail:
	cg_sys_fini(sys);
	sys->version = 0;
	return 0;
}

void cg_sys_fini(struct cg_sys *sys)
{
	free(sys->mem_base);
	free(sys->pids_base);
	free(sys->cpu_base);
	free(sys->v2_base);
	sys->mem_base = sys->pids_base = sys->cpu_base = sys->v2_base = NULL;
}

static int cg_mkrun(const char *base, const char *name, char **out)
{
	char buf[CG_LINE];

	*out = NULL;
	if (!base)
		return 0;
	snprintf(buf, sizeof(buf), "%s/%s", base, name);
	if (mkdir(buf, 0755) < 0)
		return -errno;
	*out = strdup(buf);
	if (!*out) {
		rmdir(buf);
		return -ENOMEM;
	}
	return 0;
}

/* One control file a new run cgroup is given: dir/file = val; must: the
 * run fails without it. */
struct cg_set {
	const char *dir, *file, *val;
	bool must;
};

/* The writes of set, in order.  0, or -errno with *what the file. */
static int cg_set_all(const struct cg_set *set, size_t n, const char **what)
{
	for (size_t i = 0; i < n; i++) {
		int rc = sbx_write_at(set[i].dir, set[i].file, set[i].val);

		if (rc < 0 && set[i].must) {
			*what = set[i].file;
			return rc;
		}
	}
	return 0;
}

int cg_run_create(const struct cg_sys *sys, const char *name,
                  const struct ac_limits *lim, struct cg_run *run, char *err,
                  size_t errlen)
{
	char mem[32], pids[32];
	struct cg_set set[3];
	size_t n = 0;
	const char *what = "mkdir";
	int rc;

	memset(run, 0, sizeof(*run));
	run->sys = sys;
	run->cpu_fd = -1;
	run->v2_fd = -1;
	run->peak_fd = run->oom_fd = run->cnt_fd = -1;
	if (sys->version == 0) {
		snprintf(err, errlen, "%s", sys->err);
		return -ENOTSUP;
	}
	snprintf(mem, sizeof(mem), "%" PRIu64, lim->memory_kb * 1024);
	snprintf(pids, sizeof(pids), "%u", lim->processes + 1);
	if (sys->version == 1) {
		if ((rc = cg_mkrun(sys->mem_base, name, &run->mem)) < 0 ||
		    (rc = cg_mkrun(sys->pids_base, name, &run->pids)) < 0 ||
		    (rc = cg_mkrun(sys->cpu_base, name, &run->cpu)) < 0)
			goto fail;
		set[n++] = (struct cg_set){run->mem, "memory.limit_in_bytes",
		                           mem, true};
		if (sys->memsw)
			set[n++] = (struct cg_set){
			        run->mem, "memory.memsw.limit_in_bytes", mem,
			        true};
		else
			set[n++] = (struct cg_set){
			        run->mem, "memory.swappiness", "0", false};
		if (run->pids)
			set[n++] = (struct cg_set){run->pids, "pids.max", pids,
			                           true};
		if ((rc = cg_set_all(set, n, &what)) < 0)
			goto fail;
		if (run->cpu) {
			char path[CG_LINE];

			snprintf(path, sizeof(path), "%s/cpuacct.usage",
			         run->cpu);
			run->cpu_fd = open(path, O_RDONLY | O_CLOEXEC);
		}
	} else {
		char path[CG_LINE];

		if ((rc = cg_mkrun(sys->v2_base, name, &run->v2)) < 0)
			goto fail;
		set[n++] = (struct cg_set){run->v2, "memory.max", mem, true};
		if (sys->memsw)
			set[n++] = (struct cg_set){run->v2, "memory.swap.max",
			                           "0", true};
		set[n++] = (struct cg_set){run->v2, "pids.max", pids, true};
		if ((rc = cg_set_all(set, n, &what)) < 0)
			goto fail;
		snprintf(path, sizeof(path), "%s/cpu.stat", run->v2);
		run->cpu_fd = open(path, O_RDONLY | O_CLOEXEC);
		run->v2_fd = open(run->v2, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (run->v2_fd < 0) {
			rc = -errno;
			what = "open";
			goto fail;
		}
	}
	if (run->cpu_fd < 0) {
		rc = -ENOENT;
		what = "cpu accounting";
		goto fail;
	}
	/* What the end of the run reads, opened now. */
	if (sys->version == 1) {
		run->peak_fd =
		        cg_open(run->mem, "memory.max_usage_in_bytes", O_RDWR);
		run->oom_fd = cg_open(run->mem, "memory.oom_control", O_RDONLY);
		run->cnt_fd = cg_open(run->pids, "pids.current", O_RDONLY);
	} else {
		run->peak_fd = cg_open(run->v2, "memory.peak", O_RDONLY);
		run->peak_cur = run->peak_fd < 0;
		if (run->peak_cur)
			run->peak_fd =
			        cg_open(run->v2, "memory.current", O_RDONLY);
		run->oom_fd = cg_open(run->v2, "memory.events", O_RDONLY);
		run->cnt_fd = cg_open(run->v2, "pids.current", O_RDONLY);
	}
	run->mem_kb = lim->memory_kb;
	run->procs = lim->processes;
	return 0;
fail:
	snprintf(err, errlen, "cgroup %s (%s): %s", name, what, strerror(-rc));
	cg_run_destroy(run);
	return rc;
}

int cg_run_set_limits(struct cg_run *run, const struct ac_limits *lim,
                      char *err, size_t errlen)
{
	const char *dir = run->sys->version == 1 ? run->mem : run->v2;
	const char *what = "pids.max";
	char val[32];
	int rc = 0;

	if (lim->memory_kb != run->mem_kb) {
		snprintf(val, sizeof(val), "%" PRIu64, lim->memory_kb * 1024);
		/* v1 refuses a memory limit above the memsw one and the
		 * reverse: lower first whichever must go down. */
		if (run->sys->version == 1 && run->sys->memsw) {
			const char *a = "memory.limit_in_bytes",
			           *b = "memory.memsw.limit_in_bytes";

			if (lim->memory_kb > run->mem_kb) {
				const char *t = a;

				a = b;
				b = t;
			}
			what = a;
			if ((rc = sbx_write_at(dir, a, val)) == 0) {
				what = b;
				rc = sbx_write_at(dir, b, val);
			}
		} else {
			what = run->sys->version == 1 ? "memory.limit_in_bytes"
			                              : "memory.max";
			rc = sbx_write_at(dir, what, val);
		}
		if (rc < 0)
			goto fail;
		run->mem_kb = lim->memory_kb;
	}
	if (lim->processes != run->procs &&
	    (run->sys->version == 2 || run->pids)) {
		snprintf(val, sizeof(val), "%u", lim->processes + 1);
		what = "pids.max";
		if ((rc = sbx_write_at(run->sys->version == 1 ? run->pids
		                                              : run->v2,
		                       what, val)) < 0)
			goto fail;
		run->procs = lim->processes;
	}
	return 0;
fail:
	snprintf(err, errlen, "cgroup %s: %s", what, strerror(-rc));
	return rc;
}

int cg_run_count(struct cg_run *run)
{
	char buf[32];

	if (cg_pread(run->cnt_fd, buf, sizeof(buf)) < 0)
		return -1;
	return atoi(buf);
}

int cg_run_cpu_ns(struct cg_run *run, uint64_t *ns)
{
	char buf[1024];
	ssize_t n = pread(run->cpu_fd, buf, sizeof(buf) - 1, 0);
	char *p;

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (run->sys->version == 1) {
		*ns = strtoull(buf, NULL, 10);
		return 0;
	}
	p = strstr(buf, "usage_usec ");
	if (!p)
		return -EIO;
	*ns = strtoull(p + 11, NULL, 10) * 1000;
	return 0;
}

void cg_run_reset_peak(struct cg_run *run)
{
	if (run->sys->version == 1 &&
	    (run->peak_fd < 0 || pwrite(run->peak_fd, "0", 1, 0) != 1))
		sbx_write_at(run->mem, "memory.max_usage_in_bytes", "0");
}

int cg_run_mem(struct cg_run *run, uint64_t *peak, bool *oom)
{
	char buf[2048];
	uint64_t v = 0;
	int rc;

	*oom = false;
	if ((rc = cg_pread(run->peak_fd, buf, sizeof(buf))) < 0)
		return rc;
	*peak = strtoull(buf, NULL, 10);
	if (cg_pread(run->oom_fd, buf, sizeof(buf)) == 0) {
		if (run->sys->version == 2)
			*oom = cg_key(buf, "oom_kill", &v) == 0 && v > 0;
		else if (cg_key(buf, "oom_kill", &v) == 0)
			*oom = v > 0;
		else if (cg_key(buf, "under_oom", &v) == 0)
			*oom = v > 0;
	}
	return 0;
}

/* One pass: SIGKILL every pid listed in dir/cgroup.procs.  Returns the
 * number of pids listed; *killed counts the signals delivered. */
static int cg_kill_pass(const char *dir, int *killed)
{
	char buf[8192], *p, *end;
	int n = 0;

	if (!dir || sbx_read_at(dir, "cgroup.procs", buf, sizeof(buf)) < 0)
		return 0;
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		/* A spare spawner (spare.h), a thread of ours, is there
		 * until init is gone: never us. */
		if (pid == (long)getpid()) {
			while (*end == '\n')
				end++;
			continue;
		}
		n++;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			(*killed)++;
		while (*end == '\n')
			end++;
	}
	return n;
}

void cg_run_kill_now(struct cg_run *run)
{
	int total = 0;

	if (run->empty)
		return;
	if (run->v2 && cg_exists(run->v2, "cgroup.kill")) {
		sbx_write_at(run->v2, "cgroup.kill", "1");
		return;
	}
	/* One cgroup lists every process of the run. */
	cg_kill_pass(run->pids ? run->pids : run->mem, &total);
}

int cg_run_kill_all(struct cg_run *run)
{
	const struct timespec ms = {0, 1000000};
	int total = 0, i;

	/* Verified empty by an earlier call, and nothing can enter them
	 * again (the run's processes are gone). */
	if (run->empty)
		return 0;
	/* Usually init's death took every process down: the cgroups can be
	 * removed at once, which proves them empty (rmdir fails with EBUSY
	 * while a cgroup holds a process), without reading them. */
	{
		char **dirs[4] = {&run->mem, &run->pids, &run->cpu, &run->v2};
		bool left = false;

		for (i = 0; i < 4; i++) {
			if (!*dirs[i])
				continue;
			if (rmdir(*dirs[i]) == 0) {
				free(*dirs[i]);
				*dirs[i] = NULL;
			} else {
				left = true;
			}
		}
		if (!left) {
			run->empty = true;
			return 0;
		}
	}
	if (run->v2 && cg_exists(run->v2, "cgroup.kill"))
		sbx_write_at(run->v2, "cgroup.kill", "1");
	for (i = 0; i < 500; i++) {
		/* Empty when no cgroup lists a process any more. */
		if (cg_kill_pass(run->mem, &total) +
		            cg_kill_pass(run->pids, &total) +
		            cg_kill_pass(run->cpu, &total) +
		            cg_kill_pass(run->v2, &total) ==
		    0) {
			run->empty = true;
			break;
		}
		nanosleep(&ms, NULL);
	}
	return total;
}

static void cg_rmdir(char **dir)
{
	const struct timespec ms = {0, 2000000};

	if (!*dir)
		return;
	/* Exiting tasks keep a cgroup busy for a moment. */
	for (int i = 0; i < 250 && rmdir(*dir) < 0 && errno == EBUSY; i++)
		nanosleep(&ms, NULL);
	free(*dir);
	*dir = NULL;
}

void cg_run_destroy(struct cg_run *run)
{
	int *fds[5] = {&run->cpu_fd, &run->v2_fd, &run->peak_fd, &run->oom_fd,
	               &run->cnt_fd};

	for (int i = 0; i < 5; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (run->mem || run->pids || run->cpu || run->v2)
		cg_run_kill_all(run);
	cg_rmdir(&run->mem);
	cg_rmdir(&run->pids);
	cg_rmdir(&run->cpu);
	cg_rmdir(&run->v2);
}
