/* Helpers shared by the language plugins (header-only: each plugin is its
 * own shared object and keeps no globals).  Include after <algocode/plugin.h>.
 * The GNU compilers' part (lc_gnu_*: lang/c and lang/cpp) is at the end.
 */
#ifndef AC_LANG_COMMON_H
#define AC_LANG_COMMON_H

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

#include "../../common/plugin_util.h"

#define LC_QUERY_TIMEOUT_MS 10000

/* 0 when path is an absolute, executable regular file; -ENOPKG when it does
 * not exist (the tool is not installed: the core skips the language);
 * another negative errno otherwise.  Logs why. */
static inline int lc_check_tool(const struct ac_host *host,
                                struct ac_plugin_ctx *ctx, const char *what,
                                const char *path)
{
	struct stat sb;

	if (path[0] != '/') {
		host->log(ctx, AC_LOG_ERROR,
		          "%s must be an absolute path (got \"%s\")", what,
		          path);
		return -EINVAL;
	}
	if (stat(path, &sb) < 0) {
		int err = errno;

		host->log(ctx, AC_LOG_WARN, "%s %s: %s", what, path,
		          strerror(err));
		return err == ENOENT ? -ENOPKG : -err;
	}
	if (!S_ISREG(sb.st_mode) || access(path, X_OK) < 0) {
		host->log(ctx, AC_LOG_ERROR, "%s %s is not an executable file",
		          what, path);
		return -EACCES;
	}
	return 0;
}

/* The two multiplier settings every language declares (its settings
 * table: the core checks the range). */
#define LC_MULTIPLIER_SETTINGS                                                 \
	AC_SET_FLOAT("time_multiplier", "1", 0.01, 100,                        \
	             "the problem's time limit is multiplied by this for the " \
	             "language"),                                              \
	        AC_SET_FLOAT("memory_multiplier", "1", 0.01, 100,              \
	                     "the problem's memory limit is multiplied by "    \
	                     "this for the language")

/* A multiplier setting (a number, or a string "1.5"): its value or the
 * table's default; the core checked its range. */
static inline int lc_conf_multiplier(const struct ac_host *host,
                                     struct ac_plugin_ctx *ctx, const char *key,
                                     double *out)
{
	int r;

	*out = 1.0;
	r = host->conf_float(ctx, key, out);
	return r == -ENOENT ? 0 : r;
}

/* Both multipliers (LC_MULTIPLIER_SETTINGS) into info. */
static inline int lc_conf_multipliers(const struct ac_host *host,
                                      struct ac_plugin_ctx *ctx,
                                      struct ac_lang_info *info)
{
	int r = lc_conf_multiplier(host, ctx, "time_multiplier",
	                           &info->time_multiplier);

	if (r == 0)
		r = lc_conf_multiplier(host, ctx, "memory_multiplier",
		                       &info->memory_multiplier);
	return r;
}

/* The environment every language starts from: envp[0..3] set, envp[4]
 * NULL (envp has room for 5 at least; a language may put its own variable
 * there, and NULL after it). */
static inline void lc_base_env(const char **envp)
{
	envp[0] = "PATH=/usr/bin:/bin";
	envp[1] = "LANG=C.UTF-8";
	envp[2] = "HOME=/box";
	envp[3] = "TMPDIR=/tmp";
	envp[4] = NULL;
}

/* The identity and argument vectors of *in (the strings and arrays are the
 * plugin's, they live as long as its state). */
static inline void lc_set_info(struct ac_lang_info *in, const char *name,
                               const char *display, const char *source_file,
                               const char *const *compile_argv,
                               const char *const *run_argv,
                               const char *const *envp)
{
	in->name = name;
	in->display = display;
	in->source_file = source_file;
	in->compile_argv = compile_argv;
	in->run_argv = run_argv;
	in->envp = envp;
}

/* The limits of a compile step: only these vary between languages (64 KiB
 * of its stdout and stderr are kept, its stack is as large as its
 * memory). */
