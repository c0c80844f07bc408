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
#include "../common/sbx_file.h"
#include "../common/sbx_stdin.h"
#include "../common/sbx_stream.h"
#include "dk.h"
#include "dk_state.h"
#include "fs.h"

/* ------------------------------------------------------------ small files */

int dk_write_u64(const char *dir, const char *file, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	return sbx_write_at(dir, file, b);
}

uint64_t dk_read_u64(const char *dir, const char *file)
{
	char b[64];

	if (sbx_read_at(dir, file, b, sizeof(b)) < 0)
		return 0;
	return strtoull(b, NULL, 10);
}

/* ------------------------------------------------------------ Engine API */

/* A request whose answer must have status `want` (or 2xx when 0); the
 * parsed JSON body (NULL when empty) in *out when out != NULL. */
int dk_api(struct dk_state *st, const char *method, const char *path,
           json_t *body, int want, json_t **out, char *err, size_t errlen)
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
	/* The core checked the ranges (dk_settings). */
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
		if (buf && sbx_read_file(outp, buf, 65536) < 0) {
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

static const struct ac_setting dk_settings[] = {
        AC_SET_STRING("socket", NULL,
                      "dockerd's unix socket (default: DOCKER_HOST's unix:// "
                      "path, else "
                      "/var/run/docker.sock)"),
        AC_SET_STRING("image", "algocode-judge:latest",
                      "the image the runs' containers are made of"),
        AC_SET_STRING("image_script", NULL,
                      "builds the image when it is missing (default: "
                      "algocode-docker-image in the bin directory)"),
        AC_SET_STRING("state_dir", "/run/algocode-docker",
                      "root-only directory of the runner and the run sockets"),
        AC_SET_INT("uid", "65534", 1, 0x7ffffffe,
                   "host uid the programs run as (not 0)"),
        AC_SET_INT("gid", NULL, 1, 0x7ffffffe,
                   "host gid the programs run as (default: uid)"),
        AC_SET_INT("box_size_kb", "1048576", 1, 1LL << 40,
                   "size of the box directory of a container"),
        AC_SET_INT("tmp_size_kb", "262144", 1, 1LL << 40,
                   "size of a container's /tmp"),
        AC_SET_INT("max_memory_kb", "4194304", 1, 1LL << 40,
                   "memory of a container, the largest run's limit"),
        AC_SET_INT("max_processes", "512", 2, 1 << 22,
                   "processes of a container"),
        AC_SET_BOOL("pool", "true",
                    "keep warm containers (false: a fresh container per run)"),
        AC_SET_INT("pool_size", "2", 0, 1024,
                   "warm containers started at start-up"),
        AC_SET_INT("pool_max", "8", 1, 1024, "containers at most"),
        AC_SET_INT("cpu_millis", "1000", 1, 1 << 20,
                   "CPU of a container, in thousandths of a CPU"),
        AC_SET_BOOL("seccomp", "true",
                    "the system call filter in the containers"),
        AC_SETTINGS_END,
};

AC_PLUGIN_DEFINE_SETTINGS(AC_KIND_SANDBOX, "docker",
                          "warm Docker containers through the Engine API",
                          PACKAGE_VERSION, dk_ops, dk_settings);
