/* sandbox/docker: runs each command in a warm Docker container, through
 * the Engine API over its unix socket (http.c; no docker CLI).
 *
 * A pool of containers per run profile is kept running.  Each container's
 * only process is its init, our runner (runner.c) acting as an agent: the
 * judge connects to it once, over a unix socket in the container's
 * root-only /.algocode/run, right after the container starts.  One run:
 * take an idle container, mirror the host's box_dir into its /box (a
 * size-limited tmpfs, reached from the host as /proc/<init pid>/root/box),
 * create the run's own cgroups below the container's (v1 memory, pids,
 * cpuacct), send the agent the run (argv, environment, rlimits) with its
 * stdin, stdout and stderr and a run socket; the agent forks, the child
 * tells its pid, the judge moves it into the run's cgroups and lets it go.
 * Meanwhile the judge thread reads stdout/stderr (with the caps), samples
 * the CPU time and the wall clock, and kills everything in the run's
 * cgroups on a limit; the agent reports how the program ended.
 * Afterwards the box is mirrored back to box_dir, /box /tmp /dev/shm are
 * wiped and the container goes back to the pool.  See
 * docs/sandbox-docker.md.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../../common/plugin_util.h"
#include "../common/sbx_stdin.h"
#include "../common/sbx_stream.h"
#include "../common/sbx_syscalls.h"
#include "dk.h"
#include "fs.h"

#ifndef ALGOCODE_DOCKER_IMAGE_SCRIPT
#define ALGOCODE_DOCKER_IMAGE_SCRIPT "/usr/local/bin/algocode-docker-image"
#endif

#define API         "/v1.41"
#define LABEL       "org.algocode.sandbox"
#define RUNNER_IN   "/.algocode/runner"
#define CG_N        3 /* memory, pids, cpuacct */
#define API_TIMEOUT 30000
#define AGENT_WAIT  10000 /* ms for a new container's agent to listen */
#define DRAIN_MS    2000
#define POLL_MS     5

static const char *const cg_names[CG_N] = {"memory", "pids", "cpuacct"};

struct dk_cont {
	char id[80];
	pid_t init_pid;
	int ctl;                 /* the connection to its agent, -1 before */
	char cg[CG_N][PATH_MAX]; /* the container's cgroup dirs on the host */
	struct dk_pool *pool;
	struct dk_cont *next;
};

/* Containers of one run profile (bind mounts and seccomp differ). */
struct dk_pool {
	char *key;
	char *create_json; /* the container create body */
	struct dk_cont *idle;
	unsigned total;
	struct dk_pool *next;
};

struct dk_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	char *sock, *image, *script, *state_dir;
	char runner_path[PATH_MAX];
	uid_t uid;
	gid_t gid;
	long long box_kb, tmp_kb, mem_max_kb, procs_max, pool_size, pool_max;
	double cpus;
	bool pool_on, seccomp_on;
	char cgmnt[CG_N][PATH_MAX]; /* v1 mount points, "" when missing */
	bool memsw;
	char version[64];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dk_pool *pools;
	atomic_uint seq;
	unsigned live; /* containers created and not destroyed */
	struct sbx_stdin_cache in_cache; /* stdin without its host path */
};

#define LOG(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

/* ------------------------------------------------------------ small files */

static int dk_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;
	size_t n = strlen(s);

	if (fd < 0)
		return -errno;
	if (write(fd, s, n) != (ssize_t)n)
		r = -errno;
	close(fd);
	return r;
}

static int dk_write_u64(const char *dir, const char *file, uint64_t v)
{
	char p[PATH_MAX + 64], b[32];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	snprintf(b, sizeof(b), "%" PRIu64, v);
	return dk_write_file(p, b);
}

static int dk_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static uint64_t dk_read_u64(const char *dir, const char *file)
{
	char p[PATH_MAX + 64], b[64];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if (dk_read_file(p, b, sizeof(b)) < 0)
		return 0;
	return strtoull(b, NULL, 10);
}

/* ------------------------------------------------------------ Engine API */

/* A request whose answer must have status `want` (or 2xx when 0); the
 * parsed JSON body (NULL when empty) in *out when out != NULL. */
static int dk_api(struct dk_state *st, const char *method, const char *path,
                  json_t *body, int want, json_t **out, char *err,
                  size_t errlen)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct dk_resp resp;
	int r;

	if (out)
		*out = NULL;
	if (body && !text)
		return -ENOMEM;
	r = dk_http(st->sock, method, path, text, text ? strlen(text) : 0,
	            &resp, API_TIMEOUT);
	free(text);
	if (r < 0) {
		snprintf(err, errlen, "docker %s %s: %s", method, path,
		         strerror(-r));
		return r;
	}
	if (want ? resp.status != want
	         : (resp.status < 200 || resp.status > 299)) {
		json_t *j = json_loads(resp.body, 0, NULL);
		const char *m =
		        j ? json_string_value(json_object_get(j, "message"))
		          : NULL;

		snprintf(err, errlen, "docker %s %s: %d %s", method, path,
		         resp.status, m ? m : resp.body);
		json_decref(j);
		dk_resp_free(&resp);
		return resp.status == 404 ? -ENOENT : -EIO;
	}
	if (out && resp.len)
		*out = json_loads(resp.body, 0, NULL);
	dk_resp_free(&resp);
	return 0;
}

/* ------------------------------------------------------------ cgroups */

/* v1 mount points of memory, pids and cpuacct, from our mountinfo. */
static void dk_find_cgroups(struct dk_state *st)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	for (int i = 0; i < CG_N; i++)
		st->cgmnt[i][0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char root[1024], mnt[1024], *sep, fstype[64], src[256],
		        opts[1024];

		if (sscanf(line, "%*d %*d %*s %1023s %1023s", root, mnt) != 2)
			continue;
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s %255s %1023s", fstype, src,
		                   opts) != 3)
			continue;
		if (strcmp(fstype, "cgroup") != 0 || strcmp(root, "/") != 0)
			continue;
		for (int i = 0; i < CG_N; i++) {
			char *p = opts;
			size_t n = strlen(cg_names[i]);

			while ((p = strstr(p, cg_names[i]))) {
				if ((p == opts || p[-1] == ',') &&
				    (p[n] == ',' || p[n] == '\0'))
					break;
				p += n;
			}
			if (p && !st->cgmnt[i][0])
				snprintf(st->cgmnt[i], sizeof(st->cgmnt[i]),
				         "%s", mnt);
		}
	}
	fclose(f);
}

/* The container's cgroup directories from /proc/<pid>/cgroup. */
static int dk_cont_cgroups(struct dk_state *st, struct dk_cont *c)
{
	char p[64], line[4096];
	FILE *f;
	int found = 0;

	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)c->init_pid);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;

		if (!b)
			continue;
		*b = '\0';
		b[strcspn(b + 1, "\n") + 1] = '\0';
		for (int i = 0; i < CG_N; i++) {
			char *q = a + 1;
			size_t n = strlen(cg_names[i]);

			while ((q = strstr(q, cg_names[i]))) {
				if ((q == a + 1 || q[-1] == ',') &&
				    (q[n] == ',' || q[n] == '\0'))
					break;
				q += n;
			}
			if (q && st->cgmnt[i][0]) {
				snprintf(c->cg[i], sizeof(c->cg[i]), "%s%s",
				         st->cgmnt[i], b + 1);
				found |= 1 << i;
			}
		}
	}
	fclose(f);
	return found == (1 << CG_N) - 1 ? 0 : -ENOENT;
}

/* SIGKILL everything in the pids cgroup `dir` until it is empty. */
static int dk_cg_kill(const char *dir)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	for (int round = 0; round < 2000; round++) {
		FILE *f = fopen(p, "re");
		int pid, n = 0;

		if (!f)
			return errno == ENOENT ? 0 : -errno;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			n++;
		}
		fclose(f);
		if (n == 0)
			return 0;
		if (round > 10)
			usleep(1000);
	}
	return -EBUSY;
}

/* ------------------------------------------------------------ seccomp */

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
#define SC_NS_FLAGS 0x7e020000ull

/* Allowed but for their huge-page flag (as in sandbox/ns: the hugetlb
 * pool is charged to no memory cgroup): name, argument, flag, errno. */
static const struct {
	const char *name;
	int arg;
	uint64_t flag;
	int err;
} sc_huge[] = {{"mmap", 3, MAP_HUGETLB, ENOMEM},
               {"shmget", 2, SHM_HUGETLB, ENOMEM},
               {"memfd_create", 1, MFD_HUGETLB, EINVAL}};

/* The names of v, but those of sc_huge (their rules have conditions,
 * which an unconditional rule would override). */
static json_t *sc_names(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v[i]; i++) {
		bool huge = false;

		for (size_t k = 0; k < sizeof(sc_huge) / sizeof(sc_huge[0]);
		     k++)
			huge |= strcmp(v[i], sc_huge[k].name) == 0;
		if (!huge)
			json_array_append_new(a, json_string(v[i]));
	}
	return a;
}

