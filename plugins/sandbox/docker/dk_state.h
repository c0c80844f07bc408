/* sandbox/docker: the plugin's state and what its files share: docker.c
 * (set-up, check-env, the Engine API), pool.c (cgroups, seccomp and run
 * profiles, the container pools), run.c (one run).  runner.c, the container's
 * agent, shares only dk.h. */
#ifndef ALGOCODE_SANDBOX_DOCKER_STATE_H
#define ALGOCODE_SANDBOX_DOCKER_STATE_H

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <algocode/plugin.h>

#include "../common/sbx_stdin.h"

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

__attribute__((unused)) static const char *const cg_names[CG_N] = {
        "memory", "pids", "cpuacct"};

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

/* Shared between the files of this module. */
int dk_write_u64(const char *dir, const char *file, uint64_t v);
uint64_t dk_read_u64(const char *dir, const char *file);
int dk_api(struct dk_state *st, const char *method, const char *path,
           json_t *body, int want, json_t **out, char *err, size_t errlen);
void dk_find_cgroups(struct dk_state *st);
int dk_cg_kill(const char *dir);
struct dk_pool *dk_pool_get(struct dk_state *st,
                            const struct ac_run_profile *prof, char *err,
                            size_t errlen);
void dk_destroy(struct dk_state *st, struct dk_cont *c);
int dk_agent_connect(struct dk_cont *c, char *err, size_t errlen);
int dk_create(struct dk_state *st, struct dk_pool *pool, struct dk_cont **out,
              char *err, size_t errlen);
int dk_acquire(struct dk_state *st, struct dk_pool *pool, struct dk_cont **out,
               char *err, size_t errlen);
void dk_release(struct dk_state *st, struct dk_cont *c, bool reuse);
int dk_run(void *state, const struct ac_run_spec *spec,
           struct ac_run_report *rep);

#endif
