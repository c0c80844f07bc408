/* Helpers shared by the language plugins (header-only: each plugin is its
 * own shared object and keeps no globals).  Include after <algocode/plugin.h>.
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
	{"time_multiplier",                                                    \
	 AC_SETTING_FLOAT,                                                     \
	 "1",                                                                  \
	 0.01,                                                                 \
	 100,                                                                  \
	 "the problem's time limit is multiplied by this for the language"},   \
	{                                                                      \
		"memory_multiplier", AC_SETTING_FLOAT, "1", 0.01, 100,         \
		        "the problem's memory limit is multiplied by this "    \
		        "for "                                                 \
		        "the language"                                         \
	}

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

/* The compile limits of the GNU compilers (c, cpp). */
static inline struct ac_limits lc_gnu_compile_limits(void)
{
	return (struct ac_limits){
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

static inline int64_t lc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
	int64_t deadline = lc_mono_ms() + LC_QUERY_TIMEOUT_MS;
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
		int64_t left = deadline - lc_mono_ms();
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

#endif /* AC_LANG_COMMON_H */