static json_t *sc_rule(json_t *names, const char *action, int err, json_t *args)
{
	json_t *r = json_pack("{s:o, s:s}", "names", names, "action", action);

	if (r && err)
		json_object_set_new(r, "errnoRet", json_integer(err));
	if (r && args)
		json_object_set_new(r, "args", args);
	return r;
}

static json_t *sc_arg(int index, uint64_t value, uint64_t two, const char *op)
{
	return json_pack("{s:i, s:I, s:I, s:s}", "index", index, "value",
	                 (json_int_t)value, "valueTwo", (json_int_t)two, "op",
	                 op);
}

/* The Docker seccomp profile equal to sandbox/ns's policy, plus the
 * profile's extra calls (already checked against sc_never). */
static json_t *sc_profile(const char *const *extra)
{
	static const char *const enosys[] = {"clone3", "io_uring_setup",
	                                     "io_uring_enter",
	                                     "io_uring_register", NULL};
	static const char *const sock[] = {"socket", "socketpair", NULL};
	json_t *rules = json_array(), *p;

	json_array_append_new(
	        rules, sc_rule(sc_names(sc_allow), "SCMP_ACT_ALLOW", 0, NULL));
	if (extra && extra[0])
		json_array_append_new(
		        rules,
		        sc_rule(sc_names(extra), "SCMP_ACT_ALLOW", 0, NULL));
	json_array_append_new(rules, sc_rule(sc_names(enosys), "SCMP_ACT_ERRNO",
	                                     ENOSYS, NULL));
	json_array_append_new(
	        rules, sc_rule(json_pack("[s]", "clone"), "SCMP_ACT_ALLOW", 0,
	                       json_pack("[o]", sc_arg(0, SC_NS_FLAGS, 0,
	                                               "SCMP_CMP_MASKED_EQ"))));
	json_array_append_new(
	        rules,
	        sc_rule(sc_names(sock), "SCMP_ACT_ALLOW", 0,
	                json_pack("[o]", sc_arg(0, 1, 0, "SCMP_CMP_EQ"))));
	json_array_append_new(
	        rules,
	        sc_rule(sc_names(sock), "SCMP_ACT_ERRNO", EAFNOSUPPORT,
	                json_pack("[o]", sc_arg(0, 1, 0, "SCMP_CMP_NE"))));
	json_array_append_new(
	        rules,
	        sc_rule(json_pack("[s]", "personality"), "SCMP_ACT_ALLOW", 0,
	                json_pack("[o]", sc_arg(0, 0, 0, "SCMP_CMP_EQ"))));
	json_array_append_new(
	        rules,
	        sc_rule(json_pack("[s]", "personality"), "SCMP_ACT_ALLOW", 0,
	                json_pack("[o]",
	                          sc_arg(0, 0xffffffffull, 0, "SCMP_CMP_EQ"))));
	for (size_t k = 0; k < sizeof(sc_huge) / sizeof(sc_huge[0]); k++) {
		json_array_append_new(
		        rules,
		        sc_rule(json_pack("[s]", sc_huge[k].name),
		                "SCMP_ACT_ALLOW", 0,
		                json_pack("[o]", sc_arg(sc_huge[k].arg,
		                                        sc_huge[k].flag, 0,
		                                        "SCMP_CMP_MASKED_"
		                                        "EQ"))));
		json_array_append_new(
		        rules,
		        sc_rule(json_pack("[s]", sc_huge[k].name),
		                "SCMP_ACT_ERRNO", sc_huge[k].err,
		                json_pack("[o]",
		                          sc_arg(sc_huge[k].arg,
		                                 sc_huge[k].flag,
		                                 sc_huge[k].flag,
		                                 "SCMP_CMP_MASKED_EQ"))));
	}
	p = json_pack("{s:s, s:[s], s:o}", "defaultAction",
	              "SCMP_ACT_KILL_PROCESS", "architectures",
	              "SCMP_ARCH_X86_64", "syscalls", rules);
	return p;
}

/* ------------------------------------------------------------ profiles */

/* A read-only path of a profile: as sandbox/ns checks it.  0: bind it;
 * 1: already in the image (skip); <0: refused, err says why. */
static int dk_check_ro(const char *p, char *err, size_t errlen)
{
	static const char *const secret[] = {"/etc/shadow",
	                                     "/etc/gshadow",
	                                     "/etc/sudoers",
	                                     "/etc/ssh",
	                                     "/etc/ssl/private",
	                                     "/etc/algocode",
	                                     "/run",
	                                     "/boot",
	                                     "/var/lib/algocode",
	                                     "/var/lib/docker",
	                                     "/proc",
	                                     "/sys",
	                                     "/dev",
	                                     "/box",
	                                     "/.algocode",
	                                     NULL};
	char real[PATH_MAX];
	struct stat sb;

	if (p[0] != '/' || !realpath(p, real) || strcmp(real, p) != 0 ||
	    strcmp(p, "/") == 0 || stat(p, &sb) < 0) {
		snprintf(err, errlen,
		         "profile ro_path %s: not an existing canonical "
		         "absolute path",
		         p);
		return -EINVAL;
	}
	/* /tmp itself is the host's: refused.  A directory below it shows
	 * only itself, at its place inside the container's own /tmp (Docker
	 * mounts the tmpfs before the binds below it: they are sorted by
	 * depth). */
	if (strcmp(p, "/tmp") == 0) {
		snprintf(err, errlen, "profile ro_path %s: refused (/tmp)", p);
		return -EPERM;
	}
	for (size_t i = 0; secret[i]; i++) {
		size_t n = strlen(secret[i]), m = strlen(p);

		/* p is below a secret, or holds one, or is one. */
		if ((strncmp(p, secret[i], n) == 0 &&
		     (p[n] == '\0' || p[n] == '/' ||
		      strncmp(secret[i], "/etc/", 5) == 0)) ||
		    (m < n && strncmp(secret[i], p, m) == 0 &&
		     secret[i][m] == '/')) {
			snprintf(err, errlen,
			         "profile ro_path %s: refused (%s)", p,
			         secret[i]);
			return -EPERM;
		}
	}
	/* Home trees (as sandbox/ns): not they, a home, a parent of them or a
	 * hidden entry of a home; a directory further below shows only
	 * itself. */
	for (size_t i = 0; i < 2; i++) {
		static const char *const homes[] = {"/root", "/home"};
		size_t n = strlen(homes[i]);
		const char *rest;

		if (strncmp(homes[i], p, strlen(p)) == 0 &&
		    (homes[i][strlen(p)] == '\0' || homes[i][strlen(p)] == '/'))
			goto home;
		if (strncmp(p, homes[i], n) != 0 || p[n] != '/')
			continue;
		rest = p + n + 1;
		if (i == 1 && !(rest = strchr(rest, '/')))
			goto home;
		if (i == 1)
			rest++;
		/* Hidden entries hold credentials; ~/.local (a common prefix)
		 * and ~/.cache do not, but for the key rings. */
		if (rest[0] == '.' &&
		    ((strncmp(rest, ".local", 6) != 0 &&
		      strncmp(rest, ".cache", 6) != 0) ||
		     (rest[6] != '\0' && rest[6] != '/') ||
		     strncmp(rest, ".local/share/keyrings", 21) == 0 ||
		     strcmp(rest, ".local/share") == 0 ||
		     strcmp(rest, ".local") == 0))
			goto home;
	}
	if (strncmp(p, "/usr/", 5) == 0 || strcmp(p, "/usr") == 0 ||
	    strncmp(p, "/bin/", 5) == 0 || strncmp(p, "/lib", 4) == 0)
		return 1;
	return 0;
home:
	snprintf(err, errlen,
	         "profile ro_path %s: refused (a home tree, a home, or a "
	         "hidden entry of a home)",
	         p);
	return -EPERM;
}

static int dk_check_syscall(const char *s, char *err, size_t errlen)
{
	if (!s[0] ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s)) {
		snprintf(err, errlen, "profile system call '%s': unknown", s);
		return -EINVAL;
	}
	for (size_t i = 0; sc_never[i]; i++)
		if (strcmp(s, sc_never[i]) == 0) {
			snprintf(err, errlen,
			         "profile system call %s: never allowed", s);
			return -EPERM;
		}
	return 0;
}

/* Docker's defaults plus what sandbox/ns hides: /sys entirely (no
 * cgroupfs, no /sys/class/net), kallsyms, kmsg, modules... */
