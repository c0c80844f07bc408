/* sandbox/docker: the containers: the host's cgroups, the seccomp profile and
 * the run profiles (create bodies), and the pools of warm containers (create,
 * acquire, release, destroy).  See docker.c and docs/sandbox-docker.md. */
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
#include "../common/sbx_file.h"
#include "../common/sbx_stdin.h"
#include "../common/sbx_stream.h"
#include "../common/sbx_syscalls.h"
#include "dk.h"
#include "dk_state.h"
#include "fs.h"

/* ------------------------------------------------------------ cgroups */

/* v1 mount points of memory, pids and cpuacct, from our mountinfo. */
void dk_find_cgroups(struct dk_state *st)
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
		for (int i = 0; i < CG_N; i++)
			if (sbx_has_word(opts, cg_names[i], ',') &&
			    !st->cgmnt[i][0])
				snprintf(st->cgmnt[i], sizeof(st->cgmnt[i]),
				         "%s", mnt);
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
			if (sbx_has_word(a + 1, cg_names[i], ',') &&
			    st->cgmnt[i][0]) {
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
int dk_cg_kill(const char *dir)
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

/* Append "<tag><item>\n" to key (n bytes used of size) for each item of
 * the NULL-terminated list (may be NULL), each passing check first.
 * Returns 0, or -1 with err set. */
static int dk_key_add(char *key, size_t size, size_t *n, char tag,
                      const char *const *list,
                      int (*check)(const char *, char *, size_t), char *err,
                      size_t errlen)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (check(list[i], err, errlen) < 0)
			return -1;
		*n += (size_t)snprintf(key + *n, size - *n, "%c%s\n", tag,
		                       list[i]);
		if (*n >= size) {
			snprintf(err, errlen, "run profile too large");
			return -1;
		}
	}
	return 0;
}

/* The pool of the run's profile, created on first use. */
struct dk_pool *dk_pool_get(struct dk_state *st,
                            const struct ac_run_profile *prof, char *err,
                            size_t errlen)
{
	char key[8192];
	size_t n = 0;
	struct dk_pool *p;
	json_t *body;

	key[0] = '\0';
	if (dk_key_add(key, sizeof(key), &n, 'r', prof ? prof->ro_paths : NULL,
	               dk_check_ro, err, errlen) < 0 ||
	    dk_key_add(key, sizeof(key), &n, 's', prof ? prof->syscalls : NULL,
	               dk_check_syscall, err, errlen) < 0)
		return NULL;
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
}

/* ------------------------------------------------------------ containers */

void dk_destroy(struct dk_state *st, struct dk_cont *c)
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
int dk_agent_connect(struct dk_cont *c, char *err, size_t errlen)
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

int dk_create(struct dk_state *st, struct dk_pool *pool, struct dk_cont **out,
              char *err, size_t errlen)
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
int dk_acquire(struct dk_state *st, struct dk_pool *pool, struct dk_cont **out,
               char *err, size_t errlen)
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

void dk_release(struct dk_state *st, struct dk_cont *c, bool reuse)
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
