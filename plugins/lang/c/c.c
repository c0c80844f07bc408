/* lang/c: C11 with GNU gcc.
 *
 * Settings (group `lang.c`):
 *   compiler  absolute path of gcc (default /usr/bin/gcc); it must exist and
 *             be executable here, and the sandbox must show it at the same
 *             path (it binds /usr read-only).  When it does not exist, init
 *             returns -ENOPKG and the core serves the other languages.
 *   time_multiplier, memory_multiplier  (default 1) applied to the
 *             problem's limits.
 *   flags     extra compiler flags, space-separated, each starting with '-'
 *             (default none); they go before "-o".
 *
 * Programs are linked with -lm.  The version string ("gcc 12.2.0") comes from
 * `<compiler> -dumpfullversion` run once at init, without a shell.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algocode/plugin.h>

#include "../common/lang_common.h"

#define C_DEFAULT_COMPILER   "/usr/bin/gcc"
#define C_MAX_FLAGS          32
#define C_MAX_FLAGS_LEN      1024
#define C_VERSION_TIMEOUT_MS 10000
/* Processes+threads of a run.  CPU time is accounted over all threads, so
 * threads buy nothing against the time limit; 4 lets a program (or a C
 * runtime) start a helper thread or two and still stops fork bombs. */
#define C_RUN_PROCESSES 4

struct c_state {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	char *compiler;
	char *flags; /* tokenised in place; compile_argv points in it */
	const char **compile_argv;
	const char *run_argv[2];
	const char *envp[5];
	char version[64];
};

#define c_log(st, lvl, ...) (st)->host->log((st)->ctx, (lvl), __VA_ARGS__)

static const struct ac_lang_info *c_info(void *state)
{
	struct c_state *st = state;

	return &st->info;
}

static int c_check_compiler(struct c_state *st)
{
	struct stat sb;

	if (st->compiler[0] != '/') {
		c_log(st, AC_LOG_ERROR,
		      "lang.c.compiler must be an absolute path (got "
		      "\"%s\")",
		      st->compiler);
		return -EINVAL;
	}
	if (stat(st->compiler, &sb) < 0) {
		int err = errno;

		c_log(st, AC_LOG_WARN, "lang.c.compiler %s: %s", st->compiler,
		      strerror(err));
		/* not installed here: the core skips this language */
		return err == ENOENT ? -ENOPKG : -err;
	}
	if (!S_ISREG(sb.st_mode) || access(st->compiler, X_OK) < 0) {
		c_log(st, AC_LOG_ERROR,
		      "lang.c.compiler %s is not an executable file",
		      st->compiler);
		return -EACCES;
	}
	return 0;
}