static const char *const dk_masked[] = {"/proc/asound",
                                        "/proc/acpi",
                                        "/proc/kcore",
                                        "/proc/keys",
                                        "/proc/key-users",
                                        "/proc/latency_stats",
                                        "/proc/timer_list",
                                        "/proc/timer_stats",
                                        "/proc/sched_debug",
                                        "/proc/scsi",
                                        "/proc/kallsyms",
                                        "/proc/kmsg",
                                        "/proc/config.gz",
                                        "/proc/modules",
                                        "/proc/buddyinfo",
                                        "/proc/pagetypeinfo",
                                        "/proc/kpagecount",
                                        "/proc/kpageflags",
                                        "/proc/kpagecgroup",
                                        "/proc/driver",
                                        "/proc/bus",
                                        "/proc/fs",
                                        "/proc/irq",
                                        "/proc/sysrq-trigger",
                                        "/sys",
                                        NULL};
static const char *const dk_readonly[] = {"/proc/sys", NULL};

/* The container create body of a profile. */
static json_t *dk_create_body(struct dk_state *st,
                              const struct ac_run_profile *prof)
{
	char opt[256], bind[PATH_MAX + 64];
	json_t *hc, *binds, *tmpfs, *sec, *body;

	binds = json_array();
	snprintf(bind, sizeof(bind), "%s:%s:ro", st->runner_path, RUNNER_IN);
	json_array_append_new(binds, json_string(bind));
	for (size_t i = 0; prof && prof->ro_paths && prof->ro_paths[i]; i++) {
		char e[256];

		if (dk_check_ro(prof->ro_paths[i], e, sizeof(e)) != 0)
			continue;
		snprintf(bind, sizeof(bind), "%s:%s:ro", prof->ro_paths[i],
		         prof->ro_paths[i]);
		json_array_append_new(binds, json_string(bind));
	}
	tmpfs = json_object();
	snprintf(opt, sizeof(opt), "rw,exec,nosuid,nodev,size=%lldk,mode=0755",
	         st->box_kb);
	json_object_set_new(tmpfs, "/box", json_string(opt));
	snprintf(opt, sizeof(opt), "rw,exec,nosuid,nodev,size=%lldk,mode=1777",
	         st->tmp_kb);
	json_object_set_new(tmpfs, "/tmp", json_string(opt));
	json_object_set_new(tmpfs, "/.algocode/run",
	                    json_string("rw,noexec,nosuid,nodev,size=64k,"
	                                "mode=0700"));
	sec = json_array();
	json_array_append_new(sec, json_string("no-new-privileges"));
	if (st->seccomp_on) {
		json_t *p = sc_profile(prof ? prof->syscalls : NULL);
		char *t = p ? json_dumps(p, JSON_COMPACT) : NULL;
		char *o = t ? malloc(strlen(t) + 16) : NULL;

		if (o) {
			sprintf(o, "seccomp=%s", t);
			json_array_append_new(sec, json_string(o));
		}
		free(o);
		free(t);
		json_decref(p);
	}
	hc = json_pack(
	        "{s:s, s:b, s:[s], s:[s,s,s], s:o, s:o, s:o, s:I, s:I, s:I, "
	        "s:I, s:I, s:I, s:s, s:[{s:s,s:i,s:i}], s:b, s:o, s:o}",
	        "NetworkMode", "none", "ReadonlyRootfs", 1, "CapDrop", "ALL",
	        "CapAdd", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP",
	        "SecurityOpt", sec, "Binds", binds, "Tmpfs", tmpfs, "Memory",
	        (json_int_t)st->mem_max_kb * 1024, "MemorySwap",
	        (json_int_t)st->mem_max_kb * 1024, "PidsLimit",
	        (json_int_t)st->procs_max, "CpuPeriod", (json_int_t)100000,
	        "CpuQuota", (json_int_t)(st->cpus * 100000), "ShmSize",
	        (json_int_t)st->tmp_kb * 1024, "IpcMode", "private", "Ulimits",
	        "Name", "core", "Soft", 0, "Hard", 0, "Init", 0, "MaskedPaths",
	        sc_names(dk_masked), "ReadonlyPaths", sc_names(dk_readonly));
	if (hc && st->memsw == false) {
		/* Without swap accounting docker refuses MemorySwap. */
		json_object_del(hc, "MemorySwap");
	}
	snprintf(opt, sizeof(opt), "%d", (int)getpid());
	body = json_pack("{s:s, s:[s,s], s:s, s:s, s:b, s:s, s:{s:s}, s:o}",
	                 "Image", st->image, "Cmd", RUNNER_IN, "init", "User",
	                 "0:0", "WorkingDir", "/box", "NetworkDisabled", 1,
	                 "Hostname", "sandbox", "Labels", LABEL, opt,
	                 "HostConfig", hc);
	return body;
}

/* The pool of the run's profile, created on first use. */
static struct dk_pool *dk_pool_get(struct dk_state *st,
                                   const struct ac_run_profile *prof, char *err,
                                   size_t errlen)
{
	char key[8192];
	size_t n = 0;
	struct dk_pool *p;
	json_t *body;

	key[0] = '\0';
	for (size_t i = 0; prof && prof->ro_paths && prof->ro_paths[i]; i++) {
		if (dk_check_ro(prof->ro_paths[i], err, errlen) < 0)
			return NULL;
		n += (size_t)snprintf(key + n, sizeof(key) - n, "r%s\n",
		                      prof->ro_paths[i]);
		if (n >= sizeof(key))
			goto big;
	}
	for (size_t i = 0; prof && prof->syscalls && prof->syscalls[i]; i++) {
		if (dk_check_syscall(prof->syscalls[i], err, errlen) < 0)
			return NULL;
		n += (size_t)snprintf(key + n, sizeof(key) - n, "s%s\n",
		                      prof->syscalls[i]);
		if (n >= sizeof(key))
			goto big;
	}
	pthread_mutex_lock(&st->lock);
	for (p = st->pools; p; p = p->next)
		if (strcmp(p->key, key) == 0)
			break;
	if (!p) {
		p = calloc(1, sizeof(*p));
		body = dk_create_body(st, prof);
		if (p && body) {
			p->key = strdup(key);
			p->create_json = json_dumps(body, JSON_COMPACT);
		}
		json_decref(body);
		if (!p || !p->key || !p->create_json) {
			if (p) {
				free(p->key);
				free(p->create_json);
			}
			free(p);
			p = NULL;
			snprintf(err, errlen, "out of memory");
		} else {
			p->next = st->pools;
			st->pools = p;
		}
	}
	pthread_mutex_unlock(&st->lock);
	return p;
big:
	snprintf(err, errlen, "run profile too large");
	return NULL;
}

/* ------------------------------------------------------------ containers */

static void dk_destroy(struct dk_state *st, struct dk_cont *c)
{
	char path[256], err[512];

	/* Without its connection the agent exits: the container stops. */
	if (c->ctl >= 0)
		close(c->ctl);
	snprintf(path, sizeof(path), API "/containers/%s?force=1&v=1", c->id);
	if (dk_api(st, "DELETE", path, NULL, 0, NULL, err, sizeof(err)) < 0 &&
	    !strstr(err, " 404 "))
		LOG(st, AC_LOG_WARN, "%s", err);
	pthread_mutex_lock(&st->lock);
	if (c->pool)
		c->pool->total--;
	st->live--;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
	free(c);
}

/* Connect to the agent of a new container: it listens on DK_CTL_PATH
 * once it runs (retried for AGENT_WAIT ms), accepts one connection and
 * says hello.  The connection is the container's from then on. */
static int dk_agent_connect(struct dk_cont *c, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {API_TIMEOUT / 1000, 0};
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	uint64_t t0 = pu_mono_us();
	useconds_t nap = 100;
	char hello = 0;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/%d/root%s",
	         (int)c->init_pid, DK_CTL_PATH);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 ||
		    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		fd = -1;
		if ((errno != ENOENT && errno != ECONNREFUSED) ||
		    pu_mono_us() - t0 > AGENT_WAIT * 1000ull)
			break;
		usleep(nap);
		if (nap < 20000)
			nap *= 2;
	}
	if (fd < 0) {
		snprintf(err, errlen,
		         "container %.12s: its agent does not listen on %s "
		         "(waited %d ms): %s",
		         c->id, DK_CTL_PATH, AGENT_WAIT, strerror(errno));
		return -EIO;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0 ||
	    cr.pid != c->init_pid || recv(fd, &hello, 1, 0) != 1 ||
	    hello != DK_CTL_HELLO) {
		snprintf(err, errlen,
		         "container %.12s: its agent did not answer on %s",
		         c->id, DK_CTL_PATH);
		close(fd);
		return -EIO;
	}
	c->ctl = fd;
	return 0;
}