static inline struct ac_limits
lc_compile_limits(uint64_t cpu_s, uint64_t wall_s, uint64_t memory_mb,
                  uint64_t fsize_mb, uint32_t processes, uint32_t nofile)
{
	return (struct ac_limits){
	        .cpu_ms = cpu_s * 1000,
	        .wall_ms = wall_s * 1000,
	        .memory_kb = memory_mb * 1024,
	        .stack_kb = 0,
	        .stdout_kb = 64,
	        .stderr_kb = 64,
	        .fsize_kb = fsize_mb * 1024,
	        .processes = processes,
	        .nofile = nofile,
	};
}

/* Split the `flags` setting of lang.<lang> in place (spaces and tabs) into
 * extra[0..*n), at most max flags, the setting at most max_len bytes; each
 * must start with '-', and -pipe is refused (with it, cc1 writes to a pipe
 * of its own whose read end `#include "/dev/stdout"` reopens).  flags may
 * be NULL (no flags).  0 or -EINVAL, logged. */
static inline int lc_split_flags(const struct ac_host *host,
                                 struct ac_plugin_ctx *ctx, const char *lang,
                                 char *flags, const char **extra, size_t max,
                                 size_t max_len, size_t *n)
{
	char *save = NULL;

	*n = 0;
	if (!flags)
		return 0;
	if (strlen(flags) > max_len) {
		host->log(ctx, AC_LOG_ERROR,
		          "lang.%s.flags is longer than %zu characters", lang,
		          max_len);
		return -EINVAL;
	}
	for (char *tok = strtok_r(flags, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "-pipe") == 0) {
			host->log(ctx, AC_LOG_ERROR,
			          "lang.%s.flags: -pipe is refused: a source "
			          "could #include the compiler's own pipe "
			          "(docs/security.md)",
			          lang);
			return -EINVAL;
		}
		if (tok[0] != '-') {
			host->log(ctx, AC_LOG_ERROR,
			          "lang.%s.flags: \"%s\" is not a flag (flags "
			          "start with '-')",
			          lang, tok);
			return -EINVAL;
		}
		if (*n == max) {
			host->log(ctx, AC_LOG_ERROR,
			          "lang.%s.flags: more than %zu flags", lang,
			          max);
			return -EINVAL;
		}
		extra[(*n)++] = tok;
	}
	return 0;
}

/* Run argv (no shell, stdin /dev/null, stderr also captured when
 * want_stderr) and keep the first line of its output in buf (printable
 * ASCII only).  0 when it exited 0 and printed something. */