static int64_t c_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run `compiler opt`, read one line of stdout into buf.  0 on success. */
static int c_query(struct c_state *st, const char *opt, char *buf, size_t size)
{
	static const char *const envp[] = {"PATH=/usr/bin:/bin", "LANG=C",
	                                   NULL};
	const char *argv[] = {st->compiler, opt, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int fds[2] = {-1, -1};
	pid_t pid = -1;
	size_t n = 0;
	int64_t deadline = c_mono_ms() + C_VERSION_TIMEOUT_MS;
	int ret, status = 0;

	buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&mask);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = -posix_spawn(&pid, st->compiler, &fa, &attr, (char *const *)argv,
	                   (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	fds[1] = -1;
	if (ret < 0) {
		pid = -1;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int64_t left = deadline - c_mono_ms();
		ssize_t r;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			kill(pid, SIGKILL);
			break;
		}
		if (r == 0)
			continue;
		if (n + 1 >= size) {
			char sink[256];

			r = read(fds[0], sink, sizeof(sink));
		} else {
			r = read(fds[0], buf + n, size - 1 - n);
			if (r > 0)
				n += (size_t)r;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
	}
	buf[n] = '\0';
out:
	if (pid > 0) {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			/* Somebody else reaped it: trust the output. */
			status = 0;
			break;
		}
		if (ret == 0 &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			ret = -EIO;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	/* Keep the first line, printable characters only. */
	buf[strcspn(buf, "\r\n")] = '\0';
	for (char *p = buf; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	}
	if (ret == 0 && !buf[0])
		ret = -EIO;
	return ret;
}

static int c_version(struct c_state *st)
{
	char out[48];
	int ret;

	ret = c_query(st, "-dumpfullversion", out, sizeof(out));
	if (ret < 0) /* compilers without -dumpfullversion */
		ret = c_query(st, "-dumpversion", out, sizeof(out));
	if (ret < 0) {
		c_log(st, AC_LOG_ERROR,
		      "%s -dumpfullversion failed (%s): is it a working gcc?",
		      st->compiler, strerror(-ret));
		return ret;
	}
	snprintf(st->version, sizeof(st->version), "gcc %s", out);
	return 0;
}

/* Split the `flags` setting in place and build compile_argv. */
static int c_build_argv(struct c_state *st)
{
	/* No -pipe: with it, cc1 writes to a pipe of its own whose read
	 * end `#include "/dev/stdout"` reopens, and reads until the wall
	 * limit.  Without it, the compiler's streams are the sandbox's
	 * pipes, which belong to root: /dev/stdout, /dev/stderr cannot be
	 * opened (docs/security.md). */
	static const char *const head[] = {"-O2", "-std=gnu11"};
	static const char *const tail[] = {"-o", "/box/main", "/box/main.c",
	                                   "-lm"};
	const char *extra[C_MAX_FLAGS];
	size_t nextra = 0, n = 0, total;

	if (st->flags) {
		char *save = NULL;

		if (strlen(st->flags) > C_MAX_FLAGS_LEN) {
			c_log(st, AC_LOG_ERROR,
			      "lang.c.flags is longer than %d characters",
			      C_MAX_FLAGS_LEN);
			return -EINVAL;
		}
		for (char *tok = strtok_r(st->flags, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (strcmp(tok, "-pipe") == 0) {
				c_log(st, AC_LOG_ERROR,
				      "lang.c.flags: -pipe is refused: a "
				      "source "
				      "could #include the compiler's own pipe "
				      "(docs/security.md)");
				return -EINVAL;
			}
			if (tok[0] != '-') {
				c_log(st, AC_LOG_ERROR,
				      "lang.c.flags: \"%s\" is not a flag "
				      "(flags start with '-')",
				      tok);
				return -EINVAL;
			}
			if (nextra == C_MAX_FLAGS) {
				c_log(st, AC_LOG_ERROR,
				      "lang.c.flags: more than %d flags",
				      C_MAX_FLAGS);
				return -EINVAL;
			}
			extra[nextra++] = tok;
		}
	}
	total = 1 + 3 + nextra + 4 + 1;
	st->compile_argv = calloc(total, sizeof(*st->compile_argv));
	if (!st->compile_argv)
		return -ENOMEM;
	st->compile_argv[n++] = st->compiler;
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		st->compile_argv[n++] = head[i];
	for (size_t i = 0; i < nextra; i++)
		st->compile_argv[n++] = extra[i];
	for (size_t i = 0; i < 4; i++)
		st->compile_argv[n++] = tail[i];
	st->compile_argv[n] = NULL;
	return 0;
}

static void c_fini(void *state)
{
	struct c_state *st = state;

	if (!st)
		return;
	free(st->compile_argv);
	free(st->flags);
	free(st->compiler);
	free(st);
}

static int c_init(const struct ac_host *host, struct ac_plugin_ctx *ctx,
                  void **state)
{
	struct c_state *st;
	struct ac_lang_info *in;
	int ret;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->host = host;
	st->ctx = ctx;
	ret = host->conf_string(ctx, "compiler", &st->compiler);
	if (ret == -ENOENT) {
		st->compiler = strdup(C_DEFAULT_COMPILER);
		ret = st->compiler ? 0 : -ENOMEM;
	} else if (ret < 0) {
		c_log(st, AC_LOG_ERROR, "lang.c.compiler must be a string");
	}
	if (ret < 0)
		goto fail;
	ret = host->conf_string(ctx, "flags", &st->flags);
	if (ret == -ENOENT) {
		st->flags = NULL;
		ret = 0;
	} else if (ret < 0) {
		c_log(st, AC_LOG_ERROR, "lang.c.flags must be a string");
		goto fail;
	}
	ret = c_check_compiler(st);
	if (ret < 0)
		goto fail;
	ret = lc_conf_multiplier(host, ctx, "time_multiplier",
	                         &st->info.time_multiplier);
	if (ret == 0)
		ret = lc_conf_multiplier(host, ctx, "memory_multiplier",
		                         &st->info.memory_multiplier);
	if (ret < 0)
		goto fail;
	ret = c_build_argv(st);
	if (ret < 0)
		goto fail;
	ret = c_version(st);
	if (ret < 0)
		goto fail;
	st->run_argv[0] = "/box/main";
	st->run_argv[1] = NULL;
	st->envp[0] = "PATH=/usr/bin:/bin";
	st->envp[1] = "LANG=C.UTF-8";
	st->envp[2] = "HOME=/box";
	st->envp[3] = "TMPDIR=/tmp";
	st->envp[4] = NULL;
	in = &st->info;
	in->name = "c";
	in->display = "C11 (GNU gcc)";
	in->source_file = "main.c";
	in->compile_argv = st->compile_argv;
	in->run_argv = st->run_argv;
	in->envp = st->envp;
	in->compile_limits = (struct ac_limits){
	        .cpu_ms = 30 * 1000,
	        /* A compiler waiting on nothing costs a worker this long:
	         * close to the CPU limit (docs/security.md). */
	        .wall_ms = 40 * 1000,
	        .memory_kb = 1024 * 1024,
	        .stack_kb = 0,
	        .stdout_kb = 64,
	        .stderr_kb = 64,
	        .fsize_kb = 256 * 1024,
	        .processes = 64,
	        .nofile = 64,
	};
	in->run_processes = C_RUN_PROCESSES;
	in->version = st->version;
	c_log(st, AC_LOG_DEBUG, "%s (%s)", st->version, st->compiler);
	*state = st;
	return 0;
fail:
	c_fini(st);
	return ret;
}

static const struct ac_lang_ops c_ops = {
        .init = c_init,
        .fini = c_fini,
        .info = c_info,
};

AC_EXPORT const struct ac_plugin algocode_plugin = {
        .abi = AC_ABI_VERSION,
        .kind = AC_KIND_LANG,
        .name = "c",
        .description = "C11 compiled with GNU gcc",
        .ops = &c_ops,
};