static int dk_create(struct dk_state *st, struct dk_pool *pool,
                     struct dk_cont **out, char *err, size_t errlen)
{
	struct dk_cont *c = calloc(1, sizeof(*c));
	char path[256];
	json_t *j = NULL;
	struct dk_resp resp;
	const char *id;
	int r;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->ctl = -1;
	c->pool = pool;
	pthread_mutex_lock(&st->lock);
	st->live++;
	pthread_mutex_unlock(&st->lock);
	r = dk_http(st->sock, "POST", API "/containers/create",
	            pool->create_json, strlen(pool->create_json), &resp,
	            API_TIMEOUT);
	if (r < 0) {
		snprintf(err, errlen, "docker create: %s", strerror(-r));
		goto fail;
	}
	j = json_loads(resp.body, 0, NULL);
	id = j ? json_string_value(json_object_get(j, "Id")) : NULL;
	if (resp.status != 201 || !id || strlen(id) >= sizeof(c->id)) {
		const char *m =
		        j ? json_string_value(json_object_get(j, "message"))
		          : NULL;

		snprintf(err, errlen, "docker create: %d %s", resp.status,
		         m ? m : resp.body);
		dk_resp_free(&resp);
		r = resp.status == 404 ? -ENOENT : -EIO;
		goto fail;
	}
	dk_resp_free(&resp);
	snprintf(c->id, sizeof(c->id), "%s", id);
	json_decref(j);
	j = NULL;
	snprintf(path, sizeof(path), API "/containers/%s/start", c->id);
	r = dk_api(st, "POST", path, NULL, 0, NULL, err, errlen);
	if (r < 0)
		goto fail_rm;
	snprintf(path, sizeof(path), API "/containers/%s/json", c->id);
	r = dk_api(st, "GET", path, NULL, 0, &j, err, errlen);
	if (r < 0)
		goto fail_rm;
	c->init_pid = (pid_t)json_integer_value(
	        json_object_get(json_object_get(j, "State"), "Pid"));
	json_decref(j);
	j = NULL;
	if (c->init_pid <= 0) {
		snprintf(err, errlen, "docker: container %.12s has no init",
		         c->id);
		r = -EIO;
		goto fail_rm;
	}
	r = dk_cont_cgroups(st, c);
	if (r < 0) {
		snprintf(
		        err, errlen,
		        "container %.12s: its memory, pids and cpuacct cgroups "
		        "(v1) are not visible to the judge",
		        c->id);
		goto fail_rm;
	}
	r = dk_agent_connect(c, err, errlen);
	if (r < 0)
		goto fail_rm;
	*out = c;
	return 0;
fail_rm:
	c->pool = NULL;
	dk_destroy(st, c);
	return r;
fail:
	json_decref(j);
	pthread_mutex_lock(&st->lock);
	st->live--;
	pthread_mutex_unlock(&st->lock);
	free(c);
	return r;
}

/* The agent of an idle container still runs: after its hello it sends
 * nothing unasked, so a readable connection means it ended. */
static bool dk_agent_alive(const struct dk_cont *c)
{
	struct pollfd p = {c->ctl, POLLIN, 0};

	return poll(&p, 1, 0) == 0;
}