static inline int lc_query(const char *const *argv, bool want_stderr, char *buf,
                           size_t size)
{
	static const char *const envp[] = {"PATH=/usr/bin:/bin", "LANG=C",
	                                   NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int fds[2] = {-1, -1};
	pid_t pid = -1;
	size_t n = 0;
	int64_t deadline = pu_mono_ms() + LC_QUERY_TIMEOUT_MS;
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
	if (want_stderr)
		posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY,
		                                 0);
	ret = -posix_spawn(&pid, argv[0], &fa, &attr, (char *const *)argv,
	                   (char *const *)envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (ret < 0) {
		pid = -1;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int64_t left = deadline - pu_mono_ms();
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
			status = 0;
			break;
		}
		if (ret == 0 &&
		    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			ret = -EIO;
	}
	close(fds[0]);
	buf[strcspn(buf, "\r\n")] = '\0';
	for (char *p = buf; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	}
	if (ret == 0 && !buf[0])
		ret = -EIO;
	return ret;
}

/* The version of a GNU compiler into buf: "<tool> <x.y.z>" (tool: "gcc",
 * "g++").  0, or a negative errno (logged). */
static inline int lc_gnu_version(const struct ac_host *host,
                                 struct ac_plugin_ctx *ctx,
                                 const char *compiler, const char *tool,
                                 char *buf, size_t size)
{
	const char *const full[] = {compiler, "-dumpfullversion", NULL};
	const char *const plain[] = {compiler, "-dumpversion", NULL};
	char out[48];
	int ret;

	ret = lc_query(full, false, out, sizeof(out));
	if (ret < 0) /* compilers without -dumpfullversion */
		ret = lc_query(plain, false, out, sizeof(out));
	if (ret < 0) {
		host->log(
		        ctx, AC_LOG_ERROR,
		        "%s -dumpfullversion failed (%s): is it a working %s?",
		        compiler, strerror(-ret), tool);
		return ret;
	}
	snprintf(buf, size, "%s %s", tool, out);
	return 0;
}

/* ------------------------------------------- builds in the background
 * The caches a language keeps on the host (lang/cpp's precompiled
 * headers, lang/java's class-data-sharing archive) are built by a
 * detached shell started at init: never waited for, one build at a time
 * per directory (a lock file), the result renamed into place. */

#define LC_BUILD_LOCK_MAX_AGE_S 600 /* an older lock is a dead build's */

/* mkdir -p (mode 0755) of an absolute path.  0 or -errno. */
static inline int lc_mkdirs(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (path[0] != '/')
		return -EINVAL;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Write `text` into path (mode 0644, not through a symlink), replacing
 * it.  0 or -errno. */
static inline int lc_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path,
	              O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	              0644);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* Take a build lock: create `lock` (O_EXCL).  0, or -errno (-EEXIST
 * while another build holds it).  A lock older than
 * LC_BUILD_LOCK_MAX_AGE_S is a dead build's and is taken over.  The
 * build removes it when done. */
static inline int lc_build_lock(const char *lock)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	struct stat sb;
	int fd = open(lock, fl, 0644);

	if (fd < 0 && errno == EEXIST && lstat(lock, &sb) == 0 &&
	    time(NULL) - sb.st_mtime > LC_BUILD_LOCK_MAX_AGE_S) {
		unlink(lock);
		fd = open(lock, fl, 0644);
	}
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Start a background build: argv is `/bin/sh -c SCRIPT ...` whose
 * script runs its work in a subshell left in the background (`( ... )
 * </dev/null >/dev/null 2>&1 &`) and returns at once.  The shell gets
 * a session of its own (it outlives a short CLI command if need be), its
 * stdio on /dev/null, PATH=/usr/bin:/bin LANG=C; only the shell itself
 * is waited for.  0 or -errno (nothing started). */
static inline int lc_spawn_build(const char *const *argv)
{
	static const char *const envp[] = {"PATH=/usr/bin:/bin", "LANG=C",
	                                   NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	pid_t pid;
	int ret, status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	ret = -posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv,
	                   (char *const *)envp);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (ret < 0)
		return ret;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* ------------------------------------------------- the GNU compilers
 * lang/c and lang/cpp: a state that starts with struct lc_gnu (cpp adds
 * its precompiled headers after it), the settings compiler and flags, the
 * version from `<compiler> -dumpfullversion`, and the compile command
 * `<compiler> <head> <flags> ... -o /box/main /box/main.<ext>`.
 *
 * No -pipe, ever: with it, cc1 writes to a pipe of its own whose read end
 * `#include "/dev/stdout"` reopens, and reads until the wall limit.
 * Without it, the compiler's streams are the sandbox's pipes, which
 * belong to root: /dev/stdout, /dev/stderr cannot be opened
 * (docs/security.md). */

#define LC_GNU_MAX_FLAGS     32
#define LC_GNU_MAX_FLAGS_LEN 1024
/* Processes+threads of a run.  CPU time is accounted over all threads, so
 * threads buy nothing against the time limit; 4 lets a program (or a C or
 * C++ runtime) start a helper thread or two and still stops fork bombs. */
#define LC_GNU_RUN_PROCESSES 4

struct lc_gnu {
	const struct ac_host *host;
	struct ac_plugin_ctx *ctx;
	struct ac_lang_info info;
	const char *lang; /* "c": the group of its settings is lang.<lang> */
	char *compiler;
	char *flags; /* tokenised in place; compile_argv points in it */
	const char **compile_argv;
	const char *run_argv[2];
	const char *envp[5];
	char version[64];
};

/* The info op (state: a struct lc_gnu, or a struct that starts with one). */
static inline const struct ac_lang_info *lc_gnu_info(void *state)
{
	struct lc_gnu *g = state;

	return &g->info;
}

/* The settings compiler (default dflt), flags and the multipliers of
 * lang.<lang>, the compiler checked and its version read ("<tool>
 * 12.2.0").  0, or a negative errno (logged; -ENOPKG: no such compiler,
 * the language is skipped). */
static inline int lc_gnu_setup(struct lc_gnu *g, const char *lang,
                               const char *dflt, const char *tool)
{
	char what[64];
	int ret;

	g->lang = lang;
	ret = pu_conf_str(g->host, g->ctx, "compiler", dflt, &g->compiler);
	if (ret == 0)
		ret = pu_conf_str(g->host, g->ctx, "flags", NULL, &g->flags);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "lang.%s.compiler", lang);
	ret = lc_check_tool(g->host, g->ctx, what, g->compiler);
	if (ret == 0)
		ret = lc_conf_multipliers(g->host, g->ctx, &g->info);
	if (ret == 0)
		ret = lc_gnu_version(g->host, g->ctx, g->compiler, tool,
		                     g->version, sizeof(g->version));
	return ret;
}

/* compile_argv: the compiler, head (NULL-terminated), the flags setting
 * split in place, NULL, with room for `more` arguments and a NULL after
 * them; *n is the index of that first NULL (lc_argv_add appends there).
 * 0, -EINVAL (bad flags, logged) or -ENOMEM. */
static inline int lc_gnu_argv(struct lc_gnu *g, const char *const *head,
                              size_t more, size_t *n)
{
	const char *extra[LC_GNU_MAX_FLAGS];
	size_t nhead = 0, nextra;
	int ret;

	ret = lc_split_flags(g->host, g->ctx, g->lang, g->flags, extra,
	                     LC_GNU_MAX_FLAGS, LC_GNU_MAX_FLAGS_LEN, &nextra);
	if (ret < 0)
		return ret;
	while (head[nhead])
		nhead++;
	g->compile_argv =
	        calloc(1 + nhead + nextra + more + 1, sizeof(*g->compile_argv));
	if (!g->compile_argv)
		return -ENOMEM;
	*n = 0;
	g->compile_argv[(*n)++] = g->compiler;
	for (size_t i = 0; i < nhead; i++)
		g->compile_argv[(*n)++] = head[i];
	for (size_t i = 0; i < nextra; i++)
		g->compile_argv[(*n)++] = extra[i];
	g->compile_argv[*n] = NULL;
	return 0;
}

/* Append the NULL-terminated args to argv at *n (the room is the
 * caller's), then a NULL. */
static inline void lc_argv_add(const char **argv, size_t *n,
                               const char *const *args)
{
	while (*args)
		argv[(*n)++] = *args++;
	argv[*n] = NULL;
}

/* The rest of the info: the run command /box/main, the environment, the
 * compile limits of a GNU compiler, the version; logged. */
static inline void lc_gnu_finish(struct lc_gnu *g, const char *display,
                                 const char *source_file)
{
	struct ac_lang_info *in = &g->info;

	g->run_argv[0] = "/box/main";
	g->run_argv[1] = NULL;
	lc_base_env(g->envp);
	lc_set_info(in, g->lang, display, source_file, g->compile_argv,
	            g->run_argv, g->envp);
	/* The wall limit: a compiler waiting on nothing costs a worker this
	 * long, close to the CPU limit (docs/security.md). */
	in->compile_limits = lc_compile_limits(30, 40, 1024, 256, 64, 64);
	in->run_processes = LC_GNU_RUN_PROCESSES;
	in->version = g->version;
	pu_log(g, AC_LOG_DEBUG, "%s (%s)", g->version, g->compiler);
}

/* What lc_gnu_setup and lc_gnu_argv allocated (not g itself). */
static inline void lc_gnu_free(struct lc_gnu *g)
{
	free(g->compile_argv);
	free(g->flags);
	free(g->compiler);
}

/* The settings both declare, before their own and LC_MULTIPLIER_SETTINGS;
 * what: "C", "C++". */
#define LC_GNU_SETTINGS(dflt, what)                                            \
	AC_SET_STRING("compiler", dflt,                                        \
	              "the " what " compiler (absolute path); missing: the "   \
	              "language is skipped"),                                  \
	        AC_SET_STRING("flags", NULL,                                   \
	                      "compiler flags in place of the default ones "   \
	                      "(split at spaces)")

#endif /* AC_LANG_COMMON_H */