/* An idle container of the pool (whose agent runs), or a new one. */
static int dk_acquire(struct dk_state *st, struct dk_pool *pool,
                      struct dk_cont **out, char *err, size_t errlen)
{
	struct dk_cont *c = NULL;
	int r;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		if (pool->idle) {
			c = pool->idle;
			pool->idle = c->next;
			c->next = NULL;
			if (dk_agent_alive(c))
				break;
			pthread_mutex_unlock(&st->lock);
			LOG(st, AC_LOG_WARN,
			    "container %.12s: its agent ended while idle: "
			    "retired",
			    c->id);
			dk_destroy(st, c);
			c = NULL;
			pthread_mutex_lock(&st->lock);
			continue;
		}
		if (!st->pool_on || pool->total < (unsigned)st->pool_max) {
			pool->total++; /* the one created below */
			break;
		}
		pthread_cond_wait(&st->cond, &st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	if (c) {
		*out = c;
		return 0;
	}
	r = dk_create(st, pool, out, err, errlen);
	if (r < 0) {
		pthread_mutex_lock(&st->lock);
		pool->total--;
		pthread_cond_broadcast(&st->cond);
		pthread_mutex_unlock(&st->lock);
	}
	return r;
}

static void dk_release(struct dk_state *st, struct dk_cont *c, bool reuse)
{
	if (!reuse || !st->pool_on) {
		dk_destroy(st, c);
		return;
	}
	pthread_mutex_lock(&st->lock);
	c->next = c->pool->idle;
	c->pool->idle = c;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

/* ------------------------------------------------------------ one run */

static int dk_open_out(const char *path)
{
	if (!path)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	            0644);
}

struct dk_run {
	struct dk_state *st;
	struct dk_cont *c;
	const struct ac_run_spec *spec;
	struct ac_run_report *rep;
	char cg[CG_N][PATH_MAX + 32];
	bool cg_made[CG_N];
	int rootfd, boxfd, sock, pidfd;
	pid_t pid;
	bool killed, tainted;
	uint64_t drain_ns; /* our CPU time reading the program's output */
};

/* The CPU time of the calling thread, in ns. */
static uint64_t dk_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#define FAILF(run, ...)                                                        \
	snprintf((run)->rep->internal_error,                                   \
	         sizeof((run)->rep->internal_error), __VA_ARGS__)

static int dk_run_cgroups(struct dk_run *rn)
{
	struct dk_state *st = rn->st;
	const struct ac_limits *l = &rn->spec->limits;
	unsigned n = atomic_fetch_add(&st->seq, 1);
	int r = 0;

	for (int i = 0; i < CG_N; i++) {
		snprintf(rn->cg[i], sizeof(rn->cg[i]), "%s/ac-run-%d-%u",
		         rn->c->cg[i], (int)getpid(), n);
		if (mkdir(rn->cg[i], 0755) < 0) {
			r = -errno;
			FAILF(rn, "sandbox setup: mkdir %s: %s", rn->cg[i],
			      strerror(errno));
			return r;
		}
		rn->cg_made[i] = true;
	}
	r = dk_write_u64(rn->cg[0], "memory.limit_in_bytes",
	                 l->memory_kb * 1024);
	if (r == 0 && st->memsw)
		r = dk_write_u64(rn->cg[0], "memory.memsw.limit_in_bytes",
		                 l->memory_kb * 1024);
	/* Only the program's processes are in the run's cgroups (the
	 * agent, which starts it, stays in the container's). */
	if (r == 0)
		r = dk_write_u64(rn->cg[1], "pids.max", l->processes);
	if (r < 0)
		FAILF(rn, "sandbox setup: cgroup limits: %s", strerror(-r));
	return r;
}

static void dk_run_cgroups_rm(struct dk_run *rn)
{
	dk_cg_kill(rn->cg[1]);
	for (int i = 0; i < CG_N; i++) {
		if (!rn->cg_made[i])
			continue;
		for (int k = 0;
		     k < 500 && rmdir(rn->cg[i]) < 0 && errno == EBUSY; k++) {
			dk_cg_kill(rn->cg[i]);
			usleep(1000);
		}
		/* Still there: something of the run may live on (v1: the
		 * container's cgroup.procs does not list its children's). */
		if (access(rn->cg[i], F_OK) == 0)
			rn->tainted = true;
	}
}

static void dk_kill(struct dk_run *rn)
{
	rn->killed = true;
	dk_cg_kill(rn->cg[1]);
}

/* Ask the agent for the run: the request (dk.h) with the run's
 * descriptors (stdin, stdout, stderr, its end of the run socket). */
static int dk_send_run(struct dk_run *rn, const int fds[DK_RUN_NFDS])
{
	static const char *const def_env[] = {
	        "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/box",
	        "LANG=C.UTF-8", "TMPDIR=/tmp", NULL};
	const struct ac_run_spec *s = rn->spec;
	const char *const *env = s->envp ? s->envp : def_env;
	const struct ac_limits *l = &s->limits;
	struct dk_run_msg m = {.magic = DK_RUN_MAGIC,
	                       .uid = (uint32_t)rn->st->uid,
	                       .gid = (uint32_t)rn->st->gid,
	                       .cpu_s = (l->cpu_ms + 999) / 1000 + 1,
	                       .fsize_kb = l->fsize_kb,
	                       .stack_kb =
	                               l->stack_kb ? l->stack_kb : l->memory_kb,
	                       .nofile = l->nofile ? l->nofile : 64};
	union {
		char b[CMSG_SPACE(sizeof(int) * DK_RUN_NFDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.b,
	                    .msg_controllen = sizeof(u.b)};
	struct cmsghdr *cm;
	size_t len = 0, off = 0;
	char *buf;
	int r = 0;

	for (size_t i = 0; s->argv[i]; i++, m.argc++)
		len += strlen(s->argv[i]) + 1;
	for (size_t i = 0; env[i]; i++, m.envc++)
		len += strlen(env[i]) + 1;
	if (len > DK_RUN_STRINGS_MAX) {
		FAILF(rn,
		      "sandbox: the run's arguments and environment are too "
		      "large (%zu bytes, at most %u)",
		      len, DK_RUN_STRINGS_MAX);
		return -E2BIG;
	}
	m.len = (uint32_t)len;
	buf = malloc(len);
	if (!buf) {
		FAILF(rn, "sandbox: out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; s->argv[i]; i++) {
		memcpy(buf + off, s->argv[i], strlen(s->argv[i]) + 1);
		off += strlen(s->argv[i]) + 1;
	}
	for (size_t i = 0; env[i]; i++) {
		memcpy(buf + off, env[i], strlen(env[i]) + 1);
		off += strlen(env[i]) + 1;
	}
	memset(u.b, 0, sizeof(u.b));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * DK_RUN_NFDS);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * DK_RUN_NFDS);
	/* The control connection has a send timeout (dk_agent_connect). */
	if (sendmsg(rn->c->ctl, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(m))
		r = -errno;
	for (off = 0; r == 0 && off < len;) {
		ssize_t n =
		        send(rn->c->ctl, buf + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EPIPE;
		else
			off += (size_t)n;
	}
	free(buf);
	if (r < 0) {
		FAILF(rn, "sandbox: the agent of container %.12s: %s",
		      rn->c->id, strerror(-r));
		rn->tainted = true;
	}
	return r;
}

/* The parent of `pid` as /proc says, or -1. */
static pid_t dk_ppid(pid_t pid)
{
	char p[64], b[512], *e;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (dk_read_file(p, b, sizeof(b)) < 0)
		return -1;
	e = strrchr(b, ')');
	if (!e || strlen(e) < 5)
		return -1;
	return (pid_t)atoi(e + 4);
}

/* The agent's child said "ready" with the kernel's word for its pid:
 * check it is the agent's child, move it into the run's cgroups, watch
 * it with a pidfd and let it go. */
static int dk_go(struct dk_run *rn, pid_t pid)
{
	struct pollfd p;
	char b[32];
	int r;

	if (pid <= 0 || pid == rn->c->init_pid) {
		FAILF(rn,
		      "sandbox setup: the run's pid (%d) is not the "
		      "agent's child",
		      (int)pid);
		return -EPROTO;
	}
	rn->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (rn->pidfd < 0 && errno != ENOSYS) {
		r = -errno;
		FAILF(rn, "sandbox setup: pidfd_open: %s", strerror(errno));
		return r;
	}
	/* No pidfd (old kernel, valgrind): the agent's status ends the
	 * run. */
	if (dk_ppid(pid) != rn->c->init_pid) {
		FAILF(rn,
		      "sandbox setup: the run's pid (%d) is not the "
		      "agent's child",
		      (int)pid);
		return -EPROTO;
	}
	rn->pid = pid;
	snprintf(b, sizeof(b), "%d", (int)pid);
	for (int i = 0; i < CG_N; i++) {
		char path[PATH_MAX + 64];

		snprintf(path, sizeof(path), "%s/cgroup.procs", rn->cg[i]);
		r = dk_write_file(path, b);
		if (r < 0) {
			FAILF(rn, "sandbox setup: move the run into %s: %s",
			      rn->cg[i], strerror(-r));
			return r;
		}
	}
	/* Still the same process (its pid was not reused meanwhile). */
	p = (struct pollfd){rn->pidfd, POLLIN, 0};
	if (rn->pidfd >= 0 && poll(&p, 1, 0) != 0) {
		FAILF(rn, "sandbox setup: the run ended before its start");
		return -ESRCH;
	}
	b[0] = DK_MSG_GO;
	if (send(rn->sock, b, 1, MSG_NOSIGNAL) != 1) {
		r = -errno;
		FAILF(rn, "sandbox setup: cannot start the run: %s",
		      strerror(errno));
		return r;
	}
	return 0;
}

/* One message of the run socket: its text in msg, the sender's pid. */
static ssize_t dk_recv_msg(int sock, char *msg, size_t cap, pid_t *from)
{
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) +
		       CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {msg, cap - 1};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.b,
	                    .msg_controllen = sizeof(u.b)};
	ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*from = 0;
	if (n < 0)
		return n;
	msg[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c;
	     c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;

			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			*from = cr.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			/* Nobody sends descriptors here. */
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
		}
	}
	return n;
}

/* What the run socket says, once the program is gone. */
struct dk_end {
	char status[DK_MSG_MAX + 1]; /* "exit N", "signal N", "" */
	int noexec;                  /* the child's errno, 0: none */
};

/* The loop: start the run, then stdout/stderr out, limits, its end. */
static void dk_loop(struct dk_run *rn, struct sbx_stream *out,
                    struct sbx_stream *err, struct dk_end *end,
                    uint64_t *wall_us)
{
	const struct ac_limits *l = &rn->spec->limits;
	struct ac_run_report *rep = rn->rep;
	bool started = false, done = false, sock_eof = false;
	uint64_t t0 = 0, t_setup = pu_mono_us(), last_cpu = 0, t_end = 0,
	         drain_until = 0;

	for (;;) {
		struct pollfd p[4] = {
		        {sock_eof ? -1 : rn->sock, POLLIN, 0},
		        {started && !done ? rn->pidfd : -1, POLLIN, 0},
		        {out->rfd, POLLIN, 0},
		        {err->rfd, POLLIN, 0}};
		uint64_t now;

		if (poll(p, 4, POLL_MS) < 0 && errno != EINTR)
			break;
		now = pu_mono_us();
		if (p[0].revents) {
			char msg[DK_MSG_MAX + 1];
			pid_t from;
			ssize_t n =
			        dk_recv_msg(rn->sock, msg, sizeof(msg), &from);

			if (n == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EINTR)) {
				sock_eof = true;
			} else if (n > 0 && !started &&
			           strcmp(msg, DK_MSG_READY) == 0) {
				if (dk_go(rn, from) < 0) {
					rn->tainted = true;
					break;
				}
				started = true;
				t0 = now = pu_mono_us();
			} else if (n > 0 && started && from == rn->pid &&
			           strncmp(msg, "noexec ", 7) == 0) {
				end->noexec = atoi(msg + 7);
			} else if (n > 0 && from == rn->c->init_pid &&
			           (strncmp(msg, "exit ", 5) == 0 ||
			            strncmp(msg, "signal ", 7) == 0)) {
				snprintf(end->status, sizeof(end->status), "%s",
				         msg);
			} else if (n > 0) {
				/* "nofork ERRNO" or anything unexpected. */
				FAILF(rn,
				      "sandbox: the agent of container "
				      "%.12s: %s",
				      rn->c->id, msg);
				rn->tainted = true;
				break;
			}
		}
		if (p[2].revents || p[3].revents) {
			uint64_t c0 = dk_thread_cpu_ns();

			if (p[2].revents)
				sbx_stream_read(out);
			if (p[3].revents)
				sbx_stream_read(err);
			rn->drain_ns += dk_thread_cpu_ns() - c0;
		}
		if (!started) {
			if (sock_eof || now - t_setup > API_TIMEOUT * 1000ull) {
				FAILF(rn,
				      "sandbox setup: the agent of "
				      "container %.12s did not start the run",
				      rn->c->id);
				rn->tainted = true;
				break;
			}
			continue;
		}
		if (!done &&
		    ((p[1].revents & POLLIN) || end->status[0] || sock_eof)) {
			done = true;
			t_end = now;
			/* What the program left behind goes now. */
			dk_cg_kill(rn->cg[1]);
			drain_until = now + DRAIN_MS * 1000ull;
		}
		if (done) {
			if ((end->status[0] || sock_eof) && out->rfd < 0 &&
			    err->rfd < 0)
				break;
			if (now >= drain_until)
				break;
			continue;
		}
		if (out->over && !rn->killed) {
			rep->stdout_exceeded = true;
			dk_kill(rn);
		}
		if (now - last_cpu >= POLL_MS * 1000) {
			uint64_t cpu = dk_read_u64(rn->cg[2], "cpuacct.usage") +
			               rn->drain_ns;

			last_cpu = now;
			if (cpu >= l->cpu_ms * 1000000ull) {
				rep->cpu_exceeded = true;
				dk_kill(rn);
			}
		}
		if (now - t0 >= l->wall_ms * 1000ull) {
			rep->wall_exceeded = true;
			dk_kill(rn);
		}
		if (rn->killed &&
		    now - t0 > l->wall_ms * 1000ull + 10000000ull) {
			/* The run outlived SIGKILL for 10 s. */
			FAILF(rn, "sandbox: the run cannot be killed");
			rn->tainted = true;
			break;
		}
	}
	*wall_us = t0 ? (t_end ? t_end : pu_mono_us()) - t0 : 0;
}

static bool dk_oom(struct dk_run *rn)
{
	char p[PATH_MAX + 64], b[512], *k;

	snprintf(p, sizeof(p), "%s/memory.oom_control", rn->cg[0]);
	if (dk_read_file(p, b, sizeof(b)) < 0)
		return false;
	k = strstr(b, "oom_kill ");
	if (k && strtoull(k + 9, NULL, 10) > 0)
		return true;
	return false;
}

/* Only the container's init may remain in it. */
static bool dk_cont_clean(struct dk_run *rn)
{
	char p[PATH_MAX + 32];
	FILE *f;
	int pid, others = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", rn->c->cg[1]);
	f = fopen(p, "re");
	if (!f)
		return false;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid != rn->c->init_pid)
			others++;
	fclose(f);
	return others == 0;
}

/* The program's descriptors: fds[0] stdin (the caller's file or
 * /dev/null), fds[1] and fds[2] pipes whose read ends go to out and err,
 * fds[3] the agent's end of the run socket (rn->sock is ours, with
 * SO_PASSCRED: the kernel tells us who sends). */
static int dk_run_fds(struct dk_run *rn, int fds[DK_RUN_NFDS],
                      struct sbx_stream *out, struct sbx_stream *err)
{
	const struct ac_run_spec *s = rn->spec;
	int op[2], ep[2], sp[2], one = 1;

	fds[0] = sbx_stdin_open(&rn->st->in_cache, rn->st->host, rn->st->ctx,
	                        "sandbox/docker", s->fds ? s->fds->in : -1,
	                        s->fds ? NULL : s->stdin_path);
	if (fds[0] < 0) {
		FAILF(rn, "sandbox setup: stdin %s: %s",
		      s->stdin_path ? s->stdin_path : "", strerror(errno));
		return -1;
	}
	if (pipe2(op, O_CLOEXEC) < 0)
		goto fail;
	out->rfd = op[0];
	fds[1] = op[1];
	if (pipe2(ep, O_CLOEXEC) < 0)
		goto fail;
	err->rfd = ep[0];
	fds[2] = ep[1];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		goto fail;
	rn->sock = sp[0];
	fds[3] = sp[1];
	if (setsockopt(rn->sock, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) <
	    0)
		goto fail;
	fcntl(out->rfd, F_SETFL, O_NONBLOCK);
	fcntl(err->rfd, F_SETFL, O_NONBLOCK);
	return 0;
fail:
	FAILF(rn, "sandbox setup: pipes: %s", strerror(errno));
	return -1;
}

static int dk_run_in(struct dk_run *rn)
{
	struct dk_state *st = rn->st;
	const struct ac_run_spec *s = rn->spec;
	struct ac_run_report *rep = rn->rep;
	struct dk_fs_owner own = {st->uid, st->gid};
	struct sbx_stream out = {.rfd = -1, .file = -1},
	                  err = {.rfd = -1, .file = -1};
	struct dk_end end;
	char p[64];
	uint64_t wall = 0;
	int hostbox, r, fd, fds[DK_RUN_NFDS] = {-1, -1, -1, -1};

	memset(&end, 0, sizeof(end));
	snprintf(p, sizeof(p), "/proc/%d/root", (int)rn->c->init_pid);
	rn->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rn->rootfd >= 0)
		rn->boxfd =
		        openat(rn->rootfd, "box",
		               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rn->rootfd < 0 || rn->boxfd < 0) {
		FAILF(rn, "sandbox: container %.12s lost its root: %s",
		      rn->c->id, strerror(errno));
		rn->tainted = true;
		return 0;
	}
	/* Files in. */
	/* spec.fds: the caller's descriptors (privilege separation); the
	 * copies made here are ours to close. */
	hostbox = s->fds ? openat(s->fds->box, ".",
	                          O_RDONLY | O_DIRECTORY | O_CLOEXEC)
	                 : open(s->box_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (hostbox < 0) {
		FAILF(rn, "sandbox setup: open %s: %s", s->box_dir,
		      strerror(errno));
		return 0;
	}
	r = dk_fs_mirror(hostbox, rn->boxfd, &own);
	if (r == 0 && (fchown(rn->boxfd, st->uid, st->gid) < 0 ||
	               fchmod(rn->boxfd, 0755) < 0))
		r = -errno;
	if (r < 0) {
		FAILF(rn, "sandbox setup: copy the box in: %s", strerror(-r));
		goto out;
	}
	if (s->fds) {
		out.file = s->fds->out >= 0
		                   ? fcntl(s->fds->out, F_DUPFD_CLOEXEC, 3)
		                   : -1;
		err.file = s->fds->err >= 0
		                   ? fcntl(s->fds->err, F_DUPFD_CLOEXEC, 3)
		                   : -1;
	} else {
		out.file = dk_open_out(s->stdout_path);
		err.file = dk_open_out(s->stderr_path);
	}
	if (((s->fds ? s->fds->out >= 0 : s->stdout_path != NULL) &&
	     out.file < 0) ||
	    ((s->fds ? s->fds->err >= 0 : s->stderr_path != NULL) &&
	     err.file < 0)) {
		FAILF(rn, "sandbox setup: open the output files: %s",
		      strerror(errno));
		goto out;
	}
	out.cap = s->limits.stdout_kb * 1024;
	err.cap = s->limits.stderr_kb * 1024;
	if (dk_run_cgroups(rn) < 0 || dk_run_fds(rn, fds, &out, &err) < 0)
		goto out;
	r = dk_send_run(rn, fds);
	/* The agent has its copies (or the run failed): only the program
	 * may hold the pipes' write ends, for their EOF. */
	for (int i = 0; i < DK_RUN_NFDS; i++) {
		close(fds[i]);
		fds[i] = -1;
	}
	if (r < 0)
		goto out;
	dk_loop(rn, &out, &err, &end, &wall);
	if (rep->internal_error[0])
		goto out;
	/* The report; the CPU time with ours copying its output. */
	rep->wall_us = wall;
	rep->cpu_us =
	        (dk_read_u64(rn->cg[2], "cpuacct.usage") + rn->drain_ns) / 1000;
	rep->memory_kb =
	        dk_read_u64(rn->cg[0], "memory.max_usage_in_bytes") / 1024;
	rep->oom_killed = dk_oom(rn);
	rep->stdout_bytes = out.seen;
	rep->stdout_exceeded = out.over;
	rep->stderr_exceeded = err.over;
	if (rep->cpu_us >= s->limits.cpu_ms * 1000)
		rep->cpu_exceeded = true;
	if (end.noexec) {
		FAILF(rn, "cannot execute %s: %s", s->argv[0],
		      strerror(end.noexec));
	} else if (strncmp(end.status, "exit ", 5) == 0 && !rn->killed) {
		rep->exited = true;
		rep->exit_code = atoi(end.status + 5);
	} else if (strncmp(end.status, "signal ", 7) == 0) {
		rep->signal = atoi(end.status + 7);
	} else if (rn->killed || rep->oom_killed) {
		rep->signal = SIGKILL;
	} else if (strncmp(end.status, "exit ", 5) == 0) {
		rep->exited = true;
		rep->exit_code = atoi(end.status + 5);
	} else {
		FAILF(rn,
		      "sandbox: the agent of container %.12s gave no "
		      "status for the run",
		      rn->c->id);
		rn->tainted = true;
	}
out:
	if (rn->cg_made[1])
		dk_run_cgroups_rm(rn);
	for (int i = 0; i < DK_RUN_NFDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rn->sock >= 0)
		close(rn->sock);
	if (rn->pidfd >= 0)
		close(rn->pidfd);
	if (out.rfd >= 0)
		close(out.rfd);
	if (err.rfd >= 0)
		close(err.rfd);
	if (out.file >= 0)
		close(out.file);
	if (err.file >= 0)
		close(err.file);
	/* Files out: the box as the run left it. */
	if (!rn->tainted && rn->pid > 0) {
		r = dk_fs_mirror(rn->boxfd, hostbox, &own);
		if (r < 0 && !rep->internal_error[0])
			FAILF(rn, "sandbox: copy the box out: %s",
			      strerror(-r));
	}
	close(hostbox);
	/* Wipe /box, /tmp and /dev/shm for the next run. */
	if (!rn->tainted && dk_fs_wipe(rn->boxfd) < 0)
		rn->tainted = true;
	for (int i = 0; i < 2 && !rn->tainted; i++) {
		fd = openat(rn->rootfd, i ? "dev/shm" : "tmp",
		            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || dk_fs_wipe(fd) < 0)
			rn->tainted = true;
		if (fd >= 0)
			close(fd);
	}
	if (!rn->tainted && !dk_cont_clean(rn))
		rn->tainted = true;
	return 0;
}

static int dk_run(void *state, const struct ac_run_spec *spec,
                  struct ac_run_report *rep)
{
	struct dk_state *st = state;
	struct dk_run rn;
	struct dk_pool *pool;
	char err[512];
	int r;

	memset(rep, 0, sizeof(*rep));
	if (!spec || !spec->argv || !spec->argv[0] || spec->argv[0][0] != '/' ||
	    !spec->box_dir || !spec->limits.cpu_ms || !spec->limits.wall_ms ||
	    !spec->limits.memory_kb || !spec->limits.processes)
		return -EINVAL;
	if (spec->limits.memory_kb > (uint64_t)st->mem_max_kb ||
	    spec->limits.processes + 1ull > (uint64_t)st->procs_max) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox: the run's limits (%" PRIu64
		         " kB, %u processes) exceed the containers' "
		         "(sandbox.max_memory_kb %lld, max_processes %lld)",
		         spec->limits.memory_kb, spec->limits.processes,
		         st->mem_max_kb, st->procs_max);
		return 0;
	}
	pool = dk_pool_get(st, spec->profile, err, sizeof(err));
	if (!pool) {
		snprintf(rep->internal_error, sizeof(rep->internal_error), "%s",
		         err);
		return 0;
	}
	memset(&rn, 0, sizeof(rn));
	rn.st = st;
	rn.spec = spec;
	rn.rep = rep;
	rn.rootfd = rn.boxfd = rn.sock = rn.pidfd = -1;
	r = dk_acquire(st, pool, &rn.c, err, sizeof(err));
	if (r < 0) {
		snprintf(rep->internal_error, sizeof(rep->internal_error),
		         "sandbox: %s", err);
		return 0;
	}
	dk_run_in(&rn);
	if (rn.boxfd >= 0)
		close(rn.boxfd);
	if (rn.rootfd >= 0)
		close(rn.rootfd);
	if (rn.tainted)
		LOG(st, AC_LOG_INFO, "container %.12s retired after a run",
		    rn.c->id);
	dk_release(st, rn.c, !rn.tainted);
	return 0;
}

/* ------------------------------------------------------------ set-up */

static int dk_conf_str(struct dk_state *st, const char *key, const char *def,
                       char **out)
{
	int r = st->host->conf_string(st->ctx, key, out);

	if (r == -ENOENT) {
		*out = def ? strdup(def) : NULL;
		return def && !*out ? -ENOMEM : 0;
	}
	return r;
}

static long long dk_conf_int(struct dk_state *st, const char *key,
                             long long def)
{
	long long v;

	if (st->host->conf_int(st->ctx, key, &v) == 0)
		return v;
	return def;
}

/* Write the embedded runner to state_dir/runner (root-only directory). */
static int dk_install_runner(struct dk_state *st)
{
	char tmp[PATH_MAX + 32];
	struct stat sb;
	int fd, r = 0;
	size_t off = 0;

	if (mkdir(st->state_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(st->runner_path, sizeof(st->runner_path), "%s/runner-%zu",
	         st->state_dir, dk_runner_blob_len);
	if (stat(st->runner_path, &sb) == 0 &&
	    (size_t)sb.st_size == dk_runner_blob_len && sb.st_uid == 0) {
		/* Same size: compare the content. */
		char *b = malloc(dk_runner_blob_len);

		fd = open(st->runner_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (b && fd >= 0 &&
		    read(fd, b, dk_runner_blob_len) ==
		            (ssize_t)dk_runner_blob_len &&
		    memcmp(b, dk_runner_blob, dk_runner_blob_len) == 0)
			off = 1;
		if (fd >= 0)
			close(fd);
		free(b);
		if (off)
			return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", st->runner_path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	          0755);
	if (fd < 0)
		return -errno;
	for (off = 0; off < dk_runner_blob_len;) {
		ssize_t n = write(fd, dk_runner_blob + off,
		                  dk_runner_blob_len - off);

		if (n <= 0) {
			r = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fchmod(fd, 0755) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, st->runner_path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Build the image with the script's tar stream (docker import). */
static int dk_build_image(struct dk_state *st)
{
	char *argv[] = {st->script, (char *)"--print-tar", NULL};
	char path[512], repo[256], *colon;
	posix_spawn_file_actions_t fa;
	struct dk_resp resp;
	extern char **environ;
	int pfd[2], r, ws;
	pid_t pid;

	snprintf(repo, sizeof(repo), "%s", st->image);
	colon = strrchr(repo, ':');
	if (colon && !strchr(colon, '/'))
		*colon++ = '\0';
	else
		colon = (char *)"latest";
	snprintf(path, sizeof(path),
	         API "/images/create?fromSrc=-&repo=%s&tag=%s", repo, colon);
	if (access(st->script, X_OK) < 0) {
		LOG(st, AC_LOG_ERROR,
		    "image %s is missing and the image script %s cannot run "
		    "(%s): set sandbox.image_script or run "
		    "algocode-docker-image",
		    st->image, st->script, strerror(errno));
		return -ENOENT;
	}
	LOG(st, AC_LOG_WARN,
	    "image %s is missing: building it from this host's toolchain "
	    "(%s --print-tar | docker import), once",
	    st->image, st->script);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	r = posix_spawn(&pid, st->script, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (r != 0) {
		close(pfd[0]);
		return -r;
	}
	r = dk_http_upload(st->sock, path, "application/x-tar", pfd[0], &resp);
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && (resp.status != 200 || strstr(resp.body, "\"error"))) {
		LOG(st, AC_LOG_ERROR, "docker import: %d %.300s", resp.status,
		    resp.body);
		r = -EIO;
	}
	if (r == 0 && (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)) {
		LOG(st, AC_LOG_ERROR, "%s --print-tar failed", st->script);
		r = -EIO;
	}
	dk_resp_free(&resp);
	return r;
}

/* Remove containers of judges that are gone (by the label's pid). */
static void dk_reap_orphans(struct dk_state *st)
{
	char err[512];
	json_t *list = NULL, *c;
	size_t i;

	if (dk_api(st, "GET",
	           API "/containers/"
	               "json?all=1&filters=%7B%22label%22%3A%5B%22" LABEL
	               "%22%5D%7D",
	           NULL, 200, &list, err, sizeof(err)) < 0)
		return;
	json_array_foreach(list, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "Id"));
		const char *pid = json_string_value(
		        json_object_get(json_object_get(c, "Labels"), LABEL));
		char path[256];

		if (!id || !pid)
			continue;
		if (atoi(pid) > 0 &&
		    (kill(atoi(pid), 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), API "/containers/%s?force=1&v=1",
		         id);
		dk_api(st, "DELETE", path, NULL, 0, NULL, err, sizeof(err));
	}
	json_decref(list);
}

static void dk_fini(void *state)
{
	struct dk_state *st = state;

	if (!st)
		return;
	while (st->pools) {
		struct dk_pool *p = st->pools;

		st->pools = p->next;
		while (p->idle) {
			struct dk_cont *c = p->idle;

			p->idle = c->next;
			c->pool = NULL;
			dk_destroy(st, c);
		}
		free(p->key);
		free(p->create_json);
		free(p);
	}
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	sbx_stdin_fini(&st->in_cache);
	free(st->sock);
	free(st->image);
	free(st->script);
	free(st->state_dir);
	free(st);
}

static int dk_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                   void **state)
{
	struct dk_state *st = calloc(1, sizeof(*st));
	const char *dh = getenv("DOCKER_HOST");
	char err[512], *s = NULL;
	json_t *j = NULL;
	bool b;
	int r;

	*state = NULL;
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	pthread_mutex_init(&st->lock, NULL);
	sbx_stdin_init(&st->in_cache);
	pthread_cond_init(&st->cond, NULL);
	r = dk_conf_str(st, "socket",
	                dh && strncmp(dh, "unix://", 7) == 0
	                        ? dh + 7
	                        : "/var/run/docker.sock",
	                &st->sock);
	if (r == 0)
		r = dk_conf_str(st, "image", "algocode-judge:latest",
		                &st->image);
	if (r == 0)
		r = dk_conf_str(st, "image_script",
		                ALGOCODE_DOCKER_IMAGE_SCRIPT, &st->script);
	if (r == 0)
		r = dk_conf_str(st, "state_dir", "/run/algocode-docker",
		                &st->state_dir);
	if (r < 0)
		goto fail;
	st->uid = (uid_t)dk_conf_int(st, "uid", 65534);
	st->gid = (gid_t)dk_conf_int(st, "gid", st->uid);
	st->box_kb = dk_conf_int(st, "box_size_kb", 1048576);
	st->tmp_kb = dk_conf_int(st, "tmp_size_kb", 262144);
	st->mem_max_kb = dk_conf_int(st, "max_memory_kb", 4194304);
	st->procs_max = dk_conf_int(st, "max_processes", 512);
	st->pool_size = dk_conf_int(st, "pool_size", 2);
	st->pool_max = dk_conf_int(st, "pool_max", 8);
	st->cpus = (double)dk_conf_int(st, "cpu_millis", 1000) / 1000.0;
	st->pool_on = host->conf_bool(ctx, "pool", &b) == 0 ? b : true;
	st->seccomp_on = host->conf_bool(ctx, "seccomp", &b) == 0 ? b : true;
	if (st->uid == 0 || st->gid == 0 || st->box_kb <= 0 ||
	    st->tmp_kb <= 0 || st->mem_max_kb <= 0 || st->procs_max <= 1 ||
	    st->pool_max <= 0 || st->cpus <= 0) {
		host->log(ctx, AC_LOG_ERROR,
		          "bad settings: uid/gid must not be 0, sizes and "
		          "limits positive");
		r = -EINVAL;
		goto fail;
	}
	if (geteuid() != 0) {
		host->log(ctx, AC_LOG_ERROR,
		          "the docker sandbox needs root on the docker host "
		          "(run cgroups, the containers' /proc/<pid>/root)");
		r = -EPERM;
		goto fail;
	}
	/* The daemon. */
	r = dk_api(st, "GET", API "/version", NULL, 200, &j, err, sizeof(err));
	if (r < 0) {
		host->log(ctx, AC_LOG_ERROR,
		          "cannot reach dockerd at %s (sandbox.socket, "
		          "DOCKER_HOST): %s",
		          st->sock, err);
		r = -EHOSTUNREACH;
		goto fail;
	}
	snprintf(st->version, sizeof(st->version), "%s",
	         json_string_value(json_object_get(j, "Version"))
	                 ? json_string_value(json_object_get(j, "Version"))
	                 : "?");
	json_decref(j);
	j = NULL;
	dk_find_cgroups(st);
	for (int i = 0; i < CG_N; i++)
		if (!st->cgmnt[i][0]) {
			host->log(ctx, AC_LOG_ERROR,
			          "no cgroup v1 %s controller mounted: the "
			          "docker sandbox measures runs in v1 cgroups",
			          cg_names[i]);
			r = -ENOTSUP;
			goto fail;
		}
	{
		char p[PATH_MAX + 64];

		snprintf(p, sizeof(p), "%s/memory.memsw.limit_in_bytes",
		         st->cgmnt[0]);
		st->memsw = access(p, F_OK) == 0;
	}
	r = dk_install_runner(st);
	if (r < 0) {
		host->log(ctx, AC_LOG_ERROR,
		          "cannot write the runner in %s: %s", st->state_dir,
		          strerror(-r));
		goto fail;
	}
	/* The image, built when absent. */
	{
		char path[512];

		snprintf(path, sizeof(path), API "/images/%s/json", st->image);
		r = dk_api(st, "GET", path, NULL, 200, NULL, err, sizeof(err));
		if (r == -ENOENT)
			r = dk_build_image(st);
		if (r < 0) {
			host->log(ctx, AC_LOG_ERROR, "image %s: %s", st->image,
			          r == -ENOENT || r == -EIO ? err
			                                    : strerror(-r));
			goto fail;
		}
	}
	dk_reap_orphans(st);
	/* Warm the default pool. */
	if (st->pool_on) {
		struct dk_pool *p = dk_pool_get(st, NULL, err, sizeof(err));

		for (long long i = 0; p && i < st->pool_size; i++) {
			struct dk_cont *c;

			pthread_mutex_lock(&st->lock);
			p->total++;
			pthread_mutex_unlock(&st->lock);
			r = dk_create(st, p, &c, err, sizeof(err));
			if (r < 0) {
				pthread_mutex_lock(&st->lock);
				p->total--;
				pthread_mutex_unlock(&st->lock);
				host->log(ctx, AC_LOG_ERROR, "%s", err);
				goto fail;
			}
			dk_release(st, c, true);
		}
	}
	free(s);
	*state = st;
	return 0;
fail:
	free(s);
	dk_fini(st);
	return r < 0 ? r : -EIO;
}

/* ------------------------------------------------------------ check-env */

static bool dk_status_zero(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p && strtoull(p + strlen(key), NULL, 16) == 0;
}

static int dk_check_env(void *state, ac_line_cb cb, void *arg)
{
	struct dk_state *st = state;
	static const char *const argv[] = {"/bin/cat", "/proc/self/status",
	                                   "/proc/net/dev", NULL};
	char line[512], box[] = "/tmp/algocode-dk-env.XXXXXX", outp[64],
	                *buf = NULL;
	struct ac_run_spec spec;
	struct ac_run_report rep;
	int r;

	snprintf(line, sizeof(line), "dockerd %s at %s", st->version, st->sock);
	cb(arg, "docker engine", true, line);
	snprintf(line, sizeof(line), "%s (pool: %lld warm, at most %lld)",
	         st->image, st->pool_on ? st->pool_size : 0LL,
	         st->pool_on ? st->pool_max : 0LL);
	cb(arg, "image", true, line);
	cb(arg, "cgroup memory (v1)", true, st->cgmnt[0]);
	cb(arg, "swap off", st->memsw,
	   st->memsw ? "memory.memsw.limit_in_bytes = memory limit"
	             : "no swap accounting: swap is not limited");
	cb(arg, "cgroup pids", true, st->cgmnt[1]);
	cb(arg, "cgroup cpu accounting", true, st->cgmnt[2]);
	cb(arg, "network namespace", true,
	   "NetworkMode none: only a downed lo");
	cb(arg, "read-only root", true,
	   "ReadonlyRootfs; /box and /tmp are size-limited tmpfs");
	cb(arg, "user namespace", false,
	   "docker runs the program as a host uid (sandbox.uid) without "
	   "user namespace remapping");
	cb(arg, "/proc hidepid", false,
	   "the container's /proc lists its init, the agent (root, not "
	   "dumpable: its fds, environ and memory are not readable)");
	if (!mkdtemp(box)) {
		cb(arg, "probe run", false, strerror(errno));
		return 0;
	}
	snprintf(outp, sizeof(outp), "%s.out", box);
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.box_dir = box;
	spec.stdout_path = outp;
	spec.limits = (struct ac_limits){.cpu_ms = 2000,
	                                 .wall_ms = 10000,
	                                 .memory_kb = 65536,
	                                 .stdout_kb = 64,
	                                 .stderr_kb = 64,
	                                 .fsize_kb = 64,
	                                 .processes = 4,
	                                 .nofile = 64};
	r = dk_run(st, &spec, &rep);
	if (r == 0 && !rep.internal_error[0]) {
		buf = malloc(65536);
		if (buf && dk_read_file(outp, buf, 65536) < 0) {
			free(buf);
			buf = NULL;
		}
	}
	if (!buf) {
		cb(arg, "probe run", false,
		   rep.internal_error[0] ? rep.internal_error : strerror(-r));
	} else {
		bool caps = dk_status_zero(buf, "CapInh:") &&
		            dk_status_zero(buf, "CapPrm:") &&
		            dk_status_zero(buf, "CapEff:") &&
		            dk_status_zero(buf, "CapBnd:") &&
		            dk_status_zero(buf, "CapAmb:");
		const char *sc = strstr(buf, "Seccomp:");
		const char *nnp = strstr(buf, "NoNewPrivs:");
		const char *uid = strstr(buf, "Uid:");
		int nif = 0;

		for (const char *p = strstr(buf, "Inter-|"); p;
		     p = strchr(p + 1, '\n'))
			if (strchr(p + 1, ':') && strchr(p + 1, '\n') &&
			    strchr(p + 1, ':') < strchr(p + 1, '\n'))
				nif++;
		snprintf(line, sizeof(line), "%s",
		         st->seccomp_on
		                 ? "docker profile equal to sandbox/ns's "
		                   "allow-list, default kill"
		                 : "sandbox.seccomp = false");
		cb(arg, "seccomp", sc && atoi(sc + 8) == 2 && st->seccomp_on,
		   line);
		cb(arg, "no_new_privs", nnp && atoi(nnp + 11) == 1,
		   "no-new-privileges");
		cb(arg, "capabilities dropped", caps,
		   "all five sets zero in the program");
		snprintf(line, sizeof(line), "uid %d",
		         uid ? atoi(uid + 4) : -1);
		cb(arg, "non-root user", uid && atoi(uid + 4) != 0, line);
		snprintf(line, sizeof(line),
		         "%d interface(s) in /proc/net/dev (lo only)", nif);
		cb(arg, "no network", nif <= 1, line);
		cb(arg, "rlimits", true,
		   "fsize, stack, nofile, cpu, core set by the runner");
	}
	free(buf);
	unlink(outp);
	rmdir(box);
	return 0;
}

static int dk_enforcing(void *state)
{
	struct dk_state *st = state;

	for (int i = 0; i < CG_N; i++)
		if (!st->cgmnt[i][0])
			return -ENOTSUP;
	return 0;
}

static const struct ac_sandbox_ops dk_ops = {
        .init = dk_init,
        .fini = dk_fini,
        .run = dk_run,
        .check_env = dk_check_env,
        .enforcing = dk_enforcing,
};

AC_PLUGIN_DEFINE(AC_KIND_SANDBOX, "docker",
                 "warm Docker containers through the Engine API",
                 PACKAGE_VERSION, dk_ops);
